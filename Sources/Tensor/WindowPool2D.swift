// WindowPool2D.swift — max or average pooling over K×K windows with stride S, windows wholly inside
// the image (no padding: dlib's rule for strided pooling).
//
//   x: [N, H, W, C]  →  y: [N, OH, OW, C],  OH = (H − K) / S + 1, OW = (W − K) / S + 1
//   max:     y[n, oh, ow, c] = max_{i, j < K} x[n, oh·S + i, ow·S + j, c]
//   average: y[n, oh, ow, c] = (1 / K²) Σ_{i, j < K} x[n, oh·S + i, ow·S + j, c]
// Backward: max sends each dy to the first pixel of its window (row-major) equal to the max, found
// again from x and y; average spreads dy / K² over the window. Overlapping windows (K > S) add up.
// The Koch networks' 2×2 "same" pooling is MaxPool2D.swift; this one serves dlib's ResNet
// (max 3×3 stride 2 after the first convolution, average 2×2 stride 2 on the residual shortcuts).
public enum PoolKind: String, Sendable {
    case max, average
}

public struct PoolGeometry: Equatable, Sendable {
    public let batch: Int, height: Int, width: Int, channels: Int
    public let window: Int, stride: Int

    public init(input shape: [Int], window: Int, stride: Int) {
        precondition(shape.count == 4, "pool2d: input must be [N, H, W, C], got \(shape)")
        precondition(window >= 1 && stride >= 1 && shape[1] >= window && shape[2] >= window,
                     "pool2d: a \(window)×\(window) window, stride \(stride), on \(shape[1])×\(shape[2])")
        (batch, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        (self.window, self.stride) = (window, stride)
    }

    public var outputHeight: Int { (height - window) / stride + 1 }
    public var outputWidth: Int { (width - window) / stride + 1 }
    public var outputShape: [Int] { [batch, outputHeight, outputWidth, channels] }

    /// The flat index of x[n, oh·S + i, ow·S + j, 0].
    @inline(__always)
    func inputIndex(n: Int, oh: Int, ow: Int, i: Int, j: Int) -> Int {
        ((n * height + oh * stride + i) * width + ow * stride + j) * channels
    }
}

/// Pools x ([N, H, W, C]) over `window`×`window` windows every `stride` pixels, on up to `threads` threads.
public func pool2d(_ x: Tensor, kind: PoolKind, window: Int, stride: Int, threads: Int = Compute.availableThreads) -> Tensor {
    let g = PoolGeometry(input: x.shape, window: window, stride: stride)
    let scale = 1 / Float(window * window)
    var y = [Float](repeating: kind == .max ? -.infinity : 0, count: Tensor.elementCount(of: g.outputShape))
    x.data.withUnsafeBufferPointer { xv in
        y.withUnsafeMutableBufferPointer { yv in
            let (xp, yp) = (xv.baseAddress!, yv.baseAddress!)
            parallelFor(g.batch * g.outputHeight, threads: threads, minimumChunk: 2) { rows in
                for row in rows {
                    let (n, oh) = (row / g.outputHeight, row % g.outputHeight)
                    for ow in 0..<g.outputWidth {
                        let target = yp + (row * g.outputWidth + ow) * g.channels
                        for i in 0..<window {
                            for j in 0..<window {
                                let source = xp + g.inputIndex(n: n, oh: oh, ow: ow, i: i, j: j)
                                // The kind is decided outside the channel loop, so that loop vectorises.
                                switch kind {
                                case .max: for c in 0..<g.channels { target[c] = max(target[c], source[c]) }
                                case .average: for c in 0..<g.channels { target[c] += source[c] }
                                }
                            }
                        }
                        if kind == .average {
                            for c in 0..<g.channels { target[c] *= scale }
                        }
                    }
                }
            }
        }
    }
    return Tensor(result: g.outputShape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        let yv = output.data, xv = x.data
        x.accumulateGrad { dx in
            // Sequential: overlapping windows of neighbouring rows write the same pixels.
            for row in 0..<(g.batch * g.outputHeight) {
                let (n, oh) = (row / g.outputHeight, row % g.outputHeight)
                for ow in 0..<g.outputWidth {
                    let target = (row * g.outputWidth + ow) * g.channels
                    for c in 0..<g.channels {
                        switch kind {
                        case .average:
                            for i in 0..<window {
                                for j in 0..<window {
                                    dx[g.inputIndex(n: n, oh: oh, ow: ow, i: i, j: j) + c] += dy[target + c] * scale
                                }
                            }
                        case .max:
                            winner: for i in 0..<window {
                                for j in 0..<window {
                                    let source = g.inputIndex(n: n, oh: oh, ow: ow, i: i, j: j) + c
                                    if xv[source] == yv[target + c] {
                                        dx[source] += dy[target + c]
                                        break winner
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The mean of each channel over the whole picture: x [N, H, W, C] → [N, C] (dlib's avg_pool_everything).
public func globalAveragePool(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAveragePool: input must be [N, H, W, C], got \(x.shape)")
    let (batch, pixels, channels) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
    let scale = 1 / Float(pixels)
    var y = [Float](repeating: 0, count: batch * channels)
    let values = x.data  // read once, not per value (an exclusivity check each)
    for n in 0..<batch {
        for p in 0..<pixels {
            let source = (n * pixels + p) * channels
            for c in 0..<channels { y[n * channels + c] += values[source + c] }
        }
        for c in 0..<channels { y[n * channels + c] *= scale }
    }
    return Tensor(result: [batch, channels], data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            for n in 0..<batch {
                for p in 0..<pixels {
                    let target = (n * pixels + p) * channels
                    for c in 0..<channels { dx[target + c] += dy[n * channels + c] * scale }
                }
            }
        }
    }
}
