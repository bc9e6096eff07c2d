// MomentumSGD.swift — stochastic gradient descent with momentum, as Koch et al. (2015) train their Siamese
// network:
//
//   v ← μ·v − η·g
//   p ← p + v
// The training loop sets η and μ before each update (Koch: η decays 1 % an epoch, μ rises linearly from 0.5
// to its final value). The velocities are kept per parameter name, so they can be saved beside the weights
// (`sgd.v.<name>`) and a run resumed exactly.
import Foundation

public final class MomentumSGD: Optimizer {
    public var learningRate: Float
    /// μ: the share of the last update carried into the next.
    public var momentum: Float
    public private(set) var step: Int = 0
    private var velocities: [String: [Float]] = [:]

    public static let stateKinds: [(kind: String, prefix: String, nonNegative: Bool)] = [("the SGD velocity", "sgd.v.", false)]

    public init(learningRate: Float, momentum: Float) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func update(_ parameters: [Tensor]) {
        step += 1
        let (rate, mu) = (learningRate, momentum)
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            guard let name = parameter.name else {
                preconditionFailure("MomentumSGD: every parameter needs a name (shape \(parameter.shape))")
            }
            var velocity = velocities.removeValue(forKey: name) ?? [Float](repeating: 0, count: parameter.count)
            velocity.withUnsafeMutableBufferPointer { v in
                gradient.withUnsafeBufferPointer { g in
                    parameter.data.withUnsafeMutableBufferPointer { p in
                        parallelFor(p.count, minimumChunk: 1 << 16) { range in
                            for index in range {
                                v[index] = mu * v[index] - rate * g[index]
                                p[index] += v[index]
                            }
                        }
                    }
                }
            }
            velocities[name] = velocity
        }
    }

    public func stateTensors() -> [String: (shape: [Int], values: [Float])] {
        var state: [String: (shape: [Int], values: [Float])] = [:]
        for (name, values) in velocities { state[Self.stateKinds[0].prefix + name] = ([values.count], values) }
        return state
    }

    public func restore(step: Int, tensors: [String: (shape: [Int], values: [Float])]) {
        self.step = step
        velocities = [:]
        let prefix = Self.stateKinds[0].prefix
        for (key, tensor) in tensors where key.hasPrefix(prefix) { velocities[String(key.dropFirst(prefix.count))] = tensor.values }
    }
}
