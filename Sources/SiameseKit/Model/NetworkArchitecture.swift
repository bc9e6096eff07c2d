// NetworkArchitecture.swift — which embedding network a model holds: a Koch-style convolution stack
// (the tutorial's, Omniglot's; trained by facever) or a residual network (dlib's ResNet, imported), and
// how its Siamese head compares two embeddings.
//
// Stored as the `architecture` JSON of a model file: a ResNet's carries "family": "resnet"; a Koch
// network's has no family (files from before ResNets stay readable as they are).
import Foundation
import Tensor

/// What the Siamese head reads from a pair of embeddings e1, e2 (one value per dimension).
public enum PairFeature: String, Sendable {
    /// |e1 − e2|: the tutorial's L1 layer.
    case absoluteDifference
    /// (e1 − e2)²: its sum is the squared Euclidean distance that dlib's descriptors are compared by.
    case squaredDifference
}

public enum NetworkArchitecture: Equatable, Sendable {
    case koch(EmbeddingArchitecture)
    case resnet(ResNetArchitecture)

    public var inputFormat: InputFormat {
        switch self {
        case .koch(let architecture): return architecture.inputFormat
        case .resnet(let architecture): return architecture.inputFormat
        }
    }

    public var embeddingSize: Int {
        switch self {
        case .koch(let architecture): return architecture.embeddingSize
        case .resnet(let architecture): return architecture.embeddingSize
        }
    }

    public var pairFeature: PairFeature {
        switch self {
        case .koch: return .absoluteDifference
        case .resnet: return .squaredDifference
        }
    }

    /// The Koch architecture, or nil for a ResNet.
    public var koch: EmbeddingArchitecture? {
        if case .koch(let architecture) = self { return architecture }
        return nil
    }

    public func jsonString() -> String {
        switch self {
        case .koch(let architecture): return architecture.jsonString()
        case .resnet(let architecture): return architecture.jsonString()
        }
    }

    /// The architecture stored as JSON in a file's metadata, checked; an error naming `path` otherwise.
    public static func stored(in text: String?, path: String) throws -> NetworkArchitecture {
        if let text, text.contains("\"family\""), let resnet = ResNetArchitecture.fromJSON(text) {
            if let problem = resnet.problem {
                throw InputError(path: path, problem: "the stored architecture cannot be built: \(problem)")
            }
            return .resnet(resnet)
        }
        return .koch(try EmbeddingArchitecture.stored(in: text, path: path))
    }
}

/// The embedding branch of a Siamese network, either kind.
public enum EmbeddingBranch: ParameterContainer {
    case koch(EmbeddingNetwork)
    case resnet(ResNetEmbedding)

    init(architecture: NetworkArchitecture, factory: ParameterFactory) throws {
        switch architecture {
        case .koch(let koch): self = .koch(try EmbeddingNetwork(architecture: koch, factory: factory))
        case .resnet(let resnet): self = .resnet(try ResNetEmbedding(architecture: resnet, factory: factory))
        }
    }

    public var architecture: NetworkArchitecture {
        switch self {
        case .koch(let network): return .koch(network.architecture)
        case .resnet(let network): return .resnet(network.architecture)
        }
    }

    public var parameters: [Tensor] {
        switch self {
        case .koch(let network): return network.parameters
        case .resnet(let network): return network.parameters
        }
    }

    /// images: [N, H, W, C] → [N, E] (`packed`: a Koch network's bfloat16 weights, packed once).
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard, packed: EmbeddingNetwork.PackedWeights? = nil) -> Tensor {
        switch self {
        case .koch(let network): return network(images, compute: compute, packed: packed)
        case .resnet(let network): return network(images, compute: compute)
        }
    }
}
