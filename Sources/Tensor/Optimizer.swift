// Optimizer.swift — what a training loop needs of an optimizer: one update of every parameter that has a
// gradient, a learning rate it may change between updates, and state it can save beside the weights and
// restore, so that a run resumed from a checkpoint continues exactly. Adam and MomentumSGD conform.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Updates applied so far.
    var step: Int { get }
    /// Applies one update to every parameter that has a gradient.
    func update(_ parameters: [Tensor])
    /// The optimizer's per-parameter state as named tensors (names start with one of `stateKinds`' prefixes).
    func stateTensors() -> [String: (shape: [Int], values: [Float])]
    /// Restores state saved by `stateTensors()` and the step count.
    func restore(step: Int, tensors: [String: (shape: [Int], values: [Float])])
    /// What the saved state holds for each parameter: a name for messages ("Adam's first moment"), the
    /// tensor name prefix (followed by the parameter's name), and whether every value must be ≥ 0.
    static var stateKinds: [(kind: String, prefix: String, nonNegative: Bool)] { get }
}

extension Optimizer {
    /// Why `tensors` (saved state) cannot continue training `parameters`, or nil: each state tensor is absent
    /// for a parameter no update has reached yet, or holds one finite value per weight (≥ 0 where the kind
    /// says so), and none names a parameter that is not there.
    public static func stateProblem(_ tensors: [String: (shape: [Int], values: [Float])], parameters: [Tensor]) -> String? {
        var known = Set<String>()
        for parameter in parameters {
            let name = parameter.name ?? ""
            for (kind, prefix, nonNegative) in stateKinds {
                known.insert(prefix + name)
                guard let state = tensors[prefix + name] else { continue }
                guard state.values.count == parameter.count else {
                    return "\(kind) of \(name) has \(state.values.count) values for \(parameter.count) weights"
                }
                guard state.values.allSatisfy({ $0.isFinite && (!nonNegative || $0 >= 0) }) else {
                    return "\(kind) of \(name) holds an impossible value"
                }
            }
        }
        if let stray = tensors.keys.sorted().first(where: { !known.contains($0) }) { return "an unknown tensor \(stray)" }
        return nil
    }
}
