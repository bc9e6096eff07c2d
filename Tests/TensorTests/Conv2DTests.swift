// Conv2DTests.swift — the im2col + sgemm convolution against the direct convolution and finite differences.
@testable import Tensor
import XCTest

final class Conv2DTests: XCTestCase {
    private func reference(_ v: [[Double]], _ xShape: [Int], _ wShape: [Int]) -> [Double] {
        Reference.conv2d(x: v[0], xShape: xShape, weight: v[1], wShape: wShape, bias: v[2])
    }

    func testForwardMatchesDirectConvolutionOnSeveralShapes() {
        var random = TestRandom(seed: 1)
        // [N, H, W, C], [KH, KW, C, O]: square, rectangular, 1×1 kernel, kernel as large as the input.
        let cases: [([Int], [Int])] = [
            ([2, 7, 6, 3], [3, 2, 3, 4]), ([1, 12, 12, 5], [4, 4, 5, 6]), ([3, 5, 5, 2], [1, 1, 2, 3]),
            ([2, 4, 4, 3], [4, 4, 3, 2]), ([1, 20, 20, 3], [10, 10, 3, 8]),
        ]
        for (xShape, wShape) in cases {
            let x = random.tensor(xShape), w = random.tensor(wShape), b = random.tensor([wShape[3]])
            let y = conv2d(x, weight: w, bias: b)
            let expected = reference([x.data, w.data, b.data].map { $0.map(Double.init) }, xShape, wShape)
            XCTAssertEqual(y.shape, [xShape[0], xShape[1] - wShape[0] + 1, xShape[2] - wShape[1] + 1, wShape[3]])
            assertClose(y.data, expected, tolerance: 1e-4)
        }
    }

    func testGradientsMatchFiniteDifferences() {
        var random = TestRandom(seed: 2)
        let xShape = [2, 6, 5, 3], wShape = [3, 2, 3, 4]
        let inputs = [random.tensor(xShape), random.tensor(wShape), random.tensor([4])]
        assertGradientsMatchFiniteDifferences(
            inputs: inputs, op: { conv2d($0[0], weight: $0[1], bias: $0[2]) },
            reference: { self.reference($0, xShape, wShape) })
    }

    func testFusedReLUEqualsConvolutionThenReLUWithGradients() {
        var random = TestRandom(seed: 7)
        let xShape = [2, 6, 5, 3], wShape = [3, 2, 3, 4]
        let inputs = [random.tensor(xShape), random.tensor(wShape), random.tensor([4])]
        let fused = conv2d(inputs[0], weight: inputs[1], bias: inputs[2], fusedReLU: true)
        let separate = relu(conv2d(inputs[0], weight: inputs[1], bias: inputs[2]))
        XCTAssertEqual(fused.data, separate.data)
        XCTAssertTrue(fused.data.contains(0) && fused.data.contains { $0 > 0 }, "both sides of the kink are exercised")
        assertGradientsMatchFiniteDifferences(
            inputs: inputs, op: { conv2d($0[0], weight: $0[1], bias: $0[2], fusedReLU: true) },
            reference: { Reference.relu(self.reference($0, xShape, wShape)) })
    }

    func testReLUBackwardMaskZeroesExactlyWhereTheOutputIsNotPositive() {
        // 37 values: two 16-value vectors and a tail of 5, with zeros, negatives, positives and a NaN in each part.
        let y: [Float] = (0..<37).map { index in index % 9 == 4 ? .nan : Float(index % 3) - 1 }
        var dy = (0..<37).map { Float($0) + 0.5 }
        let expected = (0..<37).map { y[$0] <= 0 ? 0 : dy[$0] }
        y.withUnsafeBufferPointer { y in
            dy.withUnsafeMutableBufferPointer { Lanes.zeroWhereNotPositive($0.baseAddress!, y.baseAddress!, 0..<37) }
        }
        XCTAssertEqual(dy, expected)
        // y is −1, 0, 1 by index mod 3: 25 values ≤ 0, less the 4 NaN (indices 4, 13, 22, 31) that keep dy.
        XCTAssertEqual(dy.filter { $0 == 0 }.count, 21)
    }

    func testChunksOfOutputRowsGiveTheSameResultAsOneChunk() {
        var random = TestRandom(seed: 3)
        let x = random.tensor([5, 8, 8, 2]), w = random.tensor([3, 3, 2, 4]), b = random.tensor([4])
        let dy = random.values(5 * 6 * 6 * 4)
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape)
        func run(budget: Int) -> (y: [Float], dw: [Float], db: [Float], dx: [Float]) {
            var y = [Float](repeating: 0, count: dy.count)
            var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: 4)
            var dx = [Float](repeating: 0, count: x.count)
            Conv2D.forward(x: x.data, weight: w.data, bias: b.data, geometry: g, into: &y, compute: .standard, budget: budget)
            Conv2D.backward(x: x.data, weight: w.data, dy: dy, geometry: g, dweight: &dw, dbias: &db, dx: &dx, compute: .standard, budget: budget)
            return (y, dw, db, dx)
        }
        let whole = run(budget: 1 << 24)
        let perRow = run(budget: 1)  // one output row (6 patch rows) per chunk
        let image = run(budget: 6 * 6 * 18)  // one image per chunk
        let straddling = run(budget: 4 * 6 * 18)  // four output rows: chunks that cross image boundaries
        for other in [perRow, image, straddling] {
            assertClose(other.y, whole.y.map(Double.init), tolerance: 1e-5)
            assertClose(other.dw, whole.dw.map(Double.init), tolerance: 1e-4)
            assertClose(other.db, whole.db.map(Double.init), tolerance: 1e-4)
            assertClose(other.dx, whole.dx.map(Double.init), tolerance: 1e-5)
        }
    }

    func testNoInputGradientIsComputedForImagesThatDoNotRequireOne() {
        var random = TestRandom(seed: 4)
        let x = random.tensor([1, 5, 5, 1], requiresGrad: false), w = random.tensor([2, 2, 1, 2]), b = random.tensor([2])
        mean(conv2d(x, weight: w, bias: b)).backward()
        XCTAssertNil(x.grad)
        XCTAssertNotNil(w.grad)
        XCTAssertNotNil(b.grad)
    }

    func testAFloat32PackedWeightGivesTheUnpackedBitsForSmallAndLargeProducts() {
        // 4×4 kernels on 72 channels: k = 1,152 spans k blocks on every path, where a product fed by the pack
        // sums in another order than the few-rows stream; one 5×5 image gives 4 output positions (streamed
        // unpacked), eight 7×7 images 128 (read from the pack). Both must give the unpacked bits.
        var random = TestRandom(seed: 21)
        let w = random.tensor([4, 4, 72, 20]), b = random.tensor([20])
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            let pack = w.data.withUnsafeBufferPointer { PackedMatrix.packing(b: $0.baseAddress!, k: 4 * 4 * 72, n: 20, for: compute)! }
            for shape in [[1, 5, 5, 72], [8, 7, 7, 72]] {
                let x = random.tensor(shape, requiresGrad: false)
                XCTAssertEqual(conv2d(x, weight: w, bias: b, fusedReLU: true, packedWeight: pack, compute: compute).data,
                               conv2d(x, weight: w, bias: b, fusedReLU: true, compute: compute).data, "\(path), \(shape)")
            }
        }
    }
}
