// InferenceModelTests.swift — the precision a command runs in is decided in one place, an inference
// model's packed weights (made once, before any forward pass) change no bit of what it computes, and its
// frequency-domain convolutions change it only by float32 rounding.
import Foundation
@testable import SiameseKit
import Tensor
import XCTest

final class InferenceModelTests: XCTestCase {
    func testThePrecisionIsResolvedFromTheRequestTheModelAndTheCPU() throws {
        let fastest: MatrixPrecision = MatrixPrecision.isBFloat16Faster ? .bfloat16 : .float32
        XCTAssertEqual(try PrecisionChoice.resolve(.float32, trained: .bfloat16), .float32)
        XCTAssertEqual(try PrecisionChoice.resolve(.auto, trained: .float32), fastest)
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: nil), fastest, "a new training run: auto")
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: .float32), .float32, "a model runs as it was trained")
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: .bfloat16), fastest, "… or in float32 where the CPU cannot or gains nothing")
        if MatrixPrecision.isBFloat16Available {
            XCTAssertEqual(try PrecisionChoice.resolve(.bfloat16, trained: nil), .bfloat16)
        } else {
            XCTAssertThrowsError(try PrecisionChoice.resolve(.bfloat16, trained: nil)) { error in
                XCTAssertEqual("\(error)", "--precision bfloat16: bfloat16 products need a CPU with AVX512_BF16, which this one "
                               + "lacks; use --precision auto or float32")
            }
        }
    }

    func testPackedWeightsGiveTheSameEmbeddingsAndScores() throws {
        try XCTSkipUnless(MatrixPrecision.isBFloat16Available, "this CPU has no AVX512_BF16")
        let network = SiameseNetwork(architecture: .tiny, seed: 3)
        var random = RandomGenerator(seed: 9)
        let images = Tensor(shape: [9] + EmbeddingArchitecture.tiny.inputShape,
                            data: (0..<(9 * 32 * 32 * 3)).map { _ in random.nextUnitFloat() })
        let compute = Compute(precision: .bfloat16)
        let unpacked = network.embedding(images, compute: compute).data
        let model = InferenceModel(network: network, compute: compute)
        XCTAssertEqual(model.embeddings(images).data, unpacked, "convolution weights packed")
        XCTAssertTrue(model.packingDenseWeight(forBatchesOf: 1).hasDenseWeightPack, "bfloat16: a pack serves one image too")
        let gallery = model.packingDenseWeight(forBatchesOf: 9)
        let embeddings = gallery.embeddings(images)
        XCTAssertEqual(embeddings.data, unpacked, "dense weight packed too")
        let first = Tensor(shape: [1, 128], data: Array(embeddings.data.prefix(128)))
        XCTAssertEqual(gallery.logits(anchorEmbeddings: first, otherEmbeddings: first).data,
                       network.logits(anchorEmbeddings: first, otherEmbeddings: first, compute: compute).data)
        let float32 = InferenceModel(network: network, compute: .standard).packingDenseWeight(forBatchesOf: 9)
        XCTAssertNotEqual(float32.embeddings(images).data, unpacked, "the two precisions really differ")
    }

    /// float32 on each of facever's kernel paths: convolution and dense weights packed, and the embeddings
    /// float32's to the bit, for a batch above the few rows that stream the unpacked dense weight (9: the
    /// pack is read) and one within them (3: it is not, PackedMatrix.serves(rows:)).
    func testFloat32PacksChangeNoBitOnAnyPathAndBatch() throws {
        let network = SiameseNetwork(architecture: .tiny, seed: 3)
        var random = RandomGenerator(seed: 9)
        let images = Tensor(shape: [9] + EmbeddingArchitecture.tiny.inputShape,
                            data: (0..<(9 * 32 * 32 * 3)).map { _ in random.nextUnitFloat() })
        let few = Tensor(shape: [3] + EmbeddingArchitecture.tiny.inputShape, data: Array(images.data.prefix(3 * 32 * 32 * 3)))
        guard case .koch(let koch) = network.embedding else { return XCTFail("the tiny network is a Koch network") }
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            let pack = try XCTUnwrap(koch.projection.packedWeight(for: compute), "\(path): a float32 dense pack")
            XCTAssertTrue(pack.serves(rows: 9) && !pack.serves(rows: 8), "\(path): the pack serves more than 8 rows only")
            let model = InferenceModel(network: network, compute: compute)
            XCTAssertFalse(model.packingDenseWeight(forBatchesOf: 8).hasDenseWeightPack, "\(path): no pack that no batch reads")
            let gallery = model.packingDenseWeight(forBatchesOf: 9)
            XCTAssertTrue(gallery.hasDenseWeightPack, "\(path)")
            XCTAssertEqual(gallery.embeddings(images).data, network.embedding(images, compute: compute).data, "\(path), 9 images")
            XCTAssertEqual(gallery.embeddings(few).data, network.embedding(few, compute: compute).data, "\(path), 3 images")
        }
        let openBLAS = Compute(precision: .float32, float32Kernel: .openBLAS)
        XCTAssertNil(koch.projection.packedWeight(for: openBLAS), "OpenBLAS's products have no packed form")
        let unpacked = InferenceModel(network: network, compute: openBLAS).packingDenseWeight(forBatchesOf: 9)
        XCTAssertFalse(unpacked.hasDenseWeightPack)
        XCTAssertEqual(unpacked.embeddings(images).data, network.embedding(images, compute: openBLAS).data)
    }

    /// The tutorial's network in float32 on each of facever's paths: conv2 and conv3 run in the frequency
    /// domain, and the embeddings stay within float32 rounding of the direct convolutions'; bfloat16 and
    /// OpenBLAS products keep the direct ones.
    func testFloat32ModelsRunTheTutorialsMiddleConvolutionsInTheFrequencyDomain() throws {
        let network = SiameseNetwork(architecture: .tutorial, seed: 5)
        var random = RandomGenerator(seed: 11)
        let images = Tensor(shape: [2] + EmbeddingArchitecture.tutorial.inputShape,
                            data: (0..<(2 * 100 * 100 * 3)).map { _ in random.nextUnitFloat() })
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            let model = InferenceModel(network: network, compute: compute)
            XCTAssertEqual(model.spectralTiles, [nil, 16, 12, nil], "\(path)")
            let direct = network.embedding(images, compute: Compute(precision: .float32, threads: 2, float32Kernel: .openBLAS)).data
            let spectral = model.embeddings(images).data
            XCTAssertNotEqual(spectral, direct, "\(path): another order of sums")
            XCTAssertNotEqual(spectral, network.embedding(images, compute: compute).data,
                              "\(path): outside an inference model, conv3 (whose transform two images do not pay for) runs directly")
            let worst = zip(spectral, direct).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5, "\(path)")
        }
        XCTAssertEqual(InferenceModel(network: network, compute: Compute(precision: .float32, float32Kernel: .openBLAS)).spectralTiles,
                       [nil, nil, nil, nil])
        if MatrixPrecision.isBFloat16Available {
            XCTAssertEqual(InferenceModel(network: network, compute: Compute(precision: .bfloat16)).spectralTiles, [nil, nil, nil, nil])
        }
    }
}
