// SiameseNetwork.swift — two images in, the probability that they show the same face out.
//
//   anchors, others: [B, H, W, C]  →  embeddings e1, e2: [B, E] (one shared EmbeddingNetwork)
//   logits = Dense(|e1 − e2|): [B, 1],  score = sigmoid(logits)
// Training uses the logits with binaryCrossEntropy(logits:labels:), which is the tutorial's
// sigmoid + BCE computed without overflow. Both branches run as one batch of 2B images.
import Foundation
import Tensor

public final class SiameseNetwork: ParameterContainer {
    public static let formatVersion = "1"

    public let embedding: EmbeddingNetwork
    public let classifier: DenseLayer

    public init(architecture: EmbeddingArchitecture = .tutorial, seed: UInt64 = 0) {
        var generator = RandomGenerator(seed: seed)
        embedding = EmbeddingNetwork(architecture: architecture, generator: &generator)
        classifier = DenseLayer(name: "classifier", inputs: architecture.embeddingSize, outputs: 1, generator: &generator)
    }

    public var architecture: EmbeddingArchitecture { embedding.architecture }
    public var parameters: [Tensor] { embedding.parameters + classifier.parameters }

    /// logits: [B, 1] for pairs (anchors[i], others[i]).
    public func logits(anchors: Tensor, others: Tensor) -> Tensor {
        precondition(anchors.shape == others.shape, "SiameseNetwork: anchors \(anchors.shape) vs others \(others.shape)")
        let batch = anchors.shape[0]
        let both = Tensor(shape: [2 * batch] + Array(anchors.shape.dropFirst()), data: anchors.data + others.data)
        let embeddings = embedding(both)
        return logits(anchorEmbeddings: rows(embeddings, 0..<batch), otherEmbeddings: rows(embeddings, batch..<(2 * batch)))
    }

    /// logits: [B, 1] from embeddings already computed: [B, E] each.
    public func logits(anchorEmbeddings: Tensor, otherEmbeddings: Tensor) -> Tensor {
        classifier(l1Distance(anchorEmbeddings, otherEmbeddings))
    }

    /// Same-face probabilities in (0, 1), one per pair.
    public func scores(anchors: Tensor, others: Tensor) -> [Float] {
        logits(anchors: anchors, others: others).data.map(logistic)
    }

    // MARK: Files

    public func metadata(extra: [String: String] = [:]) -> [String: String] {
        var metadata = extra
        metadata["format"] = "facever-siamese"
        metadata["format_version"] = Self.formatVersion
        metadata["architecture"] = architecture.jsonString()
        return metadata
    }

    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        try SafetensorsArchive(tensors: storedParameters(), metadata: metadata(extra: extra)).write(to: url)
    }

    /// Loads a model file, building the network its metadata describes.
    public static func load(from url: URL) throws -> (network: SiameseNetwork, metadata: [String: String]) {
        let archive = try SafetensorsArchive.read(contentsOf: url)
        guard archive.metadata["format"] == "facever-siamese" else {
            throw SafetensorsError(path: url.path, problem: "not a facever model (metadata 'format' is missing or different)")
        }
        guard let text = archive.metadata["architecture"], let architecture = EmbeddingArchitecture.fromJSON(text) else {
            throw SafetensorsError(path: url.path, problem: "the metadata has no readable 'architecture'")
        }
        let network = SiameseNetwork(architecture: architecture)
        try network.loadParameters(from: archive, path: url.path)
        return (network, archive.metadata)
    }
}
