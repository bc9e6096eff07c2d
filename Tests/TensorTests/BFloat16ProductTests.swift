// BFloat16ProductTests.swift — the bfloat16 GEMM (MatrixKernels) and the ops that run on it, each
// against a Float64 reference computed on the same inputs rounded to bfloat16: what remains is only
// float32 summation error. A second check shows the rounding really happened.
import MatrixKernels
@testable import Tensor
import XCTest

final class BFloat16ProductTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(MatrixPrecision.isBFloat16Available, "this CPU has no AVX512_BF16")
    }

    private func rounded(_ values: [Float]) -> [Double] { values.map { Double(fv_round_to_bf16($0)) } }

    /// bfloat16 products on every core (the tests run only where the CPU has them).
    private var bf16: Compute { Compute(precision: .bfloat16) }

    /// Summation error allowed on a sum of terms whose magnitudes add up to `magnitude`.
    private func summationTolerance(_ magnitude: Double) -> Double { 1e-5 * (magnitude + 1) }

    func testRoundingIsToNearestWithTiesToEven() {
        let ulpAtOne = Float(1) / 128  // 7 stored mantissa bits
        XCTAssertEqual(fv_round_to_bf16(1), 1)
        XCTAssertEqual(fv_round_to_bf16(1 + ulpAtOne / 2), 1, "a tie goes to the even neighbour (1)")
        XCTAssertEqual(fv_round_to_bf16(1 + 3 * ulpAtOne / 2), 1 + 2 * ulpAtOne, "a tie goes to the even neighbour (1 + 2 ulp)")
        XCTAssertEqual(fv_round_to_bf16(1 + ulpAtOne * 0.51), 1 + ulpAtOne)
        XCTAssertEqual(fv_round_to_bf16(-3.0), -3.0)
        XCTAssertTrue(fv_round_to_bf16(.nan).isNaN)
    }

    func testKernelRoundsLikeTheScalarRounding() {
        // C[0, j] = 1 · B[0, j] with k = 1: the kernel's own conversion, lane by lane.
        var random = TestRandom(seed: 11)
        let b = random.values(1000, -1000, 1000) + random.values(1000, -1e-3, 1e-3)
        var c = [Float](repeating: 0, count: b.count)
        let one: [Float] = [1]
        do {
            Matrix.multiply(m: 1, n: b.count, k: 1, a: one, b: b, into: &c, compute: bf16, parallel: false)
        }
        XCTAssertEqual(c, b.map(fv_round_to_bf16))
    }

    func testProductEqualsTheReferenceOnRoundedInputsForEveryTransposeAndEdge() {
        var random = TestRandom(seed: 12)
        // Edges of the 8 × 32 tile and of the 512-step k block; odd k; a single row or column; more rows
        // than a row block (row_block(), at most 4096 … at least 32) across several k blocks; a k beyond
        // which B is packed a k block at a time.
        let shapes: [(m: Int, n: Int, k: Int)] = [
            (1, 1, 1), (8, 32, 16), (9, 33, 17), (37, 45, 67), (7, 300, 3), (70, 31, 1100), (1, 70, 513),
            (4100, 3, 600), (9, 33, 16_390),
        ]
        for (m, n, k) in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let a = random.values(m * k), b = random.values(k * n), start = random.values(m * n)
                    // The logical op(A) [m, k] and op(B) [k, n], from the stored layouts.
                    let logicalA = (0..<(m * k)).map { i in transposeA ? a[(i % k) * m + i / k] : a[i] }
                    let logicalB = (0..<(k * n)).map { i in transposeB ? b[(i % n) * k + i / n] : b[i] }
                    let product = Reference.matrixProduct(rounded(logicalA), rounded(logicalB), m: m, n: n, k: k)
                    let magnitude = Reference.matrixProduct(rounded(logicalA).map(abs), rounded(logicalB).map(abs), m: m, n: n, k: k)
                    var c = start
                    do {
                        Matrix.multiply(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB,
                                        into: &c, alpha: 0.5, beta: 0.25, compute: bf16, parallel: false)
                    }
                    for index in 0..<(m * n) {
                        let expected = 0.5 * product[index] + 0.25 * Double(start[index])
                        let error = abs(Double(c[index]) - expected)
                        if error > summationTolerance(magnitude[index]) {
                            XCTFail("\(m)×\(n)×\(k) tA \(transposeA) tB \(transposeB) [\(index)]: \(c[index]) vs \(expected)")
                            return
                        }
                    }
                }
            }
        }
    }

    func testBetaZeroOnlyWritesTheOutput() {
        var random = TestRandom(seed: 13)
        let a = random.values(9 * 20), b = random.values(20 * 40)
        var c = [Float](repeating: .nan, count: 9 * 40)
        do {
            Matrix.multiply(m: 9, n: 40, k: 20, a: a, b: b, into: &c, compute: bf16, parallel: false)
        }
        XCTAssertFalse(c.contains { $0.isNaN }, "beta = 0 must not read the garbage already in C")
    }

    func testSplittingRowsOrColumnsAcrossThreadsGivesIdenticalBits() {
        let bf16 = Compute(precision: .bfloat16, threads: 2)
        var random = TestRandom(seed: 14)
        // Many rows (split by rows) and a dense-layer shape with few rows (split by columns).
        for (m, n, k) in [(300, 50, 70), (3, 700, 90)] {
            let a = random.values(m * k), b = random.values(k * n)
            var together = [Float](repeating: 0, count: m * n), split = together
            do {
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &together, compute: bf16, parallel: false)
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &split, compute: bf16, parallel: true)
            }
            XCTAssertEqual(together, split, "\(m)×\(n)×\(k)")
        }
    }

    func testConvolutionForwardAndGradientsMatchTheReferenceOnRoundedInputs() {
        var random = TestRandom(seed: 15)
        let xShape = [3, 9, 8, 5], wShape = [3, 4, 5, 6]
        let x = random.values(3 * 9 * 8 * 5), w = random.values(3 * 4 * 5 * 6), bias = random.values(6)
        let g = ConvolutionGeometry(input: xShape, weight: wShape)
        let dy = random.values(g.batch * g.positionsPerImage * g.outputChannels)
        var y = [Float](repeating: 0, count: dy.count)
        var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: 6)
        var dx = [Float](repeating: 0, count: x.count)
        do {
            Conv2D.forward(x: x, weight: w, bias: bias, geometry: g, into: &y, compute: bf16)
            Conv2D.backward(x: x, weight: w, dy: dy, geometry: g, dweight: &dw, dbias: &db, dx: &dx, compute: bf16)
        }
        let tolerance = summationTolerance(Double(g.patchSize))  // |x|, |w|, |dy| ≤ 1
        let expectedY = Reference.conv2d(x: rounded(x), xShape: xShape, weight: rounded(w), wShape: wShape,
                                          bias: bias.map(Double.init))
        let expected = Reference.conv2dGradients(x: rounded(x), xShape: xShape, weight: rounded(w), wShape: wShape,
                                                 dy: rounded(dy))
        assertClose(y, expectedY, tolerance: tolerance)
        assertClose(dw, expected.dweight, tolerance: summationTolerance(Double(dy.count)))
        assertClose(dx, expected.dx, tolerance: tolerance)

        let exactY = Reference.conv2d(x: x.map(Double.init), xShape: xShape, weight: w.map(Double.init), wShape: wShape,
                                      bias: bias.map(Double.init))
        let largestRoundingEffect = zip(y, exactY).map { abs(Double($0) - $1) }.max() ?? 0
        XCTAssertGreaterThan(largestRoundingEffect, 10 * tolerance, "the products ran in bfloat16, not float32")
    }

    func testDenseForwardAndGradientsMatchTheReferenceOnRoundedInputs() {
        var random = TestRandom(seed: 16)
        let (batch, inputs, outputs) = (5, 70, 140)
        let x = random.tensor([batch, inputs]), w = random.tensor([inputs, outputs]), b = random.tensor([outputs])
        let seed = random.values(batch * outputs)
        let y = dense(x, weight: w, bias: b, compute: bf16)
        y.backward(seed: seed)
        let tolerance = summationTolerance(Double(max(inputs, outputs, batch)))
        assertClose(y.data, Reference.dense(x: rounded(x.data), batch: batch, weight: rounded(w.data), inputs: inputs,
                                            outputs: outputs, bias: b.data.map(Double.init)), tolerance: tolerance)
        // dx = dy · wᵀ, dw = xᵀ · dy, on rounded operands.
        let wTransposed = (0..<(outputs * inputs)).map { i in w.data[(i % inputs) * outputs + i / inputs] }
        let xTransposed = (0..<(inputs * batch)).map { i in x.data[(i % batch) * inputs + i / batch] }
        assertClose(x.grad!, Reference.matrixProduct(rounded(seed), rounded(wTransposed), m: batch, n: inputs, k: outputs),
                    tolerance: tolerance)
        assertClose(w.grad!, Reference.matrixProduct(rounded(xTransposed), rounded(seed), m: inputs, n: outputs, k: batch),
                    tolerance: tolerance)
    }

    func testPrepackedProductsAreBitIdenticalForEveryColumnBlockRange() {
        var random = TestRandom(seed: 17)
        let block = Int(fv_gemm_bf16_column_block())
        // n: one partial block, several blocks with a partial last one; k across the 512-step block.
        for (m, n, k) in [(3, 45, 20), (5, 2 * block + 70, 1030), (40, block, 7), (1, block + 33, 600), (4100, block + 5, 520)] {
            let a = random.values(m * k), b = random.values(k * n)
            var expected = [Float](repeating: 0, count: m * n)
            fv_gemm_bf16(0, 0, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), b, Int64(n), 0, &expected, Int64(n), nil, 0)
            let packed = PackedMatrix(b: b, k: k, n: n)
            var whole = [Float](repeating: 0, count: m * n)
            Matrix.multiply(m: m, a: a, packedB: packed, into: &whole, threads: Compute.availableThreads)
            XCTAssertEqual(whole, expected, "\(m)×\(n)×\(k)")
            // Column-block ranges computed separately fill the same matrix.
            var pieces = [Float](repeating: 0, count: m * n)
            packed.withWords { words in
                for first in stride(from: 0, to: n, by: block) {
                    fv_gemm_bf16_prepacked(0, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), words,
                                           Int64(first), Int64(min(block, n - first)), 0, &pieces, Int64(n), nil, 0)
                }
            }
            XCTAssertEqual(pieces, expected, "\(m)×\(n)×\(k) by column blocks")
        }
    }

    func testDenseWithAPackedWeightGivesTheSameOutput() {
        var random = TestRandom(seed: 18)
        let x = random.tensor([3, 300], requiresGrad: false), w = random.tensor([300, 600]), b = random.tensor([600])
        let packed = w.data.withUnsafeBufferPointer { PackedMatrix(b: $0.baseAddress!, k: 300, n: 600) }
        XCTAssertEqual(dense(x, weight: w, bias: b, packedWeight: packed, compute: bf16).data,
                       dense(x, weight: w, bias: b, compute: bf16).data)
    }

    func testBiasAndReLUAreAppliedAsTheProductStoresItsTiles() {
        var random = TestRandom(seed: 20)
        // k across the 512-step block (the bias must be added once, after the last block), odd n.
        for (m, n, k) in [(9, 45, 600), (1, 70, 30), (40, 300, 7), (100, 40, 50)] {
            let a = random.values(m * k), b = random.values(k * n), bias = random.values(n, -3, 3)
            var plain = [Float](repeating: 0, count: m * n), fused = plain, fusedReLU = plain, split = plain
            do {
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &plain, compute: bf16, parallel: false)
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &fused, addingBias: bias, compute: bf16, parallel: false)
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &fusedReLU, addingBias: bias, relu: true, compute: bf16, parallel: false)
                Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &split, addingBias: bias, relu: true, compute: bf16, parallel: true)
            }
            let expected = (0..<(m * n)).map { plain[$0] + bias[$0 % n] }
            XCTAssertEqual(fused, expected, "\(m)×\(n)×\(k): bias")
            XCTAssertEqual(fusedReLU, expected.map { max($0, 0) }, "\(m)×\(n)×\(k): bias and ReLU")
            XCTAssertEqual(split, fusedReLU, "\(m)×\(n)×\(k): split across threads")
            XCTAssertTrue(expected.contains { $0 < 0 } && expected.contains { $0 > 0 })
        }
    }

    func testOneImageCutIntoBandsOfRowsGivesTheSameBitsAsOneThread() {
        var random = TestRandom(seed: 21)
        // Through im2col (kernel rows of 15 floats) and straight from the patches (32 floats).
        for (xShape, wShape) in [([1, 23, 19, 5], [4, 3, 5, 16]), ([1, 21, 17, 16], [3, 2, 16, 24])] {
            let x = random.tensor(xShape, requiresGrad: false), w = random.tensor(wShape), b = random.tensor([wShape[3]])
            func forward(threads: Int) -> [Float] {
                conv2d(x, weight: w, bias: b, fusedReLU: true, compute: Compute(precision: .bfloat16, threads: threads)).data
            }
            let g = ConvolutionGeometry(input: x.shape, weight: w.shape)
            XCTAssertEqual(Conv2D.forwardShares(g, compute: Compute(precision: .bfloat16, threads: 2)).count, 2, "two bands of one image")
            XCTAssertEqual(forward(threads: 2), forward(threads: 1), "\(wShape)")
        }
    }

    func testConvolutionStraightFromPatchesMatchesTheReferenceOnSeveralShapes() {
        var random = TestRandom(seed: 22)
        // Kernel rows of 16, 32, 30, 64, 2 and 160 values, all read in place from x. The last:
        // a thread's 256 to 768 positions, more than a row block (row_block() in GEMMBF16.c) on a 1 MiB L2, over
        // two k blocks (k = 800).
        let cases: [([Int], [Int])] = [
            ([2, 6, 7, 8], [2, 2, 8, 5]), ([1, 12, 11, 16], [3, 2, 16, 40]), ([3, 14, 13, 3], [10, 10, 3, 8]),
            ([1, 9, 9, 16], [4, 4, 16, 33]), ([2, 6, 7, 1], [2, 2, 1, 5]), ([3, 20, 20, 32], [5, 5, 32, 12]),
        ]
        for (xShape, wShape) in cases {
            let x = random.tensor(xShape, requiresGrad: false), w = random.tensor(wShape), b = random.tensor([wShape[3]])
            let y = conv2d(x, weight: w, bias: b, fusedReLU: true, compute: bf16)
            let g = ConvolutionGeometry(input: xShape, weight: wShape)
            let expected = Reference.relu(Reference.conv2d(x: rounded(x.data), xShape: xShape, weight: rounded(w.data),
                                                           wShape: wShape, bias: b.data.map(Double.init)))
            assertClose(y.data, expected, tolerance: summationTolerance(Double(g.patchSize)))
        }
    }

    func testAPatchMatrixBuiltInChunksGivesTheSameBitsAsOneChunk() {
        // Kernel rows of 9 values (odd): through the patch matrix, whose chunks are at most Conv2D.bfloat16ChunkBudget.
        var random = TestRandom(seed: 25)
        let x = random.tensor([3, 9, 8, 3], requiresGrad: false), w = random.tensor([3, 3, 3, 7]), b = random.tensor([7])
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape)
        XCTAssertFalse(Conv2D.readsPatchesInPlace(g, positions: 1 << 20, compute: bf16))
        XCTAssertGreaterThan(Conv2D.bfloat16ChunkBudget, 1 << 14, "half of L2, in floats")
        func run(budget: Int, threads: Int) -> [Float] {
            var y = [Float](repeating: 0, count: Tensor.elementCount(of: g.outputShape))
            Conv2D.forward(x: x.data, weight: w.data, bias: b.data, geometry: g, into: &y, fusedReLU: true,
                           compute: Compute(precision: .bfloat16, threads: threads), budget: budget)
            return y
        }
        let whole = run(budget: 1 << 24, threads: 1)
        for (budget, threads) in [(1, 1), (6 * 27 * 2, 1), (1, 2), (6 * 27 * 3, 2)] {
            XCTAssertEqual(run(budget: budget, threads: threads), whole, "budget \(budget), \(threads) threads")
        }
    }

    func testAConvolutionWithItsWeightPackedGivesTheSameBits() throws {
        let layer = try Conv2DLayer(name: "c", inputChannels: 5, outputChannels: 40, kernelSize: 3, factory: .glorotUniform(seed: 5))
        var random = TestRandom(seed: 23)
        let x = random.tensor([2, 11, 10, 5], requiresGrad: false)
        XCTAssertEqual(layer(x, relu: true, compute: bf16, packedWeight: layer.packedWeight(for: bf16)).data,
                       layer(x, relu: true, compute: bf16).data)
    }

    func testReadingPatchesInPlaceGivesTheSameBitsAsTheProductOfThePatchMatrix() {
        // The kernel that reads its A words from the image must sum exactly what the packed product sums over
        // the im2col matrix. Kernel rows of 2, 10 (5 channels: pairs at 2-byte offsets), 30 (Koch's conv1) and
        // 448 values (conv2); a case with 3 × 289 positions (row blocks that end inside a row and an image)
        // over two k blocks (k = 800), its tiles' 8 positions crossing output rows and images; then strides
        // and zero padding as the ResNet's convolutions have them (the padding's zeros in the bfloat16 copy).
        var random = TestRandom(seed: 24)
        let cases: [([Int], [Int], stride: Int, padding: Int)] = [
            ([2, 6, 7, 1], [2, 2, 1, 5], 1, 0), ([1, 9, 8, 5], [3, 2, 5, 7], 1, 0), ([2, 14, 13, 3], [10, 10, 3, 40], 1, 0),
            ([1, 12, 12, 64], [7, 7, 64, 33], 1, 0), ([3, 21, 21, 32], [5, 5, 32, 12], 1, 0),
            ([2, 13, 11, 32], [3, 3, 32, 40], 1, 1), ([1, 24, 20, 16], [3, 3, 16, 24], 1, 1),
            ([2, 15, 14, 16], [3, 3, 16, 24], 2, 1), ([2, 9, 10, 4], [3, 3, 4, 8], 2, 0), ([1, 11, 9, 2], [5, 5, 2, 6], 1, 2),
        ]
        for (xShape, wShape, stride, padding) in cases {
            let x = random.values(xShape.reduce(1, *)), w = random.values(wShape.reduce(1, *)), bias = random.values(wShape[3])
            let g = ConvolutionGeometry(input: xShape, weight: wShape, stride: stride, padding: padding)
            XCTAssertTrue(Conv2D.readsPatchesInPlace(g, positions: 1 << 20, compute: bf16), "\(wShape)")
            let positions = g.batch * g.positionsPerImage
            var inPlace = [Float](repeating: .nan, count: positions * g.outputChannels), product = inPlace
            var col = [Float](repeating: 0, count: positions * g.patchSize)
            x.withUnsafeBufferPointer { xp in
                var patches = Conv2D.patches(of: xp.baseAddress!, g)
                fv_conv_bf16_forward(&patches, 0, Int64(positions), w, nil, Int64(g.outputChannels), bias, 1, &inPlace)
                Im2col.unfold(xp.baseAddress!, geometry: g, outputRows: 0..<(g.batch * g.outputHeight), into: &col, threads: 1)
            }
            Matrix.multiply(m: positions, n: g.outputChannels, k: g.patchSize, a: col, b: w, into: &product,
                            addingBias: bias, relu: true, compute: bf16, parallel: false)
            XCTAssertEqual(inPlace, product, "\(xShape) * \(wShape), stride \(stride), padding \(padding)")
            XCTAssertTrue(product.contains { $0 > 0 } && product.contains { $0 == 0 }, "ReLU applied to a mix of signs")
            // A range of positions starting inside an image writes exactly those positions.
            let first = positions / 2 + 3, count = positions - first - 1
            var part = [Float](repeating: .nan, count: count * g.outputChannels)
            x.withUnsafeBufferPointer { xp in
                var patches = Conv2D.patches(of: xp.baseAddress!, g)
                fv_conv_bf16_forward(&patches, Int64(first), Int64(count), w, nil, Int64(g.outputChannels), bias, 1, &part)
            }
            XCTAssertEqual(part, Array(product[(first * g.outputChannels)..<((first + count) * g.outputChannels)]),
                           "\(wShape): positions \(first)..<\(first + count)")
        }
        // An odd kernel row (3 × 3 on 5 channels: 15 values; the ResNet's 7 × 7 on 3) goes through the patch matrix.
        XCTAssertFalse(Conv2D.readsPatchesInPlace(ConvolutionGeometry(input: [1, 9, 8, 5], weight: [3, 3, 5, 7]),
                                                  positions: 1 << 20, compute: bf16))
        XCTAssertFalse(Conv2D.readsPatchesInPlace(ConvolutionGeometry(input: [1, 150, 150, 3], weight: [7, 7, 3, 32],
                                                                      stride: 2, padding: 0), positions: 1 << 20, compute: bf16))
    }
}
