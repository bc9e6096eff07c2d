// Float32PatchesTests.swift — the float32 convolution that reads its patches in place (fv_conv_f32_forward)
// on every kernel path this CPU runs: the same bits as facever's GEMM on the im2col matrix, with the weight
// packed or not, for any range of positions, with strides, padding, odd kernel rows, several k blocks and
// column blocks, and blocks of image rows; and conv2d's choice of it and its bands across threads.
import MatrixKernels
@testable import Tensor
import XCTest

final class Float32PatchesTests: XCTestCase {
    /// Every path this CPU can run, best first.
    private var paths: [fv_kernel_path] {
        [FV_KERNEL_AVX512, FV_KERNEL_AVX2, FV_KERNEL_SCALAR].filter { $0.rawValue <= fv_kernel_best_supported().rawValue }
    }

    /// fv_conv_f32_forward for positions [first, first + count), with the weight packed for `path` or not.
    private func inPlace(_ path: fv_kernel_path, x: [Float], _ g: ConvolutionGeometry, weight: [Float], bias: [Float],
                         packed: [Float]?, first: Int, count: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: count * g.outputChannels)
        x.withUnsafeBufferPointer { xp in
            var patches = Conv2D.patches(of: xp.baseAddress!, g)
            if let packed {
                fv_conv_f32_forward(path, &patches, Int64(first), Int64(count), weight, packed, Int64(g.outputChannels), bias, 1, &y)
            } else {
                fv_conv_f32_forward(path, &patches, Int64(first), Int64(count), weight, nil, Int64(g.outputChannels), bias, 1, &y)
            }
        }
        return y
    }

    func testReadingPatchesInPlaceGivesTheSameBitsAsTheProductOfThePatchMatrixOnEveryPath() {
        var random = TestRandom(seed: 61)
        var kc: Int64 = 0, nc: Int64 = 0, mr: Int64 = 0, nr: Int64 = 0
        fv_gemm_f32_blocking(fv_kernel_best_supported(), &mr, &nr, &kc, &nc)
        // Kernel rows of odd and even length (the ResNet's 7 × 7 stem on 3 channels, Koch's 10 × 10 conv1),
        // k over several k blocks (7 · 7 · 64 = 3,136), more output channels than a column block, strides and
        // zero padding as the ResNet has them, tiles crossing output rows and images, and an image tall
        // enough to be read in several blocks of rows (a quarter of L2 each).
        let cases: [([Int], [Int], stride: Int, padding: Int)] = [
            ([2, 6, 7, 1], [2, 2, 1, 5], 1, 0), ([1, 9, 8, 5], [3, 3, 5, 7], 1, 1), ([2, 14, 13, 3], [10, 10, 3, 40], 1, 0),
            ([1, 12, 12, 64], [7, 7, 64, 33], 1, 0), ([2, 13, 11, 32], [3, 3, 32, 40], 1, 1),
            ([2, 15, 14, 16], [3, 3, 16, 24], 2, 1), ([2, 9, 10, 4], [3, 3, 4, 8], 2, 0), ([1, 11, 9, 2], [5, 5, 2, 6], 1, 2),
            ([1, 37, 37, 3], [7, 7, 3, 32], 2, 0), ([1, 10, 12, 2], [3, 3, 2, Int(nc) + 8], 1, 1),
            ([1, 260, 250, 8], [3, 3, 8, 4], 1, 1),
        ]
        for path in paths {
            for (xShape, wShape, stride, padding) in cases {
                let x = random.values(xShape.reduce(1, *)), w = random.values(wShape.reduce(1, *)), bias = random.values(wShape[3])
                let g = ConvolutionGeometry(input: xShape, weight: wShape, stride: stride, padding: padding)
                let label = "\(fv_kernel_name(path).map { String(cString: $0) } ?? "?"): \(xShape) * \(wShape), stride \(stride), padding \(padding)"
                let positions = g.batch * g.positionsPerImage
                var col = [Float](repeating: 0, count: positions * g.patchSize)
                x.withUnsafeBufferPointer { xp in
                    Im2col.unfold(xp.baseAddress!, geometry: g, outputRows: 0..<(g.batch * g.outputHeight), into: &col, threads: 1)
                }
                var product = [Float](repeating: .nan, count: positions * g.outputChannels)
                fv_gemm_f32(path, 0, 0, Int64(positions), Int64(g.outputChannels), Int64(g.patchSize), 1, col, Int64(g.patchSize),
                            w, Int64(g.outputChannels), 0, &product, Int64(g.outputChannels), bias, 1)
                var packed = [Float](repeating: 0, count: Int(fv_gemm_f32_packed_floats(path, Int64(g.patchSize), Int64(g.outputChannels))))
                fv_gemm_f32_pack(path, Int64(g.patchSize), Int64(g.outputChannels), w, 0, Int64(g.outputChannels), &packed)
                XCTAssertEqual(inPlace(path, x: x, g, weight: w, bias: bias, packed: nil, first: 0, count: positions), product, label)
                XCTAssertEqual(inPlace(path, x: x, g, weight: w, bias: bias, packed: packed, first: 0, count: positions), product,
                               label + ", packed")
                XCTAssertTrue(product.contains { $0 > 0 } && product.contains { $0 == 0 }, "ReLU applied to a mix of signs")
                // A range of positions starting inside an image writes exactly those positions.
                let first = positions / 2 + 3, count = positions - first - 1
                XCTAssertEqual(inPlace(path, x: x, g, weight: w, bias: bias, packed: packed, first: first, count: count),
                               Array(product[(first * g.outputChannels)..<((first + count) * g.outputChannels)]),
                               label + ": positions \(first)..<\(first + count)")
            }
        }
    }

    func testConv2DReadsPatchesInPlaceWhereFacevers32BitGEMMTakesMoreThanAFewRows() {
        let g = ConvolutionGeometry(input: [1, 5, 5, 3], weight: [3, 3, 3, 4], stride: 1, padding: 1)
        let facever = Compute(precision: .float32, float32Kernel: .facever(.selected))
        let few = Int(fv_gemm_f32_few_rows_max())
        XCTAssertTrue(Conv2D.readsPatchesInPlace(g, positions: few + 1, compute: facever))
        XCTAssertFalse(Conv2D.readsPatchesInPlace(g, positions: few, compute: facever), "the few-rows path sums in another order")
        XCTAssertFalse(Conv2D.readsPatchesInPlace(g, positions: 1 << 20, compute: Compute(precision: .float32, float32Kernel: .openBLAS)))
    }

    func testConv2DGivesTheSameBitsOnOneThreadAndInBandsAcrossThreadsWithTheWeightPackedOrNot() {
        // One image of 17 × 15 positions (bands of 24 split inside output rows), then a batch of 3 (whole images
        // per thread); the ReLU fused; against the reference convolution too.
        var random = TestRandom(seed: 62)
        let weight = random.values(3 * 3 * 6 * 20), bias = random.values(20)
        let path = KernelPath.selected
        let packed = PackedMatrix(b: weight, k: 3 * 3 * 6, n: 20, float32Path: path)
        for shape in [[1, 17, 15, 6], [3, 9, 11, 6]] {
            let x = random.values(shape.reduce(1, *))
            let g = ConvolutionGeometry(input: shape, weight: [3, 3, 6, 20], stride: 1, padding: 1)
            func run(threads: Int, packedWeight: PackedMatrix?) -> [Float] {
                var y = [Float](repeating: .nan, count: Tensor.elementCount(of: g.outputShape))
                Conv2D.forward(x: x, weight: weight, bias: bias, geometry: g, into: &y, fusedReLU: true, packedWeight: packedWeight,
                               compute: Compute(precision: .float32, threads: threads, float32Kernel: .facever(path)))
                return y
            }
            let expected = run(threads: 1, packedWeight: nil)
            XCTAssertEqual(run(threads: 2, packedWeight: nil), expected, "\(shape)")
            XCTAssertEqual(run(threads: 2, packedWeight: packed), expected, "\(shape), packed")
            XCTAssertEqual(run(threads: 3, packedWeight: packed), expected, "\(shape), packed, 3 threads")
            let reference = Reference.relu(Reference.conv2d(x: x.map(Double.init), xShape: shape, weight: weight.map(Double.init),
                                                            wShape: [3, 3, 6, 20], bias: bias.map(Double.init), padding: 1))
            for (value, wanted) in zip(expected, reference) { XCTAssertEqual(Double(value), wanted, accuracy: 1e-4) }
        }
    }
}
