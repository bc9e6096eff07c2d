// ConvBlockArchitecture.swift — the shape of a compact embedding network of batch-normalised convolution
// blocks (the "Conv-4" of the few-shot literature: Vinyals et al. 2016, Snell et al. 2017), as data stored
// in a model file's metadata.
//
//   image [N, S, S, C] in [0, 1]
//   block after block: conv 3×3 (padding 1) → batch norm → ReLU → max pool 2×2 (S → ⌈S/2⌉)
//   then flatten (or, with `globalPool`, the mean over the last map's pixels)
//   [with `projection` P: a dense layer to P values]  [with `sphereRadius` r: each embedding scaled to length r]
//   → embedding [N, E]
//   [with `mirrorAverage`, at inference: the mean of the picture's and its mirror image's embeddings]
// There is no sigmoid: the embedding is compared by squared Euclidean distance (PairFeature.squaredDifference),
// which is what the prototypical episode loss trains; on the sphere that distance is 2r²(1 − cos θ), so r sets
// how sharply the episode's softmax separates angles. Absent optional fields (files written before they
// existed) mean no projection, no sphere, no mirror average.
// conv4-omniglot: 28×28×1, 4 × 64 filters → 2·2·64 = 256 values, 112,640 weights in the network.
// conv4-faces:    64×64×1 (grey, as LFW's crops are), 4 × 64 filters, global pool → 64 values.
// conv4-faces-sphere: conv4-faces, then dense 64 → 128 and the sphere of radius 3, mirror-averaged.
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
    /// Outputs of a dense layer after the pooling (nil: none).
    public var projection: Int?
    /// The length every embedding is scaled to (nil: left as it comes).
    public var sphereRadius: Float?
    /// Whether inference embeds each picture as the mean of its own and its mirror image's embeddings (nil: no).
    public var mirrorAverage: Bool?

    public static let familyName = "conv-blocks"

    public init(inputSide: Int, channels: Int, filters: [Int], globalPool: Bool, projection: Int? = nil,
                sphereRadius: Float? = nil, mirrorAverage: Bool? = nil) {
        (family, self.inputSide, self.channels, self.filters, self.globalPool) = (Self.familyName, inputSide, channels, filters, globalPool)
        (self.projection, self.sphereRadius, self.mirrorAverage) = (projection, sphereRadius, mirrorAverage)
    }

    /// For Omniglot's characters (Snell et al.'s network).
    public static let conv4Omniglot = ConvBlockArchitecture(inputSide: 28, channels: 1, filters: [64, 64, 64, 64], globalPool: false)
    /// For faces: a larger picture, grey (LFW's crops are; a face is told by its shape more than its colour),
    /// pooled to one 64-value vector.
    public static let conv4Faces = ConvBlockArchitecture(inputSide: 64, channels: 1, filters: [64, 64, 64, 64], globalPool: true)
    /// conv4-faces compared by angle: a signed 128-value projection of the pooled features on a sphere (as
    /// face verifiers normalise their embeddings), each face embedded with its mirror image at inference.
    public static let conv4FacesSphere = ConvBlockArchitecture(inputSide: 64, channels: 1, filters: [64, 64, 64, 64], globalPool: true,
                                                               projection: 128, sphereRadius: 3, mirrorAverage: true)

    public var inputFormat: InputFormat { InputFormat(height: inputSide, width: inputSide, channels: channels) }

    /// The side of the map after the last block.
    public var finalSide: Int { filters.reduce(inputSide) { side, _ in (side + 1) / 2 } }

    /// Values of the pooled (or flattened) last map, before any projection.
    public var pooledSize: Int {
        guard let last = filters.last else { return 0 }
        return globalPool ? last : finalSide * finalSide * last
    }

    public var embeddingSize: Int { projection ?? pooledSize }

    /// Bounds on what a file may describe.
    public static let maximumInputSide = 512
    public static let maximumBlocks = 8
    public static let maximumFilters = 1024
    public static let maximumSphereRadius: Float = 1000
    public static let maximumProjectionWeights = 1 << 24

    /// Why this architecture cannot be built, or nil when it can.
    public var problem: String? {
        guard family == Self.familyName else { return "family '\(family)' (expected '\(Self.familyName)')" }
        guard channels == 1 || channels == 3 else { return "\(channels) input channels (1 or 3)" }
        guard (4...Self.maximumInputSide).contains(inputSide) else { return "input side \(inputSide) (4...\(Self.maximumInputSide))" }
        guard (1...Self.maximumBlocks).contains(filters.count), filters.allSatisfy({ (1...Self.maximumFilters).contains($0) }) else {
            return "blocks of \(filters) filters (1...\(Self.maximumBlocks) blocks of 1...\(Self.maximumFilters))"
        }
        guard pooledSize <= 65536, embeddingSize <= 65536 else {
            return "an embedding of \(max(pooledSize, embeddingSize)) values (at most 65,536)"
        }
        if let projection {
            // The projection's weights are made before any file's values are read: bound them like a block's.
            guard projection >= 1, pooledSize * projection <= Self.maximumProjectionWeights else {
                return "a projection of \(pooledSize) to \(projection) values (at least 1, at most \(Self.maximumProjectionWeights) weights)"
            }
        }
        if let radius = sphereRadius, !(radius > 0 && radius <= Self.maximumSphereRadius) {
            return "a sphere of radius \(radius) (above 0, at most \(Self.maximumSphereRadius))"
        }
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
