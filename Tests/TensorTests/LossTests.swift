// LossTests.swift — binary cross-entropy (probabilities and logits) and the mean.
@testable import Tensor
import XCTest

final class LossTests: XCTestCase {
    func testBinaryCrossEntropyMatchesReferenceAndFiniteDifferences() {
        var random = TestRandom(seed: 20)
        let p = random.tensor([6, 1], 0.05, 0.95)
        let t = Tensor(shape: [6, 1], data: [1, 0, 1, 1, 0, 0])
        let loss = binaryCrossEntropy(predictions: p, labels: t)
        XCTAssertEqual(Double(loss.data[0]), Reference.binaryCrossEntropy(predictions: p.data.map(Double.init), labels: t.data.map(Double.init)), accuracy: 1e-6)
        assertGradientsMatchFiniteDifferences(
            inputs: [p], op: { binaryCrossEntropy(predictions: $0[0], labels: t) },
            reference: { [Reference.binaryCrossEntropy(predictions: $0[0], labels: t.data.map(Double.init))] })
    }

    func testBinaryCrossEntropyIsFiniteAtPredictionsOfExactlyZeroAndOne() {
        let p = Tensor(shape: [4], data: [0, 1, 0, 1], requiresGrad: true, name: "p")
        let t = Tensor(shape: [4], data: [1, 0, 0, 1])
        let loss = binaryCrossEntropy(predictions: p, labels: t)
        loss.backward()
        XCTAssertTrue(loss.data[0].isFinite)
        // p is clipped to [ε, 1 − ε] in Float32, where 1 − 1e−7 rounds to 1 − 2⁻²³: the mistake p = 0, t = 1
        // costs −log ε, the mistake p = 1, t = 0 costs −log(2⁻²³); the two hits cost almost nothing.
        let mistakes = -log(Float(1e-7)) - log(1 - (1 - Float(1e-7)))
        XCTAssertEqual(loss.data[0], mistakes / 4, accuracy: 1e-3)
        XCTAssertTrue(p.grad!.allSatisfy { $0.isFinite })
    }

    func testLogitsFormEqualsSigmoidThenBCEAndStaysFiniteForHugeLogits() {
        var random = TestRandom(seed: 21)
        let z = random.tensor([8, 1], -4, 4)
        let t = Tensor(shape: [8, 1], data: [1, 0, 1, 0, 1, 1, 0, 0])
        let viaLogits = binaryCrossEntropy(logits: z, labels: t).data[0]
        let viaProbabilities = binaryCrossEntropy(predictions: sigmoid(z), labels: t).data[0]
        XCTAssertEqual(viaLogits, viaProbabilities, accuracy: 1e-5)
        assertGradientsMatchFiniteDifferences(
            inputs: [z], op: { binaryCrossEntropy(logits: $0[0], labels: t) },
            reference: { [Reference.binaryCrossEntropy(predictions: Reference.sigmoid($0[0]), labels: t.data.map(Double.init))] })

        let huge = Tensor(shape: [2], data: [500, -500], requiresGrad: true, name: "z")
        let loss = binaryCrossEntropy(logits: huge, labels: Tensor(shape: [2], data: [0, 1]))
        loss.backward()
        XCTAssertEqual(loss.data[0], 500, accuracy: 1e-3)
        XCTAssertEqual(huge.grad!, [0.5, -0.5])
    }

    func testMeanForwardAndGradient() {
        var random = TestRandom(seed: 22)
        let x = random.tensor([3, 4])
        XCTAssertEqual(Double(mean(x).data[0]), Reference.mean(x.data.map(Double.init)), accuracy: 1e-6)
        assertGradientsMatchFiniteDifferences(inputs: [x], op: { mean($0[0]) }, reference: { [Reference.mean($0[0])] })
    }
}
