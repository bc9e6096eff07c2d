// Layers.swift — parameterised layers with Keras's initialisation and stable dotted parameter names.
//
//   Conv2DLayer "prefix": prefix.weight [KH, KW, C, O], prefix.bias [O]
//   DenseLayer  "prefix": prefix.weight [I, O],         prefix.bias [O]
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

    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, factory: ParameterFactory) throws {
        let receptiveField = kernelSize * kernelSize
        weight = try factory.parameter(ParameterRequest(
            name: name + ".weight", shape: [kernelSize, kernelSize, inputChannels, outputChannels],
            fanIn: receptiveField * inputChannels, fanOut: receptiveField * outputChannels, isBias: false))
        bias = try factory.parameter(ParameterRequest(
            name: name + ".bias", shape: [outputChannels], fanIn: 0, fanOut: 0, isBias: true))
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// The weight packed for the bfloat16 products of inference (nil: packed at every product).
    public private(set) var packedWeight: PackedMatrix?

    /// Packs the weight, as the [KH·KW·C, O] matrix the convolution multiplies by, once for the
    /// bfloat16 products of inference (cheap: 0.4 M values for the tutorial's largest kernel). The
    /// pack is a copy: call `unpackWeight()` before the weight changes (training never packs).
    public func packWeightForInference() {
        let (rows, columns) = (weight.count / weight.shape[3], weight.shape[3])
        packedWeight = weight.data.withUnsafeBufferPointer { PackedMatrix(b: $0.baseAddress!, k: rows, n: columns) }
    }

    public func unpackWeight() { packedWeight = nil }

    /// x: [N, H, W, C] → [N, H−K+1, W−K+1, O]; `relu` fuses max(0, ·) into the convolution.
    public func callAsFunction(_ x: Tensor, relu: Bool = false) -> Tensor {
        conv2d(x, weight: weight, bias: bias, fusedReLU: relu, packedWeight: packedWeight)
    }
}

public final class DenseLayer: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor

    public init(name: String, inputs: Int, outputs: Int, factory: ParameterFactory) throws {
        weight = try factory.parameter(ParameterRequest(
            name: name + ".weight", shape: [inputs, outputs], fanIn: inputs, fanOut: outputs, isBias: false))
        bias = try factory.parameter(ParameterRequest(
            name: name + ".bias", shape: [outputs], fanIn: 0, fanOut: 0, isBias: true))
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// The weight packed for bfloat16 products, once inference has asked for it and shown it pays.
    public private(set) var packedWeight: PackedMatrix?
    private var packingWanted = false
    private var rowsBeforePack = 0

    /// Rows of input after which a wanted pack is made. Packing the tutorial's 9216 × 4096 weight
    /// costs about what eight one-image products save by reading it (measured: `facever verify` of
    /// one photo took longer with the pack), so one probe never pays for it and a gallery does.
    public static let rowsBeforePacking = 8

    /// Asks for the weight to be packed for the bfloat16 products of inference, once
    /// `rowsBeforePacking` rows have gone through the layer. The pack is a copy: call
    /// `unpackWeight()` before the weight changes (training never packs).
    public func packWeightForInference() {
        packingWanted = true
    }

    public func unpackWeight() {
        packingWanted = false
        packedWeight = nil
        rowsBeforePack = 0
    }

    /// x: [N, I] → [N, O]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if packingWanted && packedWeight == nil && MatrixPrecision.current == .bfloat16 {
            rowsBeforePack += x.shape[0]
            if rowsBeforePack >= Self.rowsBeforePacking {
                packedWeight = weight.data.withUnsafeBufferPointer {
                    PackedMatrix(b: $0.baseAddress!, k: weight.shape[0], n: weight.shape[1])
                }
            }
        }
        return dense(x, weight: weight, bias: bias, packedWeight: packedWeight)
    }
}
