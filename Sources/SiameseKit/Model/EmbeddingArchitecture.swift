// EmbeddingArchitecture.swift — the shape of a Koch-style embedding network, as data.
//
// An embedding is: for each convolution, Conv(filters@k×k) → ReLU, followed by MaxPool 2×2 for all
// but the last; then Flatten → Dense(embeddingSize) → sigmoid. The tutorial's network (`.tutorial`)
// takes 100×100×3 faces; the Koch paper's Omniglot network (`.omniglot`) takes 105×105×1 characters.
// The architecture is stored in every model file's metadata, so a file describes its own network.
import Foundation
import Tensor

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

    // MARK: Checking an architecture read from a file

    /// Bounds on what a file may describe: generous for any network of this family, small enough that
    /// a crafted file cannot make facever allocate without end or divide a shape down to nothing.
    public static let maximumInputSide = 1024
    public static let maximumConvolutions = 16
    public static let maximumKernelSize = 64
    public static let maximumFilters = 4096
    public static let maximumEmbeddingSize = 65536
    public static let maximumParameters = 1 << 30
    /// Values of one image's largest feature map (the tutorial's: 91·91·64 ≈ 0.5 M), and of one row of a
    /// convolution's patch matrix (the smallest piece im2col builds; the tutorial's largest: 40·7·7·64):
    /// bounds on the memory one image needs, which few parameters could otherwise make huge.
    public static let maximumFeatureValues = 1 << 26
    public static let maximumPatchRowValues = 1 << 24

    /// Why this architecture cannot be built, or nil when it can.
    public var problem: String? {
        guard channels == 1 || channels == 3 else { return "\(channels) input channels (1 or 3)" }
        guard (1...Self.maximumInputSide).contains(inputHeight), (1...Self.maximumInputSide).contains(inputWidth) else {
            return "input \(inputHeight)×\(inputWidth) (each side 1...\(Self.maximumInputSide))"
        }
        guard (1...Self.maximumConvolutions).contains(convolutions.count) else {
            return "\(convolutions.count) convolutions (1...\(Self.maximumConvolutions))"
        }
        guard (1...Self.maximumEmbeddingSize).contains(embeddingSize) else {
            return "embedding size \(embeddingSize) (1...\(Self.maximumEmbeddingSize))"
        }
        var (height, width, inputs, parameters) = (inputHeight, inputWidth, channels, 0)
        for (index, convolution) in convolutions.enumerated() {
            guard (1...Self.maximumKernelSize).contains(convolution.kernelSize),
                  (1...Self.maximumFilters).contains(convolution.filters) else {
                return "convolution \(index + 1) has \(convolution.filters) filters of \(convolution.kernelSize)×\(convolution.kernelSize) "
                    + "(1...\(Self.maximumFilters) filters, kernels 1...\(Self.maximumKernelSize))"
            }
            height -= convolution.kernelSize - 1
            width -= convolution.kernelSize - 1
            guard height > 0 && width > 0 else {
                return "the input \(inputHeight)×\(inputWidth) is too small for convolution \(index + 1)"
            }
            // Each factor is bounded above, so these products cannot overflow 64 bits.
            guard height * width * convolution.filters <= Self.maximumFeatureValues,
                  width * convolution.kernelSize * convolution.kernelSize * inputs <= Self.maximumPatchRowValues else {
                return "convolution \(index + 1)'s activations would need more memory than facever gives one image"
            }
            if index < convolutions.count - 1 { (height, width) = ((height + 1) / 2, (width + 1) / 2) }
            parameters += convolution.kernelSize * convolution.kernelSize * inputs * convolution.filters + convolution.filters
            inputs = convolution.filters
        }
        // Each factor is bounded above, so these products cannot overflow 64 bits.
        parameters += height * width * inputs * embeddingSize + embeddingSize + embeddingSize + 1
        guard parameters <= Self.maximumParameters else {
            return "\(parameters) parameters (at most \(Self.maximumParameters))"
        }
        return nil
    }

    /// The architecture stored as JSON in a file's metadata, checked; an error naming `path` otherwise.
    public static func stored(in text: String?, path: String) throws -> EmbeddingArchitecture {
        guard let text, let architecture = fromJSON(text) else {
            throw InputError(path: path, problem: "the metadata has no readable 'architecture'")
        }
        if let problem = architecture.problem {
            throw InputError(path: path, problem: "the stored architecture cannot be built: \(problem)")
        }
        return architecture
    }

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

    public var inputShape: [Int] { inputFormat.shape }

    /// The picture this network takes.
    public var inputFormat: InputFormat { InputFormat(height: inputHeight, width: inputWidth, channels: channels) }
}
