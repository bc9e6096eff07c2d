// ModelFileCheckTests.swift — a model file is checked before anything runs on it: every weight finite,
// the weights equal to the digest saved with them, the stored thresholds numbers in [0, 1], the
// architecture within bounds; a crafted shape whose size overflows is an error, never a trap.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class ModelFileCheckTests: XCTestCase {
    private var folder: URL!
    private var url: URL { folder.appendingPathComponent("model.safetensors") }

    override func setUpWithError() throws { folder = try TestPaths.temporaryFolder("model-check") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A saved tiny model, read back as an archive to be edited.
    private func savedArchive(thresholds: Thresholds = Thresholds()) throws -> SafetensorsArchive {
        let network = SiameseNetwork(architecture: .tiny, seed: 1)
        try network.save(to: url, metadata: [ModelKeys.detectionThreshold: String(thresholds.detection),
                                             ModelKeys.verificationThreshold: String(thresholds.verification)])
        return try SafetensorsArchive.read(contentsOf: url)
    }

    private func assertLoadFails(_ archive: SafetensorsArchive, containing text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try archive.write(to: url)
        XCTAssertThrowsError(try TrainedModel.load(from: url), file: file, line: line) { error in
            XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
        }
    }

    func testNonFiniteWeightsAnywhereAreRefused() throws {
        for (name, value) in [("embedding.conv1.weight", Float.nan), ("embedding.conv2.weight", .infinity),
                              ("embedding.dense.bias", -.infinity), ("classifier.bias", .infinity)] {
            var archive = try savedArchive()
            archive.tensors[name]!.values[0] = value
            // Re-digest, so that only the non-finite value is wrong.
            archive.metadata.removeValue(forKey: ModelKeys.modelID)
            try assertLoadFails(archive, containing: "parameter '\(name)' holds a NaN or an infinity")
        }
        let network = SiameseNetwork(architecture: .tiny, seed: 1)
        network.classifier.parameters[0].data[0] = .nan
        XCTAssertThrowsError(try network.save(to: url), "a network with a NaN is never saved")
    }

    func testWeightsThatDoNotMatchTheirDigestAreRefused() throws {
        var archive = try savedArchive()
        archive.tensors["embedding.conv1.weight"]!.values[7] += 0.25
        try assertLoadFails(archive, containing: "the weights do not match the digest saved with them")

        // A file from before digests (another kind of model_id) loads, keyed on the weights' digest.
        archive = try savedArchive()
        archive.metadata[ModelKeys.modelID] = "0123456789abcdef"
        try archive.write(to: url)
        let model = try TrainedModel.load(from: url)
        XCTAssertEqual(model.weightsDigest, model.network.weightsDigest())
        XCTAssertEqual(model.modelID, "0123456789abcdef")
    }

    func testTheDigestSeesEveryWeightItsNameAndItsShape() {
        let a = SiameseNetwork(architecture: .tiny, seed: 1), b = SiameseNetwork(architecture: .tiny, seed: 1)
        XCTAssertEqual(a.weightsDigest(), b.weightsDigest())
        for parameter in b.parameters.indices {
            let values = b.parameters[parameter].data
            b.parameters[parameter].data[values.count - 1] = values[values.count - 1].nextUp  // the last value: the tail path
            XCTAssertNotEqual(a.weightsDigest(), b.weightsDigest(), b.parameters[parameter].name!)
            b.parameters[parameter].data = values
        }
        var moved = WeightsDigest.Hasher(), original = WeightsDigest.Hasher()
        original.combine(name: "w", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        moved.combine(name: "w", shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        XCTAssertNotEqual(original.finalize(), moved.finalize())
        XCTAssertEqual(WeightsDigest(text: original.finalize().text), original.finalize())
    }

    func testStoredThresholdsMustBeNumbersFromZeroToOne() throws {
        for bad in ["-1", "-inf", "inf", "nan", "2", "1.0001", "half"] {
            var archive = try savedArchive()
            archive.metadata[ModelKeys.detectionThreshold] = bad
            try assertLoadFails(archive, containing: "the stored detection_threshold '\(bad)' is not a number in [0, 1]")
            archive.metadata[ModelKeys.detectionThreshold] = "0.5"
            archive.metadata[ModelKeys.verificationThreshold] = bad
            try assertLoadFails(archive, containing: "the stored verification_threshold '\(bad)' is not a number in [0, 1]")
        }
        _ = try savedArchive(thresholds: Thresholds(detection: 0, verification: 1))
        XCTAssertEqual(try TrainedModel.load(from: url).thresholds, Thresholds(detection: 0, verification: 1))
    }

    func testArchitecturesThatCannotBeBuiltAreRefused() throws {
        func json(_ architecture: String) -> String { architecture }
        let cases = [
            (#"{"channels":3,"convolutions":[],"embeddingSize":8,"inputHeight":32,"inputWidth":32}"#, "0 convolutions"),
            (#"{"channels":3,"convolutions":[{"filters":4,"kernelSize":3}],"embeddingSize":8,"inputHeight":2,"inputWidth":2}"#, "too small"),
            (#"{"channels":3,"convolutions":[{"filters":4,"kernelSize":0}],"embeddingSize":8,"inputHeight":32,"inputWidth":32}"#, "filters of 0×0"),
            (#"{"channels":5,"convolutions":[{"filters":4,"kernelSize":3}],"embeddingSize":8,"inputHeight":32,"inputWidth":32}"#, "5 input channels"),
            (#"{"channels":3,"convolutions":[{"filters":4096,"kernelSize":3}],"embeddingSize":65536,"inputHeight":64,"inputWidth":64}"#, "parameters (at most"),
            (#"{"channels":3,"convolutions":[{"filters":4,"kernelSize":3}],"embeddingSize":-1,"inputHeight":32,"inputWidth":32}"#, "embedding size -1"),
            (#"{"channels":3}"#, "no readable 'architecture'"),
            // 12 K parameters, but a 1024×1024×4096 feature map (17 GB for one image).
            (#"{"channels":3,"convolutions":[{"filters":4096,"kernelSize":1}],"embeddingSize":8,"inputHeight":1024,"inputWidth":1024}"#,
             "activations would need more memory"),
        ]
        for (architecture, problem) in cases {
            var archive = try savedArchive()
            archive.metadata[ModelKeys.architecture] = json(architecture)
            try assertLoadFails(archive, containing: problem)
        }
    }

    func testAShapeWhoseSizeOverflowsIsAnErrorNotATrap() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}}"#
        var bytes = Data((0..<8).map { UInt8((header.utf8.count >> (8 * $0)) & 0xFF) })
        bytes += Data(header.utf8)
        XCTAssertThrowsError(try SafetensorsArchive.decode(bytes, path: "overflow.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("has shape [4294967296, 4294967296, 16] but 0 bytes of data"), "\(error)")
        }
    }

    func testAHostileResNetArchitectureIsRefused() throws {
        var archive = try savedArchive()
        for (change, text) in [({ (a: inout ResNetArchitecture) in a.inputSide = 513 }, "input side 513"),
                                ({ a in a.stemFilters = 4096 }, "stem of 4096 filters"),
                                ({ a in a.inputSide = 17; a.stemKernel = 15 }, "too small"),
                                ({ a in a.stages = [] }, "stages"),
                                // 27 → stem 11 → pool 5 → halving 2 → a halving of 2×2 by a 3×3 kernel (it trapped).
                                ({ a in a.inputSide = 27
                                   a.stages = [.init(filters: 4, blocks: 1, downsamples: false), .init(filters: 4, blocks: 1, downsamples: true),
                                               .init(filters: 4, blocks: 1, downsamples: true)] }, "too small"),
                                ({ a in a.inputMeans = [300, 0, 0] }, "input means"),
                                ({ a in a.family = "other" }, "family 'other'")] as [((inout ResNetArchitecture) -> Void, String)] {
            var architecture = ResNetArchitecture.dlibFaceRecognition
            change(&architecture)
            archive.metadata[ModelKeys.architecture] = architecture.jsonString()
            try assertLoadFails(archive, containing: text)
        }
    }

    func testAnEditedLandmarkTreeBreaksTheDigest() throws {
        // A tiny ResNet with a one-tree landmark predictor, saved, then one leaf value edited.
        let architecture = TinyLandmarkModel.architecture, predictor = try TinyLandmarkModel.predictor()
        let network = try TinyLandmarkModel.network()
        try network.save(to: url)
        let loaded = try TrainedModel.load(from: url)
        XCTAssertEqual(loaded.network.chipper?.landmarks.pointCount, 5)
        let saved = try SafetensorsArchive.read(contentsOf: url)
        var archive = saved
        archive.tensors["landmarks.leaf_values"]!.values[3] = 0.5
        try assertLoadFails(archive, containing: "do not match the digest")
        // The architecture too: the same weights with the mirror average switched on are another function
        // (and must not share a gallery cache with it).
        var mirrored = architecture
        mirrored.mirrorAverage = true
        archive = saved
        archive.metadata[ModelKeys.architecture] = mirrored.jsonString()
        try assertLoadFails(archive, containing: "do not match the digest")
        // And the chip's border: another picture reaches the network.
        var bordered = architecture
        bordered.chipBorder = .mirror
        archive = saved
        archive.metadata[ModelKeys.architecture] = bordered.jsonString()
        try assertLoadFails(archive, containing: "do not match the digest")
        // A border this version does not know is refused by name, not taken for another family.
        archive.metadata[ModelKeys.architecture] = bordered.jsonString().replacingOccurrences(of: "\"mirror\"", with: "\"purple\"")
        try assertLoadFails(archive, containing: "the stored resnet architecture has a field missing or a value")
        // A model saved with it cuts its chips with it.
        XCTAssertEqual(loaded.network.chipper?.geometry.border, .black)
        try SiameseNetwork(architecture: .resnet(bordered), factory: .glorotUniform(seed: 3),
                           chipper: FaceChipper(landmarks: predictor, geometry: bordered.chipGeometry)).save(to: url)
        XCTAssertEqual(try TrainedModel.load(from: url).network.chipper?.geometry.border, .mirror)
    }

    func testLandmarkValuesBeyondTheirBoundsAreRefused() throws {
        // A leaf of 1e30 (with a correct digest) once made landmark coordinates that trapped as pixel indices.
        func predictor(leaf: Float, threshold: Float = 5) throws -> LandmarkPredictor {
            try LandmarkPredictor(initialShape: [0.2, 0.3, 0.8, 0.3, 0.3, 0.5, 0.7, 0.5, 0.5, 0.8], levels: 1, trees: 1, splits: 1,
                                  features: 2, splitFeatures: [0, 1], thresholds: [threshold],
                                  leafValues: [leaf] + [Float](repeating: 0.01, count: 19), anchors: [0, 1], deltas: [0, 0, 0, 0], path: "m")
        }
        XCTAssertNoThrow(try predictor(leaf: 0.5))
        XCTAssertThrowsError(try predictor(leaf: 1e30)) { XCTAssertTrue("\($0)".contains("a leaf value outside ±1"), "\($0)") }
        XCTAssertThrowsError(try predictor(leaf: 0.5, threshold: 1e9)) { XCTAssertTrue("\($0)".contains("a split threshold"), "\($0)") }
    }

    func testALandmarkModelOfAnotherPointCountIsRefusedNotTrapped() throws {
        // A four-point predictor saved with a correct digest: the chip's fit needs five points and trapped.
        let fourPoints = try LandmarkPredictor(
            initialShape: [0.2, 0.3, 0.8, 0.3, 0.3, 0.5, 0.7, 0.5], levels: 1, trees: 1, splits: 1, features: 2,
            splitFeatures: [0, 1], thresholds: [5], leafValues: [Float](repeating: 0.01, count: 16), anchors: [0, 1],
            deltas: [0, 0, 0, 0], path: "test")
        try SiameseNetwork(architecture: .resnet(TinyLandmarkModel.architecture), factory: .glorotUniform(seed: 3),
                           chipper: FaceChipper(landmarks: fourPoints)).save(to: url)
        XCTAssertThrowsError(try TrainedModel.load(from: url)) {
            XCTAssertTrue("\($0)".contains("the landmark model finds 4 points; the face chip needs 5"), "\($0)")
        }
    }

    func testAnInitialShapeWhosePointsCoincideIsRefused() throws {
        // Two points 1e-30 apart, every value in bounds: the first level moves one of them by a whole box, so
        // the similarity that places the second level's features scaled them by 1e30, and the nearest
        // pixel to such a place once trapped.
        func predictor(initialShape: [Float]) throws -> LandmarkPredictor {
            try LandmarkPredictor(
                initialShape: initialShape, levels: 2, trees: 1, splits: 1, features: 2, splitFeatures: [0, 1, 0, 1],
                thresholds: [5, 5], leafValues: (0..<4).flatMap { _ in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] as [Float] },
                anchors: [0, 1, 0, 1], deltas: [Float](repeating: 1, count: 8), path: "m")
        }
        XCTAssertThrowsError(try predictor(initialShape: [0, 0, 1e-30, 0, 0, 0, 0, 0, 0, 0])) {
            XCTAssertTrue("\($0)".contains("m: the landmark model is damaged (the initial shape's points coincide)"), "\($0)")
        }
        // A shape of spread points runs that cascade to an answer.
        let spread = try predictor(initialShape: [0.2, 0.3, 0.8, 0.3, 0.3, 0.5, 0.7, 0.5, 0.5, 0.8])
        let picture = RGBImage(width: 50, height: 50, pixels: [UInt8](repeating: 9, count: 50 * 50 * 3))
        XCTAssertEqual(spread.landmarks(in: picture, box: .init(left: 0, top: 0, right: 49, bottom: 49)).count, 5)
    }
}
