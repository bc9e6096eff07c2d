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

    /// Each dy to the first pixel of its window equal to the max, worked out one value at a time.
    private func expectedGradient(x: [Float], shape: [Int], dy: [Float]) -> [Float] {
        let (batch, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        let (outputHeight, outputWidth) = ((height + 1) / 2, (width + 1) / 2)
        var dx = [Float](repeating: 0, count: x.count)
        for n in 0..<batch {
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    for c in 0..<channels {
                        let pixels = [(0, 0), (0, 1), (1, 0), (1, 1)].compactMap { (a, b) -> Int? in
                            let (h, w) = (2 * oh + a, 2 * ow + b)
                            return h < height && w < width ? ((n * height + h) * width + w) * channels + c : nil
                        }
                        let best = pixels.map { x[$0] }.max()!
                        dx[pixels.first { x[$0] == best }!] += dy[((n * outputHeight + oh) * outputWidth + ow) * channels + c]
                    }
                }
            }
        }
        return dx
    }

    func testTheVectorPathRoutesEveryGradientAsTheScalarRuleWhetherFreshOrAccumulated() {
        // 37 channels: two 16-channel vectors and a tail of 5; an odd height and width: clipped windows too.
        // Values from {0, 1, 2}, so that most windows hold ties.
        let shape = [2, 7, 5, 37]
        var random = TestRandom(seed: 8)
        let values = random.values(Tensor.elementCount(of: shape), 0, 3).map { $0.rounded(.down) }
        let dy = random.values(Tensor.elementCount(of: MaxPool2D.outputShape(shape)), 1, 2)
        let expected = expectedGradient(x: values, shape: shape, dy: dy)
        XCTAssertGreaterThan(expected.filter { $0 == 0 }.count, values.count / 2, "ties routed to one pixel each")

        let x = Tensor(shape: shape, data: values, requiresGrad: true, name: "x")
        maxPool2d(x).backward(seed: dy)
        XCTAssertEqual(x.grad, expected, "a fresh gradient")
        // The kept memory holds the last values; a second backward after zeroGrad overwrites them all.
        x.zeroGrad()
        maxPool2d(x).backward(seed: dy)
        XCTAssertEqual(x.grad, expected, "a fresh gradient in kept memory")
        // A gradient already there (another op's, not zeroed): the pooling's backward adds to it.
        x.zeroGrad()
        reshape(x, to: [values.count]).backward(seed: [Float](repeating: 0.5, count: values.count))
        maxPool2d(x).backward(seed: dy)
        XCTAssertEqual(x.grad, expected.map { $0 + 0.5 }, "accumulated onto another op's gradient")
    }
}
