// ResNetEmbedding.swift — the residual embedding network that ResNetArchitecture describes (dlib's
// face recognition ResNet once its weights are imported): an image batch in, one descriptor per image out.
//
//   images: [N, S, S, 3] in [0, 1]  →  descriptors: [N, E]
// Parameters (all named under "embedding."): stem.conv, stem.affine, stageI.blockJ.conv1/affine1/conv2/
// affine2 (I, J from 1), projection (no bias). Forward only in float32 or bfloat16 products as the
// Compute says; every op also has its backward, so the network can be fine-tuned.
import Tensor

public final class ResNetEmbedding: ParameterContainer {
    public let architecture: ResNetArchitecture

    final class Block {
        let conv1: Conv2DLayer, affine1: ChannelAffineLayer, conv2: Conv2DLayer, affine2: ChannelAffineLayer
        let downsamples: Bool

        init(name: String, inputs: Int, filters: Int, downsamples: Bool, factory: ParameterFactory) throws {
            self.downsamples = downsamples
            // A halving block's first convolution strides by 2 without padding; the others keep the size.
            conv1 = try Conv2DLayer(name: name + ".conv1", inputChannels: inputs, outputChannels: filters, kernelSize: 3,
                                    stride: downsamples ? 2 : 1, padding: downsamples ? 0 : 1, factory: factory)
            affine1 = try ChannelAffineLayer(name: name + ".affine1", channels: filters, factory: factory)
            conv2 = try Conv2DLayer(name: name + ".conv2", inputChannels: filters, outputChannels: filters, kernelSize: 3,
                                    stride: 1, padding: 1, factory: factory)
            affine2 = try ChannelAffineLayer(name: name + ".affine2", channels: filters, factory: factory)
        }

        var parameters: [Tensor] { conv1.parameters + affine1.parameters + conv2.parameters + affine2.parameters }

        func callAsFunction(_ x: Tensor, compute: Compute) -> Tensor {
            let residual = affine2(conv2(relu(affine1(conv1(x, compute: compute))), compute: compute))
            let shortcut = downsamples ? pool2d(x, kind: .average, window: 2, stride: 2) : x
            return relu(paddedAdd(residual, shortcut))
        }
    }

    let stemConvolution: Conv2DLayer
    let stemAffine: ChannelAffineLayer
    let blocks: [Block]
    let projection: ProjectionLayer
    /// The input layer as constants: x · 255/256 − mean/256.
    private let inputScale: Tensor, inputShift: Tensor

    public init(architecture: ResNetArchitecture, factory: ParameterFactory) throws {
        precondition(architecture.problem == nil, "ResNetEmbedding: \(architecture.problem!)")
        self.architecture = architecture
        stemConvolution = try Conv2DLayer(name: "embedding.stem.conv", inputChannels: 3, outputChannels: architecture.stemFilters,
                                          kernelSize: architecture.stemKernel, stride: 2, padding: 0, factory: factory)
        stemAffine = try ChannelAffineLayer(name: "embedding.stem.affine", channels: architecture.stemFilters, factory: factory)
        var blocks: [Block] = [], channels = architecture.stemFilters
        for (stageIndex, stage) in architecture.stages.enumerated() {
            for blockIndex in 0..<stage.blocks {
                blocks.append(try Block(name: "embedding.stage\(stageIndex + 1).block\(blockIndex + 1)", inputs: channels,
                                        filters: stage.filters, downsamples: stage.downsamples && blockIndex == 0, factory: factory))
                // The padded sum keeps the larger channel count.
                channels = max(channels, stage.filters)
            }
        }
        self.blocks = blocks
        projection = try ProjectionLayer(name: "embedding.projection", inputs: channels, outputs: architecture.embeddingSize,
                                         factory: factory)
        inputScale = Tensor(shape: [3], data: [Float](repeating: 255 / 256, count: 3))
        inputShift = Tensor(shape: [3], data: architecture.inputMeans.map { -$0 / 256 })
    }

    public var parameters: [Tensor] {
        stemConvolution.parameters + stemAffine.parameters + blocks.flatMap(\.parameters) + projection.parameters
    }

    /// images: [N, S, S, 3] in [0, 1] → [N, E].
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputFormat.shape,
                     "ResNetEmbedding: images must be [N, \(architecture.inputFormat.shape)], got \(images.shape)")
        var features = channelAffine(images, scale: inputScale, shift: inputShift)
        features = relu(stemAffine(stemConvolution(features, compute: compute)))
        features = pool2d(features, kind: .max, window: 3, stride: 2)
        for block in blocks { features = block(features, compute: compute) }
        return projection(globalAveragePool(features), compute: compute)
    }
}
