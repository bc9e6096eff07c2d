// ToyTaskLearningTests.swift — a small Siamese network learns "same glyph or not" on patterns drawn
// in the test, through the real model, loss, backward and Adam: the loss falls and accuracy rises,
// with float32 products and with bfloat16 ones.
import SiameseKit
import Tensor
import XCTest

final class ToyTaskLearningTests: XCTestCase {
    /// Four digit-like glyphs on a 12×12 canvas, shifted by up to one pixel, with uniform noise.
    private struct Glyphs {
        var generator = RandomGenerator(seed: 2024)

        mutating func draw(_ glyph: Int) -> [Float] {
            var canvas = (0..<144).map { _ in generator.uniform(0, 0.15) }
            let dx = Int(generator.next() % 3) - 1, dy = Int(generator.next() % 3) - 1
            func ink(_ row: Int, _ column: Int) {
                let (r, c) = (row + dy, column + dx)
                if (0..<12).contains(r) && (0..<12).contains(c) { canvas[r * 12 + c] = 1 }
            }
            for t in 2...9 {
                switch glyph {
                case 0: ink(6, t)  // "−"
                case 1: ink(t, 6)  // "1"
                case 2: ink(t, t)  // "\"
                default: ink(2, t); ink(9, t); ink(t, 2); ink(t, 9)  // "0"
                }
            }
            return canvas
        }

        /// Half same-glyph pairs (label 1), half different (label 0).
        mutating func batch(_ size: Int) -> (Tensor, Tensor, [Float]) {
            var a: [Float] = [], b: [Float] = [], labels: [Float] = []
            for index in 0..<size {
                let first = Int(generator.next() % 4)
                let second = index % 2 == 0 ? first : (first + 1 + Int(generator.next() % 3)) % 4
                a += draw(first)
                b += draw(second)
                labels.append(first == second ? 1 : 0)
            }
            return (Tensor(shape: [size, 12, 12, 1], data: a), Tensor(shape: [size, 12, 12, 1], data: b), labels)
        }
    }

    func testLossFallsAndAccuracyRisesOnTheGlyphTask() {
        learnGlyphs(compute: .standard)
    }

    func testLossFallsAndAccuracyRisesOnTheGlyphTaskWithBFloat16Products() throws {
        try XCTSkipUnless(MatrixPrecision.isBFloat16Available, "this CPU has no AVX512_BF16")
        learnGlyphs(compute: Compute(precision: .bfloat16))
    }

    private func learnGlyphs(compute: Compute) {
        var glyphs = Glyphs()
        let trainer = SiameseTrainer(network: SiameseNetwork(architecture: ArchitectureTests.small, seed: 7), learningRate: 3e-3,
                                     compute: compute)
        let (testA, testB, testLabels) = glyphs.batch(200)
        func accuracy() -> Float {
            let scores = trainer.network.scores(anchors: testA, others: testB, compute: compute)
            return Float(zip(scores, testLabels).filter { ($0 > 0.5) == ($1 == 1) }.count) / Float(testLabels.count)
        }
        let accuracyBefore = accuracy()
        var losses: [Float] = []
        for _ in 0..<250 {
            let (a, b, labels) = glyphs.batch(16)
            losses.append(trainer.step(anchors: a, others: b, labels: labels))
        }
        let early = losses.prefix(20).reduce(0, +) / 20
        let late = losses.suffix(20).reduce(0, +) / 20
        let accuracyAfter = accuracy()
        print("toy task (\(compute.precision.rawValue)): loss \(early) → \(late), held-out accuracy \(accuracyBefore) → \(accuracyAfter)")
        XCTAssertGreaterThan(early, 0.6, "an untrained network is near chance (ln 2 ≈ 0.69)")
        XCTAssertLessThan(late, 0.25, "the loss must fall well below chance")
        XCTAssertLessThan(accuracyBefore, 0.7)
        XCTAssertGreaterThanOrEqual(accuracyAfter, 0.95, "held-out pairs must be told apart")
    }
}
