// RowNormalize.swift — each row of a matrix scaled to the same length: the embedding on a sphere, as face
// verifiers compare them (FaceNet, NormFace). With every embedding of length r, the squared distance of two is
// 2r²(1 − cos θ): only the angle between them counts, so no photo can move away from all others by growing.
//
//   x: [N, E] → y: [N, E],  y[n] = r · x[n] / ‖x[n]‖
//   with u = y[n] / r and g = dy[n]:  dx[n] = (r / ‖x[n]‖) · (g − u (u · g))   (no gradient along x[n] itself)
// A row shorter than 1e-12 has no direction: it maps to zeros and passes no gradient (not NaN, not 10¹²·g).
import Foundation

/// Rows shorter than this are left at zero.
let rowNormFloor: Float = 1e-12

/// x: [N, E] → [N, E] with every row of length `radius`.
public func normalizedRows(_ x: Tensor, radius: Float) -> Tensor {
    precondition(x.rank == 2, "normalizedRows: x must be [N, E], got \(x.shape)")
    precondition(radius > 0 && radius.isFinite, "normalizedRows: radius \(radius)")
    let (count, size) = (x.shape[0], x.shape[1])
    var norms = [Float](repeating: 0, count: count), y = [Float](repeating: 0, count: x.count)
    for n in 0..<count {
        var sum = 0.0
        for d in 0..<size { sum += Double(x.data[n * size + d]) * Double(x.data[n * size + d]) }
        norms[n] = Float(sum.squareRoot())
        guard norms[n] >= rowNormFloor else { continue }
        for d in 0..<size { y[n * size + d] = radius * x.data[n * size + d] / norms[n] }
    }
    return Tensor(result: x.shape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            for n in 0..<count where norms[n] >= rowNormFloor {
                // u · g with u = y[n] / r.
                var projection: Float = 0
                for d in 0..<size { projection += y[n * size + d] / radius * dy[n * size + d] }
                let factor = radius / norms[n]
                for d in 0..<size {
                    dx[n * size + d] += factor * (dy[n * size + d] - y[n * size + d] / radius * projection)
                }
            }
        }
    }
}
