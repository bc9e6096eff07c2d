// Adam.swift — the Adam optimizer exactly as Keras applies it (tf.keras.optimizers.Adam).
//
//   m ← β1·m + (1 − β1)·g
//   v ← β2·v + (1 − β2)·g²
//   α_t = lr · √(1 − β2^t) / (1 − β1^t)
//   p ← p − α_t · m / (√v + ε)
// Defaults: β1 0.9, β2 0.999, ε 1e−7. The moments are kept per parameter name, so they can be saved
// beside the weights (`adam.m.<name>`, `adam.v.<name>`) and a run resumed exactly.
import Foundation

public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Updates applied so far (t).
    public private(set) var step: Int = 0
    private var firstMoments: [String: [Float]] = [:]
    private var secondMoments: [String: [Float]] = [:]

    public init(learningRate: Float = 1e-4, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Applies one update to every parameter that has a gradient.
    public func update(_ parameters: [Tensor]) {
        step += 1
        let t = Float(step)
        let alpha = learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            let key = Adam.key(for: parameter)
            var m = firstMoments[key] ?? [Float](repeating: 0, count: parameter.count)
            var v = secondMoments[key] ?? [Float](repeating: 0, count: parameter.count)
            firstMoments[key] = nil
            secondMoments[key] = nil
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    gradient.withUnsafeBufferPointer { g in
                        parameter.data.withUnsafeMutableBufferPointer { p in
                            parallelFor(p.count, minimumChunk: 1 << 16) { range in
                                for index in range {
                                    let gi = g[index]
                                    m[index] = b1 * m[index] + (1 - b1) * gi
                                    v[index] = b2 * v[index] + (1 - b2) * gi * gi
                                    p[index] -= alpha * m[index] / (v[index].squareRoot() + eps)
                                }
                            }
                        }
                    }
                }
            }
            firstMoments[key] = m
            secondMoments[key] = v
        }
    }

    private static func key(for parameter: Tensor) -> String {
        guard let name = parameter.name else {
            preconditionFailure("Adam: every parameter needs a name (shape \(parameter.shape))")
        }
        return name
    }

    // MARK: - State, for checkpoints

    public static let stateKinds: [(kind: String, prefix: String, nonNegative: Bool)] =
        [("Adam's first moment", "adam.m.", false), ("Adam's second moment", "adam.v.", true)]

    /// The moments as named tensors plus the step count, for saving beside the weights.
    public func stateTensors() -> [String: (shape: [Int], values: [Float])] {
        var state: [String: (shape: [Int], values: [Float])] = [:]
        for (name, values) in firstMoments { state["adam.m." + name] = ([values.count], values) }
        for (name, values) in secondMoments { state["adam.v." + name] = ([values.count], values) }
        return state
    }

    /// Restores moments saved by `stateTensors()` and the step count.
    public func restore(step: Int, tensors: [String: (shape: [Int], values: [Float])]) {
        self.step = step
        firstMoments = [:]
        secondMoments = [:]
        for (key, tensor) in tensors {
            if key.hasPrefix("adam.m.") {
                firstMoments[String(key.dropFirst("adam.m.".count))] = tensor.values
            } else if key.hasPrefix("adam.v.") {
                secondMoments[String(key.dropFirst("adam.v.".count))] = tensor.values
            }
        }
    }
}
