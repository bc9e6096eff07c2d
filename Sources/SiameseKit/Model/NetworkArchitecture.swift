// NetworkArchitecture.swift — which embedding network a model holds: a Koch-style convolution stack
// (the tutorial's, Omniglot's; trained by facever), a compact stack of batch-normalised blocks (a general
// verifier's, trained by facever) or a residual network (dlib's ResNet, imported), and how its Siamese head
// compares two embeddings.
//
// Stored as the `architecture` JSON of a model file: a ResNet's carries "family": "resnet", a block
// network's "family": "conv-blocks"; a Koch network's has no family (files from before stay readable).
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
    case convBlocks(ConvBlockArchitecture)
    case resnet(ResNetArchitecture)

    public var inputFormat: InputFormat {
        switch self {
        case .koch(let architecture): return architecture.inputFormat
        case .convBlocks(let architecture): return architecture.inputFormat
        case .resnet(let architecture): return architecture.inputFormat
        }
    }

    public var embeddingSize: Int {
        switch self {
        case .koch(let architecture): return architecture.embeddingSize
        case .convBlocks(let architecture): return architecture.embeddingSize
        case .resnet(let architecture): return architecture.embeddingSize
        }
    }

    /// The face chip a landmark-aligned network takes (a ResNet's); dlib's for the others, which take none.
    public var chipGeometry: FaceChipGeometry {
        if case .resnet(let architecture) = self { return architecture.chipGeometry }
        return .dlibFaceRecognition
    }

    public var pairFeature: PairFeature {
        switch self {
        case .koch: return .absoluteDifference
        case .convBlocks, .resnet: return .squaredDifference
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
        case .convBlocks(let architecture): return architecture.jsonString()
        case .resnet(let architecture): return architecture.jsonString()
        }
    }

    /// Whether the weights' names and shapes alone leave the network's function open (a ResNet's input
    /// means and strides, a block network's pooling): then the architecture is part of the weights' digest.
    var digestIncludesArchitecture: Bool {
        if case .koch = self { return false }
        return true
    }

    /// The architecture stored as JSON in a file's metadata, checked; an error naming `path` otherwise.
    public static func stored(in text: String?, path: String) throws -> NetworkArchitecture {
        func checked(_ problem: String?) throws {
            if let problem { throw InputError(path: path, problem: "the stored architecture cannot be built: \(problem)") }
        }
        if let text, text.contains("\"family\"") {
            if let resnet = ResNetArchitecture.fromJSON(text), resnet.family == ResNetArchitecture.familyName {
                try checked(resnet.problem)
                return .resnet(resnet)
            }
            if let blocks = ConvBlockArchitecture.fromJSON(text), blocks.family == ConvBlockArchitecture.familyName {
                try checked(blocks.problem)
                return .convBlocks(blocks)
            }
            struct Family: Decodable { let family: String }
            let family = (try? JSONDecoder().decode(Family.self, from: Data(text.utf8)))?.family ?? "?"
            if [ResNetArchitecture.familyName, ConvBlockArchitecture.familyName].contains(family) {
                throw InputError(path: path, problem: "the stored \(family) architecture has a field missing or a value this version "
                                 + "of facever does not know", nextStep: "use a model this version of facever wrote")
            }
            throw InputError(path: path, problem: "the stored architecture's family '\(TerminalText.escaped(family))' is not one facever knows "
                             + "(\(ResNetArchitecture.familyName), \(ConvBlockArchitecture.familyName))",
                             nextStep: "use a model this version of facever wrote")
        }
        return .koch(try EmbeddingArchitecture.stored(in: text, path: path))
    }
}

/// The embedding branch of a Siamese network, any kind.
public enum EmbeddingBranch: ParameterContainer {
    case koch(EmbeddingNetwork)
    case convBlocks(ConvBlockEmbedding)
    case resnet(ResNetEmbedding)

    init(architecture: NetworkArchitecture, factory: ParameterFactory) throws {
        switch architecture {
        case .koch(let koch): self = .koch(try EmbeddingNetwork(architecture: koch, factory: factory))
        case .convBlocks(let blocks): self = .convBlocks(try ConvBlockEmbedding(architecture: blocks, factory: factory))
        case .resnet(let resnet): self = .resnet(try ResNetEmbedding(architecture: resnet, factory: factory))
        }
    }

    public var architecture: NetworkArchitecture {
        switch self {
        case .koch(let network): return .koch(network.architecture)
        case .convBlocks(let network): return .convBlocks(network.architecture)
        case .resnet(let network): return .resnet(network.architecture)
        }
    }

    public var parameters: [Tensor] {
        switch self {
        case .koch(let network): return network.parameters
        case .convBlocks(let network): return network.parameters
        case .resnet(let network): return network.parameters
        }
    }

    /// images: [N, H, W, C] → [N, E] (`packed`: a Koch network's bfloat16 weights, packed once; `training`: a
    /// block network's norms use the batch's statistics and move their running ones).
    public func callAsFunction(_ images: Tensor, compute: Compute = .standard, packed: EmbeddingNetwork.PackedWeights? = nil,
                               training: Bool = false) -> Tensor {
        switch self {
        case .koch(let network): return network(images, compute: compute, packed: packed)
        case .convBlocks(let network): return network(images, compute: compute, training: training)
        case .resnet(let network): return network(images, compute: compute)
        }
    }
}

/// The architectures users pick by name (`train --architecture`; stored by name in the settings).
public enum ArchitectureName: String, CaseIterable, Sendable {
    case tutorial, omniglot, tiny
    case conv4Omniglot = "conv4-omniglot"
    case conv4Faces = "conv4-faces"
    case conv4FacesSphere = "conv4-faces-sphere"

    public var architecture: NetworkArchitecture {
        switch self {
        case .tutorial: return .koch(.tutorial)
        case .omniglot: return .koch(.omniglot)
        case .tiny: return .koch(.tiny)
        case .conv4Omniglot: return .convBlocks(.conv4Omniglot)
        case .conv4Faces: return .convBlocks(.conv4Faces)
        case .conv4FacesSphere: return .convBlocks(.conv4FacesSphere)
        }
    }
}
