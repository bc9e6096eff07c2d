// TestPaths.swift — where the repository, its scripts and its bundled faces are (the one place that
// finds them, from this file's path), and fresh temporary folders; shared by every test target.
import Foundation

public enum TestPaths {
    /// The repository's root.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The ORL faces bundled in data/samples/orl (s1 … s20, photos 1 … 10 as PGM).
    public static let sampleFaces = repository.appendingPathComponent("data/samples/orl")
    public static let scripts = repository.appendingPathComponent("Scripts")
    /// What Scripts/setup.sh converts and measures there: dlib's models (models/dlib-resnet-v1.safetensors)
    /// and dlib's own answers on the bundled faces (models/dlib-reference/cases.json).
    public static let models = repository.appendingPathComponent("models")

    /// `s<subject>/<number>.pgm` of the bundled faces.
    public static func sampleFace(subject: Int, number: Int) -> URL {
        sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm")
    }

    public static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies bundled photos `s<subject>/<number>.pgm` into `folder` (created) as `s<subject>_<number>.pgm`.
    public static func copySampleFaces(_ photos: [(subject: Int, number: Int)], into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (subject, number) in photos {
            try FileManager.default.copyItem(at: sampleFace(subject: subject, number: number),
                                             to: folder.appendingPathComponent("s\(subject)_\(number).pgm"))
        }
    }
}
