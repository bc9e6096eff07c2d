// DataLayout.swift — where facever keeps its photos, models and caches (the tutorial's layout).
//
//   DATA/anchor/         the user's anchor photos          DATA/positive/   the user's positive photos
//   DATA/negative/       other people                      DATA/verification/  the stored positives that
//   DATA/model.safetensors  the trained model (default)                     verify compares against
// A photo's *source* is its file name without extension and without an augmentation suffix
// (`face.aug3.jpg` comes from `face.jpg`), so copies of one photo are always kept together.
import Foundation
import Tensor

public enum FaceClass: String, CaseIterable, Codable, Sendable {
    case anchor, positive, negative, verification
}

public struct DataLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func folder(_ faceClass: FaceClass) -> URL {
        root.appendingPathComponent(faceClass.rawValue, isDirectory: true)
    }

    public var defaultModel: URL { root.appendingPathComponent("model.safetensors") }

    /// Removes the temporary files that killed facever processes left in the data folder, its class
    /// folders and `others` (the model's folder, say); returns how many.
    @discardableResult
    public func sweepStaleTemporaries(alsoIn others: [URL] = []) -> Int {
        Self.sweepStaleTemporaries(in: [root] + FaceClass.allCases.map(folder) + others)
    }

    /// The same for `folders` alone (a reader sweeps only where it writes).
    @discardableResult
    public static func sweepStaleTemporaries(in folders: [URL]) -> Int {
        Set(folders.map(\.standardizedFileURL)).reduce(0) { $0 + AtomicFile.sweepStaleTemporaries(in: $1).count }
    }

    /// File extensions facever treats as photos.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "pgm", "ppm", "pnm", "bmp", "tif", "tiff", "webp"]

    public static func isImageFile(_ url: URL) -> Bool {
        imageExtensions.contains(url.pathExtension.lowercased()) && !url.lastPathComponent.hasPrefix(".")
    }

    /// Throws unless `folder` is a folder: "no such folder" with `nextStep` (what a caller that knows where
    /// the folder's photos come from advises), or a file where a folder belongs.
    static func requireFolder(_ folder: URL, ifMissing nextStep: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw InputError(path: folder.path, problem: "no such folder", nextStep: nextStep)
        }
        guard isDirectory.boolValue else {
            throw InputError(path: folder.path, problem: "a file, not a folder", nextStep: "name the folder that holds the photos")
        }
    }

    /// The photos directly in `folder`, sorted by name. Throws when the folder is missing (advising
    /// `nextStep`) or cannot be listed.
    public static func imageFiles(in folder: URL, ifMissing nextStep: String = "check the path") throws -> [URL] {
        try requireFolder(folder, ifMissing: nextStep)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw InputError.cannotOpen(folder.path, what: "folder")
        }
        return names.sorted().map { folder.appendingPathComponent($0) }.filter(isImageFile)
    }

    /// Extensions of photo formats facever does not read (a phone's HEIC, a GIF): a folder of them is not
    /// an empty folder, and the listing says so (`PhotoListing.unreadFormats`).
    public static let photoExtensionsNotRead: Set<String> = ["gif", "heic", "heif", "avif", "jxl"]

    /// Every photo below `folder`, recursively, sorted by path. Symbolic links to photos and to
    /// folders are followed (each real folder is visited once, so link cycles end). Throws when `folder` is
    /// missing (advising `nextStep`) or a folder cannot be listed.
    public static func imageFilesRecursively(in folder: URL, ifMissing nextStep: String = "check the path") throws -> [URL] {
        try photosRecursively(in: folder, ifMissing: nextStep).photos
    }

    /// As `imageFilesRecursively`, with the files found beside them in formats facever does not read.
    public static func photosRecursively(in folder: URL, ifMissing nextStep: String = "check the path") throws -> PhotoListing {
        func inFormatNotRead(_ url: URL) -> Bool { photoExtensionsNotRead.contains(url.pathExtension.lowercased()) }
        // Only the files that matter are kept during the walk: a tree of other files costs no memory.
        let files = try filesRecursively(in: folder, ifMissing: nextStep) { isImageFile($0) || inFormatNotRead($0) }
        return PhotoListing(photos: files.filter(isImageFile), unreadFormats: files.filter(inFormatNotRead))
    }

    /// Every file below `folder` that `keeping` keeps (names starting with a dot are passed over), sorted
    /// by path (see `imageFilesRecursively`).
    private static func filesRecursively(in folder: URL, ifMissing nextStep: String, keeping: (URL) -> Bool) throws -> [URL] {
        try requireFolder(folder, ifMissing: nextStep)
        var files: [URL] = []
        var visited = Set<String>()
        var pending = [folder]
        while let current = pending.popLast() {
            guard visited.insert(current.resolvingSymlinksInPath().path).inserted else { continue }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: current.path) else {
                throw InputError.cannotOpen(current.path, what: "folder")
            }
            for name in names where !name.hasPrefix(".") {
                let url = current.appendingPathComponent(name)
                var entryIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &entryIsDirectory) else { continue }
                if entryIsDirectory.boolValue {
                    pending.append(url)
                } else if keeping(url) {
                    files.append(url)
                }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The photos named on a command line: each a photo file (taken whatever its extension) or a folder
    /// (its photos, recursively), in the order given. Throws for a path that does not exist.
    public static func imageFiles(givenAs paths: [URL]) throws -> [URL] {
        try photos(givenAs: paths).photos
    }

    /// As `imageFiles(givenAs:)`, with the files in formats facever does not read found in the folders.
    public static func photos(givenAs paths: [URL]) throws -> PhotoListing {
        let listings = try paths.map { path -> PhotoListing in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw InputError(path: path.path, problem: "no such file or folder", nextStep: "check the path")
            }
            return isDirectory.boolValue ? try photosRecursively(in: path) : PhotoListing(photos: [path], unreadFormats: [])
        }
        return PhotoListing(photos: listings.flatMap(\.photos), unreadFormats: listings.flatMap(\.unreadFormats))
    }

    /// The people `enroll` knows, one folder each: `DATA/people/NAME/`.
    public var peopleFolder: URL { root.appendingPathComponent("people") }

    /// The marker between a photo's name and its augmentation number: `face.aug3.jpg`.
    public static let augmentationMarker = ".aug"

    /// `face.aug3.jpg` → `face`; `face.jpg` → `face`.
    public static func sourceName(of url: URL) -> String {
        let stem = url.deletingPathExtension().lastPathComponent
        if let range = stem.range(of: augmentationMarker, options: .backwards),
           !stem[range.upperBound...].isEmpty, stem[range.upperBound...].allSatisfy(\.isNumber) {
            return String(stem[..<range.lowerBound])
        }
        return stem
    }

    public static func isAugmented(_ url: URL) -> Bool {
        sourceName(of: url) != url.deletingPathExtension().lastPathComponent
    }
}
