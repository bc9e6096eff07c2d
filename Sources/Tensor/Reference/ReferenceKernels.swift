// ReferenceKernels.swift — the slow, obviously-correct versions of the engine's ops, in Float64.
//
// They are the oracles of the test suite: each fast kernel must agree with its reference here, and
// the references define the functions whose finite-difference gradients check every backward pass.
// Loops follow the formulas in the fast kernels' header comments literally; nothing is clever.
import Foundation

public enum Reference {
    /// Direct convolution, stride `s`, zero padding `q`. x: [N, H, W, C], w: [KH, KW, C, O], b: [O] →
    /// [N, OH, OW, O] with OH = (H + 2q − KH) / s + 1 (likewise OW).
    public static func conv2d(x: [Double], xShape: [Int], weight w: [Double], wShape: [Int], bias: [Double],
                              stride s: Int = 1, padding q: Int = 0) -> [Double] {
        let (n, h, wd, c) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (kh, kw, o) = (wShape[0], wShape[1], wShape[3])
        let (oh, ow) = ((h + 2 * q - kh) / s + 1, (wd + 2 * q - kw) / s + 1)
        var y = [Double](repeating: 0, count: n * oh * ow * o)
        for image in 0..<n {
            for row in 0..<oh {
                for column in 0..<ow {
                    for out in 0..<o {
                        var sum = bias[out]
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let (inputRow, inputColumn) = (row * s - q + i, column * s - q + j)
                                guard (0..<h).contains(inputRow), (0..<wd).contains(inputColumn) else { continue }
                                for channel in 0..<c {
                                    let xv = x[((image * h + inputRow) * wd + inputColumn) * c + channel]
                                    let wv = w[((i * kw + j) * c + channel) * o + out]
                                    sum += xv * wv
                                }
                            }
                        }
                        y[((image * oh + row) * ow + column) * o + out] = sum
                    }
                }
            }
        }
        return y
    }

    /// The convolution's gradients for an output gradient dy: [N, OH, OW, O], straight from
    /// dweight[i, j, c, o] = Σ x[n, oh·s−q+i, ow·s−q+j, c] · dy[n, oh, ow, o] and
    /// dx[n, oh·s−q+i, ow·s−q+j, c] = Σ weight[i, j, c, o] · dy[n, oh, ow, o] (padding dropped).
    public static func conv2dGradients(
        x: [Double], xShape: [Int], weight w: [Double], wShape: [Int], dy: [Double], stride s: Int = 1, padding q: Int = 0
    ) -> (dweight: [Double], dx: [Double]) {
        let (n, h, wd, c) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (kh, kw, o) = (wShape[0], wShape[1], wShape[3])
        let (oh, ow) = ((h + 2 * q - kh) / s + 1, (wd + 2 * q - kw) / s + 1)
        var dweight = [Double](repeating: 0, count: w.count), dx = [Double](repeating: 0, count: x.count)
        for image in 0..<n {
            for row in 0..<oh {
                for column in 0..<ow {
                    for out in 0..<o {
                        let g = dy[((image * oh + row) * ow + column) * o + out]
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let (inputRow, inputColumn) = (row * s - q + i, column * s - q + j)
                                guard (0..<h).contains(inputRow), (0..<wd).contains(inputColumn) else { continue }
                                for channel in 0..<c {
                                    let xIndex = ((image * h + inputRow) * wd + inputColumn) * c + channel
                                    let wIndex = ((i * kw + j) * c + channel) * o + out
                                    dweight[wIndex] += x[xIndex] * g
                                    dx[xIndex] += w[wIndex] * g
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dweight, dx)
    }

    /// C = A · B for row-major a: [m, k], b: [k, n].
    public static func matrixProduct(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for row in 0..<m {
            for column in 0..<n {
                var sum = 0.0
                for step in 0..<k {
                    sum += a[row * k + step] * b[step * n + column]
                }
                c[row * n + column] = sum
            }
        }
        return c
    }

    /// 2×2 max pooling, stride 2, "same" padding. x: [N, H, W, C] → [N, ⌈H/2⌉, ⌈W/2⌉, C].
    public static func maxPool2d(x: [Double], xShape: [Int]) -> [Double] {
        let (n, h, w, c) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (oh, ow) = ((h + 1) / 2, (w + 1) / 2)
        var y = [Double](repeating: -.infinity, count: n * oh * ow * c)
        for image in 0..<n {
            for row in 0..<h {
                for column in 0..<w {
                    for channel in 0..<c {
                        let target = ((image * oh + row / 2) * ow + column / 2) * c + channel
                        y[target] = max(y[target], x[((image * h + row) * w + column) * c + channel])
                    }
                }
            }
        }
        return y
    }

    /// x: [N, I] · w: [I, O] + b → [N, O].
    public static func dense(x: [Double], batch: Int, weight w: [Double], inputs: Int, outputs: Int, bias: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: batch * outputs)
        for row in 0..<batch {
            for out in 0..<outputs {
                var sum = bias[out]
                for i in 0..<inputs {
                    sum += x[row * inputs + i] * w[i * outputs + out]
                }
                y[row * outputs + out] = sum
            }
        }
        return y
    }

    /// Rows of x: [N, rowSize] in the order of `indices` (repeats allowed).
    public static func gatherRows(_ x: [Double], rowSize: Int, indices: [Int]) -> [Double] {
        var y: [Double] = []
        for index in indices {
            for offset in 0..<rowSize { y.append(x[index * rowSize + offset]) }
        }
        return y
    }

    public static func relu(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }

    public static func sigmoid(_ x: [Double]) -> [Double] { x.map { 1 / (1 + exp(-$0)) } }

    public static func l1Distance(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { abs($0 - $1) } }

    /// −mean(t·log p + (1 − t)·log(1 − p)), without clipping.
    public static func binaryCrossEntropy(predictions p: [Double], labels t: [Double]) -> Double {
        -zip(p, t).map { $1 * log($0) + (1 - $1) * log(1 - $0) }.reduce(0, +) / Double(p.count)
    }

    public static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
}
