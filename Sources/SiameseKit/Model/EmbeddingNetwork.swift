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

    /// Weights packed for inference (InferenceModel keeps them): per convolution, either its weight in the
    /// frequency domain (float32 on facever's GEMM, where SpectralConvolution's rule takes the layer: conv2
    /// and conv3 of the tutorial's network) or packed for the products of one Compute (none for OpenBLAS's);
    /// and the dense layer's when asked.
    public struct PackedWeights: @unchecked Sendable {
        public let convolutions: [PackedMatrix?]
        public let spectral: [SpectralWeight?]
        public let projection: PackedMatrix?

        /// The same packs and `projection` for the dense layer.
        public func addingProjection(_ projection: PackedMatrix) -> PackedWeights {
            PackedWeights(convolutions: convolutions, spectral: spectral, projection: projection)
        }
    }

    public func packedWeights(for compute: Compute, includingProjection: Bool) -> PackedWeights {
        // Convolution i reads the input (i = 0) or the pooled features of convolution i − 1: [H, W, C].
        let inputs = [architecture.inputShape] + architecture.featureShapes.dropLast()
        let spectral = zip(convolutions, inputs).map { convolution, shape in
            convolution.spectralWeight(for: compute, height: shape[0], width: shape[1])
        }
        return PackedWeights(convolutions: zip(convolutions, spectral).map { $1 == nil ? $0.packedWeight(for: compute) : nil },
                             spectral: spectral,
                             projection: includingProjection ? projection.packedWeight(for: compute) : nil)
    }

    /// images: [N, H, W, C] → [N, E], with the products `compute` asks for (and, for inference, the
    /// weights `packed` once for them).
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard, packed: PackedWeights? = nil) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputShape,
                     "EmbeddingNetwork: images must be [N, \(architecture.inputShape)], got \(images.shape)")
        var features = images
        for (index, convolution) in convolutions.enumerated() {
            features = convolution(features, relu: true, compute: compute, packedWeight: packed?.convolutions[index],
                                   spectralWeight: packed?.spectral[index])
            if index < convolutions.count - 1 {
                features = maxPool2d(features)
            }
        }
        return sigmoid(projection(flatten(features), compute: compute, packedWeight: packed?.projection))
    }
}
