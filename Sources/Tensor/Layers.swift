// Layers.swift — parameterised layers with Keras's initialisation and stable dotted parameter names.
//
//   Conv2DLayer "prefix": prefix.weight [KH, KW, C, O], prefix.bias [O]
//   DenseLayer  "prefix": prefix.weight [I, O],         prefix.bias [O]
// Weights are Glorot-uniform, U(−l, l) with l = √(6 / (fanIn + fanOut)), where a convolution's
// fanIn = KH·KW·C and fanOut = KH·KW·O (Keras's rule); biases start at zero.

/// Anything that owns parameters, listed in a stable order.
public protocol ParameterContainer {
    var parameters: [Tensor] { get }
}

extension ParameterContainer {
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}

public func glorotUniform(
    shape: [Int], fanIn: Int, fanOut: Int, name: String, generator: inout RandomGenerator
) -> Tensor {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    var values = [Float](repeating: 0, count: Tensor.elementCount(of: shape))
    for index in values.indices {
        values[index] = generator.uniform(-limit, limit)
    }
    return Tensor(shape: shape, data: values, requiresGrad: true, name: name)
}

public final class Conv2DLayer: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor

    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int,
                generator: inout RandomGenerator) {
        let receptiveField = kernelSize * kernelSize
        weight = glorotUniform(
            shape: [kernelSize, kernelSize, inputChannels, outputChannels],
            fanIn: receptiveField * inputChannels, fanOut: receptiveField * outputChannels,
            name: name + ".weight", generator: &generator)
        bias = Tensor(zeros: [outputChannels], requiresGrad: true, name: name + ".bias")
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// x: [N, H, W, C] → [N, H−K+1, W−K+1, O]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias)
    }
}

public final class DenseLayer: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor

    public init(name: String, inputs: Int, outputs: Int, generator: inout RandomGenerator) {
        weight = glorotUniform(shape: [inputs, outputs], fanIn: inputs, fanOut: outputs,
                               name: name + ".weight", generator: &generator)
        bias = Tensor(zeros: [outputs], requiresGrad: true, name: name + ".bias")
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// x: [N, I] → [N, O]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        dense(x, weight: weight, bias: bias)
    }
}
