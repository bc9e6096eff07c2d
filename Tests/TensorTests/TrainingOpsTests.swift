// TrainingOpsTests.swift — batch normalisation and the prototypical episode loss against their Float64
// references and finite differences.
@testable import Tensor
import XCTest

final class TrainingOpsTests: XCTestCase {
    private func asDouble(_ tensor: Tensor) -> [Double] { tensor.data.map(Double.init) }

    func testBatchNormalisationMatchesReferenceAndFiniteDifferences() {
        var random = TestRandom(seed: 21)
        let xShape = [3, 2, 2, 4]
        let x = random.tensor(xShape, -2, 3), scale = random.tensor([4], 0.5, 1.5), shift = random.tensor([4])
        let (y, statistics) = batchNormalize(x, scale: scale, shift: shift)
        let reference = { (v: [[Double]]) in
            Reference.batchNormalize(x: v[0], channels: 4, scale: v[1], shift: v[2], epsilon: Double(batchNormEpsilon))
        }
        assertClose(y.data, reference([asDouble(x), asDouble(scale), asDouble(shift)]), tolerance: 1e-5)
        XCTAssertEqual(statistics.count, 12)
        let channel0 = stride(from: 0, to: x.count, by: 4).map { x.data[$0] }
        XCTAssertEqual(statistics.mean[0], channel0.reduce(0, +) / 12, accuracy: 1e-6)
        // The normalised values of a channel have mean 0 and variance 1 before the scale and shift.
        let (plain, _) = batchNormalize(x, scale: Tensor(shape: [4], data: [1, 1, 1, 1]), shift: Tensor(zeros: [4]))
        let normalised0 = stride(from: 0, to: x.count, by: 4).map { Double(plain.data[$0]) }
        XCTAssertEqual(normalised0.reduce(0, +) / 12, 0, accuracy: 1e-6)
        XCTAssertEqual(normalised0.map { $0 * $0 }.reduce(0, +) / 12, 1, accuracy: 1e-3)
        assertGradientsMatchFiniteDifferences(
            inputs: [random.tensor(xShape, -2, 3), random.tensor([4], 0.5, 1.5), random.tensor([4])],
            op: { batchNormalize($0[0], scale: $0[1], shift: $0[2]).output }, reference: reference)
    }

    func testPrototypicalLossMatchesReferenceAndFiniteDifferences() {
        var random = TestRandom(seed: 22)
        for episode in [EpisodeShape(classes: 3, shots: 2, queries: 2), EpisodeShape(classes: 4, shots: 1, queries: 1),
                        EpisodeShape(classes: 2, shots: 2, queries: 1, distractors: 3)] {
            let size = 5
            let embeddings = random.tensor([episode.photos, size])
            let reference = { (v: [[Double]]) in
                [Reference.prototypicalLoss(embeddings: v[0], size: size, classes: episode.classes, shots: episode.shots,
                                            queries: episode.queries, distractors: episode.distractors)]
            }
            let (loss, _) = prototypicalLoss(embeddings, episode: episode)
            assertClose(loss.data, reference([asDouble(embeddings)]), tolerance: 1e-5)
            assertGradientsMatchFiniteDifferences(
                inputs: [random.tensor([episode.photos, size])], op: { prototypicalLoss($0[0], episode: episode).loss },
                reference: reference)
        }
    }

    func testPrototypicalAccuracyCountsQueriesNearestTheirOwnPrototype() {
        // Two classes on a line: class 0 near 0, class 1 near 10; one query of class 1 sits at 1 (wrong side).
        let episode = EpisodeShape(classes: 2, shots: 1, queries: 2)
        let embeddings = Tensor(shape: [6, 1], data: [0, 0.5, -0.5, 10, 9, 1])
        let (loss, accuracy) = prototypicalLoss(embeddings, episode: episode)
        XCTAssertEqual(accuracy, 0.75)
        XCTAssertGreaterThan(loss.data[0], 10)  // the misplaced query alone costs about 81 − 1 = 80 nats / 4
    }

    func testNormalizedRowsMatchReferenceAndFiniteDifferences() {
        var random = TestRandom(seed: 23)
        let (count, size, radius) = (4, 6, Float(2.5))
        let reference = { (v: [[Double]]) in Reference.normalizedRows(x: v[0], size: size, radius: Double(radius)) }
        let x = random.tensor([count, size], -2, 3)
        let y = normalizedRows(x, radius: radius)
        assertClose(y.data, reference([asDouble(x)]), tolerance: 1e-5)
        for n in 0..<count {
            let length = (0..<size).map { Double(y.data[n * size + $0]) }.map { $0 * $0 }.reduce(0, +).squareRoot()
            XCTAssertEqual(length, Double(radius), accuracy: 1e-5, "row \(n) lies on the sphere")
        }
        assertGradientsMatchFiniteDifferences(inputs: [random.tensor([count, size], -2, 3)],
                                              op: { normalizedRows($0[0], radius: radius) }, reference: reference)
        // A row of zeros has no direction: it stays zero and passes no gradient, beside a row that does.
        let mixed = Tensor(shape: [2, 2], data: [0, 0, 3, 4], requiresGrad: true)
        let out = normalizedRows(mixed, radius: radius)
        XCTAssertEqual(out.data, [0, 0, 1.5, 2])
        out.backward(seed: [1, 1, 1, 0])
        XCTAssertEqual(mixed.grad?[0], 0)
        XCTAssertEqual(mixed.grad?[1], 0)
        XCTAssertFalse(mixed.grad?.contains { !$0.isFinite } ?? true)
    }
}
