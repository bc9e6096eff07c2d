// PairBatchTests.swift — a batch that embeds each distinct photo once (triplets share their anchor)
// has the same loss and the same gradients as the same pairs embedded one by one.
import SiameseKit
import Tensor
import XCTest

final class PairBatchTests: XCTestCase {
    func testSharingPhotosChangesNeitherTheLossNorTheGradients() {
        var generator = RandomGenerator(seed: 31)
        let inputShape = ArchitectureTests.small.inputShape
        let size = inputShape.reduce(1, *)
        // Three triplets: photos a0 p0 n0 a1 p1 n1 a2 p2 n2 → six pairs.
        let photoNames = (0..<3).flatMap { ["a\($0)", "p\($0)", "n\($0)"] }
        var pixels: [String: [Float]] = [:]
        for name in photoNames { pixels[name] = (0..<size).map { _ in generator.uniform(0, 1) } }
        let pairs = (0..<3).flatMap { k in
            [LabelledPair(anchor: "a\(k)", other: "p\(k)", label: 1), LabelledPair(anchor: "a\(k)", other: "n\(k)", label: 0)]
        }
        func load(_ names: [String]) -> Tensor {
            Tensor(shape: [names.count] + inputShape, data: names.flatMap { pixels[$0]! })
        }

        let shared = PairBatch(pairs: pairs, load: load)
        XCTAssertEqual(shared.photos.shape[0], 9, "6 pairs over 9 distinct photos, not 12")
        let separate = PairBatch(anchors: load(pairs.map(\.anchor)), others: load(pairs.map(\.other)), labels: pairs.map(\.label))
        XCTAssertEqual(separate.photos.shape[0], 12)

        func lossAndGradients(_ batch: PairBatch) -> (Float, [[Float]]) {
            let trainer = SiameseTrainer(network: SiameseNetwork(architecture: ArchitectureTests.small, seed: 3))
            trainer.network.zeroGrad()
            let loss = trainer.loss(batch)
            loss.backward()
            return (loss.data[0], trainer.network.parameters.map { $0.grad! })
        }
        let (sharedLoss, sharedGradients) = lossAndGradients(shared)
        let (separateLoss, separateGradients) = lossAndGradients(separate)
        XCTAssertEqual(sharedLoss, separateLoss, accuracy: 1e-6)
        for (a, b) in zip(sharedGradients, separateGradients) {
            let scale = b.map(abs).max() ?? 0
            XCTAssertGreaterThan(scale, 0)
            for (x, y) in zip(a, b) where abs(x - y) > 1e-4 * scale + 1e-7 {
                XCTFail("gradient \(x) vs \(y) (largest \(scale))")
                return
            }
        }
    }
}
