// MaxPool2DTests.swift — 2×2/stride-2 "same" pooling: sizes, the reference, and gradient routing.
@testable import Tensor
import XCTest

final class MaxPool2DTests: XCTestCase {
    func testSamePaddingSizesOfTheTutorialNetwork() {
        XCTAssertEqual(MaxPool2D.outputShape([1, 91, 91, 64]), [1, 46, 46, 64])
        XCTAssertEqual(MaxPool2D.outputShape([1, 40, 40, 128]), [1, 20, 20, 128])
        XCTAssertEqual(MaxPool2D.outputShape([1, 17, 17, 128]), [1, 9, 9, 128])
    }

    func testForwardMatchesReferenceOnOddAndEvenSizes() {
        var random = TestRandom(seed: 5)
        for shape in [[2, 7, 5, 3], [1, 4, 6, 2], [1, 1, 1, 1], [3, 9, 9, 4]] {
            let x = random.tensor(shape)
            let y = maxPool2d(x)
            assertClose(y.data, Reference.maxPool2d(x: x.data.map(Double.init), xShape: shape), tolerance: 0)
        }
    }

    func testGradientsMatchFiniteDifferences() {
        var random = TestRandom(seed: 6)
        let shape = [2, 5, 7, 3]
        assertGradientsMatchFiniteDifferences(
            inputs: [random.tensor(shape)], op: { maxPool2d($0[0]) },
            reference: { Reference.maxPool2d(x: $0[0], xShape: shape) })
    }

    func testBackwardRoutesEachGradientToTheWinnerOnly() {
        // One 3×3 single-channel image: windows {0,1,3,4}, {2,5}, {6,7}, {8}.
        let x = Tensor(shape: [1, 3, 3, 1], data: [1, 9, 2, 3, 4, 8, 7, 5, 6], requiresGrad: true, name: "x")
        let y = maxPool2d(x)
        XCTAssertEqual(y.data, [9, 8, 7, 6])
        y.backward(seed: [10, 20, 30, 40])
        XCTAssertEqual(x.grad, [0, 10, 0, 0, 0, 20, 30, 0, 40])
    }

    func testTiesGoToTheFirstPixelOfTheWindow() {
        // Two channels of one 2×2 window: channel 0 all equal, channel 1 tied at bottom-left and bottom-right.
        let x = Tensor(shape: [1, 2, 2, 2], data: [5, 1, 5, 2, 5, 7, 5, 7], requiresGrad: true, name: "x")
        let y = maxPool2d(x)
        XCTAssertEqual(y.data, [5, 7])
        y.backward(seed: [1, 2])
        XCTAssertEqual(x.grad, [1, 0, 0, 0, 0, 2, 0, 0])
    }
}
