// AdamTests.swift — Keras's Adam update, checked against values worked out by hand.
@testable import Tensor
import XCTest

final class AdamTests: XCTestCase {
    func testFirstTwoStepsMatchHandComputedValues() {
        // p = [1.0, -2.0], g = [0.5, -0.1], lr = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e−7.
        // Step 1: m = 0.1·g = [0.05, −0.01]; v = 0.001·g² = [0.00025, 0.00001]; √v = [0.0158113883, 0.0031622777]
        //   α₁ = 0.1·√(1 − 0.999)/(1 − 0.9) = 0.0316227766
        //   Δ₀ = 0.0316227766·0.05/(0.0158113883 + 1e−7) = 0.0999993675
        //   Δ₁ = 0.0316227766·(−0.01)/(0.0031622777 + 1e−7) = −0.0999968378
        //   p = [0.9000006325, −1.9000031622]
        let p = Tensor(shape: [2], data: [1.0, -2.0], requiresGrad: true, name: "p")
        let adam = Adam(learningRate: 0.1)
        p.grad = [0.5, -0.1]
        adam.update([p])
        XCTAssertEqual(p.data[0], 0.9000006325, accuracy: 2e-7)
        XCTAssertEqual(p.data[1], -1.9000031622, accuracy: 2e-7)
        // Step 2, same gradient: m = 0.19·g = [0.095, −0.019]; v = 0.001999·g² = [0.00049975, 0.00001999]
        //   α₂ = 0.1·√(1 − 0.999²)/(1 − 0.9²) = 0.0235316725
        //   Δ₀ = 0.0235316725·0.095/(0.0223550889 + 1e−7) = 0.0999995527 → p₀ = 0.8000010798
        //   Δ₁ = 0.0235316725·(−0.019)/(0.0044710178 + 1e−7) = −0.0999977634 → p₁ = −1.8000053988
        adam.update([p])
        XCTAssertEqual(adam.step, 2)
        // Float32 arithmetic: a few ulps (1.2e−7 at 1.8) of rounding have accumulated by now.
        XCTAssertEqual(p.data[0], 0.8000010798, accuracy: 6e-7)
        XCTAssertEqual(p.data[1], -1.8000053988, accuracy: 6e-7)
    }

    func testParametersWithoutGradientAreLeftAlone() {
        let p = Tensor(shape: [1], data: [3], requiresGrad: true, name: "p")
        Adam().update([p])
        XCTAssertEqual(p.data, [3])
    }

    func testSavedStateResumesIdentically() {
        let gradients: [[Float]] = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.05]]
        let straight = Tensor(shape: [2], data: [1, 1], requiresGrad: true, name: "p")
        let straightAdam = Adam(learningRate: 0.01)
        for g in gradients { straight.grad = g; straightAdam.update([straight]) }

        let resumed = Tensor(shape: [2], data: [1, 1], requiresGrad: true, name: "p")
        let first = Adam(learningRate: 0.01)
        resumed.grad = gradients[0]
        first.update([resumed])
        let second = Adam(learningRate: 0.01)
        second.restore(step: first.step, tensors: first.stateTensors())
        for g in gradients.dropFirst() { resumed.grad = g; second.update([resumed]) }
        XCTAssertEqual(resumed.data, straight.data)
    }
}
