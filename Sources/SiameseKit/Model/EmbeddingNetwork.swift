// EmbeddingNetwork.swift — the twin branch: an image batch in, one embedding vector per image out.
//
//   images: [N, H, W, C] in [0, 1]  →  embeddings: [N, embeddingSize] in (0, 1)
// Parameters: embedding.conv1 … embedding.convK, embedding.dense (see EmbeddingArchitecture).
import Tensor

public final class EmbeddingNetwork: ParameterContainer {
    public let architecture: EmbeddingArchitecture
    public let convolutions: [Conv2DLayer]
    public let projection: DenseLayer

    public init(architecture: EmbeddingArchitecture, factory: ParameterFactory) throws {
        self.architecture = architecture
        var layers: [Conv2DLayer] = []
        var channels = architecture.channels
        for (index, spec) in architecture.convolutions.enumerated() {
            layers.append(try Conv2DLayer(
                name: "embedding.conv\(index + 1)", inputChannels: channels, outputChannels: spec.filters,
                kernelSize: spec.kernelSize, factory: factory))
            channels = spec.filters
        }
        convolutions = layers
        projection = try DenseLayer(
            name: "embedding.dense", inputs: architecture.flattenedSize, outputs: architecture.embeddingSize,
            factory: factory)
    }

    public var parameters: [Tensor] { convolutions.flatMap(\.parameters) + projection.parameters }

    /// Readies the weights for bfloat16 inference: each convolution's weight packed now, the large
    /// dense weight once enough rows have gone through it (see DenseLayer). Never for training.
    public func packWeightsForInference() {
        for convolution in convolutions { convolution.packWeightForInference() }
        projection.packWeightForInference()
    }

    public func unpackWeights() {
        for convolution in convolutions { convolution.unpackWeight() }
        projection.unpackWeight()
    }

    public func callAsFunction(_ images: Tensor) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputShape,
                     "EmbeddingNetwork: images must be [N, \(architecture.inputShape)], got \(images.shape)")
        var features = images
        for (index, convolution) in convolutions.enumerated() {
            features = convolution(features, relu: true)
            if index < convolutions.count - 1 {
                features = maxPool2d(features)
            }
        }
        return sigmoid(projection(flatten(features)))
    }
}
