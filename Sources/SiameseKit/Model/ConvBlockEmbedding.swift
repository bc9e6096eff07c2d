// ConvBlockEmbedding.swift — the network ConvBlockArchitecture describes: an image batch in, one
// embedding per image out.
//
//   images: [N, S, S, C] in [0, 1]  →  embeddings: [N, E]
// Parameters: embedding.blockI.conv (weight, bias) and embedding.blockI.norm (scale, shift and the running
// statistics), I from 1. `training` normalises each block by its batch (and moves the running statistics);
// otherwise the running statistics make each norm a fixed affine, so a photo's embedding never depends on
// the photos it is batched with.
import Tensor

public final class ConvBlockEmbedding: ParameterContainer {
    public let architecture: ConvBlockArchitecture
    let convolutions: [Conv2DLayer]
    let norms: [BatchNormLayer]

    public init(architecture: ConvBlockArchitecture, factory: ParameterFactory) throws {
        precondition(architecture.problem == nil, "ConvBlockEmbedding: \(architecture.problem!)")
        self.architecture = architecture
        var convolutions: [Conv2DLayer] = [], norms: [BatchNormLayer] = [], channels = architecture.channels
        for (index, filters) in architecture.filters.enumerated() {
            let name = "embedding.block\(index + 1)"
            convolutions.append(try Conv2DLayer(name: name + ".conv", inputChannels: channels, outputChannels: filters, kernelSize: 3,
                                                stride: 1, padding: 1, factory: factory))
            norms.append(try BatchNormLayer(name: name + ".norm", channels: filters, factory: factory))
            channels = filters
        }
        (self.convolutions, self.norms) = (convolutions, norms)
    }

    public var parameters: [Tensor] { zip(convolutions, norms).flatMap { $0.parameters + $1.parameters } }

    /// images: [N, S, S, C] → [N, E].
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard, training: Bool = false) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputFormat.shape,
                     "ConvBlockEmbedding: images must be [N, \(architecture.inputFormat.shape)], got \(images.shape)")
        var features = images
        for (convolution, norm) in zip(convolutions, norms) {
            features = maxPool2d(relu(norm(convolution(features, compute: compute), training: training)))
        }
        return architecture.globalPool ? globalAveragePool(features) : flatten(features)
    }
}
