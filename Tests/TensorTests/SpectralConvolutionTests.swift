// SpectralConvolutionTests.swift — the frequency-domain forward pass against the direct convolution
// (Reference.conv2d, Float64), on every float32 kernel path, and the rule that picks it.
@testable import Tensor
import XCTest

final class SpectralConvolutionTests: XCTestCase {
    /// Relative to the largest output: the transforms' sums run over T² terms, the mixing over 2C.
    private func assertMatchesDirect(_ xShape: [Int], _ wShape: [Int], tile: Int, padding: Int = 0, relu: Bool = false,
                                     seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var random = TestRandom(seed: seed)
        let x = random.tensor(xShape, requiresGrad: false), w = random.tensor(wShape), b = random.tensor([wShape[3]])
        var expected = Reference.conv2d(x: x.data.map(Double.init), xShape: xShape, weight: w.data.map(Double.init),
                                        wShape: wShape, bias: b.data.map(Double.init), padding: padding)
        if relu { expected = Reference.relu(expected) }
        let scale = expected.map(abs).max() ?? 1
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            let spectral = SpectralWeight(weight: w, tile: tile, path: path)
            let y = conv2d(x, weight: w, bias: b, padding: padding, fusedReLU: relu, spectralWeight: spectral, compute: compute)
            XCTAssertEqual(y.shape, conv2d(x, weight: w, bias: b, padding: padding, compute: compute).shape, file: file, line: line)
            let worst = zip(y.data, expected).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 2e-6 * scale * Double(tile), "\(path), x \(xShape), w \(wShape), T \(tile)", file: file, line: line)
            if relu { XCTAssertTrue(zip(y.data, expected).allSatisfy { ($0 == 0) == ($1 <= 0) || abs($1) < 1e-5 * scale }, file: file, line: line) }
        }
    }

    func testTheTutorialsFirstTwoConvolutionsMatchTheDirectConvolution() {
        // conv1's and conv2's shapes (channels cut for speed), with the tiles the rule picks for them.
        assertMatchesDirect([1, 100, 100, 3], [10, 10, 3, 16], tile: 32, seed: 1)
        assertMatchesDirect([2, 46, 46, 20], [7, 7, 20, 24], tile: 16, relu: true, seed: 2)
    }

    func testRaggedTilesChannelTailsRectangularKernelsAndPadding() {
        // Outputs that do not fill the last tile; channel counts that leave a tail of the 16-lane blocks;
        // a kernel as wide as the tile; padding, so tiles start outside the image.
        assertMatchesDirect([3, 13, 11, 5], [3, 4, 5, 7], tile: 8, seed: 3)
        assertMatchesDirect([1, 9, 9, 17], [8, 8, 17, 33], tile: 8, seed: 4)
        assertMatchesDirect([2, 10, 12, 4], [5, 3, 4, 18], tile: 12, padding: 2, relu: true, seed: 5)
        assertMatchesDirect([1, 6, 6, 1], [2, 2, 1, 1], tile: 2, seed: 6)
    }

    func testAnImageLargerThanAChunkGivesTheDirectConvolution() {
        // 256 tiles of 16 × 16 on 16 → 16 channels: 2.4 M floats of spectra, more than a chunk holds, so chunks
        // end inside the image; forward pass and both gradients against OpenBLAS's direct convolution.
        var random = TestRandom(seed: 12)
        let xShape = [1, 166, 166, 16], wShape = [7, 7, 16, 16]
        let g = ConvolutionGeometry(input: xShape, weight: wShape)
        XCTAssertGreaterThan(256 * 144 * (32 + 32), SpectralConvolution.chunkBudget)
        let values = [random.values(Tensor.elementCount(of: xShape)), random.values(Tensor.elementCount(of: wShape), -0.2, 0.2)]
        let dy = random.values(Tensor.elementCount(of: g.outputShape))
        func run(_ compute: Compute, tile: Int?) -> [[Float]] {
            let x = Tensor(shape: xShape, data: values[0]), w = Tensor(shape: wShape, data: values[1])
            let b = [Float](repeating: 0.1, count: 16)
            var (y, dx, dw) = ([Float](repeating: 0, count: dy.count), [Float](repeating: 0, count: x.count), [Float](repeating: 0, count: w.count))
            if let tile, case .facever(let path) = compute.float32Kernel {
                SpectralConvolution.forward(x: x.data, spectral: SpectralWeight(weight: w, tile: tile, path: path), bias: b, geometry: g,
                                            into: &y, fusedReLU: false, compute: compute)
                SpectralConvolution.inputGradient(dy: dy, turned: SpectralConvolution.inputGradientWeight(w, g, tile: tile, path: path),
                                                  geometry: g, into: &dx, fresh: true, compute: compute)
                SpectralConvolution.weightGradient(x: x.data, dy: dy, geometry: g, tile: tile, path: path, into: &dw, compute: compute)
            } else {
                Conv2D.forward(x: x.data, weight: w.data, bias: b, geometry: g, into: &y, compute: compute)
                Conv2D.backward(x: x.data, weight: w.data, dy: dy, geometry: g, dweight: &dw, dbias: nil, dx: &dx, compute: compute)
            }
            return [y, dx, dw]
        }
        let direct = run(Compute(precision: .float32, threads: 2, float32Kernel: .openBLAS), tile: nil)
        let spectral = run(Compute(precision: .float32, threads: 2, float32Kernel: .facever(.selected)), tile: 16)
        for (index, name) in ["y", "dx", "dw"].enumerated() {
            let (a, b) = (spectral[index], direct[index])
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-4 * b.map(abs).max()!, name)
        }
    }

    func testChunksOfImagesGiveTheSameOutputAsOneChunk() {
        // More images than one chunk holds (the budget is in floats of spectra): every chunk is computed alike.
        var random = TestRandom(seed: 7)
        let x = random.tensor([40, 30, 30, 8], requiresGrad: false), w = random.tensor([7, 7, 8, 16]), b = random.tensor([16])
        let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(.selected))
        let spectral = SpectralWeight(weight: w, tile: 16, path: .selected)
        let whole = conv2d(x, weight: w, bias: b, spectralWeight: spectral, compute: compute)
        let images = (0..<40).map { n in
            conv2d(Tensor(shape: [1, 30, 30, 8], data: Array(x.data[(n * 7200)..<((n + 1) * 7200)])), weight: w, bias: b,
                   spectralWeight: spectral, compute: compute).data
        }
        XCTAssertGreaterThan(40 * 144 * 9 * (16 + 32), SpectralConvolution.chunkBudget, "the batch spans several chunks")
        XCTAssertEqual(whole.data, Array(images.joined()))
    }

    func testTheRuleTakesTheTutorialsMiddleConvolutionsOnly() {
        func tile(_ input: [Int], _ weight: [Int], stride: Int = 1, padding: Int = 0) -> Int? {
            SpectralConvolution.tile(for: ConvolutionGeometry(input: input, weight: weight, stride: stride, padding: padding))
        }
        XCTAssertNil(tile([1, 100, 100, 3], [10, 10, 3, 64]), "conv1: 3 channels, its transforms cost more than they save")
        XCTAssertEqual(tile([1, 46, 46, 64], [7, 7, 64, 128]), 16, "conv2")
        XCTAssertEqual(tile([1, 20, 20, 128], [4, 4, 128, 128]), 12, "conv3")
        XCTAssertNil(tile([1, 9, 9, 128], [4, 4, 128, 256]), "conv4: 6 × 6 outputs")
        XCTAssertNil(tile([1, 75, 75, 32], [3, 3, 32, 32], padding: 1), "a ResNet 3 × 3")
        XCTAssertNil(tile([1, 150, 150, 3], [7, 7, 3, 32], stride: 2), "strided")
        XCTAssertNil(tile([1, 46, 46, 1024], [7, 7, 1024, 1024]), "its transformed weight would take 2.4 GB")
        // Training, the weight transformed in each call: conv2 even for one image, conv3 at none of training's batches.
        XCTAssertEqual(SpectralConvolution.tile(for: ConvolutionGeometry(input: [1, 46, 46, 64], weight: [7, 7, 64, 128]),
                                                transformingTheWeight: true), 16)
        XCTAssertNil(SpectralConvolution.tile(for: ConvolutionGeometry(input: [32, 20, 20, 128], weight: [4, 4, 128, 128]),
                                              transformingTheWeight: true))
    }

    /// One convolution's gradients (2 images, 4 × 4 kernel, 5 → 18 channels: 8 × 10 outputs in ragged tiles of
    /// 5, channel tails on both sides) against the Float64 reference on every path: `run` writes or adds the
    /// gradient to a buffer holding `start` (`first` true), then adds it again (`first` false).
    private func assertGradientMatchesReference(
        seed: UInt64, _ which: KeyPath<(dweight: [Double], dx: [Double]), [Double]>, start: Float,
        _ run: (_ x: Tensor, _ w: Tensor, _ dy: [Float], _ g: ConvolutionGeometry, _ path: KernelPath, _ compute: Compute,
                _ gradient: inout [Float], _ first: Bool) -> Void
    ) {
        var random = TestRandom(seed: seed)
        let xShape = [2, 11, 13, 5], wShape = [4, 4, 5, 18]
        let x = random.tensor(xShape), w = random.tensor(wShape)
        let g = ConvolutionGeometry(input: xShape, weight: wShape)
        let dy = random.values(Tensor.elementCount(of: g.outputShape))
        let expected = Reference.conv2dGradients(x: x.data.map(Double.init), xShape: xShape, weight: w.data.map(Double.init),
                                                 wShape: wShape, dy: dy.map(Double.init))[keyPath: which]
        let scale = expected.map(abs).max()!
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            var gradient = [Float](repeating: start, count: expected.count)
            run(x, w, dy, g, path, compute, &gradient, true)
            XCTAssertLessThan(zip(gradient, expected).map { abs(Double($0) - $1) }.max()!, 1e-5 * scale, "\(path)")
            run(x, w, dy, g, path, compute, &gradient, false)
            XCTAssertLessThan(zip(gradient, expected).map { abs(Double($0) - 2 * $1) }.max()!, 2e-5 * scale, "\(path), added")
        }
    }

    func testTheInputGradientInTheFrequencyDomainMatchesTheReference() {
        // Written fresh over garbage, then added to the live gradient.
        assertGradientMatchesReference(seed: 8, \.dx, start: .nan) { _, w, dy, g, path, compute, dx, first in
            let turned = SpectralConvolution.inputGradientWeight(w, g, tile: 8, path: path)
            SpectralConvolution.inputGradient(dy: dy, turned: turned, geometry: g, into: &dx, fresh: first, compute: compute)
        }
    }

    func testTheWeightGradientInTheFrequencyDomainMatchesTheReference() {
        // Always added: first to zeros.
        assertGradientMatchesReference(seed: 10, \.dweight, start: 0) { x, _, dy, g, path, compute, dw, _ in
            SpectralConvolution.weightGradient(x: x.data, dy: dy, geometry: g, tile: 8, path: path, into: &dw, compute: compute)
        }
    }

    func testTrainingTakesTheFrequencyDomainWhereTheTransformPaysAndKeepsItsGradients() {
        // conv2-like: 7 × 7 on 64 channels, five images (the transform of the weight shared by them). Forward,
        // input and weight gradients (frequency domain) and bias gradient against OpenBLAS's direct convolution.
        var random = TestRandom(seed: 9)
        let xShape = [5, 26, 26, 64], wShape = [7, 7, 64, 64]
        let g = ConvolutionGeometry(input: xShape, weight: wShape)
        XCTAssertEqual(SpectralConvolution.tile(for: g, transformingTheWeight: true), 16)
        XCTAssertNil(SpectralConvolution.tile(for: ConvolutionGeometry(input: [1, 26, 26, 64], weight: wShape), transformingTheWeight: true),
                     "one image does not pay for the transform")
        let values = [random.values(Tensor.elementCount(of: xShape)), random.values(Tensor.elementCount(of: wShape), -0.05, 0.05),
                      random.values(64)]
        let seed = random.values(Tensor.elementCount(of: g.outputShape))
        func run(_ compute: Compute) -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
            let x = Tensor(shape: xShape, data: values[0], requiresGrad: true), w = Tensor(shape: wShape, data: values[1], requiresGrad: true)
            let b = Tensor(shape: [64], data: values[2], requiresGrad: true)
            let y = conv2d(x, weight: w, bias: b, fusedReLU: true, compute: compute)
            y.backward(seed: seed)
            return (y.data, x.grad!, w.grad!, b.grad!)
        }
        let direct = run(Compute(precision: .float32, threads: 2, float32Kernel: .openBLAS))
        for path in KernelPath.supported {
            let compute = Compute(precision: .float32, threads: 2, float32Kernel: .facever(path))
            XCTAssertNotNil(SpectralConvolution.inputGradientWeight(Tensor(shape: wShape, data: values[1]), g, compute: compute))
            XCTAssertEqual(SpectralConvolution.weightGradientTiling(g, compute: compute)?.tile, 16)
            let spectral = run(compute)
            XCTAssertNotEqual(spectral.y, direct.y, "\(path): the frequency domain's order of sums")
            for (name, a, b) in [("y", spectral.y, direct.y), ("dx", spectral.dx, direct.dx), ("dw", spectral.dw, direct.dw),
                                 ("db", spectral.db, direct.db)] {
                let scale = b.map(abs).max()!
                XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-4 * scale, "\(path), \(name)")
            }
        }
    }
}
