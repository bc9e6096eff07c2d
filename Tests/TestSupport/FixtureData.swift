// FixtureData.swift — data folders for tests, built from the bundled ORL faces through the importer.
import Foundation
import SiameseKit

public enum FixtureData {
    /// Copies chosen ORL photos into `staging/<name>` and imports them into `layout`'s class folder.
    public static func importPhotos(_ photos: [(subject: Int, number: Int)], into faceClass: FaceClass, layout: DataLayout,
                                    staging: URL) throws {
        let folder = staging.appendingPathComponent(faceClass.rawValue + "-\(UUID().uuidString.prefix(6))")
        try TestPaths.copySampleFaces(photos, into: folder)
        _ = try ImageImporter.run(source: folder, into: layout.folder(faceClass))
    }

    /// A small workflow data folder: s1 photos 1-3 anchors, 4-6 positives, 7-8 gallery; s2…s5 negatives.
    public static func makeWorkflowData(in root: URL) throws -> DataLayout {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        let staging = root.appendingPathComponent("staging")
        try importPhotos([1, 2, 3].map { (1, $0) }, into: .anchor, layout: layout, staging: staging)
        try importPhotos([4, 5, 6].map { (1, $0) }, into: .positive, layout: layout, staging: staging)
        try importPhotos([7, 8].map { (1, $0) }, into: .verification, layout: layout, staging: staging)
        try importPhotos((2...5).flatMap { s in (1...4).map { (s, $0) } }, into: .negative, layout: layout, staging: staging)
        return layout
    }
}

/// A data folder for training tests and the small, fast run they share (tiny network, 20 pairs a class).
public struct TrainingFixture {
    public let root: URL
    public let layout: DataLayout
    public let settings = TrainingSettings(architectureName: "tiny", epochs: 3, batchSize: 2, learningRate: 1e-3,
                                    pairsPerClass: 20, testFraction: 0.3, seed: 42, batches: .pairs, precision: .float32,
                                    crop: .centre)

    public init(_ label: String) throws {
        root = try TestPaths.temporaryFolder(label)
        layout = try FixtureData.makeWorkflowData(in: root)
    }

    public var checkpointURL: URL { root.appendingPathComponent("model.checkpoint.safetensors") }

    public func dataset() throws -> FaceDataset {
        try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: EmbeddingArchitecture.tiny.inputFormat)
    }

    public func remove() { try? FileManager.default.removeItem(at: root) }
}
