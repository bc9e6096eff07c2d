// InferenceModelTests.swift — the precision a command runs in is decided in one place, and an inference
// model's packed weights (made once, before any forward pass) change no bit of what it computes.
import Foundation
@testable import SiameseKit
import Tensor
import XCTest

final class InferenceModelTests: XCTestCase {
    func testThePrecisionIsResolvedFromTheRequestTheModelAndTheCPU() throws {
        let fastest: MatrixPrecision = MatrixPrecision.isBFloat16Available ? .bfloat16 : .float32
        XCTAssertEqual(try PrecisionChoice.resolve(.float32, trained: .bfloat16), .float32)
        XCTAssertEqual(try PrecisionChoice.resolve(.auto, trained: .float32), fastest)
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: nil), fastest, "a new training run: auto")
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: .float32), .float32, "a model runs as it was trained")
        XCTAssertEqual(try PrecisionChoice.resolve(nil, trained: .bfloat16), fastest, "… or in float32 where the CPU cannot")
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
        let gallery = model.packingDenseWeight()
        let embeddings = gallery.embeddings(images)
        XCTAssertEqual(embeddings.data, unpacked, "dense weight packed too")
        let first = Tensor(shape: [1, 128], data: Array(embeddings.data.prefix(128)))
        XCTAssertEqual(gallery.logits(anchorEmbeddings: first, otherEmbeddings: first).data,
                       network.logits(anchorEmbeddings: first, otherEmbeddings: first, compute: compute).data)
        // float32: convolution weights packed for facever's GEMM (every product here has more than 8 rows), no
        // dense pack, and the embeddings are float32's, to the bit.
        let float32 = InferenceModel(network: network, compute: .standard).packingDenseWeight()
        XCTAssertEqual(float32.embeddings(images).data, network.embedding(images).data)
        XCTAssertNotEqual(float32.embeddings(images).data, unpacked, "the two precisions really differ")
    }
}
