// BatchNorm.swift — batch normalisation while training (Ioffe & Szegedy 2015): each channel normalised by
// the batch's own mean and variance, then scaled and shifted.
//
//   x: [..., C] over P positions (N·H·W), scale γ: [C], shift β: [C]
//   μ[c] = Σ x[·, c] / P,  σ²[c] = Σ (x[·, c] − μ[c])² / P,  x̂ = (x − μ) / √(σ² + ε)
//   y = γ · x̂ + β
//   dβ = Σ dy,  dγ = Σ dy · x̂,  dx = γ / (P · √(σ² + ε)) · (P · dy − Σ dy − x̂ · Σ dy · x̂)
// At inference a network uses running statistics instead, which makes the layer a fixed per-channel
// affine (ChannelAffine.swift): γ/√(σ²+ε) and β − μ·γ/√(σ²+ε). The batch's μ and σ² are returned so the
// layer that owns them can update its running statistics.
import Foundation

public struct BatchStatistics {
    /// [C] each: the batch's mean and (biased) variance per channel.
    public let mean: [Float]
    public let variance: [Float]
    /// Positions each channel was averaged over (N·H·W).
    public let count: Int
}

public let batchNormEpsilon: Float = 1e-5

public func batchNormalize(_ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float = batchNormEpsilon)
    -> (output: Tensor, statistics: BatchStatistics) {
    let channels = x.shape.last ?? 0
    precondition(channels > 0 && scale.shape == [channels] && shift.shape == [channels],
                 "batchNormalize: scale and shift must be [\(channels)], got \(scale.shape) and \(shift.shape)")
    let positions = x.count / channels
    precondition(positions > 1, "batchNormalize: a batch needs at least two values a channel, got \(x.shape)")
    // Sums in Float64: a channel of a large batch adds up hundreds of thousands of values.
    var sums = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
    x.data.withUnsafeBufferPointer { xv in
        for position in 0..<positions {
            let base = position * channels
            for c in 0..<channels { sums[c] += Double(xv[base + c]) }
        }
        for c in 0..<channels { sums[c] /= Double(positions) }
        for position in 0..<positions {
            let base = position * channels
            for c in 0..<channels {
                let centred = Double(xv[base + c]) - sums[c]
                squares[c] += centred * centred
            }
        }
    }
    let mean = sums.map { Float($0) }
    let variance = squares.map { Float($0 / Double(positions)) }
    let inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
    var normalised = [Float](repeating: 0, count: x.count), y = [Float](repeating: 0, count: x.count)
    let (scales, shifts) = (scale.data, shift.data)  // read once, not per value (an exclusivity check each)
    x.data.withUnsafeBufferPointer { xv in
        normalised.withUnsafeMutableBufferPointer { nv in
            y.withUnsafeMutableBufferPointer { yv in
                parallelFor(positions, minimumChunk: 256) { range in
                    for position in range {
                        let base = position * channels
                        for c in 0..<channels {
                            let value = (xv[base + c] - mean[c]) * inverseDeviation[c]
                            nv[base + c] = value
                            yv[base + c] = value * scales[c] + shifts[c]
                        }
                    }
                }
            }
        }
    }
    let output = Tensor(result: x.shape, data: y, inputs: [x, scale, shift]) { output in
        let dy = output.incomingGrad
        var sumDy = [Float](repeating: 0, count: channels), sumDyNormalised = [Float](repeating: 0, count: channels)
        for position in 0..<positions {
            let base = position * channels
            for c in 0..<channels {
                sumDy[c] += dy[base + c]
                sumDyNormalised[c] += dy[base + c] * normalised[base + c]
            }
        }
        shift.accumulateGrad { dshift in for c in 0..<channels { dshift[c] += sumDy[c] } }
        scale.accumulateGrad { dscale in for c in 0..<channels { dscale[c] += sumDyNormalised[c] } }
        let count = Float(positions)
        x.accumulateGrad { dx in
            parallelFor(positions, minimumChunk: 256) { range in
                for position in range {
                    let base = position * channels
                    for c in 0..<channels {
                        let factor = scales[c] * inverseDeviation[c] / count
                        dx[base + c] += factor * (count * dy[base + c] - sumDy[c] - normalised[base + c] * sumDyNormalised[c])
                    }
                }
            }
        }
    }
    return (output, BatchStatistics(mean: mean, variance: variance, count: positions))
}
