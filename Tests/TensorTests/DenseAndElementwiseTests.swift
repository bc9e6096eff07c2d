// DenseAndElementwiseTests.swift — dense, ReLU, sigmoid, L1 distance, reshape and rows:
// forward against the Float64 references, backward against finite differences.
@testable import Tensor
import XCTest

final class DenseAndElementwiseTests: XCTestCase {
    func testDenseForwardAndGradients() {
        var random = TestRandom(seed: 10)
        let (batch, inputs, outputs) = (3, 5, 4)
        let tensors = [random.tensor([batch, inputs]), random.tensor([inputs, outputs]), random.tensor([outputs])]
        let ref: ([[Double]]) -> [Double] = {
            Reference.dense(x: $0[0], batch: batch, weight: $0[1], inputs: inputs, outputs: outputs, bias: $0[2])
        }
        let y = dense(tensors[0], weight: tensors[1], bias: tensors[2])
        assertClose(y.data, ref(tensors.map { $0.data.map(Double.init) }), tolerance: 1e-5)
        assertGradientsMatchFiniteDifferences(inputs: tensors, op: { dense($0[0], weight: $0[1], bias: $0[2]) }, reference: ref)
    }

    func testDenseGradientsAreWrittenWhenFreshAndAddedWhenAlreadyThere() {
        // Over facever's float32 GEMM, OpenBLAS's sgemm and the bfloat16 products: a second backward without
        // zeroGrad adds the same gradient again; after zeroGrad the kept memory (holding the sum) is overwritten,
        // not added to.
        var random = TestRandom(seed: 13)
        let computes = [Compute.standard, Compute(precision: .float32, float32Kernel: .openBLAS)]
            + (MatrixPrecision.isBFloat16Available ? [Compute(precision: .bfloat16)] : [])
        for compute in computes {
            let x = random.tensor([3, 40]), weight = random.tensor([40, 24]), bias = random.tensor([24])
            let seed = random.values(3 * 24)
            func backward() { dense(x, weight: weight, bias: bias, compute: compute).backward(seed: seed) }
            backward()
            let (dx, dweight) = (x.grad!, weight.grad!)
            XCTAssertTrue(dweight.allSatisfy(\.isFinite) && dweight.contains { $0 != 0 })
            backward()
            XCTAssertEqual(x.grad!, dx.map { $0 + $0 }, "\(compute.precision): added to a live gradient")
            XCTAssertEqual(weight.grad!, dweight.map { $0 + $0 }, "\(compute.precision): added to a live gradient")
            x.zeroGrad()
            weight.zeroGrad()
            backward()
            XCTAssertEqual(x.grad!, dx, "\(compute.precision): written fresh over kept memory")
            XCTAssertEqual(weight.grad!, dweight, "\(compute.precision): written fresh over kept memory")
        }
    }

    func testAFloat32PackedWeightGivesTheUnpackedBitsForFewAndManyRows() {
        // k = 1,100 spans more than one k block on every path, so the blocked product (which a pack feeds)
        // sums in another order than the few-rows stream: a dense layer must read its pack only above the
        // few rows, or a gallery's one-photo batches would score differently from the same photos in batches.
        var random = TestRandom(seed: 17)
        let (inputs, outputs) = (1_100, 40)
        let weight = random.tensor([inputs, outputs]), bias = random.tensor([outputs])
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            let pack = weight.data.withUnsafeBufferPointer {
                PackedMatrix.packing(b: $0.baseAddress!, k: inputs, n: outputs, for: compute)!
            }
            for rows in [1, 3, 8, 9, 30] {
                let x = random.tensor([rows, inputs])
                XCTAssertEqual(dense(x, weight: weight, bias: bias, packedWeight: pack, compute: compute).data,
                               dense(x, weight: weight, bias: bias, compute: compute).data, "\(path), \(rows) rows")
            }
        }
    }

    func testReLUForwardAndGradient() {
        var random = TestRandom(seed: 11)
        let x = random.tensor([4, 6])
        assertClose(relu(x).data, Reference.relu(x.data.map(Double.init)), tolerance: 0)
        assertGradientsMatchFiniteDifferences(inputs: [x], op: { relu($0[0]) }, reference: { Reference.relu($0[0]) })
    }

    func testSigmoidForwardAndGradient() {
        var random = TestRandom(seed: 12)
        let x = random.tensor([3, 7], -6, 6)
        assertClose(sigmoid(x).data, Reference.sigmoid(x.data.map(Double.init)), tolerance: 1e-6)
        assertGradientsMatchFiniteDifferences(inputs: [x], op: { sigmoid($0[0]) }, reference: { Reference.sigmoid($0[0]) })
    }

    func testSigmoidIsFiniteAtExtremes() {
        let y = sigmoid(Tensor(shape: [4], data: [-1000, -90, 90, 1000]))
        XCTAssertEqual(y.data[0], 0)
        XCTAssertEqual(y.data[3], 1)
        XCTAssertTrue(y.data.allSatisfy { $0.isFinite })
    }

    func testL1DistanceForwardAndGradients() {
        var random = TestRandom(seed: 13)
        let a = random.tensor([2, 5]), b = random.tensor([2, 5])
        assertClose(l1Distance(a, b).data, Reference.l1Distance(a.data.map(Double.init), b.data.map(Double.init)), tolerance: 0)
        assertGradientsMatchFiniteDifferences(
            inputs: [a, b], op: { l1Distance($0[0], $0[1]) }, reference: { Reference.l1Distance($0[0], $0[1]) })
    }

    func testReshapeFlattenAndRowsPassGradientsThrough() {
        var random = TestRandom(seed: 14)
        let x = random.tensor([4, 2, 3, 1])
        XCTAssertEqual(flatten(x).shape, [4, 6])
        assertGradientsMatchFiniteDifferences(inputs: [x], op: { reshape($0[0], to: [8, 3]) }, reference: { $0[0] })
        assertGradientsMatchFiniteDifferences(inputs: [x], op: { rows($0[0], 1..<3) }, reference: { Array($0[0][6..<18]) })
    }

    func testGatherRowsRepeatsRowsAndAddsTheirGradients() {
        var random = TestRandom(seed: 15)
        let x = random.tensor([4, 2, 3])
        let indices = [2, 0, 2, 3, 2]  // row 2 three times, row 1 never
        let y = gatherRows(x, indices)
        XCTAssertEqual(y.shape, [5, 2, 3])
        assertClose(y.data, Reference.gatherRows(x.data.map(Double.init), rowSize: 6, indices: indices), tolerance: 0)
        assertGradientsMatchFiniteDifferences(
            inputs: [x], op: { gatherRows($0[0], indices) },
            reference: { Reference.gatherRows($0[0], rowSize: 6, indices: indices) })
        let fresh = Tensor(shape: x.shape, data: x.data, requiresGrad: true)
        gatherRows(fresh, indices).backward(seed: [Float](repeating: 1, count: y.count))
        XCTAssertEqual(fresh.grad!.count, 24)
        XCTAssertEqual(Array(fresh.grad![12..<18]), [Float](repeating: 3, count: 6), "a row taken three times gets three gradients")
        XCTAssertEqual(Array(fresh.grad![6..<12]), [Float](repeating: 0, count: 6), "a row never taken gets none")
    }
}
