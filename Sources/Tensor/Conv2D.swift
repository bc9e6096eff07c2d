// Conv2D.swift — 2-D convolution with bias (stride S, zero padding Q): im2col + one matrix product.
//
//   x: [N, H, W, C], weight: [KH, KW, C, O], bias: [O]  →  y: [N, OH, OW, O]   (ConvolutionGeometry)
//   y[n, oh, ow, o] = bias[o] + Σ_{i, j, c} x[n, oh·S−Q+i, ow·S−Q+j, c] · weight[i, j, c, o]  (0 outside x)
//   with `fusedReLU`: y = max(0, …), applied to each chunk while it is still in cache, and the
//   backward pass zeroes dy where y = 0 (in place: the output's gradient is not needed afterwards).
//
// Three forward paths, chosen by the Compute and the shape:
//   - patches (`readsPatchesInPlace`: facever's float32 GEMM on more than a few positions, or bfloat16
//     with a kernel row of even length): the kernel reads its A operand from a padded copy of x's rows
//     (bfloat16: rounded) a block of rows at a time, and no patch matrix is written or packed at all.
//   - im2col (OpenBLAS's sgemm, a few positions, an odd bfloat16 kernel row): the patch matrix is built a
//     chunk of output rows at a time, small enough (`im2colBudget` floats across all threads) to stay in
//     the last-level cache between im2col and the product, so memory does not grow with the batch; then
//     one product per chunk.
//   - frequency domain (float32 on facever's GEMM, where SpectralConvolution's rule takes the layer:
//     SpectralConvolution.swift, SpectralGradients.swift), for the forward pass and both gradients.
// Work is shared by whole images per thread, or, for one image, by bands of output rows (bfloat16) or of
// output positions within the product (float32).
// Backward goes through im2col (recomputing the patch matrix instead of keeping it), but for gradients in
// the frequency domain.
// The direct convolution in Reference/ReferenceKernels.swift is this kernel's test oracle.
import Dispatch
import MatrixKernels

public enum Conv2D {
    /// Largest im2col matrix, in floats, built at once across all threads (8 MiB: within L3).
    static let im2colBudget = 2 * 1024 * 1024

    /// With a single share (one image, or one thread), larger chunks: fewer, larger products keep
    /// every thread of the product busy (README, Performance).
    static let singleImageBudgetFactor = 8

    /// A bfloat16 product's chunk, per thread, in floats: half of L2 (the CPU's reported size), so the
    /// patch matrix is still in L2 when the product packs it. The bfloat16 path builds patch matrices only
    /// where it cannot read patches in place (a kernel row of odd length: the ResNet's first convolution),
    /// whose weights are small or packed once for inference, so more, smaller products repack little;
    /// float32's chunks stay at `im2colBudget` (smaller ones measured slower).
    static let bfloat16ChunkBudget = Int(fv_l2_cache_bytes()) / 2 / MemoryLayout<Float>.size

    /// Output rows (OW patch rows each) per chunk of `budget` floats; at least one.
    static func outputRowsPerChunk(_ g: ConvolutionGeometry, budget: Int) -> Int {
        max(1, budget / max(1, g.outputWidth * g.patchSize))
    }

    /// The output rows r = n·OH + oh of `images`.
    static func outputRows(of images: Range<Int>, _ g: ConvolutionGeometry) -> Range<Int> {
        (images.lowerBound * g.outputHeight)..<(images.upperBound * g.outputHeight)
    }

    /// `rows` in chunks of at most `budget` floats of im2col matrix.
    static func chunks(of rows: Range<Int>, _ g: ConvolutionGeometry, budget: Int) -> [Range<Int>] {
        let size = outputRowsPerChunk(g, budget: budget)
        return stride(from: rows.lowerBound, to: rows.upperBound, by: size).map { $0..<min(rows.upperBound, $0 + size) }
    }

    /// How the work is shared: with several images and threads, each thread takes whole images and
    /// runs im2col and a single-threaded sgemm on them, so the memory passes never compete with
    /// OpenBLAS's own thread pool; with one image, OpenBLAS and the im2col loop use every thread.
    static func imageShares(batch: Int, threads: Int) -> [Range<Int>] {
        let workers = min(threads, batch)
        guard workers > 1 else { return [0..<batch] }
        return (0..<workers).map { worker in (worker * batch / workers)..<((worker + 1) * batch / workers) }
    }

    /// The forward pass's shares of output rows: whole images per thread (`imageShares`), except that
    /// one image with bfloat16 products is cut into bands of rows, one per thread, each run in
    /// cache-sized chunks; a float32 image instead keeps one share, whose product the threads split (bands
    /// of positions when it reads its patches in place, of C's rows on facever's GEMM, OpenBLAS's own
    /// threads for sgemm).
    static func forwardShares(_ g: ConvolutionGeometry, compute: Compute) -> [Range<Int>] {
        let workers = compute.threads
        guard g.batch < workers, compute.precision == .bfloat16, g.outputHeight >= 2 * workers else {
            return imageShares(batch: g.batch, threads: compute.threads).map { outputRows(of: $0, g) }
        }
        let rows = g.batch * g.outputHeight
        return (0..<workers).map { worker in (worker * rows / workers)..<((worker + 1) * rows / workers) }
    }

    /// y = conv(x, weight) + bias, as raw buffers.
    static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry, into y: UnsafeMutablePointer<Float>, fusedReLU: Bool = false,
        packedWeight: PackedMatrix? = nil, compute: Compute, budget: Int = im2colBudget
    ) {
        let shares = forwardShares(g, compute: compute)
        if shares.count == 1 {
            forward(outputRows: shares[0], x: x, weight: weight, bias: bias, geometry: g, into: y, fusedReLU: fusedReLU,
                    packedWeight: packedWeight, budget: budget * singleImageBudgetFactor, slot: 0, compute: compute, parallel: true)
            return
        }
        DispatchQueue.concurrentPerform(iterations: shares.count) { worker in
            forward(outputRows: shares[worker], x: x, weight: weight, bias: bias, geometry: g, into: y, fusedReLU: fusedReLU,
                    packedWeight: packedWeight, budget: budget / shares.count, slot: worker, compute: compute, parallel: false)
        }
    }

    /// The forward pass for `outputRows`, in chunks that fit `budget`, with scratch buffer `slot`.
    private static func forward(
        outputRows share: Range<Int>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry, into y: UnsafeMutablePointer<Float>, fusedReLU: Bool, packedWeight: PackedMatrix?,
        budget: Int, slot: Int, compute: Compute, parallel: Bool
    ) {
        let threads = parallel ? compute.threads : 1
        if readsPatchesInPlace(g, positions: share.count * g.outputWidth, compute: compute) {
            forwardFromPatches(outputRows: share, x: x, weight: weight, bias: bias, geometry: g, into: y,
                               fusedReLU: fusedReLU, packedWeight: packedWeight, compute: compute, threads: threads)
            return
        }
        let chunks = chunks(of: share, g, budget: compute.precision == .bfloat16 ? min(budget, bfloat16ChunkBudget) : budget)
        let largest = chunks.map(\.count).max() ?? 0
        Scratch.withBuffer(slot: slot, count: largest * g.outputWidth * g.patchSize) { col in
            for outputRows in chunks {
                let rows = outputRows.count * g.outputWidth
                let yChunk = y + outputRows.lowerBound * g.outputWidth * g.outputChannels
                Im2col.unfold(x, geometry: g, outputRows: outputRows, into: col, threads: threads)
                // y[rows, O] = col[rows, P] · weight[P, O] + bias (then max(0, ·)), fused into the product's stores
                Matrix.multiply(
                    m: rows, n: g.outputChannels, k: g.patchSize, a: col, b: weight, packedB: packedWeight,
                    into: yChunk, addingBias: bias, relu: fusedReLU, compute: compute, parallel: parallel)
            }
        }
    }

    /// Whether `compute`'s product for `positions` output positions reads the patches in x itself instead
    /// of an im2col matrix: a patch must span less than 2^31 values of the padded image (the kernels'
    /// offsets are 32-bit), and then
    ///   - bfloat16: a kernel row (KW·C contiguous values of x) of even length, so that no pair of
    ///     consecutive k (one 32-bit word of the kernel) straddles two kernel rows. All four of Koch's
    ///     convolutions and all but the first of the ResNet's (7×7 on 3 channels) qualify.
    ///   - float32 on facever's GEMM: more positions than its few-rows path takes (so the sums are those of
    ///     the packed product on the im2col matrix, bit for bit).
    static func readsPatchesInPlace(_ g: ConvolutionGeometry, positions: Int, compute: Compute) -> Bool {
        guard g.kernelHeight * (g.width + 2 * g.padding) * g.inputChannels <= Int(Int32.max) else { return false }
        switch (compute.precision, compute.float32Kernel) {
        case (.bfloat16, _): return (g.kernelWidth * g.inputChannels) % 2 == 0
        case (.float32, .facever): return positions > Int(fv_gemm_f32_few_rows_max())
        case (.float32, .openBLAS): return false
        }
    }

    /// x seen as its im2col matrix, for the bfloat16 kernel.
    static func patches(of x: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> fv_patches {
        fv_patches(x: x, height: Int64(g.height), width: Int64(g.width), channels: Int64(g.inputChannels),
                   kernel_height: Int64(g.kernelHeight), kernel_width: Int64(g.kernelWidth), stride: Int64(g.stride),
                   padding: Int64(g.padding), output_height: Int64(g.outputHeight), output_width: Int64(g.outputWidth))
    }

    /// The forward pass for `outputRows` with the product reading its A operand from x in place
    /// (`readsPatchesInPlace`), so no im2col matrix is written and read back, and its weight from
    /// `packedWeight` when inference packed it once. Several `threads` take bands of output positions,
    /// whole tiles of every kernel's rows (24: a multiple of the bfloat16 kernel's 8 and float32's 12, 6, 4).
    private static func forwardFromPatches(
        outputRows share: Range<Int>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry, into y: UnsafeMutablePointer<Float>, fusedReLU: Bool, packedWeight: PackedMatrix?,
        compute: Compute, threads: Int
    ) {
        if let packedWeight {
            precondition(packedWeight.k == g.patchSize && packedWeight.n == g.outputChannels,
                         "conv2d: the packed weight has another shape")
        }
        var patches = Conv2D.patches(of: x, g)
        let positions = (share.lowerBound * g.outputWidth)..<(share.upperBound * g.outputWidth)
        let tile = 24
        parallelFor((positions.count + tile - 1) / tile, threads: threads, minimumChunk: 2) { tiles in
            let first = positions.lowerBound + tiles.lowerBound * tile
            let end = min(positions.upperBound, positions.lowerBound + tiles.upperBound * tile)
            let (count, channels, relu) = (Int64(end - first), Int64(g.outputChannels), Int32(fusedReLU ? 1 : 0))
            let output = y + first * g.outputChannels
            switch (compute.precision, compute.float32Kernel) {
            case (.float32, .facever(let path)):
                packedWeight.withFloats { packed in
                    fv_conv_f32_forward(path.c, &patches, Int64(first), count, weight, packed, channels, bias, relu, output)
                }
            case (.bfloat16, _):
                packedWeight.withWords { packed in
                    fv_conv_bf16_forward(&patches, Int64(first), count, weight, packed, channels, bias, relu, output)
                }
            case (.float32, .openBLAS):
                preconditionFailure("conv2d: OpenBLAS's sgemm cannot read patches in place")
            }
        }
    }

    /// Accumulates dweight, dbias and (when dx is given) dx from dy: [N, OH, OW, O].
    static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dx: UnsafeMutablePointer<Float>?, compute: Compute, budget: Int = im2colBudget
    ) {
        if let dbias {
            ColumnSums.accumulate(dy, rows: g.batch * g.positionsPerImage, columns: g.outputChannels, into: dbias)
        }
        guard dweight != nil || dx != nil else { return }
        let shares = imageShares(batch: g.batch, threads: compute.threads)
        if shares.count == 1 {
            backward(images: shares[0], x: x, weight: weight, dy: dy, geometry: g, dweight: dweight, dx: dx,
                     budget: budget * singleImageBudgetFactor, slot: 0, compute: compute, parallel: true)
            return
        }
        // Each thread sums its own part of dweight; the parts are added in a fixed order afterwards,
        // so the result does not depend on which thread finishes first.
        let weightCount = g.patchSize * g.outputChannels
        var partials = [Float](repeating: 0, count: dweight == nil ? 0 : weightCount * (shares.count - 1))
        partials.withUnsafeMutableBufferPointer { partials in
            DispatchQueue.concurrentPerform(iterations: shares.count) { worker in
                let target = dweight.map { worker == 0 ? $0 : partials.baseAddress! + (worker - 1) * weightCount }
                backward(images: shares[worker], x: x, weight: weight, dy: dy, geometry: g, dweight: target, dx: dx,
                         budget: budget / shares.count, slot: worker, compute: compute, parallel: false)
            }
            if let dweight {
                for worker in 1..<shares.count {
                    let part = partials.baseAddress! + (worker - 1) * weightCount
                    for index in 0..<weightCount { dweight[index] += part[index] }
                }
            }
        }
    }

    /// The backward pass for `images` (dweight and dx; dx rows of other images are not touched).
    private static func backward(
        images: Range<Int>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry, dweight: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
        budget: Int, slot: Int, compute: Compute, parallel: Bool
    ) {
        let threads = parallel ? compute.threads : 1
        let chunks = chunks(of: outputRows(of: images, g), g, budget: budget)
        let largest = chunks.map(\.count).max() ?? 0
        Scratch.withBuffer(slot: slot, count: largest * g.outputWidth * g.patchSize) { col in
            for outputRows in chunks {
                let rows = outputRows.count * g.outputWidth
                let dyChunk = dy + outputRows.lowerBound * g.outputWidth * g.outputChannels
                if let dweight {
                    Im2col.unfold(x, geometry: g, outputRows: outputRows, into: col, threads: threads)
                    // dweight[P, O] += colᵀ[P, rows] · dy[rows, O]
                    Matrix.multiply(
                        m: g.patchSize, n: g.outputChannels, k: rows,
                        a: col, transposeA: true, b: dyChunk, into: dweight, beta: 1, compute: compute, parallel: parallel)
                }
                if let dx {
                    // dcol[rows, P] = dy[rows, O] · weightᵀ[O, P]
                    Matrix.multiply(
                        m: rows, n: g.patchSize, k: g.outputChannels,
                        a: dyChunk, b: weight, transposeB: true, into: col, compute: compute, parallel: parallel)
                    Im2col.fold(col, geometry: g, outputRows: outputRows, into: dx, threads: threads)
                }
            }
        }
    }
}

/// y = conv2d(x, weight) + bias (then max(0, ·) when `fusedReLU`), recorded for autograd, with the
/// products `compute` asks for, forward and backward. With `packedWeight` (this weight as
/// [KH·KW·C, O], packed for `compute`'s products at inference) the forward product reads the pack; the result is
/// the same. With `spectralWeight` (transformed once, at inference) the forward pass runs in the frequency
/// domain; without either, it does so too where SpectralConvolution's rule takes it with the weight
/// transformed for this call, and so do the gradients.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int = 1, padding: Int = 0, fusedReLU: Bool = false,
                   packedWeight: PackedMatrix? = nil, spectralWeight: SpectralWeight? = nil, compute: Compute = .standard) -> Tensor {
    precondition(packedWeight?.serves(compute) ?? true, "conv2d: the weight is packed for other products than compute's")
    let g = ConvolutionGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
    precondition(bias.shape == [g.outputChannels], "conv2d: bias must be [\(g.outputChannels)], got \(bias.shape)")
    let count = Tensor.elementCount(of: g.outputShape)
    let y = [Float](unsafeUninitializedCapacity: count) { yp, initialized in
        // Every output row is written by one chunk's product: no zero-fill first.
        // float32 on facever's GEMM: the frequency domain where its rule takes this convolution (an inference
        // model passes its weight transformed once; otherwise it is transformed for this call).
        if let spectral = spectralWeight
            ?? (packedWeight == nil ? SpectralConvolution.transformed(weight, for: g, compute: compute, forOneCall: true) : nil) {
            SpectralConvolution.forward(x: x.data, spectral: spectral, bias: bias.data, geometry: g, into: yp.baseAddress!,
                                        fusedReLU: fusedReLU, compute: compute)
        } else {
            Conv2D.forward(x: x.data, weight: weight.data, bias: bias.data, geometry: g, into: yp.baseAddress!, fusedReLU: fusedReLU,
                           packedWeight: packedWeight, compute: compute)
        }
        initialized = count
    }
    return Tensor(result: g.outputShape, data: y, inputs: [x, weight, bias]) { output in
        output.withGradPointer { dy in
            guard let dy else { return }
            if fusedReLU {
                output.data.withUnsafeBufferPointer { y in
                    parallelFor(y.count, threads: compute.threads, minimumChunk: 1 << 16) { range in
                        Lanes.zeroWhereNotPositive(dy, y.baseAddress!, range)
                    }
                }
            }
            // The input gradient in the frequency domain where SpectralConvolution's rule takes it (written
            // outright into a fresh gradient); the rest accumulates straight into the inputs' grad buffers (nil:
            // not needed).
            let turned = x.requiresGrad ? SpectralConvolution.inputGradientWeight(weight, g, compute: compute) : nil
            if let turned {
                x.writeOrAccumulateGrad { dx, fresh in
                    SpectralConvolution.inputGradient(dy: dy, turned: turned, geometry: g, into: dx.baseAddress!, fresh: fresh,
                                                      compute: compute)
                }
            }
            let weightTiling = weight.requiresGrad ? SpectralConvolution.weightGradientTiling(g, compute: compute) : nil
            if let weightTiling {
                weight.withGradPointer { dweight in
                    SpectralConvolution.weightGradient(x: x.data, dy: dy, geometry: g, tile: weightTiling.tile, path: weightTiling.path,
                                                       into: dweight!, compute: compute)
                }
            }
            weight.withGradPointer { dweight in
                bias.withGradPointer { dbias in
                    x.withGradPointer { dx in
                        Conv2D.backward(x: x.data, weight: weight.data, dy: dy, geometry: g, dweight: weightTiling == nil ? dweight : nil,
                                        dbias: dbias, dx: turned == nil ? dx : nil, compute: compute)
                    }
                }
            }
        }
    }
}
