// AutogradTests.swift — accumulation, zero-grad, and the graph being released after backward.
@testable import Tensor
import XCTest

final class AutogradTests: XCTestCase {
    func testATensorUsedTwiceReceivesTheSumOfBothGradients() {
        let x = Tensor(shape: [3], data: [1, -2, 3], requiresGrad: true, name: "x")
        // L = mean(| |x| − 0 |) = mean(|x|): dL/dx = sign(x)/3.
        let y = l1Distance(x, Tensor(shape: [3], data: [0, 0, 0]))
        let loss = mean(l1Distance(y, Tensor(shape: [3], data: [0, 0, 0])))
        loss.backward()
        XCTAssertEqual(x.grad!, [1.0 / 3, -1.0 / 3, 1.0 / 3].map(Float.init))

        // Two losses from the same parameter, without zeroing: gradients add.
        mean(l1Distance(x, Tensor(shape: [3], data: [0, 0, 0]))).backward()
        XCTAssertEqual(x.grad!, [2.0 / 3, -2.0 / 3, 2.0 / 3].map(Float.init))

        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubgraphIsDifferentiatedOnce() {
        let x = Tensor(shape: [2], data: [0.5, -1], requiresGrad: true, name: "x")
        let shared = sigmoid(x)
        let loss = mean(l1Distance(shared, Tensor(shape: [2], data: [0, 0])))
        let twice = mean(reshape(l1Distance(reshape(loss, to: [1]), Tensor(shape: [1], data: [0])), to: [1]))
        twice.backward()
        let s = x.data.map(logistic)
        let expected = zip(s, s).map { $0 * (1 - $1) / 2 }
        for (g, e) in zip(x.grad!, expected) { XCTAssertEqual(g, e, accuracy: 1e-6) }
    }

    func testGraphIsReleasedAfterBackward() {
        let w = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true, name: "w")
        let b = Tensor(shape: [2], data: [0, 0], requiresGrad: true, name: "b")
        let hidden = dense(Tensor(shape: [1, 2], data: [1, 1]), weight: w, bias: b)
        let loss = mean(relu(hidden))
        XCTAssertFalse(hidden.inputs.isEmpty)
        loss.backward()
        // Intermediate nodes drop their edges, closures and gradients; leaves keep their gradients.
        XCTAssertTrue(hidden.inputs.isEmpty)
        XCTAssertNil(hidden.backwardStep)
        XCTAssertNil(hidden.grad)
        XCTAssertTrue(loss.inputs.isEmpty)
        XCTAssertNotNil(w.grad)
        XCTAssertNotNil(b.grad)
    }

    func testOpsOnConstantsRecordNoGraph() {
        let y = relu(Tensor(shape: [2], data: [1, -1]))
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.inputs.isEmpty)
    }
}
