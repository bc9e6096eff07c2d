// EmbeddingArchitecture.swift — the shape of a Koch-style embedding network, as data.
//
// An embedding is: for each convolution, Conv(filters@k×k) → ReLU, followed by MaxPool 2×2 for all
// but the last; then Flatten → Dense(embeddingSize) → sigmoid. The tutorial's network (`.tutorial`)
// takes 100×100×3 faces; the Koch paper's Omniglot network (`.omniglot`) takes 105×105×1 characters.
// The architecture is stored in every model file's metadata, so a file describes its own network.
import Foundation

public struct ConvolutionSpec: Codable, Equatable, Sendable {
    public var filters: Int
    public var kernelSize: Int

    public init(filters: Int, kernelSize: Int) {
        self.filters = filters
        self.kernelSize = kernelSize
    }
}

public struct EmbeddingArchitecture: MetadataJSON, Equatable, Sendable {
    public var inputHeight: Int
    public var inputWidth: Int
    public var channels: Int
    public var convolutions: [ConvolutionSpec]
    public var embeddingSize: Int

    public init(inputHeight: Int, inputWidth: Int, channels: Int, convolutions: [ConvolutionSpec], embeddingSize: Int) {
        precondition(!convolutions.isEmpty, "EmbeddingArchitecture: at least one convolution")
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.convolutions = convolutions
        self.embeddingSize = embeddingSize
    }

    private static let kochConvolutions = [
        ConvolutionSpec(filters: 64, kernelSize: 10),
        ConvolutionSpec(filters: 128, kernelSize: 7),
        ConvolutionSpec(filters: 128, kernelSize: 4),
        ConvolutionSpec(filters: 256, kernelSize: 4),
    ]

    /// The face-verification tutorial's network: 100×100×3 → … → 4096, 38,960,448 parameters.
    public static let tutorial = EmbeddingArchitecture(
        inputHeight: 100, inputWidth: 100, channels: 3, convolutions: kochConvolutions, embeddingSize: 4096)

    /// Koch et al.'s Omniglot network: 105×105×1 → … → 4096.
    public static let omniglot = EmbeddingArchitecture(
        inputHeight: 105, inputWidth: 105, channels: 1, convolutions: kochConvolutions, embeddingSize: 4096)

    /// A small network for smoke tests and quick experiments: 32×32×3 → 3 convolutions → 128 (80,768 parameters).
    public static let tiny = EmbeddingArchitecture(
        inputHeight: 32, inputWidth: 32, channels: 3,
        convolutions: [ConvolutionSpec(filters: 16, kernelSize: 5), ConvolutionSpec(filters: 32, kernelSize: 3),
                       ConvolutionSpec(filters: 32, kernelSize: 3)],
        embeddingSize: 128)

    /// The architectures users can pick by name.
    public static let named: [String: EmbeddingArchitecture] = ["tutorial": .tutorial, "omniglot": .omniglot, "tiny": .tiny]

    /// [H, W, C] after each convolution (and its pooling, where there is one).
    public var featureShapes: [[Int]] {
        var (height, width, channels) = (inputHeight, inputWidth, self.channels)
        var shapes: [[Int]] = []
        for (index, convolution) in convolutions.enumerated() {
            height = height - convolution.kernelSize + 1
            width = width - convolution.kernelSize + 1
            channels = convolution.filters
            precondition(height > 0 && width > 0, "EmbeddingArchitecture: input \(inputHeight)×\(inputWidth) is too small")
            if index < convolutions.count - 1 {
                height = (height + 1) / 2
                width = (width + 1) / 2
            }
            shapes.append([height, width, channels])
        }
        return shapes
    }

    /// Values entering the dense layer (6·6·256 = 9216 for the tutorial).
    public var flattenedSize: Int { featureShapes.last!.reduce(1, *) }

    public var inputShape: [Int] { [inputHeight, inputWidth, channels] }
}
