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
