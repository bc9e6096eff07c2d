// InferenceModel.swift — a trained network ready to embed photos and score pairs: the products'
// arithmetic and threads chosen once (a Compute), and the weights packed once for its products.
//
// Where the products are float32 on facever's GEMM, a convolution that SpectralConvolution's rule takes
// (the tutorial's conv2 and conv3) keeps its weight in the frequency domain instead of packed, and runs its
// forward pass there: the same embeddings to float32 rounding, not to the bit, with fewer multiply-adds
// (about a quarter of conv2's). Packing every other convolution's weight is cheap and always pays
// (bfloat16, or float32 on facever's GEMM; OpenBLAS's sgemm has no packed form). Packing the dense weight
// (75 MB bfloat16, 151 MB float32 for the tutorial's 9216 × 4096) costs about what eight one-image products
// save by reading it, so a model that will embed one probe does without, and one that will embed a gallery
// asks for it (`packingDenseWeight(forBatchesOf:)`, when at least `imagesBeforeDensePackPays` images are to
// come); float32 products of a few rows stream the unpacked weight instead, so a float32 model packs it only
// for larger batches (PackedMatrix.serves(rows:)). Nothing is packed or changed while a forward pass runs.
// A ResNet runs as a copy with its affines folded into its convolutions (ResNetEmbedding.foldedForInference),
// made once here, its convolution weights packed too for the Compute's products (5.6 million weights: cheap,
// and packing them on every call cost a quarter of a face's time in bfloat16).
import Tensor

public struct InferenceModel {
    public let network: SiameseNetwork
    public let compute: Compute
    private let packed: EmbeddingNetwork.PackedWeights?
    private let foldedResNet: ResNetEmbedding?

    /// Images to embed from which packing the dense weight pays for itself.
    public static let imagesBeforeDensePackPays = 8

    /// Images that galleries and evaluations embed at once (a batch of the forward pass).
    public static let embeddingBatch = 32

    public init(network: SiameseNetwork, compute: Compute) {
        var packed: EmbeddingNetwork.PackedWeights?
        if case .koch(let koch) = network.embedding {
            packed = koch.packedWeights(for: compute, includingProjection: false)
        }
        self.init(network: network, compute: compute, packed: packed)
    }

    private init(network: SiameseNetwork, compute: Compute, packed: EmbeddingNetwork.PackedWeights?, foldedResNet: ResNetEmbedding? = nil) {
        self.network = network
        self.compute = compute
        self.packed = packed
        if let foldedResNet {
            self.foldedResNet = foldedResNet
        } else if case .resnet(let resnet) = network.embedding {
            self.foldedResNet = resnet.foldedForInference(packingWeightsFor: compute)
        } else {
            self.foldedResNet = nil
        }
    }

    /// This model with the dense weight packed too, for embedding many images in batches of up to
    /// `rows`, sharing the packed convolution weights; itself when the pack would serve no such batch
    /// (float32 batches of a few rows stream the unpacked weight), when the products have no packed form
    /// (OpenBLAS), or when the pack is there already.
    public func packingDenseWeight(forBatchesOf rows: Int) -> InferenceModel {
        guard let packed, packed.projection == nil, case .koch(let koch) = network.embedding,
              PackedMatrix.serves(rows: rows, precision: compute.precision),
              let projection = koch.projection.packedWeight(for: compute) else {
            return self
        }
        return InferenceModel(network: network, compute: compute, packed: packed.addingProjection(projection),
                              foldedResNet: foldedResNet)
    }

    /// Whether the dense weight is packed (for tests: which batches a pack is made for).
    var hasDenseWeightPack: Bool { packed?.projection != nil }

    /// Per convolution, the tile side of its frequency-domain forward pass, or nil where it runs directly
    /// (for tests).
    var spectralTiles: [Int?] { packed?.spectral.map { $0?.tile } ?? [] }

    /// images: [N, H, W, C] → embeddings [N, E].
    public func embeddings(_ images: Tensor) -> Tensor {
        if let foldedResNet { return foldedResNet(images, compute: compute) }
        return network.embedding(images, compute: compute, packed: packed)
    }

    /// logits: [B, 1] from embeddings [B, E] each.
    public func logits(anchorEmbeddings: Tensor, otherEmbeddings: Tensor) -> Tensor {
        network.logits(anchorEmbeddings: anchorEmbeddings, otherEmbeddings: otherEmbeddings, compute: compute)
    }

    public var architecture: NetworkArchitecture { network.architecture }
    public var inputFormat: InputFormat { network.inputFormat }
}
