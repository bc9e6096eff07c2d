// Layers.swift — parameterised layers with Keras's initialisation and stable dotted parameter names.
//
//   Conv2DLayer "prefix": prefix.weight [KH, KW, C, O], prefix.bias [O]
//   DenseLayer  "prefix": prefix.weight [I, O],         prefix.bias [O]
//   ProjectionLayer "prefix": prefix.weight [I, O]      (dense without bias)
//   ChannelAffineLayer "prefix": prefix.scale [C] (ones), prefix.shift [C] (zeros)
//   BatchNormLayer "prefix": prefix.scale [C] (ones), prefix.shift [C] (zeros), prefix.running_mean [C] (zeros),
//                            prefix.running_variance [C] (ones)
// A ParameterFactory makes each parameter: `.glorotUniform` draws weights from U(−l, l) with
// l = √(6 / (fanIn + fanOut)) (a convolution's fanIn = KH·KW·C, fanOut = KH·KW·O, Keras's rule) and
// zero biases; `.stored` takes the values of a loaded file, so loading never draws random numbers.

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

/// What a parameter is, when a layer asks for one.
public struct ParameterRequest {
    public let name: String
    public let shape: [Int]
    public let fanIn: Int
    public let fanOut: Int
    public let isBias: Bool
    /// A fresh parameter's constant value, when it is not drawn (an affine layer's scale: 1).
    public let constant: Float?

    public init(name: String, shape: [Int], fanIn: Int, fanOut: Int, isBias: Bool, constant: Float? = nil) {
        (self.name, self.shape, self.fanIn, self.fanOut, self.isBias, self.constant) = (name, shape, fanIn, fanOut, isBias, constant)
    }

    /// A dense layer's weight "prefix.weight" [I, O].
    static func denseWeight(_ prefix: String, inputs: Int, outputs: Int) -> ParameterRequest {
        ParameterRequest(name: prefix + ".weight", shape: [inputs, outputs], fanIn: inputs, fanOut: outputs, isBias: false)
    }
}

/// Makes the parameters of a network: fresh (Glorot) or from stored values.
public final class ParameterFactory {
    private let make: (ParameterRequest) throws -> [Float]

    public init(_ make: @escaping (ParameterRequest) throws -> [Float]) {
        self.make = make
    }

    /// Keras's defaults: Glorot-uniform weights and zero biases, drawn from `seed`.
    public static func glorotUniform(seed: UInt64) -> ParameterFactory {
        var generator = RandomGenerator(seed: seed)
        return ParameterFactory { request in
            let count = Tensor.elementCount(of: request.shape)
            if let constant = request.constant { return [Float](repeating: constant, count: count) }
            if request.isBias { return [Float](repeating: 0, count: count) }
            let limit = (6 / Float(request.fanIn + request.fanOut)).squareRoot()
            var values = [Float](repeating: 0, count: count)
            for index in values.indices {
                values[index] = generator.uniform(-limit, limit)
            }
            return values
        }
    }

    func parameter(_ request: ParameterRequest) throws -> Tensor {
        let values = try make(request)
        precondition(values.count == Tensor.elementCount(of: request.shape), "ParameterFactory: wrong count for \(request.name)")
        return Tensor(shape: request.shape, data: values, requiresGrad: true, name: request.name)
    }
}

public final class Conv2DLayer: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor
    public let stride: Int
    public let padding: Int

    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                factory: ParameterFactory) throws {
        (self.stride, self.padding) = (stride, padding)
        let receptiveField = kernelSize * kernelSize
        weight = try factory.parameter(ParameterRequest(
            name: name + ".weight", shape: [kernelSize, kernelSize, inputChannels, outputChannels],
            fanIn: receptiveField * inputChannels, fanOut: receptiveField * outputChannels, isBias: false))
        bias = try factory.parameter(ParameterRequest(
            name: name + ".bias", shape: [outputChannels], fanIn: 0, fanOut: 0, isBias: true))
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// The weight as the [KH·KW·C, O] matrix the convolution multiplies by, packed for `compute`'s products
    /// (bfloat16, or float32 on facever's GEMM): a copy that an inference model keeps beside the network
    /// (0.4 M values for the tutorial's largest kernel), so that its products need not convert or repack the
    /// weight every time; nil when the products have no packed form (OpenBLAS).
    public func packedWeight(for compute: Compute) -> PackedMatrix? {
        let (rows, columns) = (weight.count / weight.shape[3], weight.shape[3])
        return weight.data.withUnsafeBufferPointer { PackedMatrix.packing(b: $0.baseAddress!, k: rows, n: columns, for: compute) }
    }

    /// The weight transformed for the frequency-domain forward pass (SpectralConvolution.swift) on images
    /// of `height` × `width`, when `compute`'s products are float32 on facever's GEMM and the rule there
    /// finds it cheaper than the direct convolution; nil otherwise. A copy for inference, like the pack.
    public func spectralWeight(for compute: Compute, height: Int, width: Int) -> SpectralWeight? {
        let g = ConvolutionGeometry(input: [1, height, width, weight.shape[2]], weight: weight.shape, stride: stride, padding: padding)
        return SpectralConvolution.transformed(weight, for: g, compute: compute, forOneCall: false)
    }

    /// x: [N, H, W, C] → [N, OH, OW, O] (ConvolutionGeometry); `relu` fuses max(0, ·) into the convolution.
    public func callAsFunction(_ x: Tensor, relu: Bool = false, compute: Compute = .standard,
                               packedWeight: PackedMatrix? = nil, spectralWeight: SpectralWeight? = nil) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, fusedReLU: relu, packedWeight: packedWeight,
               spectralWeight: spectralWeight, compute: compute)
    }
}

public final class DenseLayer: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor

    public init(name: String, inputs: Int, outputs: Int, factory: ParameterFactory) throws {
        weight = try factory.parameter(.denseWeight(name, inputs: inputs, outputs: outputs))
        bias = try factory.parameter(ParameterRequest(
            name: name + ".bias", shape: [outputs], fanIn: 0, fanOut: 0, isBias: true))
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// The weight packed for `compute`'s products (bfloat16, or float32 on facever's GEMM): a copy an
    /// inference model may keep (75 MB bfloat16, 151 MB float32 for the tutorial's 9216 × 4096 weight; see
    /// InferenceModel for when that pays); nil when the products have no packed form (OpenBLAS).
    public func packedWeight(for compute: Compute) -> PackedMatrix? {
        weight.data.withUnsafeBufferPointer { PackedMatrix.packing(b: $0.baseAddress!, k: weight.shape[0], n: weight.shape[1], for: compute) }
    }

    /// x: [N, I] → [N, O]
    public func callAsFunction(_ x: Tensor, compute: Compute = .standard, packedWeight: PackedMatrix? = nil) -> Tensor {
        dense(x, weight: weight, bias: bias, packedWeight: packedWeight, compute: compute)
    }
}

/// A dense layer without bias (dlib's fc_no_bias): y = x · weight.
public final class ProjectionLayer: ParameterContainer {
    public let weight: Tensor
    private let zeroBias: Tensor

    public init(name: String, inputs: Int, outputs: Int, factory: ParameterFactory) throws {
        weight = try factory.parameter(.denseWeight(name, inputs: inputs, outputs: outputs))
        zeroBias = Tensor(zeros: [outputs])
    }

    public var parameters: [Tensor] { [weight] }

    /// x: [N, I] → [N, O]
    public func callAsFunction(_ x: Tensor, compute: Compute = .standard) -> Tensor {
        dense(x, weight: weight, bias: zeroBias, compute: compute)
    }
}

/// A scale and a shift per channel (ChannelAffine.swift): batch normalisation folded for inference.
public final class ChannelAffineLayer: ParameterContainer {
    public let scale: Tensor
    public let shift: Tensor

    public init(name: String, channels: Int, factory: ParameterFactory) throws {
        scale = try factory.parameter(ParameterRequest(name: name + ".scale", shape: [channels], fanIn: 0, fanOut: 0,
                                                       isBias: false, constant: 1))
        shift = try factory.parameter(ParameterRequest(name: name + ".shift", shape: [channels], fanIn: 0, fanOut: 0, isBias: true))
    }

    public var parameters: [Tensor] { [scale, shift] }

    public func callAsFunction(_ x: Tensor) -> Tensor { channelAffine(x, scale: scale, shift: shift) }
}

/// Batch normalisation (BatchNorm.swift): while training, each channel normalised by the batch's statistics,
/// which also move the running statistics (momentum 0.1, the unbiased variance, as PyTorch does); at
/// inference, the fixed affine those running statistics make. The running statistics are parameters so that
/// files, digests and checkpoints carry them, but no op differentiates them: they never get a gradient, and
/// Adam, which updates only parameters with one, leaves them alone.
public final class BatchNormLayer: ParameterContainer {
    public let scale: Tensor
    public let shift: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public static let momentum: Float = 0.1

    public init(name: String, channels: Int, factory: ParameterFactory) throws {
        func request(_ suffix: String, _ constant: Float?, isBias: Bool) -> ParameterRequest {
            ParameterRequest(name: name + suffix, shape: [channels], fanIn: 0, fanOut: 0, isBias: isBias, constant: constant)
        }
        scale = try factory.parameter(request(".scale", 1, isBias: false))
        shift = try factory.parameter(request(".shift", nil, isBias: true))
        runningMean = try factory.parameter(request(".running_mean", nil, isBias: true))
        runningVariance = try factory.parameter(request(".running_variance", 1, isBias: false))
    }

    public var parameters: [Tensor] { [scale, shift, runningMean, runningVariance] }

    /// The per-channel scale and shift that inference applies: γ/√(σ²+ε) and β − μ·γ/√(σ²+ε).
    public var inferenceAffine: (scale: [Float], shift: [Float]) {
        let scales = scale.data.indices.map { scale.data[$0] / (max(runningVariance.data[$0], 0) + batchNormEpsilon).squareRoot() }
        return (scales, shift.data.indices.map { shift.data[$0] - runningMean.data[$0] * scales[$0] })
    }

    /// x: [..., C] → [..., C]; `training` normalises by the batch and updates the running statistics.
    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard training else {
            let (scales, shifts) = inferenceAffine
            return channelAffine(x, scale: Tensor(shape: scale.shape, data: scales), shift: Tensor(shape: shift.shape, data: shifts))
        }
        let (y, statistics) = batchNormalize(x, scale: scale, shift: shift)
        let unbiased = Float(statistics.count) / Float(statistics.count - 1), m = Self.momentum
        for c in 0..<scale.count {
            runningMean.data[c] = (1 - m) * runningMean.data[c] + m * statistics.mean[c]
            runningVariance.data[c] = (1 - m) * runningVariance.data[c] + m * statistics.variance[c] * unbiased
        }
        return y
    }
}
