// RandomAndInitTests.swift — the seeded generator and Glorot-uniform initialisation.
@testable import Tensor
import XCTest

final class RandomAndInitTests: XCTestCase {
    func testSameSeedSameSequenceAndRestoredStateContinues() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<5).map { _ in c.next() })
        var restored = RandomGenerator(state: a.state)!
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in restored.next() })
        XCTAssertNil(RandomGenerator(state: [0, 0, 0, 0]))
    }

    func testUnitFloatsAreInRangeAndRoughlyUniform() {
        var generator = RandomGenerator(seed: 7)
        let values = (0..<20_000).map { _ in generator.nextUnitFloat() }
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Float(values.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.01)  // σ/√n ≈ 0.002
    }

    func testGlorotUniformUsesKerasLimitsForConvolutions() {
        let layer = try! Conv2DLayer(name: "c", inputChannels: 3, outputChannels: 64, kernelSize: 10,
                                     factory: .glorotUniform(seed: 8))
        let limit = (6.0 / Float(100 * 3 + 100 * 64)).squareRoot()
        XCTAssertTrue(layer.weight.data.allSatisfy { abs($0) <= limit })
        XCTAssertGreaterThan(layer.weight.data.map(abs).max()!, 0.95 * limit)
        XCTAssertEqual(layer.bias.data, [Float](repeating: 0, count: 64))
        XCTAssertEqual(layer.weight.name, "c.weight")
        XCTAssertEqual(layer.bias.name, "c.bias")
        let again = try! Conv2DLayer(name: "c", inputChannels: 3, outputChannels: 64, kernelSize: 10,
                                     factory: .glorotUniform(seed: 8))
        XCTAssertEqual(again.weight.data, layer.weight.data, "the same seed gives the same weights")
    }
}
