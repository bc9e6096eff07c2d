// MaxPool2D.swift — 2×2 max pooling, stride 2, "same" padding (TensorFlow's rule).
//
//   x: [N, H, W, C]  →  y: [N, ⌈H/2⌉, ⌈W/2⌉, C]        (91 → 46, 40 → 20, 17 → 9)
//   y[n, oh, ow, c] = max over x[n, 2·oh + a, 2·ow + b, c], a, b ∈ {0, 1}, inside the image.
// With an odd size TensorFlow pads only at the bottom/right, so the last window is clipped;
// padding never wins a max. Backward sends each dy to the input that won its window: the first one
// (top-left, top-right, bottom-left, bottom-right) equal to the max. The winners are found again from
// x and y during backward rather than stored, so pooling keeps no memory beyond its output.
public enum MaxPool2D {
    public static func outputShape(_ xShape: [Int]) -> [Int] {
        precondition(xShape.count == 4, "maxPool2d: input must be [N, H, W, C], got \(xShape)")
        return [xShape[0], (xShape[1] + 1) / 2, (xShape[2] + 1) / 2, xShape[3]]
    }

    /// The sizes of one pooling, and the positions (flat indices into x) of a window's pixels.
    struct Geometry {
        let height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int

        init(_ shape: [Int]) {
            (height, width, channels) = (shape[1], shape[2], shape[3])
            (outputHeight, outputWidth) = ((shape[1] + 1) / 2, (shape[2] + 1) / 2)
        }

        /// Flat indices of channel 0 of the window's pixels inside the image, in tie-breaking order:
        /// the top-left one, then the others that exist (none, one or three).
        func window(n: Int, oh: Int, ow: Int) -> (first: Int, others: WindowRest) {
            let first = ((n * height + 2 * oh) * width + 2 * ow) * channels
            let hasRight = 2 * ow + 1 < width, hasBelow = 2 * oh + 1 < height
            let right = first + channels, below = first + width * channels
            switch (hasRight, hasBelow) {
            case (true, true): return (first, WindowRest(count: 3, indices: (right, below, below + channels)))
            case (true, false): return (first, WindowRest(count: 1, indices: (right, 0, 0)))
            case (false, true): return (first, WindowRest(count: 1, indices: (below, 0, 0)))
            case (false, false): return (first, WindowRest(count: 0, indices: (0, 0, 0)))
            }
        }
    }

    /// Calls `body(outputBase, first, others)` for every window of a batch — `outputBase` the flat
    /// index of its output's channel 0 — with the output rows split across threads.
    @inline(__always)
    static func forEachWindow(_ g: Geometry, batch: Int, _ body: (Int, Int, WindowRest) -> Void) {
        parallelFor(batch * g.outputHeight, minimumChunk: 2) { rows in
            for row in rows {
                let (n, oh) = (row / g.outputHeight, row % g.outputHeight)
                for ow in 0..<g.outputWidth {
                    let (first, others) = g.window(n: n, oh: oh, ow: ow)
                    body((row * g.outputWidth + ow) * g.channels, first, others)
                }
            }
        }
    }

    /// Up to three more pixels of a window, without an array allocation per window.
    struct WindowRest {
        let count: Int
        let indices: (Int, Int, Int)

        subscript(position: Int) -> Int {
            position == 0 ? indices.0 : (position == 1 ? indices.1 : indices.2)
        }
    }

    /// y = the maximum of each window.
    static func forward(x: UnsafePointer<Float>, shape: [Int], into y: UnsafeMutablePointer<Float>) {
        let g = Geometry(shape)
        let (fullColumns, channels) = (g.width / 2, g.channels)
        parallelFor(shape[0] * g.outputHeight, minimumChunk: 2) { rows in
            for row in rows {
                let (n, oh) = (row / g.outputHeight, row % g.outputHeight)
                let output = y + row * g.outputWidth * channels
                // A row's whole windows: four contiguous channel vectors each, a plain loop the compiler vectorises.
                let wholeRow = 2 * oh + 1 < g.height
                if wholeRow {
                    let top = x + (n * g.height + 2 * oh) * g.width * channels, below = top + g.width * channels
                    for ow in 0..<fullColumns {
                        let (a, b, c, d) = (top + 2 * ow * channels, top + (2 * ow + 1) * channels,
                                            below + 2 * ow * channels, below + (2 * ow + 1) * channels)
                        let target = output + ow * channels
                        for channel in 0..<channels { target[channel] = max(max(a[channel], b[channel]), max(c[channel], d[channel])) }
                    }
                }
                // Clipped windows (odd sizes): the last column, or the whole of a last row.
                for ow in (wholeRow ? fullColumns : 0)..<g.outputWidth {
                    let (first, others) = g.window(n: n, oh: oh, ow: ow)
                    let target = output + ow * channels
                    for channel in 0..<channels {
                        var best = x[first + channel]
                        for k in 0..<others.count { best = max(best, x[others[k] + channel]) }
                        target[channel] = best
                    }
                }
            }
        }
    }

    /// dx[winner] += dy for every output; the winner is the first window pixel equal to y.
    /// Windows do not overlap, so threads owning different output rows never write the same input.
    static func backward(
        x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, shape: [Int],
        into dx: UnsafeMutablePointer<Float>
    ) {
        let g = Geometry(shape)
        forEachWindow(g, batch: shape[0]) { outputBase, first, others in
            if others.count == 3 {
                // A full window: the first of the four equal to the max, without branches.
                let (a, b, c) = others.indices
                for channel in 0..<g.channels {
                    let best = y[outputBase + channel]
                    let winner = x[first + channel] == best ? first
                        : (x[a + channel] == best ? a : (x[b + channel] == best ? b : c))
                    dx[winner + channel] += dy[outputBase + channel]
                }
                return
            }
            for channel in 0..<g.channels {
                let best = y[outputBase + channel]
                var winner = first
                if x[first + channel] != best {
                    for k in 0..<others.count where x[others[k] + channel] == best {
                        winner = others[k]
                        break
                    }
                }
                dx[winner + channel] += dy[outputBase + channel]
            }
        }
    }
}

/// y = maxPool2d(x), recorded for autograd.
public func maxPool2d(_ x: Tensor) -> Tensor {
    let outShape = MaxPool2D.outputShape(x.shape)
    var y = [Float](repeating: 0, count: Tensor.elementCount(of: outShape))
    y.withUnsafeMutableBufferPointer { yp in
        MaxPool2D.forward(x: x.data, shape: x.shape, into: yp.baseAddress!)
    }
    return Tensor(result: outShape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            MaxPool2D.backward(x: x.data, y: output.data, dy: dy, shape: x.shape, into: dx.baseAddress!)
        }
    }
}
