// Conv2D.swift — 2-D convolution, valid padding, stride 1, with bias: im2col + sgemm.
//
//   x: [N, H, W, C], weight: [KH, KW, C, O], bias: [O]  →  y: [N, OH, OW, O]
//   y[n, oh, ow, o] = bias[o] + Σ_{i, j, c} x[n, oh+i, ow+j, c] · weight[i, j, c, o]
//   with `fusedReLU`: y = max(0, …), applied to each chunk while it is still in cache, and the
//   backward pass zeroes dy where y = 0 (in place: the output's gradient is not needed afterwards).
//
// Images are processed in chunks whose im2col matrix stays under `im2colBudget` floats, so memory
// does not grow with the batch. Backward recomputes the im2col matrix instead of keeping it.
// The direct (naive) convolution in Reference/DirectConvolution.swift is this kernel's test oracle.
public enum Conv2D {
    /// Largest im2col matrix, in floats, built at once (64 MiB).
    static let im2colBudget = 16 * 1024 * 1024

    static func imagesPerChunk(_ g: ConvolutionGeometry, budget: Int) -> Int {
        let perImage = g.positionsPerImage * g.patchSize
        return max(1, min(g.batch, budget / max(1, perImage)))
    }

    /// y = conv(x, weight) + bias, as raw buffers.
    static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry, into y: UnsafeMutablePointer<Float>, fusedReLU: Bool = false,
        budget: Int = im2colBudget
    ) {
        let chunk = imagesPerChunk(g, budget: budget)
        Scratch.withBuffer(count: chunk * g.positionsPerImage * g.patchSize) { col in
            for first in stride(from: 0, to: g.batch, by: chunk) {
                let images = first..<min(g.batch, first + chunk)
                let rows = images.count * g.positionsPerImage
                let yChunk = y + first * g.positionsPerImage * g.outputChannels
                for row in 0..<rows {
                    (yChunk + row * g.outputChannels).update(from: bias, count: g.outputChannels)
                }
                Im2col.unfold(x, geometry: g, images: images, into: col)
                // y[rows, O] += col[rows, P] · weight[P, O]
                Matrix.multiply(
                    m: rows, n: g.outputChannels, k: g.patchSize,
                    a: col, b: weight, into: yChunk, beta: 1)
                if fusedReLU {
                    parallelFor(rows * g.outputChannels, minimumChunk: 1 << 14) { range in
                        for index in range where yChunk[index] < 0 { yChunk[index] = 0 }
                    }
                }
            }
        }
    }

    /// Accumulates dweight, dbias and (when dx is given) dx from dy: [N, OH, OW, O].
    static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        geometry g: ConvolutionGeometry,
        dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dx: UnsafeMutablePointer<Float>?, budget: Int = im2colBudget
    ) {
        if let dbias {
            ColumnSums.accumulate(dy, rows: g.batch * g.positionsPerImage, columns: g.outputChannels, into: dbias)
        }
        guard dweight != nil || dx != nil else { return }
        let chunk = imagesPerChunk(g, budget: budget)
        Scratch.withBuffer(count: chunk * g.positionsPerImage * g.patchSize) { col in
            for first in stride(from: 0, to: g.batch, by: chunk) {
                let images = first..<min(g.batch, first + chunk)
                let rows = images.count * g.positionsPerImage
                let dyChunk = dy + first * g.positionsPerImage * g.outputChannels
                if let dweight {
                    Im2col.unfold(x, geometry: g, images: images, into: col)
                    // dweight[P, O] += colᵀ[P, rows] · dy[rows, O]
                    Matrix.multiply(
                        m: g.patchSize, n: g.outputChannels, k: rows,
                        a: col, transposeA: true, b: dyChunk, into: dweight, beta: 1)
                }
                if let dx {
                    // dcol[rows, P] = dy[rows, O] · weightᵀ[O, P]
                    Matrix.multiply(
                        m: rows, n: g.patchSize, k: g.outputChannels,
                        a: dyChunk, b: weight, transposeB: true, into: col)
                    Im2col.fold(col, geometry: g, images: images, into: dx)
                }
            }
        }
    }
}

/// y = conv2d(x, weight) + bias (then max(0, ·) when `fusedReLU`), recorded for autograd.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor, fusedReLU: Bool = false) -> Tensor {
    let g = ConvolutionGeometry(input: x.shape, weight: weight.shape)
    precondition(bias.shape == [g.outputChannels], "conv2d: bias must be [\(g.outputChannels)], got \(bias.shape)")
    var y = [Float](repeating: 0, count: Tensor.elementCount(of: g.outputShape))
    y.withUnsafeMutableBufferPointer { yp in
        Conv2D.forward(x: x.data, weight: weight.data, bias: bias.data, geometry: g, into: yp.baseAddress!, fusedReLU: fusedReLU)
    }
    return Tensor(result: g.outputShape, data: y, inputs: [x, weight, bias]) { output in
        output.withGradPointer { dy in
            guard let dy else { return }
            if fusedReLU {
                output.data.withUnsafeBufferPointer { y in
                    parallelFor(y.count, minimumChunk: 1 << 14) { range in
                        for index in range where y[index] <= 0 { dy[index] = 0 }
                    }
                }
            }
            // Gradients accumulate straight into the inputs' grad buffers (nil: not needed).
            weight.withGradPointer { dweight in
                bias.withGradPointer { dbias in
                    x.withGradPointer { dx in
                        Conv2D.backward(x: x.data, weight: weight.data, dy: dy, geometry: g,
                                        dweight: dweight, dbias: dbias, dx: dx)
                    }
                }
            }
        }
    }
}
