// PhotoListing.swift — what a search of a folder for photos found: the photos facever reads, and the
// files beside them in photo formats it does not (DataLayout.photoExtensionsNotRead), which `import`
// reports rather than pass over in silence: a folder of iPhone photos is HEIC, and would otherwise
// import nothing without a word.
import Foundation

public struct PhotoListing: Sendable {
    /// The photos, sorted by path.
    public let photos: [URL]
    /// Files in formats facever does not read, sorted by path.
    public let unreadFormats: [URL]

    /// Throws when the search found no photo: naming the files in formats facever does not read, when
    /// there were some ("… only 3 .heic files; convert them to JPEG or PNG"), or the formats it reads.
    public func requirePhotos(from path: String) throws {
        guard photos.isEmpty else { return }
        if let formats = unreadFormatsSummary {
            throw InputError(path: path, problem: "no photo here in a format facever reads, only \(formats)",
                             nextStep: "convert them to JPEG or PNG")
        }
        let extensions = DataLayout.imageExtensions.sorted().map { "." + $0 }.joined(separator: ", ")
        throw InputError(path: path, problem: "no photos here (facever reads \(extensions))", nextStep: "check the path")
    }

    /// The warning for `files` in formats facever does not read, found below `source` and left out; nil
    /// for none.
    public static func skippedWarning(for files: [URL], below source: String) -> String? {
        summary(of: files).map { "skipped \($0) below \(source): formats facever does not read; convert them to JPEG or PNG" }
    }

    /// "12 .heic files and 1 .gif file", counted by extension as the files spell it in lower case; nil
    /// when there are none.
    public var unreadFormatsSummary: String? { Self.summary(of: unreadFormats) }

    /// `files` counted by extension, most first: "12 .heic files and 1 .gif file"; nil for none.
    public static func summary(of files: [URL]) -> String? {
        guard !files.isEmpty else { return nil }
        let counts = Dictionary(grouping: files) { $0.pathExtension.lowercased() }.mapValues(\.count)
        let parts = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { "\($0.value) .\($0.key) \($0.value == 1 ? "file" : "files")" }
        return parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }
}
