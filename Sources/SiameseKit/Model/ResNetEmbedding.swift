// ResNetEmbedding.swift — the residual embedding network that ResNetArchitecture describes (dlib's
// face recognition ResNet once its weights are imported): an image batch in, one descriptor per image out.
//
//   images: [N, S, S, 3] in [0, 1]  →  descriptors: [N, E]
// Parameters (all named under "embedding."): stem.conv, stem.affine, stageI.blockJ.conv1/affine1/conv2/
// affine2 (I, J from 1), projection (no bias). Products in float32 or bfloat16 as the Compute says; every op
// also has its backward, so the network can be fine-tuned.
// For inference, `foldedForInference()` makes a copy whose affines live in the convolutions before them
// (W' = W·scale, b' = b·scale + shift per output channel) with the ReLU that follows fused into the
// product's stores: the same function, three passes over each feature map fewer. The copy can also carry
// every convolution's weight packed once for one Compute's products (`packingWeightsFor:`), which the
// forward pass would otherwise convert (bfloat16) or copy (float32) into packed panels again on every
// call; the bits are the same.
// The folded copy runs a batch of several pictures (one face and its mirror image, at least) as shares of
// whole pictures, one thread each through the whole network, instead of handing every layer's work to the
// threads anew: each hand-off wakes an idle core, which on a virtual machine costs tens of microseconds
// (README), and the network has some sixty layers. The descriptors are the same bits.
import Dispatch
import Tensor

public final class ResNetEmbedding: ParameterContainer {
    public let architecture: ResNetArchitecture

    final class Block {
        let conv1: Conv2DLayer, affine1: ChannelAffineLayer, conv2: Conv2DLayer, affine2: ChannelAffineLayer
        let downsamples: Bool
        /// The affines are folded into the convolutions (and are identities).
        var folded = false
        /// conv1's and conv2's weights packed for one Compute's products (a folded copy for inference only).
        var packed: (conv1: PackedMatrix?, conv2: PackedMatrix?)?

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
            let residual = folded
                ? conv2(conv1(x, relu: true, compute: compute, packedWeight: packed?.conv1), compute: compute,
                        packedWeight: packed?.conv2)
                : affine2(conv2(relu(affine1(conv1(x, compute: compute)), threads: compute.threads), compute: compute))
            let shortcut = downsamples ? pool2d(x, kind: .average, window: 2, stride: 2, threads: compute.threads) : x
            return paddedAdd(residual, shortcut, fusedReLU: true)
        }
    }

    let stemConvolution: Conv2DLayer
    let stemAffine: ChannelAffineLayer
    let blocks: [Block]
    let projection: ProjectionLayer
    /// The input layer as constants: x · 255/256 − mean/256.
    private let inputScale: Tensor, inputShift: Tensor
    /// The affines are folded into the convolutions (`foldedForInference`).
    public private(set) var affinesFolded = false
    /// The stem's weight packed (`foldedForInference(packingWeightsFor:)`).
    private var packedStem: PackedMatrix?
    /// The Compute whose products every convolution's packed weight serves; nil when none is packed. The
    /// forward pass must then run those products.
    public private(set) var weightsPackedFor: Compute?

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

    /// images: [N, S, S, 3] in [0, 1] → [N, E] (with `mirrorAverage`, the mean over each picture and its mirror).
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == architecture.inputFormat.shape,
                     "ResNetEmbedding: images must be [N, \(architecture.inputFormat.shape)], got \(images.shape)")
        guard architecture.mirrorAverage == true else { return descriptors(images, compute: compute) }
        return mirrorAveraged(images, embeddingSize: architecture.embeddingSize) { descriptors($0, compute: compute) }
    }

    /// The network itself, one descriptor per picture as it is: in the folded copy, with several pictures
    /// and threads, in shares of whole pictures, one thread each (see the header).
    func descriptors(_ images: Tensor, compute: Compute) -> Tensor {
        let count = images.shape[0], workers = min(compute.threads, count)
        guard affinesFolded, workers > 1 else { return network(images, compute: compute) }
        let oneThread = Compute(precision: compute.precision, threads: 1, float32Kernel: compute.float32Kernel)
        let shares = (0..<workers).map { worker in (worker * count / workers)..<((worker + 1) * count / workers) }
        let parts = shares.map { rows(images, $0) }
        var results = [Tensor?](repeating: nil, count: workers)
        results.withUnsafeMutableBufferPointer { results in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                results[worker] = network(parts[worker], compute: oneThread)
            }
        }
        return concatenateRows(results.map { $0! })
    }

    /// images: [N, S, S, 3] → [N, E], on `compute`'s threads.
    private func network(_ images: Tensor, compute: Compute) -> Tensor {
        let threads = compute.threads
        var features = channelAffine(images, scale: inputScale, shift: inputShift, threads: threads)
        features = affinesFolded ? stemConvolution(features, relu: true, compute: compute, packedWeight: packedStem)
            : relu(stemAffine(stemConvolution(features, compute: compute)), threads: threads)
        features = pool2d(features, kind: .max, window: 3, stride: 2, threads: threads)
        for block in blocks { features = block(features, compute: compute) }
        return projection(globalAveragePool(features), compute: compute)
    }

    /// A copy for inference with every affine folded into the convolution before it (see the header), and
    /// with `packingWeightsFor`, every convolution's weight packed for that Compute's products, when they
    /// have a packed form (then the copy runs those products only).
    public func foldedForInference(packingWeightsFor compute: Compute? = nil) -> ResNetEmbedding {
        var affineOf: [String: ChannelAffineLayer] = ["embedding.stem.conv": stemAffine]
        var byName: [String: Tensor] = [:]
        for parameter in parameters { byName[parameter.name!] = parameter }
        for (index, block) in blocks.enumerated() {
            let prefix = block.conv1.weight.name!.replacingOccurrences(of: ".conv1.weight", with: "")
            affineOf[prefix + ".conv1"] = blocks[index].affine1
            affineOf[prefix + ".conv2"] = blocks[index].affine2
        }
        let factory = ParameterFactory { request in
            let values = byName[request.name]!.data
            if request.name.hasSuffix(".scale") { return [Float](repeating: 1, count: values.count) }
            if request.name.hasSuffix(".shift") { return [Float](repeating: 0, count: values.count) }
            for suffix in [".weight", ".bias"] where request.name.hasSuffix(suffix) {
                guard let affine = affineOf[String(request.name.dropLast(suffix.count))] else { continue }
                let (scale, shift) = (affine.scale.data, affine.shift.data)
                return suffix == ".weight" ? Self.scalingColumns(of: values, by: scale)
                    : (0..<values.count).map { values[$0] * scale[$0] + shift[$0] }
            }
            return values
        }
        let folded = try! ResNetEmbedding(architecture: architecture, factory: factory)
        folded.affinesFolded = true
        for block in folded.blocks { block.folded = true }
        if let compute, let stem = folded.stemConvolution.packedWeight(for: compute) {
            folded.packedStem = stem
            for block in folded.blocks {
                block.packed = (block.conv1.packedWeight(for: compute), block.conv2.packedWeight(for: compute))
            }
            folded.weightsPackedFor = compute
        }
        return folded
    }

    /// weight [KH, KW, C, O] (rows of O values) with column o multiplied by scale[o]: row by row, so that the
    /// loop vectorises (a model's 5.6 M weights are folded at every start of `verify`).
    private static func scalingColumns(of weight: [Float], by scale: [Float]) -> [Float] {
        let outputs = scale.count
        return [Float](unsafeUninitializedCapacity: weight.count) { target, initialized in
            weight.withUnsafeBufferPointer { weight in
                scale.withUnsafeBufferPointer { scale in
                    for row in stride(from: 0, to: weight.count, by: outputs) {
                        for column in 0..<outputs { target[row + column] = weight[row + column] * scale[column] }
                    }
                }
            }
            initialized = weight.count
        }
    }
}
