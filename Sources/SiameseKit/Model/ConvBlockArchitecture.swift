// ConvBlockArchitecture.swift — the shape of a compact embedding network of batch-normalised convolution
// blocks (the "Conv-4" of the few-shot literature: Vinyals et al. 2016, Snell et al. 2017), as data stored
// in a model file's metadata.
//
//   image [N, S, S, C] in [0, 1]
//   block after block: conv 3×3 (padding 1) → batch norm → ReLU → max pool 2×2 (S → ⌈S/2⌉)
//   then flatten (or, with `globalPool`, the mean over the last map's pixels) → embedding [N, E]
// There is no dense layer and no sigmoid: the embedding is compared by squared Euclidean distance
// (PairFeature.squaredDifference), which is what the prototypical episode loss trains.
// conv4-omniglot: 28×28×1, 4 × 64 filters → 2·2·64 = 256 values, 112,640 weights in the network.
// conv4-faces:    64×64×1 (grey, as LFW's crops are), 4 × 64 filters, global pool → 64 values.
import Foundation

public struct ConvBlockArchitecture: MetadataJSON, Equatable, Sendable {
    /// "conv-blocks": what tells this architecture's JSON from a Koch network's or a ResNet's.
    public var family: String
    public var inputSide: Int
    public var channels: Int
    /// Filters of each block's convolution.
    public var filters: [Int]
    /// The embedding is the mean over the last map's pixels (true) or all of its values (false).
    public var globalPool: Bool

    public static let familyName = "conv-blocks"

    public init(inputSide: Int, channels: Int, filters: [Int], globalPool: Bool) {
        (family, self.inputSide, self.channels, self.filters, self.globalPool) = (Self.familyName, inputSide, channels, filters, globalPool)
    }

    /// For Omniglot's characters (Snell et al.'s network).
    public static let conv4Omniglot = ConvBlockArchitecture(inputSide: 28, channels: 1, filters: [64, 64, 64, 64], globalPool: false)
    /// For faces: a larger picture, grey (LFW's crops are; a face is told by its shape more than its colour),
    /// pooled to one 64-value vector.
    public static let conv4Faces = ConvBlockArchitecture(inputSide: 64, channels: 1, filters: [64, 64, 64, 64], globalPool: true)

    public var inputFormat: InputFormat { InputFormat(height: inputSide, width: inputSide, channels: channels) }

    /// The side of the map after the last block.
    public var finalSide: Int { filters.reduce(inputSide) { side, _ in (side + 1) / 2 } }

    public var embeddingSize: Int {
        guard let last = filters.last else { return 0 }
        return globalPool ? last : finalSide * finalSide * last
    }

    /// Bounds on what a file may describe.
    public static let maximumInputSide = 512
    public static let maximumBlocks = 8
    public static let maximumFilters = 1024

    /// Why this architecture cannot be built, or nil when it can.
    public var problem: String? {
        guard family == Self.familyName else { return "family '\(family)' (expected '\(Self.familyName)')" }
        guard channels == 1 || channels == 3 else { return "\(channels) input channels (1 or 3)" }
        guard (4...Self.maximumInputSide).contains(inputSide) else { return "input side \(inputSide) (4...\(Self.maximumInputSide))" }
        guard (1...Self.maximumBlocks).contains(filters.count), filters.allSatisfy({ (1...Self.maximumFilters).contains($0) }) else {
            return "blocks of \(filters) filters (1...\(Self.maximumBlocks) blocks of 1...\(Self.maximumFilters))"
        }
        guard embeddingSize <= 65536 else { return "an embedding of \(embeddingSize) values (at most 65,536)" }
        // One image's largest feature map within a Koch network's bound (EmbeddingArchitecture). The other bounds
        // hold by construction: a patch row is at most 512·9·1024 values, the weights at most 8·9·1024² (75 M).
        var side = inputSide
        for (index, outputs) in filters.enumerated() {
            guard side * side * outputs <= EmbeddingArchitecture.maximumFeatureValues else {
                return "block \(index + 1)'s activations would need more memory than facever gives one image"
            }
            side = (side + 1) / 2
        }
        return nil
    }
}
