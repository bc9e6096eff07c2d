// SpectralConvolution.swift — the forward pass of a stride-1 float32 convolution in the frequency domain
// (and, from it, the input gradient): the same y as Conv2D.forward to float32 rounding (the sums run in
// another order, so not to the bit), with a fraction of the multiply-adds for large kernels on many channels.
//
//   x: [N, H, W, C] in T × T tiles (MatrixKernels.h, "Spectral convolution")
//     → spectrum [F, tiles, 2C]  (fv_spectral_forward, tiles shared by the threads)
//     → products [F, tiles, 2O]  (one float32 GEMM per frequency against SpectralWeight's packed matrix,
//                                 frequencies shared by the threads)
//     → y: [N, OH, OW, O]        (fv_spectral_inverse, + bias, max(0, ·))
// A batch runs in chunks of tiles whose spectra fit `chunkBudget`. The tile side is chosen per
// layer from an estimated cost (`tile(for:)`), and the layer runs here only where that is at most 0.6 of
// the direct convolution's: conv2 (7 × 7 on 64 channels) and conv3 (4 × 4 on 128) of the tutorial's network,
// not conv1 (3 channels), conv4 (6 × 6 outputs) or the ResNet's 3 × 3 and strided convolutions. Training
// takes it too where the rule still does with the weight's transform counted (conv2): its forward pass here,
// and its gradients (SpectralGradients.swift).
import Dispatch
import MatrixKernels

/// A convolution weight [KH, KW, C, O] transformed for tiles of side `tile`: per frequency, the
/// [2C, 2O] real matrix of its complex channel mixing, packed for one float32 GEMM path.
public final class SpectralWeight: @unchecked Sendable {
    public let tile: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let inputChannels: Int
    let outputChannels: Int
    let path: KernelPath
    /// One packed [2C, 2O] matrix per frequency.
    let frequencies: [PackedMatrix]

    /// Transforms `weight` for tiles of side `tile` and packs it for float32 products on `path`.
    public init(weight: Tensor, tile: Int, path: KernelPath) {
        precondition(weight.shape.count == 4, "SpectralWeight: the weight must be [KH, KW, C, O]")
        (kernelHeight, kernelWidth, inputChannels, outputChannels) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        (self.tile, self.path) = (tile, path)
        let (inputs, outputs) = (weight.shape[2], weight.shape[3])
        let g = SpectralConvolution.geometry(height: tile, width: tile, channels: inputs, kernelHeight: weight.shape[0],
                                             kernelWidth: weight.shape[1], padding: 0, outputChannels: outputs, tile: tile)
        precondition(withUnsafePointer(to: g) { fv_spectral_geometry_valid($0) } != 0, "SpectralWeight: no \(tile) × \(tile) tiles for this kernel")
        let count = Int(fv_spectral_frequencies(Int64(tile)))
        let matrixSize = 4 * inputs * outputs
        // Frequencies sharing a horizontal frequency b (T of them, consecutive) are transformed together
        // into a per-thread buffer and packed from there: no matrix of all frequencies is ever made.
        let groups = count / tile
        var packs = [PackedMatrix?](repeating: nil, count: count)
        weight.data.withUnsafeBufferPointer { weight in
            packs.withUnsafeMutableBufferPointer { packs in
                parallelFor(groups) { range in
                    // A thread that finds the slot taken by another gets a buffer of its own (Scratch).
                    Scratch.withBuffer(slot: SpectralConvolution.kernelSlot, count: tile * matrixSize) { matrices in
                        for group in range {
                            withUnsafePointer(to: g) { g in
                                fv_spectral_weight(path.c, g, weight.baseAddress!, Int64(group * tile), Int64(tile), matrices)
                            }
                            for a in 0..<tile {
                                packs[group * tile + a] = PackedMatrix(b: matrices + a * matrixSize, k: 2 * inputs, n: 2 * outputs,
                                                                       float32Path: path, threads: 1)
                            }
                        }
                    }
                }
            }
        }
        frequencies = packs.map { $0! }
    }

    /// Whether this transform serves a convolution of `g` computed by `compute`.
    func serves(_ g: ConvolutionGeometry, _ compute: Compute) -> Bool {
        g.stride == 1 && g.kernelHeight == kernelHeight && g.kernelWidth == kernelWidth && g.inputChannels == inputChannels
            && g.outputChannels == outputChannels && compute.precision == .float32 && compute.float32Kernel == .facever(path)
    }
}

public enum SpectralConvolution {
    /// Spectra and products of a chunk of tiles, in floats (8 MiB in all: they stay in L3 between the
    /// three passes).
    static let chunkBudget = 2 * 1024 * 1024

    /// Scratch buffers (Scratch.swift) of the frequency domain, apart from Conv2D's (slots 0 up, one per
    /// thread): spectra, an input gradient to be added, the kernel's matrices being packed, and the weight
    /// gradient's sums.
    static let spectraSlot = Scratch.slotCount - 1
    static let gradientSlot = Scratch.slotCount - 2
    static let kernelSlot = Scratch.slotCount - 3
    static let weightGradientSlot = Scratch.slotCount - 4

    /// Tile sides tried: even and small, since the transformed weight (4·C·O floats a frequency, T·(T/2 + 1)
    /// frequencies: 19 MB for conv2 at 16, 12 times its weight) grows with T²; larger tiles need fewer
    /// multiply-adds on paper but stream more weight per image, and measured slower.
    static let candidateTiles = [8, 12, 16]

    /// Weights of the estimate, in units of the direct convolution's multiply-add: measured per phase on
    /// the tutorial's conv2 (AMD Zen 5, AVX2 and AVX-512 alike), the direct convolution ran 100 G
    /// multiply-adds a second, the channel mixing (small GEMMs) 75 G and the transforms 35 G (their
    /// 16-channel blocks are counted whole: conv1's 3 channels fill 3 of 16 lanes).
    static let mixingWeight = 1.33
    static let transformWeight = 2.9

    /// The tile side with the lowest estimated cost for `g`, or nil when even that is more than 0.6 of the
    /// direct convolution's (or the convolution is strided): for an inference model, whose weights are
    /// transformed once, the rule takes conv2 of the tutorial's network (an estimated 0.29 of the direct
    /// cost, at T = 16) and conv3 (0.58, at T = 12; measured faster at batch 32 on both paths and at one image
    /// on AVX2, 0.1–0.2 ms slower at one image on AVX-512), not conv1 (its transforms dominate), conv4 or the
    /// ResNet's 3 × 3 convolutions. With `transformingTheWeight` for a batch of `g.batch` images (training,
    /// where the weight changes every step), the transform's cost is shared by the batch: conv2 still
    /// qualifies from one image, conv3 does not at the batches training uses.
    public static func tile(for g: ConvolutionGeometry, transformingTheWeight: Bool = false) -> Int? {
        guard g.stride == 1 else { return nil }
        let images = transformingTheWeight ? Double(g.batch) : 1
        let direct = Double(g.positionsPerImage * g.patchSize * g.outputChannels) * images
        func lanes(_ channels: Int) -> Double { Double((channels + 15) / 16 * 16) }
        let channelPairs = Double(g.inputChannels * g.outputChannels)
        let fitting = candidateTiles.filter { tile in
            tile >= max(g.kernelHeight, g.kernelWidth) + 2 && tile * (tile / 2 + 1) * 4 * g.inputChannels * g.outputChannels <= maximumTransformFloats
        }
        let costs = fitting.map { tile -> (Int, Double) in
            let (t, half) = (Double(tile), Double(tile / 2 + 1))
            let (rows, columns) = (tile - g.kernelHeight + 1, tile - g.kernelWidth + 1)
            let tiles = Double(((g.outputHeight + rows - 1) / rows) * ((g.outputWidth + columns - 1) / columns))
            let mixing = t * half * 4 * channelPairs
            let forward = 6 * t * t * half * lanes(g.inputChannels)
            let inverse = (half * Double(rows) * t * 4 + Double(rows * columns) * (half - 1) * 2) * lanes(g.outputChannels)
            var cost = images * tiles * (mixingWeight * mixing + transformWeight * (forward + inverse))
            if transformingTheWeight {
                // The kernel's two passes of sums, then its matrices packed (a copy into fresh memory).
                let sums = Double(g.kernelHeight * g.kernelWidth) * half * channelPairs * 2
                    + t * half * Double(g.kernelHeight) * channelPairs * 4
                cost += transformWeight * sums + packingWeight * mixing
            }
            return (tile, cost)
        }
        guard let best = costs.min(by: { $0.1 < $1.1 }), best.1 <= 0.6 * direct else { return nil }
        return best.0
    }

    /// The largest transformed weight (and weight gradient's sums), in floats: 64 MiB, against conv2's 19. A
    /// layer of many more channels (the limit of a user's architecture is 4,096) would need gigabytes, and
    /// stays direct.
    static let maximumTransformFloats = 16 * 1024 * 1024

    /// A copy's cost per float, in the same units (the conv2 transform measured 1.7 ms, of which the estimate
    /// of its sums accounts for 1.2).
    static let packingWeight = 10.0

    /// The float32 GEMM path of `compute`'s products, where the frequency domain can run: nil for bfloat16
    /// products (their own kernel) and for OpenBLAS's sgemm (no packed form).
    static func path(of compute: Compute) -> KernelPath? {
        guard compute.precision == .float32, case .facever(let path) = compute.float32Kernel else { return nil }
        return path
    }

    /// `weight` transformed for `g`'s forward pass where `compute`'s products allow it and the rule takes `g`
    /// (with the transform's cost counted when it is made for this one call, `forOneCall`); nil otherwise.
    public static func transformed(_ weight: Tensor, for g: ConvolutionGeometry, compute: Compute, forOneCall: Bool) -> SpectralWeight? {
        guard let path = path(of: compute), let tile = tile(for: g, transformingTheWeight: forOneCall) else { return nil }
        return SpectralWeight(weight: weight, tile: tile, path: path)
    }

    /// The batch's tiles (image after image, `tilesPerImage` each) in chunks whose spectra fit `chunkBudget`
    /// (at least one tile a chunk): a chunk may end inside an image, so that a large image needs no more.
    static func chunks(batch: Int, tilesPerImage: Int, floatsPerTile: Int) -> [Range<Int>] {
        let (total, size) = (batch * tilesPerImage, max(1, chunkBudget / floatsPerTile))
        return stride(from: 0, to: total, by: size).map { $0..<min(total, $0 + size) }
    }

    /// Rows `rows` of a chunk's spectra (row r is the batch's tile `first` + r) in runs within one image: the
    /// image, its tiles, and the run's first row.
    static func runs(of rows: Range<Int>, from first: Int, tilesPerImage: Int) -> [(image: Int, tiles: Range<Int>, row: Int)] {
        var runs: [(image: Int, tiles: Range<Int>, row: Int)] = []
        var row = rows.lowerBound
        while row < rows.upperBound {
            let (image, tile) = ((first + row) / tilesPerImage, (first + row) % tilesPerImage)
            let end = min(rows.upperBound, (image + 1) * tilesPerImage - first)
            runs.append((image, tile..<(tile + end - row), row))
            row = end
        }
        return runs
    }

    static func geometry(height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, padding: Int,
                         outputChannels: Int, tile: Int) -> fv_spectral_geometry {
        fv_spectral_geometry(
            height: Int64(height), width: Int64(width), channels: Int64(channels), kernel_height: Int64(kernelHeight),
            kernel_width: Int64(kernelWidth), padding: Int64(padding),
            output_height: Int64(height + 2 * padding - kernelHeight + 1), output_width: Int64(width + 2 * padding - kernelWidth + 1),
            output_channels: Int64(outputChannels), tile: Int64(tile), block: 0)
    }

    /// y = conv(x, weight) + bias (then max(0, ·)) for `g` (stride 1), with the weight as `spectral`.
    static func forward(
        x: UnsafePointer<Float>, spectral: SpectralWeight, bias: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
        into y: UnsafeMutablePointer<Float>, fusedReLU: Bool, compute: Compute
    ) {
        precondition(spectral.serves(g, compute), "conv2d: the spectral weight is for another convolution or other products")
        let tiling = geometry(height: g.height, width: g.width, channels: g.inputChannels, kernelHeight: g.kernelHeight,
                              kernelWidth: g.kernelWidth, padding: g.padding, outputChannels: g.outputChannels, tile: spectral.tile)
        withUnsafePointer(to: tiling) { tiling in
            forward(x: x, spectral: spectral, bias: bias, geometry: g, tiling: tiling, into: y, fusedReLU: fusedReLU, compute: compute)
        }
    }

    private static func forward(
        x: UnsafePointer<Float>, spectral: SpectralWeight, bias: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
        tiling sg: UnsafePointer<fv_spectral_geometry>, into y: UnsafeMutablePointer<Float>, fusedReLU: Bool, compute: Compute
    ) {
        let tilesPerImage = Int(fv_spectral_tiles(sg))
        let frequencies = spectral.frequencies.count
        let (inputWidth, outputWidth) = (2 * g.inputChannels, 2 * g.outputChannels)
        let floatsPerTile = frequencies * (inputWidth + outputWidth)
        let chunks = chunks(batch: g.batch, tilesPerImage: tilesPerImage, floatsPerTile: floatsPerTile)
        let imageSize = g.height * g.width * g.inputChannels
        let outputSize = g.positionsPerImage * g.outputChannels
        let path = spectral.path.c
        Scratch.withBuffer(slot: spectraSlot, count: (chunks.map(\.count).max() ?? 0) * floatsPerTile) { buffer in
            for chunk in chunks {
                let rows = chunk.count
                let spectrum = buffer
                let products = buffer + frequencies * rows * inputWidth
                parallelFor(rows, threads: compute.threads) { range in
                    for (image, tiles, row) in runs(of: range, from: chunk.lowerBound, tilesPerImage: tilesPerImage) {
                        fv_spectral_forward(path, sg, x + image * imageSize, Int64(tiles.lowerBound), Int64(tiles.count),
                                            spectrum, Int64(rows), Int64(row))
                    }
                }
                parallelFor(frequencies, threads: compute.threads) { range in
                    for f in range {
                        Matrix.multiply(m: rows, a: spectrum + f * rows * inputWidth, packedB: spectral.frequencies[f],
                                        into: products + f * rows * outputWidth, threads: 1)
                    }
                }
                parallelFor(rows, threads: compute.threads) { range in
                    for (image, tiles, row) in runs(of: range, from: chunk.lowerBound, tilesPerImage: tilesPerImage) {
                        fv_spectral_inverse(path, sg, products, Int64(rows), Int64(row), Int64(tiles.lowerBound),
                                            Int64(tiles.count), bias, fusedReLU ? 1 : 0, y + image * outputSize)
                    }
                }
            }
        }
    }
}
