// ConvBlockEmbedding.swift — the network ConvBlockArchitecture describes: an image batch in, one
// embedding per image out.
//
//   images: [N, S, S, C] in [0, 1]  →  embeddings: [N, E]
// Parameters: embedding.blockI.conv (weight, bias) and embedding.blockI.norm (scale, shift and the running
// statistics), I from 1; embedding.projection (weight, bias) when the architecture projects. `training` normalises each block by its batch (and moves the running statistics);
// otherwise the running statistics make each norm a fixed affine, so a photo's embedding never depends on
// the photos it is batched with.
import Tensor

public final class ConvBlockEmbedding: ParameterContainer {
    public let architecture: ConvBlockArchitecture
    let convolutions: [Conv2DLayer]
    let norms: [BatchNormLayer]
    let projection: DenseLayer?

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
        projection = try architecture.projection.map {
            try DenseLayer(name: "embedding.projection", inputs: architecture.pooledSize, outputs: $0, factory: factory)
        }
    }

    public var parameters: [Tensor] {
        zip(convolutions, norms).flatMap { $0.parameters + $1.parameters } + (projection?.parameters ?? [])
    }

    /// images: [N, S, S, C] → [N, E]. Training never mirror-averages: mirroring is then an augmentation.
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard, training: Bool = false) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputFormat.shape,
                     "ConvBlockEmbedding: images must be [N, \(architecture.inputFormat.shape)], got \(images.shape)")
        guard !training, architecture.mirrorAverage == true else { return embed(images, compute: compute, training: training) }
        return mirrorAveraged(images, embeddingSize: architecture.embeddingSize) { embed($0, compute: compute, training: false) }
    }

    /// One embedding per picture as it is.
    private func embed(_ images: Tensor, compute: Compute, training: Bool) -> Tensor {
        var features = images
        for (convolution, norm) in zip(convolutions, norms) {
            features = maxPool2d(relu(norm(convolution(features, compute: compute), training: training)))
        }
        var embedding = architecture.globalPool ? globalAveragePool(features) : flatten(features)
        if let projection { embedding = projection(embedding, compute: compute) }
        if let radius = architecture.sphereRadius { embedding = normalizedRows(embedding, radius: radius) }
        return embedding
    }
}
