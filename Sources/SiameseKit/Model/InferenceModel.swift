// InferenceModel.swift — a trained network ready to embed photos and score pairs: the products'
// arithmetic and threads chosen once (a Compute), and for bfloat16 the weights packed once.
//
// Packing every convolution's weight is cheap and always pays. Packing the dense weight (75 MB for the
// tutorial's 9216 × 4096) costs about what eight one-image products save by reading it, so a model
// that will embed one probe does without, and one that will embed a gallery asks for it
// (`packingDenseWeight()`, when at least `imagesBeforeDensePackPays` images are to come). Nothing is
// packed or changed while a forward pass runs.
import Tensor

public struct InferenceModel {
    public let network: SiameseNetwork
    public let compute: Compute
    private let packed: EmbeddingNetwork.PackedWeights?

    /// Images to embed from which packing the dense weight pays for itself.
    public static let imagesBeforeDensePackPays = 8

    public init(network: SiameseNetwork, compute: Compute) {
        self.init(network: network, compute: compute, packingDenseWeight: false)
    }

    private init(network: SiameseNetwork, compute: Compute, packingDenseWeight: Bool) {
        self.network = network
        self.compute = compute
        packed = compute.precision == .bfloat16 ? network.embedding.packedWeights(includingProjection: packingDenseWeight) : nil
    }

    /// This model with the dense weight packed too (for embedding many images); itself when the
    /// products are float32 or the pack is there already.
    public func packingDenseWeight() -> InferenceModel {
        guard compute.precision == .bfloat16, packed?.projection == nil else { return self }
        return InferenceModel(network: network, compute: compute, packingDenseWeight: true)
    }

    /// images: [N, H, W, C] → embeddings [N, E].
    public func embeddings(_ images: Tensor) -> Tensor {
        network.embedding(images, compute: compute, packed: packed)
    }

    /// logits: [B, 1] from embeddings [B, E] each.
    public func logits(anchorEmbeddings: Tensor, otherEmbeddings: Tensor) -> Tensor {
        network.logits(anchorEmbeddings: anchorEmbeddings, otherEmbeddings: otherEmbeddings, compute: compute)
    }

    public var architecture: EmbeddingArchitecture { network.architecture }
}
