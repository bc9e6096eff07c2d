// MomentumSGDTests.swift — Koch's SGD with momentum, checked against values worked out by hand; its saved
// state resumes a run exactly, and saved state that cannot belong to the parameters is named.
@testable import Tensor
import XCTest

final class MomentumSGDTests: XCTestCase {
    func testTwoStepsMatchHandComputedValues() {
        // p = [1, −2], g = [0.5, −0.1], η = 0.1.
        // Step 1, μ = 0.5: v = 0.5·0 − 0.1·g = [−0.05, 0.01]; p = [0.95, −1.99].
        // Step 2, μ = 0.9, the same g: v = 0.9·[−0.05, 0.01] − 0.1·g = [−0.095, 0.019]; p = [0.855, −1.971].
        let p = Tensor(shape: [2], data: [1, -2], requiresGrad: true, name: "p")
        let sgd = MomentumSGD(learningRate: 0.1, momentum: 0.5)
        p.grad = [0.5, -0.1]
        sgd.update([p])
        XCTAssertEqual(p.data[0], 0.95, accuracy: 1e-6)
        XCTAssertEqual(p.data[1], -1.99, accuracy: 1e-6)
        sgd.momentum = 0.9
        sgd.update([p])
        XCTAssertEqual(sgd.step, 2)
        XCTAssertEqual(p.data[0], 0.855, accuracy: 1e-6)
        XCTAssertEqual(p.data[1], -1.971, accuracy: 1e-6)
        let untouched = Tensor(shape: [1], data: [3], requiresGrad: true, name: "q")
        sgd.update([untouched])
        XCTAssertEqual(untouched.data, [3], "no gradient, no update")
    }

    func testSavedStateResumesIdentically() {
        let gradients: [[Float]] = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.05]]
        let straight = Tensor(shape: [2], data: [1, 1], requiresGrad: true, name: "p")
        let straightSGD = MomentumSGD(learningRate: 0.05, momentum: 0.7)
        for g in gradients { straight.grad = g; straightSGD.update([straight]) }

        let resumed = Tensor(shape: [2], data: [1, 1], requiresGrad: true, name: "p")
        let first = MomentumSGD(learningRate: 0.05, momentum: 0.7)
        resumed.grad = gradients[0]
        first.update([resumed])
        let second = MomentumSGD(learningRate: 0.05, momentum: 0.7)
        second.restore(step: first.step, tensors: first.stateTensors())
        for g in gradients.dropFirst() { resumed.grad = g; second.update([resumed]) }
        XCTAssertEqual(resumed.data.map(\.bitPattern), straight.data.map(\.bitPattern))
        XCTAssertEqual(second.step, 3)
    }

    func testSavedStateThatCannotBelongToTheParametersIsNamed() {
        let p = Tensor(shape: [2], data: [1, 1], requiresGrad: true, name: "p")
        XCTAssertNil(MomentumSGD.stateProblem([:], parameters: [p]), "no update yet: no state")
        XCTAssertNil(MomentumSGD.stateProblem(["sgd.v.p": ([2], [0.1, -0.1])], parameters: [p]))
        XCTAssertEqual(MomentumSGD.stateProblem(["sgd.v.p": ([3], [0, 0, 0])], parameters: [p]),
                       "the SGD velocity of p has 3 values for 2 weights")
        XCTAssertEqual(MomentumSGD.stateProblem(["sgd.v.p": ([2], [0, .nan])], parameters: [p]), "the SGD velocity of p holds an impossible value")
        XCTAssertEqual(MomentumSGD.stateProblem(["adam.m.p": ([2], [0, 0])], parameters: [p]), "an unknown tensor adam.m.p",
                       "Adam's state is not Koch's SGD's")
        XCTAssertEqual(Adam.stateProblem(["adam.v.p": ([2], [0, -1])], parameters: [p]), "Adam's second moment of p holds an impossible value")
    }
}
