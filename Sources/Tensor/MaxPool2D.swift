// MaxPool2D.swift — 2×2 max pooling, stride 2, "same" padding (TensorFlow's rule).
//
//   x: [N, H, W, C]  →  y: [N, ⌈H/2⌉, ⌈W/2⌉, C]        (91 → 46, 40 → 20, 17 → 9)
//   y[n, oh, ow, c] = max over x[n, 2·oh + a, 2·ow + b, c], a, b ∈ {0, 1}, inside the image.
// With an odd size TensorFlow pads only at the bottom/right, so the last window is clipped;
// padding never wins a max. Backward sends each dy to the input that won its window (first one on ties).
public enum MaxPool2D {
    public static func outputShape(_ xShape: [Int]) -> [Int] {
        precondition(xShape.count == 4, "maxPool2d: input must be [N, H, W, C], got \(xShape)")
        return [xShape[0], (xShape[1] + 1) / 2, (xShape[2] + 1) / 2, xShape[3]]
    }

    /// Writes y and, for each y, the flat index into x of the input that won.
    static func forward(
        x: UnsafePointer<Float>, shape: [Int], into y: UnsafeMutablePointer<Float>,
        winners: UnsafeMutablePointer<Int32>
    ) {
        let (height, width, channels) = (shape[1], shape[2], shape[3])
        let out = outputShape(shape)
        let (outputHeight, outputWidth) = (out[1], out[2])
        parallelFor(shape[0] * outputHeight, minimumChunk: 2) { rows in
            for row in rows {
                let n = row / outputHeight
                let oh = row % outputHeight
                let rowEnd = min(2 * oh + 2, height)
                for ow in 0..<outputWidth {
                    let columnEnd = min(2 * ow + 2, width)
                    let outputBase = (row * outputWidth + ow) * channels
                    let first = ((n * height + 2 * oh) * width + 2 * ow) * channels
                    if rowEnd - 2 * oh == 2 && columnEnd - 2 * ow == 2 {
                        // A full window: four contiguous channel vectors, compared without branches.
                        let right = first + channels, below = first + width * channels, diagonal = below + channels
                        for c in 0..<channels {
                            var best = x[first + c], winner = first + c
                            let v1 = x[right + c], v2 = x[below + c], v3 = x[diagonal + c]
                            if v1 > best { best = v1; winner = right + c }
                            if v2 > best { best = v2; winner = below + c }
                            if v3 > best { best = v3; winner = diagonal + c }
                            y[outputBase + c] = best
                            winners[outputBase + c] = Int32(truncatingIfNeeded: winner)
                        }
                        continue
                    }
                    // A window clipped by the bottom or right edge: the first pixel starts as the
                    // winner and the others (inside the image) challenge it.
                    for c in 0..<channels {
                        y[outputBase + c] = x[first + c]
                        winners[outputBase + c] = Int32(first + c)
                    }
                    for h in (2 * oh)..<rowEnd {
                        for w in (2 * ow)..<columnEnd where h != 2 * oh || w != 2 * ow {
                            let base = ((n * height + h) * width + w) * channels
                            for c in 0..<channels where x[base + c] > y[outputBase + c] {
                                y[outputBase + c] = x[base + c]
                                winners[outputBase + c] = Int32(base + c)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// y = maxPool2d(x), recorded for autograd.
public func maxPool2d(_ x: Tensor) -> Tensor {
    let outShape = MaxPool2D.outputShape(x.shape)
    let outCount = Tensor.elementCount(of: outShape)
    precondition(x.count <= Int(Int32.max), "maxPool2d: input too large for 32-bit winner indices")
    var y = [Float](repeating: 0, count: outCount)
    var winners = [Int32](repeating: 0, count: outCount)
    x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            winners.withUnsafeMutableBufferPointer { wp in
                MaxPool2D.forward(x: xp.baseAddress!, shape: x.shape, into: yp.baseAddress!, winners: wp.baseAddress!)
            }
        }
    }
    return Tensor(result: outShape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            // Windows do not overlap, so every input receives from at most one output.
            for index in 0..<outCount {
                dx[Int(winners[index])] += dy[index]
            }
        }
    }
}
