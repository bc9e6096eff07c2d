// ArchitectureTests.swift — layer shapes and parameter counts of the tutorial's and Koch's networks,
// one full-size forward pass, and a bit-exact save → load round trip.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class ArchitectureTests: XCTestCase {
    func testTutorialFeatureShapesFollowTheIntendedTwoByTwoPooling() {
        let shapes = EmbeddingArchitecture.tutorial.featureShapes
        // conv 91 → pool 46, conv 40 → pool 20, conv 17 → pool 9, conv 6 (no pool)
        XCTAssertEqual(shapes, [[46, 46, 64], [20, 20, 128], [9, 9, 128], [6, 6, 256]])
        XCTAssertEqual(EmbeddingArchitecture.tutorial.flattenedSize, 9216)
        XCTAssertEqual(EmbeddingArchitecture.omniglot.flattenedSize, 9216)
    }

    func testParameterCountsMatchTheTutorialAndTheKochPaper() {
        let tutorial = SiameseNetwork(architecture: .tutorial, seed: 1)
        XCTAssertEqual(tutorial.embedding.parameterCount, 38_960_448)
        XCTAssertEqual(tutorial.parameterCount, 38_964_545)
        // Koch et al. 2015 report 38,951,745 parameters for the 105×105×1 Omniglot network.
        XCTAssertEqual(SiameseNetwork(architecture: .omniglot, seed: 1).parameterCount, 38_951_745)
        XCTAssertEqual(tutorial.parameters.compactMap(\.name), [
            "embedding.conv1.weight", "embedding.conv1.bias", "embedding.conv2.weight", "embedding.conv2.bias",
            "embedding.conv3.weight", "embedding.conv3.bias", "embedding.conv4.weight", "embedding.conv4.bias",
            "embedding.dense.weight", "embedding.dense.bias", "classifier.weight", "classifier.bias",
        ])
    }

    func testFullSizeForwardPassGivesOneScorePerPair() {
        let network = SiameseNetwork(architecture: .tutorial, seed: 2)
        var generator = RandomGenerator(seed: 3)
        let count = 100 * 100 * 3
        let anchors = Tensor(shape: [1, 100, 100, 3], data: (0..<count).map { _ in generator.nextUnitFloat() })
        let others = Tensor(shape: [1, 100, 100, 3], data: (0..<count).map { _ in generator.nextUnitFloat() })
        let embedding = network.embedding(anchors)
        XCTAssertEqual(embedding.shape, [1, 4096])
        XCTAssertTrue(embedding.data.allSatisfy { $0 > 0 && $0 < 1 })
        let scores = network.scores(anchors: anchors, others: others)
        XCTAssertEqual(scores.count, 1)
        XCTAssertTrue(scores[0] > 0 && scores[0] < 1)
    }

    static let small = EmbeddingArchitecture(
        inputHeight: 12, inputWidth: 12, channels: 1,
        convolutions: [ConvolutionSpec(filters: 8, kernelSize: 3), ConvolutionSpec(filters: 16, kernelSize: 3)],
        embeddingSize: 32)

    func testSaveThenLoadReproducesOutputsBitForBit() throws {
        let folder = try TestPaths.temporaryFolder("roundtrip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let network = SiameseNetwork(architecture: Self.small, seed: 4)
        var generator = RandomGenerator(seed: 5)
        let a = Tensor(shape: [3, 12, 12, 1], data: (0..<432).map { _ in generator.nextUnitFloat() })
        let b = Tensor(shape: [3, 12, 12, 1], data: (0..<432).map { _ in generator.nextUnitFloat() })
        let url = folder.appendingPathComponent("model.safetensors")
        try network.save(to: url, metadata: ["note": "test"])

        let file = try SiameseNetwork.load(from: url)
        let (loaded, metadata) = (file.network, file.metadata)
        XCTAssertEqual(loaded.architecture, .koch(Self.small))
        XCTAssertEqual(metadata["note"], "test")
        XCTAssertEqual(metadata["format_version"], SiameseNetwork.formatVersion)
        let before = network.logits(anchors: a, others: b).data.map(\.bitPattern)
        let after = loaded.logits(anchors: a, others: b).data.map(\.bitPattern)
        XCTAssertEqual(before, after)
    }

    func testLoadingAFileThatIsNotAFaceverModelFailsWithItsPath() throws {
        let folder = try TestPaths.temporaryFolder("notmodel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("other.safetensors")
        try SafetensorsArchive(tensors: ["w": StoredTensor(shape: [1], values: [1])]).write(to: url)
        XCTAssertThrowsError(try SiameseNetwork.load(from: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): not a facever model (metadata 'format' is missing or different); "
                           + "name a model that `facever train` wrote with --model")
        }
        try Data("garbage".utf8).write(to: url)
        XCTAssertThrowsError(try SiameseNetwork.load(from: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)")
        }
        // A photo named as the model: another kind of file, so the way on is another file (or a new model), not a restored one.
        try FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(at: TestPaths.sampleFace(subject: 1, number: 1), to: url)
        XCTAssertThrowsError(try SiameseNetwork.load(from: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): not a safetensors file: no JSON header after its first 8 bytes; "
                           + "name a model that `facever train` wrote with --model, or train again if this file was one")
        }
        XCTAssertThrowsError(try SiameseNetwork.load(from: folder)) { error in
            XCTAssertEqual("\(error)", "\(folder.path): not a regular file (a folder, device or pipe); "
                           + "name a model that `facever train` wrote with --model, or train again if this file was one")
        }
    }
}
