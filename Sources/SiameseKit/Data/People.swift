// People.swift — the people facever can name: one folder of face crops a person, `DATA/people/NAME/`.
//
// `enroll` brings photos in through the importer (the face pipeline, duplicates and photos without a
// face skipped and counted, private modes, atomic writes); `people` lists who is there and removes one.
// A name is what a folder may safely be called and a line may safely show: 1–64 letters, digits, spaces,
// `_`, `-`, `.` and `'`, not starting with `.` or a space.
import Foundation

public struct Person: Equatable, Sendable {
    public let name: String
    public let photoCount: Int
}

public enum People {
    public static let maximumNameLength = 64

    /// Why `name` cannot name a person, or nil when it can.
    public static func problem(withName name: String) -> String? {
        guard (1...maximumNameLength).contains(name.count) else { return "a name is 1 to \(maximumNameLength) characters" }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || " _-.'".contains($0) }) else {
            return "a name holds only letters, digits, spaces and _ - . '"
        }
        guard !name.hasPrefix("."), !name.hasPrefix(" "), !name.hasSuffix(" ") else { return "a name does not start with . or a space" }
        return nil
    }

    /// The folder of `name`'s photos.
    public static func folder(of name: String, in layout: DataLayout) -> URL {
        layout.peopleFolder.appendingPathComponent(name, isDirectory: true)
    }

    /// Everyone enrolled, by name, with their photo counts (empty when nobody is).
    public static func list(in layout: DataLayout) throws -> [Person] {
        let root = layout.peopleFolder
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else {
            throw InputError.cannotOpen(root.path, what: "folder")
        }
        return try entries.filter { problem(withName: $0) == nil }.sorted().compactMap { name in
            var isDirectory: ObjCBool = false
            let folder = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            return Person(name: name, photoCount: try DataLayout.imageFilesRecursively(in: folder).count)
        }
    }

    /// Removes `name` and their photos.
    public static func remove(_ name: String, in layout: DataLayout) throws {
        let folder = self.folder(of: name, in: layout)
        guard problem(withName: name) == nil, FileManager.default.fileExists(atPath: folder.path) else {
            throw InputError(path: folder.path, problem: "nobody called '\(name)' is enrolled", nextStep: "see who is with `facever people`")
        }
        do {
            try FileManager.default.removeItem(at: folder)
        } catch {
            throw InputError(path: folder.path, problem: "cannot remove the folder (\(error.localizedDescription))")
        }
    }

    /// The person a photo of the people folder belongs to (its first folder below `people/`).
    public static func name(of photo: URL, in layout: DataLayout) -> String? {
        let root = layout.peopleFolder.standardizedFileURL.pathComponents
        let parts = photo.standardizedFileURL.pathComponents
        guard parts.count > root.count + 1, Array(parts.prefix(root.count)) == root else { return nil }
        return parts[root.count]
    }
}
