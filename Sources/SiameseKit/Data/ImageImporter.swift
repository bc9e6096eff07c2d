// ImageImporter.swift — `facever import`: bring a folder tree of face photos into one class folder.
//
// Every readable photo below the source (LFW's Name/Name_0001.jpg layout or flat) is decoded, made into
// the canonical crop by the PhotoCropper (the largest face, aligned, by default) and written as a marked
// JPEG into DATA/<class>/ under the name `<source stem>-<content hash>.jpg`. A photo whose bytes were
// imported before (in this run or an earlier one) is a duplicate and is skipped; unreadable files are
// skipped and reported; photos in which face mode finds no face are skipped and counted. Photos listed
// in `refusing` (the user's own, when importing other people) are refused and counted: the user's face
// among the negatives would teach the network that the user is someone else. A picture with several faces
// gives its largest, and is listed so that the user can check it. Files in photo formats
// facever does not read are counted apart (PhotoListing); a source with no photo at all is an error.
import Foundation
import Tensor

public struct ImportReport: Sendable {
    public var imported = 0
    public var duplicates = 0
    public var unreadable: [InputError] = []
    public var examined = 0
    /// Photos skipped because face mode found no face in them.
    public var withoutFace = 0
    /// Photos refused because they are in `refusing` (the user's own photos, for negatives).
    public var refused = 0
    /// The run stopped early because `shouldStop` said so (after a whole file).
    public var interrupted = false
    /// Files below the source in photo formats facever does not read (PhotoListing), not examined.
    public var inFormatsNotRead: [URL] = []
    /// Photos imported from pictures with several faces: their largest face was taken.
    public var withSeveralFaces: [URL] = []
}

public enum ImageImporter {
    /// The content hashes of the user's own imported photos (anchor, positive and verification), which
    /// an import into negative refuses.
    public static func ownPhotoHashes(in layout: DataLayout) -> Set<ContentHash> {
        [FaceClass.anchor, .positive, .verification].reduce(into: Set()) { $0.formUnion(importedHashes(in: layout.folder($1))) }
    }

    /// The content hashes already present in `folder`, read from file names `…-<16 hex>.jpg`.
    static func importedHashes(in folder: URL) -> Set<ContentHash> {
        let files = (try? DataLayout.imageFiles(in: folder)) ?? []
        return Set(files.compactMap { url in
            let stem = url.deletingPathExtension().lastPathComponent
            guard let dash = stem.lastIndex(of: "-") else { return nil }
            return ContentHash(hex: String(stem[stem.index(after: dash)...]))
        })
    }

    /// `shouldStop` is asked before each file: a stop leaves every photo imported so far in place.
    /// `onProgress(done, total)` follows each file examined.
    public static func run(
        source: URL, into destination: URL, limit: Int? = nil, refusing: Set<ContentHash> = [], cropper: PhotoCropper = .centre,
        decoder: PhotoDecoder = .ownFormats, shouldStop: () -> Bool = { false }, onProgress: (Int, Int) -> Void = { _, _ in },
        onSkip: (InputError) -> Void = { _ in }
    ) throws -> ImportReport {
        let listing = try DataLayout.photosRecursively(in: source)
        // Nothing to import is a mistake worth an exit status: a wrong folder, or photos in a format facever does not read.
        try listing.requirePhotos(from: source.path)
        var report = try run(files: listing.photos, into: destination, limit: limit, refusing: refusing, cropper: cropper,
                             decoder: decoder, shouldStop: shouldStop, onProgress: onProgress, onSkip: onSkip)
        report.inFormatsNotRead = listing.unreadFormats
        return report
    }

    /// As `run(source:…)`, for a list of photo files.
    public static func run(
        files: [URL], into destination: URL, limit: Int? = nil, refusing: Set<ContentHash> = [], cropper: PhotoCropper = .centre,
        decoder: PhotoDecoder = .ownFormats, shouldStop: () -> Bool = { false }, onProgress: (Int, Int) -> Void = { _, _ in },
        onSkip: (InputError) -> Void = { _ in }
    ) throws -> ImportReport {
        try PrivateFolder.create(destination)
        var seen = importedHashes(in: destination)
        var report = ImportReport()
        for file in files {
            if let limit, report.imported >= limit { break }
            if shouldStop() {
                report.interrupted = true
                break
            }
            defer { onProgress(report.examined, files.count) }
            report.examined += 1
            let bytes: Data
            do {
                bytes = try decoder.limits.contents(of: file)
            } catch let problem as InputError {
                report.unreadable.append(problem)
                onSkip(problem)
                continue
            }
            let hash = ContentHash(bytes)
            guard !seen.contains(hash) else {
                report.duplicates += 1
                continue
            }
            guard !refusing.contains(hash) else {
                report.refused += 1
                continue
            }
            let crop: CroppedPhoto
            switch try cropper.crop(bytes: bytes, path: file.path, decoder: decoder) {
            case .photo(let photo): crop = photo
            case .noFace:
                report.withoutFace += 1
                continue
            case .unreadable(let error):
                report.unreadable.append(error)
                onSkip(error)
                continue
            }
            let name = "\(sanitized(file.deletingPathExtension().lastPathComponent))-\(hash.hex).jpg"
            try AtomicFile.write(try crop.storedJPEG(), to: destination.appendingPathComponent(name))
            seen.insert(hash)
            report.imported += 1
            if crop.facesInPicture > 1 { report.withSeveralFaces.append(file) }
        }
        return report
    }

    /// A file-name-safe stem: letters, digits, `_` and `-` (so never an augmentation marker).
    static func sanitized(_ stem: String) -> String {
        let text = String(stem.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        return text.isEmpty ? "photo" : text
    }
}
