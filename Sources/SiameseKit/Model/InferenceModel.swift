// InferenceModel.swift — a trained network ready to embed photos and score pairs: the products'
// arithmetic and threads chosen once (a Compute), and the weights packed once for its products.
//
// Packing every convolution's weight is cheap and always pays (bfloat16, or float32 on facever's GEMM;
// OpenBLAS's sgemm has no packed form). Packing the dense weight for bfloat16 (75 MB for the tutorial's
// 9216 × 4096) costs about what eight one-image products save by reading it, so a model
// that will embed one probe does without, and one that will embed a gallery asks for it
// (`packingDenseWeight()`, when at least `imagesBeforeDensePackPays` images are to come). Nothing is
// packed or changed while a forward pass runs. A ResNet runs as a copy with its affines folded into its
// convolutions (ResNetEmbedding.foldedForInference), made once here, its convolution weights packed too
// for the Compute's products (5.6 million weights: cheap, and packing them on every call cost a quarter of a
// face's time in bfloat16).
import Tensor

public struct InferenceModel {
    public let network: SiameseNetwork
    public let compute: Compute
    private let packed: EmbeddingNetwork.PackedWeights?
    private let foldedResNet: ResNetEmbedding?

    /// Images to embed from which packing the dense weight pays for itself.
    public static let imagesBeforeDensePackPays = 8

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

    /// This model with the dense weight packed too (for embedding many images), sharing the packed
    /// convolution weights; itself when the products are float32 (a few rows stream the unpacked weight
    /// faster than a 151 MB float32 pack would serve them) or the pack is there already.
    public func packingDenseWeight() -> InferenceModel {
        guard compute.precision == .bfloat16, let packed, packed.projection == nil, case .koch(let koch) = network.embedding else {
            return self
        }
        return InferenceModel(network: network, compute: compute, packed: packed.addingProjection(koch.projection.packedWeight()),
                              foldedResNet: foldedResNet)
    }

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
