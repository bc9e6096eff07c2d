// Tensor.swift — a dense Float32 array with a shape, and the node of the autograd graph that made it.
//
// Contract:
//  - `data` is contiguous, row-major; image tensors are NHWC: [batch, height, width, channels].
//  - A tensor that `requiresGrad` gets a `grad` of the same count the first time backward reaches it;
//    gradients accumulate (+=) until `zeroGrad()`.
//  - Ops (Conv2D.swift, Dense.swift, …) create their output with `Tensor(result:inputs:backward:)`;
//    the graph exists only when one of the inputs requires a gradient. `backward()` (Autograd.swift)
//    walks it once in reverse and then releases it.
import Foundation

public final class Tensor {
    public let shape: [Int]
    public var data: [Float]
    /// dLoss/dself, allocated by the first backward step that reaches this tensor; nil before that
    /// and after `zeroGrad()`.
    public var grad: [Float]? {
        get { gradIsLive ? gradStorage : nil }
        set {
            gradStorage = newValue
            gradIsLive = newValue != nil
        }
    }
    /// The gradient's memory, kept across `zeroGrad()` so that a parameter's gradient is not
    /// reallocated (and page-faulted in) on every training step.
    private var gradStorage: [Float]?
    private var gradIsLive = false
    public let requiresGrad: Bool
    /// A stable dotted name (`embedding.conv1.weight`) for parameters; nil for intermediate values.
    public let name: String?

    /// The tensors this one was computed from (empty for leaves and after backward).
    var inputs: [Tensor] = []
    /// Reads `self.grad` and accumulates into the inputs' grads. Nil for leaves.
    var backwardStep: ((Tensor) -> Void)?

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    public init(shape: [Int], data: [Float], requiresGrad: Bool = false, name: String? = nil) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(
            Tensor.elementCount(of: shape) == data.count,
            "Tensor: shape \(shape) needs \(Tensor.elementCount(of: shape)) values, got \(data.count)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
        self.name = name
    }

    public convenience init(zeros shape: [Int], requiresGrad: Bool = false, name: String? = nil) {
        self.init(
            shape: shape, data: [Float](repeating: 0, count: Tensor.elementCount(of: shape)),
            requiresGrad: requiresGrad, name: name)
    }

    /// The output of an op. It requires a gradient when any input does; only then is the graph kept.
    init(result shape: [Int], data: [Float], inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
        let needsGrad = inputs.contains { $0.requiresGrad }
        self.shape = shape
        self.data = data
        self.requiresGrad = needsGrad
        self.name = nil
        if needsGrad {
            self.inputs = inputs
            self.backwardStep = backward
        }
    }

    public static func elementCount(of shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// Sets the gradient to nil; the next backward starts from zero (reusing the memory).
    public func zeroGrad() {
        gradIsLive = false
    }

    /// Releases the gradient and its memory (intermediate values after backward).
    func releaseGrad() {
        gradIsLive = false
        gradStorage = nil
    }

    /// Adds into this tensor's gradient through `body`, starting from zeros if there is none yet.
    /// Does nothing for a tensor that does not require a gradient.
    func accumulateGrad(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        guard requiresGrad else { return }
        makeGradLive()
        gradStorage!.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Adds into this tensor's gradient through `body(grad, fresh)` like `accumulateGrad`, except that when
    /// there is no gradient yet `body` gets memory of undefined contents and `fresh` true, and must then
    /// write every element: an op whose backward covers its whole input once saves the zero fill and the
    /// read of zeros.
    func writeOrAccumulateGrad(_ body: (UnsafeMutableBufferPointer<Float>, _ fresh: Bool) -> Void) {
        guard requiresGrad else { return }
        if gradIsLive {
            gradStorage!.withUnsafeMutableBufferPointer { body($0, false) }
            return
        }
        if gradStorage == nil {
            gradStorage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                body(buffer, true)
                initialized = buffer.count
            }
        } else {
            gradStorage!.withUnsafeMutableBufferPointer { body($0, true) }
        }
        gradIsLive = true
    }

    /// Makes `grad` zeros if it is not live, reusing kept memory.
    func makeGradLive() {
        guard !gradIsLive else { return }
        if gradStorage == nil {
            gradStorage = [Float](repeating: 0, count: count)
        } else {
            gradStorage!.withUnsafeMutableBufferPointer { buffer in
                buffer.update(repeating: 0)
            }
        }
        gradIsLive = true
    }

    /// The gradient flowing into this node; backward steps only run once it has been set.
    var incomingGrad: [Float] {
        guard let grad else { preconditionFailure("Tensor: backward step ran before its gradient was set") }
        return grad
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = data.prefix(6).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(name.map { "\($0) " } ?? "")shape: \(shape), [\(preview)\(count > 6 ? ", …" : "")])"
    }
}
