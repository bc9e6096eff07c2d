// Loss.swift — binary cross-entropy, averaged over all elements, and the mean.
//
//   bce(p, t) = −mean(t · log p + (1 − t) · log(1 − p)), p clipped to [ε, 1 − ε], ε = 1e−7 (Keras);
//               the gradient is zero where the clip is active, so p = 0 or 1 gives finite values.
//   bceWithLogits(z, t) = mean(max(z, 0) − z · t + log(1 + e^(−|z|)))   (= bce(sigmoid(z), t), stable)
//               d/dz = (sigmoid(z) − t) / count
//   mean(x) = Σ x / count
import Foundation

public let binaryCrossEntropyEpsilon: Float = 1e-7

public func binaryCrossEntropy(predictions p: Tensor, labels t: Tensor) -> Tensor {
    precondition(p.shape == t.shape, "binaryCrossEntropy: predictions \(p.shape) vs labels \(t.shape)")
    let n = Float(p.count)
    let lower = binaryCrossEntropyEpsilon
    let upper = 1 - binaryCrossEntropyEpsilon
    var total: Double = 0
    for index in 0..<p.count {
        let clipped = min(max(p.data[index], lower), upper)
        let label = t.data[index]
        total -= Double(label * log(clipped) + (1 - label) * log(1 - clipped))
    }
    return Tensor(result: [], data: [Float(total / Double(n))], inputs: [p, t]) { output in
        let upstream = output.incomingGrad[0]
        p.accumulateGrad { dp in
            for index in 0..<dp.count {
                let value = p.data[index]
                guard value > lower && value < upper else { continue }
                let label = t.data[index]
                dp[index] += upstream * (-label / value + (1 - label) / (1 - value)) / n
            }
        }
    }
}

public func binaryCrossEntropy(logits z: Tensor, labels t: Tensor) -> Tensor {
    precondition(z.shape == t.shape, "binaryCrossEntropy: logits \(z.shape) vs labels \(t.shape)")
    let n = Float(z.count)
    var total: Double = 0
    for index in 0..<z.count {
        let logit = z.data[index]
        total += Double(max(logit, 0) - logit * t.data[index] + log1p(exp(-abs(logit))))
    }
    return Tensor(result: [], data: [Float(total / Double(n))], inputs: [z, t]) { output in
        let upstream = output.incomingGrad[0]
        z.accumulateGrad { dz in
            for index in 0..<dz.count {
                dz[index] += upstream * (logistic(z.data[index]) - t.data[index]) / n
            }
        }
    }
}

public func mean(_ x: Tensor) -> Tensor {
    precondition(x.count > 0, "mean: empty tensor")
    let n = Float(x.count)
    let total = x.data.reduce(0.0) { $0 + Double($1) }
    return Tensor(result: [], data: [Float(total / Double(n))], inputs: [x]) { output in
        let upstream = output.incomingGrad[0] / n
        x.accumulateGrad { dx in
            for index in 0..<dx.count { dx[index] += upstream }
        }
    }
}
