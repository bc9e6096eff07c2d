// SpectralGradients.swift — a stride-1 float32 convolution's input and weight gradients in the frequency
// domain (SpectralConvolution.swift has the tiles, the transforms and the rule), for training.
//
//   input gradient:  dx[n, i, j, c] = Σ_{u, v, o} dy[n, i − u, j − v, o] · w[u, v, c, o], the forward convolution
//                    of dy padded by K − 1 with the kernel turned half a turn and its channels swapped;
//   weight gradient: dw[u, v, c, o] = Σ_{n, i, j} x[n, i + u, j + v, c] · dy[n, i, j, o]: each tile of x against
//                    the block of dy it produces (its first T − K + 1 rows and columns), per frequency
//                    X · conj(D) = (Xr·Dr + Xi·Di) + i(Xi·Dr − Xr·Di), summed over tiles and images by one GEMM
//                    G = [Xr | Xi]ᵀ · [Dr | Di] (k = the tiles), then transformed back at lags u < KH, v < KW.
// Both need stride 1, no padding and a square kernel; the results differ from Conv2D.backward's by float32
// rounding.
import Dispatch
import MatrixKernels

extension SpectralConvolution {
    /// The input gradient of a stride-1 convolution `g` without padding and with a square kernel is the
    /// forward convolution of dy, padded by K − 1, with the kernel turned half a turn and its channels
    /// swapped: dx[i, j, c] = Σ_{u, v, o} dy[i − u, j − v, o] · w[u, v, c, o]. That convolution's geometry.
    static func inputGradientGeometry(_ g: ConvolutionGeometry) -> ConvolutionGeometry? {
        guard g.stride == 1, g.padding == 0, g.kernelHeight == g.kernelWidth else { return nil }
        return ConvolutionGeometry(input: [g.batch, g.outputHeight, g.outputWidth, g.outputChannels],
                                   weight: [g.kernelHeight, g.kernelWidth, g.outputChannels, g.inputChannels],
                                   padding: g.kernelHeight - 1)
    }

    /// The turned, channel-swapped kernel of `inputGradientGeometry`, transformed now, where the rule takes
    /// that convolution (transform counted) and `compute`'s products are float32 on facever's GEMM; nil
    /// otherwise (the input gradient then goes through Conv2D.backward).
    static func inputGradientWeight(_ weight: Tensor, _ g: ConvolutionGeometry, compute: Compute) -> SpectralWeight? {
        guard let path = path(of: compute), let gradient = inputGradientGeometry(g),
              let tile = tile(for: gradient, transformingTheWeight: true) else { return nil }
        return inputGradientWeight(weight, g, tile: tile, path: path)
    }

    /// The same for a given tile side and path.
    static func inputGradientWeight(_ weight: Tensor, _ g: ConvolutionGeometry, tile: Int, path: KernelPath) -> SpectralWeight {
        let (kernel, inputs, outputs) = (g.kernelHeight, g.inputChannels, g.outputChannels)
        let turned = weight.data.withUnsafeBufferPointer { weight in
            [Float](unsafeUninitializedCapacity: weight.count) { turned, initialized in
                for u in 0..<kernel {
                    for v in 0..<kernel {
                        let source = weight.baseAddress! + ((kernel - 1 - u) * kernel + (kernel - 1 - v)) * inputs * outputs
                        let target = turned.baseAddress! + (u * kernel + v) * outputs * inputs
                        // turned[u, v, o, c] = weight[K − 1 − u, K − 1 − v, c, o]
                        for c in 0..<inputs {
                            for o in 0..<outputs { target[o * inputs + c] = source[c * outputs + o] }
                        }
                    }
                }
                initialized = weight.count
            }
        }
        return SpectralWeight(weight: Tensor(shape: [kernel, kernel, outputs, inputs], data: turned), tile: tile, path: path)
    }

    /// dx = (`fresh`) or += the input gradient of `g` for dy: [N, OH, OW, O], with `turned` from
    /// inputGradientWeight.
    static func inputGradient(dy: UnsafePointer<Float>, turned: SpectralWeight, geometry g: ConvolutionGeometry,
                              into dx: UnsafeMutablePointer<Float>, fresh: Bool, compute: Compute) {
        let gradient = inputGradientGeometry(g)!
        let zeros = [Float](repeating: 0, count: g.inputChannels)
        if fresh {
            forward(x: dy, spectral: turned, bias: zeros, geometry: gradient, into: dx, fusedReLU: false, compute: compute)
            return
        }
        let count = g.batch * g.height * g.width * g.inputChannels
        Scratch.withBuffer(slot: gradientSlot, count: count) { part in
            forward(x: dy, spectral: turned, bias: zeros, geometry: gradient, into: part, fusedReLU: false, compute: compute)
            parallelFor(count, threads: compute.threads, minimumChunk: 1 << 16) { range in
                for index in range { dx[index] += part[index] }
            }
        }
    }

    /// The tile side (and GEMM path) of `g`'s weight gradient in the frequency domain, or nil: where training's forward pass
    /// runs there (the rule, the weight's transform counted: the weight gradient has the same tiles and
    /// mixing and no transform of the weight, so it costs less), for a square kernel without padding, and
    /// where one tile holds the K × K lags (T ≥ 2K − 1, so fv_spectral_inverse reads them as one tile's pixels).
    static func weightGradientTiling(_ g: ConvolutionGeometry, compute: Compute) -> (tile: Int, path: KernelPath)? {
        guard let path = path(of: compute), g.padding == 0, g.kernelHeight == g.kernelWidth,
              let tile = tile(for: g, transformingTheWeight: true), tile >= 2 * g.kernelHeight - 1 else { return nil }
        return (tile, path)
    }

    /// dweight += the weight gradient of `g` for x and dy: [N, OH, OW, O] (header), with tiles of side `tile`.
    static func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, geometry g: ConvolutionGeometry, tile: Int,
                               path: KernelPath, into dweight: UnsafeMutablePointer<Float>, compute: Compute) {
        precondition(g.stride == 1 && g.padding == 0 && g.kernelHeight == g.kernelWidth && tile >= 2 * g.kernelHeight - 1,
                     "conv2d: no weight gradient in the frequency domain for this convolution")
        let (inputs, outputs, kernel) = (g.inputChannels, g.outputChannels, g.kernelHeight)
        let xTiles = geometry(height: g.height, width: g.width, channels: inputs, kernelHeight: kernel, kernelWidth: kernel,
                              padding: 0, outputChannels: outputs, tile: tile)
        var dyBlocks = xTiles
        (dyBlocks.height, dyBlocks.width, dyBlocks.channels) = (Int64(g.outputHeight), Int64(g.outputWidth), Int64(outputs))
        dyBlocks.block = Int64(tile - kernel + 1)
        // The gradient read back as the pixels of one tile: K × K "outputs", O channels, a row per input channel.
        var lags = xTiles
        (lags.output_height, lags.output_width) = (Int64(kernel), Int64(kernel))
        let tilesPerImage = withUnsafePointer(to: xTiles) { Int(fv_spectral_tiles($0)) }
        let frequencies = Int(fv_spectral_frequencies(Int64(tile)))
        let (inputWidth, outputWidth) = (2 * inputs, 2 * outputs)
        let floatsPerTile = frequencies * (inputWidth + outputWidth)
        let chunks = chunks(batch: g.batch, tilesPerImage: tilesPerImage, floatsPerTile: floatsPerTile)
        let matrixSize = inputWidth * outputWidth
        let (imageSize, dySize) = (g.height * g.width * inputs, g.positionsPerImage * outputs)
        Scratch.withBuffer(slot: weightGradientSlot, count: frequencies * matrixSize + inputs * kernel * kernel * outputs) { sums in
            let lagsOut = sums + frequencies * matrixSize
            Scratch.withBuffer(slot: spectraSlot, count: (chunks.map(\.count).max() ?? 0) * floatsPerTile) { buffer in
                for chunk in chunks {
                    let rows = chunk.count
                    let (xSpectrum, dySpectrum) = (buffer, buffer + frequencies * rows * inputWidth)
                    parallelFor(rows, threads: compute.threads) { range in
                        for (n, tiles, row) in runs(of: range, from: chunk.lowerBound, tilesPerImage: tilesPerImage) {
                            let (firstTile, count) = (Int64(tiles.lowerBound), Int64(tiles.count))
                            withUnsafePointer(to: xTiles) {
                                fv_spectral_forward(path.c, $0, x + n * imageSize, firstTile, count, xSpectrum, Int64(rows), Int64(row))
                            }
                            withUnsafePointer(to: dyBlocks) {
                                fv_spectral_forward(path.c, $0, dy + n * dySize, firstTile, count, dySpectrum, Int64(rows), Int64(row))
                            }
                        }
                    }
                    // G_f [2C, 2O] (+)= X_fᵀ [2C, tiles] · D_f [tiles, 2O]
                    parallelFor(frequencies, threads: compute.threads) { range in
                        for f in range {
                            Matrix.multiply(m: inputWidth, n: outputWidth, k: rows, a: xSpectrum + f * rows * inputWidth, transposeA: true,
                                            b: dySpectrum + f * rows * outputWidth, into: sums + f * matrixSize,
                                            beta: chunk.lowerBound == 0 ? 0 : 1, compute: compute, parallel: false)
                        }
                    }
                }
            }
            // Rows c < C of each G_f become X · conj(D) (real parts, then imaginary), scaled by 1/T² (the inverse
            // transform's): row c reads only rows c and C + c, so it is done in place.
            let scale = 1 / Float(tile * tile)
            parallelFor(frequencies, threads: compute.threads) { range in
                for f in range {
                    let matrix = sums + f * matrixSize
                    for c in 0..<inputs {
                        let (top, bottom) = (matrix + c * outputWidth, matrix + (inputs + c) * outputWidth)
                        for o in 0..<outputs {
                            let (realReal, realImaginary) = (top[o], top[outputs + o])
                            let (imaginaryReal, imaginaryImaginary) = (bottom[o], bottom[outputs + o])
                            top[o] = (realReal + imaginaryImaginary) * scale
                            top[outputs + o] = (imaginaryReal - realImaginary) * scale
                        }
                    }
                }
            }
            // lagsOut[c, u, v, o], then added into dweight[u, v, c, o].
            parallelFor(inputs, threads: compute.threads) { range in
                withUnsafePointer(to: lags) { lags in
                    for c in range {
                        fv_spectral_inverse(path.c, lags, sums, Int64(inputWidth), Int64(c), 0, 1, nil, 0,
                                            lagsOut + c * kernel * kernel * outputs)
                    }
                }
            }
            parallelFor(kernel * kernel, threads: compute.threads) { range in
                for lag in range {
                    for c in 0..<inputs {
                        let (target, source) = (dweight + (lag * inputs + c) * outputs, lagsOut + (c * kernel * kernel + lag) * outputs)
                        for o in 0..<outputs { target[o] += source[o] }
                    }
                }
            }
        }
    }
}
