// ChannelAffine.swift — a scale and a shift per channel: batch normalisation at inference time (dlib's
// affine layer, which it builds from a trained bn_con layer's running statistics).
//
//   x: [..., C], scale: [C], shift: [C]  →  y[..., c] = x[..., c] · scale[c] + shift[c]
//   dx = dy · scale,  dscale[c] = Σ dy[..., c] · x[..., c],  dshift[c] = Σ dy[..., c]
/// On up to `threads` threads (every core unless a caller's Compute says otherwise).
public func channelAffine(_ x: Tensor, scale: Tensor, shift: Tensor, threads: Int = Compute.availableThreads) -> Tensor {
    let channels = x.shape.last ?? 0
    precondition(scale.shape == [channels] && shift.shape == [channels],
                 "channelAffine: scale and shift must be [\(channels)], got \(scale.shape) and \(shift.shape)")
    let positions = channels == 0 ? 0 : x.count / channels
    var y = [Float](repeating: 0, count: x.count)
    // The parameters' arrays are read once here: a Tensor's `data` read inside the loop costs an
    // exclusivity check per value.
    let (scales, shifts) = (scale.data, shift.data)
    x.data.withUnsafeBufferPointer { xv in
        y.withUnsafeMutableBufferPointer { yv in
            scales.withUnsafeBufferPointer { scales in
                shifts.withUnsafeBufferPointer { shifts in
                    parallelFor(positions, threads: threads, minimumChunk: 256) { range in
                        for position in range {
                            let base = position * channels
                            for c in 0..<channels { yv[base + c] = xv[base + c] * scales[c] + shifts[c] }
                        }
                    }
                }
            }
        }
    }
    return Tensor(result: x.shape, data: y, inputs: [x, scale, shift]) { output in
        let dy = output.incomingGrad
        let xv = x.data
        x.accumulateGrad { dx in
            for position in 0..<positions {
                for c in 0..<channels { dx[position * channels + c] += dy[position * channels + c] * scales[c] }
            }
        }
        scale.accumulateGrad { dscale in
            for position in 0..<positions {
                for c in 0..<channels { dscale[c] += dy[position * channels + c] * xv[position * channels + c] }
            }
        }
        shift.accumulateGrad { dshift in
            for position in 0..<positions {
                for c in 0..<channels { dshift[c] += dy[position * channels + c] }
            }
        }
    }
}
