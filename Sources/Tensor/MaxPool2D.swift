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

    /// dx[winner] += dy for every output, the winner being the first window pixel equal to y; or, when
    /// `fresh` (dx holds no gradient yet, and undefined values), dx = dy at the winner and 0 at the window's
    /// other pixels, which writes every element of dx once: each input pixel lies in exactly one window.
    /// Threads take whole output rows, so no two write the same input.
    static func backward(
        x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, shape: [Int],
        into dx: UnsafeMutablePointer<Float>, fresh: Bool
    ) {
        let g = Geometry(shape)
        let (fullColumns, channels) = (g.width / 2, g.channels)
        parallelFor(shape[0] * g.outputHeight, minimumChunk: 2) { rows in
            for row in rows {
                let (n, oh) = (row / g.outputHeight, row % g.outputHeight)
                let outputRow = row * g.outputWidth * channels
                let wholeRow = 2 * oh + 1 < g.height
                if wholeRow {
                    let top = (n * g.height + 2 * oh) * g.width * channels, below = top + g.width * channels
                    for ow in 0..<fullColumns {
                        let pixels = (top + 2 * ow * channels, top + (2 * ow + 1) * channels,
                                      below + 2 * ow * channels, below + (2 * ow + 1) * channels)
                        let output = outputRow + ow * channels
                        fullWindow(x: x, best: y + output, dy: dy + output, pixels: pixels, channels: channels, dx: dx, fresh: fresh)
                    }
                }
                // Clipped windows (odd sizes): the last column, or the whole of a last row.
                for ow in (wholeRow ? fullColumns : 0)..<g.outputWidth {
                    let (first, others) = g.window(n: n, oh: oh, ow: ow)
                    let output = outputRow + ow * channels
                    for channel in 0..<channels {
                        let best = y[output + channel]
                        var winner = first
                        if x[first + channel] != best {
                            for k in 0..<others.count where x[others[k] + channel] == best {
                                winner = others[k]
                                break
                            }
                        }
                        if fresh {
                            dx[first + channel] = 0
                            for k in 0..<others.count { dx[others[k] + channel] = 0 }
                        }
                        dx[winner + channel] += dy[output + channel]
                    }
                }
            }
        }
    }

    /// A whole window's four pixels (flat indices of channel 0), 16 channels at a time with vector selects
    /// instead of a scatter to the winner (the compiler cannot vectorise the scalar form: dx might alias x).
    /// The fourth pixel takes dy when none of the first three equals the max (as the scatter did, NaN included).
    @inline(__always)
    private static func fullWindow(
        x: UnsafePointer<Float>, best: UnsafePointer<Float>, dy: UnsafePointer<Float>, pixels: (Int, Int, Int, Int),
        channels: Int, dx: UnsafeMutablePointer<Float>, fresh: Bool
    ) {
        typealias Vector = Lanes.Vector
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> Vector { Lanes.load(p) }
        @inline(__always) func update(_ p: UnsafeMutablePointer<Float>, _ share: Vector) {
            Lanes.store(fresh ? share : Lanes.load(p) + share, p)
        }
        var channel = 0
        while channel + Vector.scalarCount <= channels {
            let value = load(best + channel), gradient = load(dy + channel), zero = Vector(repeating: 0)
            let first = load(x + pixels.0 + channel) .== value
            let second = .!first .& (load(x + pixels.1 + channel) .== value)
            let third = .!(first .| second) .& (load(x + pixels.2 + channel) .== value)
            let fourth = .!(first .| second .| third)
            update(dx + pixels.0 + channel, zero.replacing(with: gradient, where: first))
            update(dx + pixels.1 + channel, zero.replacing(with: gradient, where: second))
            update(dx + pixels.2 + channel, zero.replacing(with: gradient, where: third))
            update(dx + pixels.3 + channel, zero.replacing(with: gradient, where: fourth))
            channel += Vector.scalarCount
        }
        for channel in channel..<channels {
            let (value, gradient) = (best[channel], dy[channel])
            let winner = x[pixels.0 + channel] == value ? pixels.0
                : (x[pixels.1 + channel] == value ? pixels.1 : (x[pixels.2 + channel] == value ? pixels.2 : pixels.3))
            if fresh {
                (dx[pixels.0 + channel], dx[pixels.1 + channel], dx[pixels.2 + channel], dx[pixels.3 + channel]) = (0, 0, 0, 0)
            }
            dx[winner + channel] += gradient
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
        x.writeOrAccumulateGrad { dx, fresh in
            MaxPool2D.backward(x: x.data, y: output.data, dy: dy, shape: x.shape, into: dx.baseAddress!, fresh: fresh)
        }
    }
}
