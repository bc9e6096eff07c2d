// SiameseNetwork.swift — two images in, the probability that they show the same face out.
//
//   anchors, others: [B, H, W, C]  →  embeddings e1, e2: [B, E] (one shared EmbeddingNetwork)
//   logits = Dense(|e1 − e2|): [B, 1],  score = sigmoid(logits)
// Training uses the logits with binaryCrossEntropy(logits:labels:), which is the tutorial's
// sigmoid + BCE computed without overflow. Both branches run as one batch of images, each distinct
// photo of a PairBatch once.
import Foundation
import Tensor

public final class SiameseNetwork: ParameterContainer {
    public static let formatVersion = "1"

    public let embedding: EmbeddingNetwork
    public let classifier: DenseLayer

    /// A fresh network with Keras's initialisation drawn from `seed`.
    public convenience init(architecture: EmbeddingArchitecture = .tutorial, seed: UInt64 = 0) {
        try! self.init(architecture: architecture, factory: .glorotUniform(seed: seed))
    }

    public init(architecture: EmbeddingArchitecture, factory: ParameterFactory) throws {
        embedding = try EmbeddingNetwork(architecture: architecture, factory: factory)
        classifier = try DenseLayer(name: "classifier", inputs: architecture.embeddingSize, outputs: 1, factory: factory)
    }

    public var architecture: EmbeddingArchitecture { embedding.architecture }
    public var parameters: [Tensor] { embedding.parameters + classifier.parameters }

    /// logits: [B, 1] for pairs (anchors[i], others[i]).
    public func logits(anchors: Tensor, others: Tensor) -> Tensor {
        logits(PairBatch(anchors: anchors, others: others, labels: [Float](repeating: 0, count: anchors.shape[0])))
    }

    /// logits: [B, 1] for a batch's pairs, each distinct photo embedded once.
    public func logits(_ batch: PairBatch) -> Tensor {
        let embeddings = embedding(batch.photos)
        return logits(anchorEmbeddings: gatherRows(embeddings, batch.anchorRows),
                      otherEmbeddings: gatherRows(embeddings, batch.otherRows))
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

    /// A fingerprint of every parameter's name, shape and bits: equal weights, equal id.
    public func weightsFingerprint() -> ContentHash {
        var hasher = ContentHash.Hasher64()
        for parameter in parameters {
            hasher.combine("\(parameter.name!)\(parameter.shape)")
            parameter.data.withUnsafeBytes { hasher.combine(Data($0)) }
        }
        return hasher.finalize()
    }

    /// Writes the model atomically: parameters, and metadata with the format, the architecture,
    /// the weights' fingerprint (`model_id`) and whatever `extra` adds.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        var metadata = extra
        metadata[ModelKeys.format] = ModelKeys.modelFormat
        metadata[ModelKeys.formatVersion] = Self.formatVersion
        metadata[ModelKeys.architecture] = architecture.jsonString()
        metadata[ModelKeys.modelID] = weightsFingerprint().hex
        try SafetensorsArchive(tensors: storedParameters(), metadata: metadata).write(to: url)
    }

    /// Loads a model file, building the network its metadata describes.
    public static func load(from url: URL) throws -> (network: SiameseNetwork, metadata: [String: String]) {
        let archive = try SafetensorsArchive.read(contentsOf: url)
        guard archive.metadata[ModelKeys.format] == ModelKeys.modelFormat else {
            throw SafetensorsError(path: url.path, problem: "not a facever model (metadata 'format' is missing or different)")
        }
        guard let text = archive.metadata[ModelKeys.architecture], let architecture = EmbeddingArchitecture.fromJSON(text) else {
            throw SafetensorsError(path: url.path, problem: "the metadata has no readable 'architecture'")
        }
        let network = try SiameseNetwork(architecture: architecture, factory: .stored(in: archive, path: url.path))
        return (network, archive.metadata)
    }
}

/// The metadata keys of a model file.
public enum ModelKeys {
    public static let format = "format"
    public static let modelFormat = "facever-siamese"
    public static let formatVersion = "format_version"
    public static let architecture = "architecture"
    public static let modelID = "model_id"
    public static let settings = "settings"
    public static let dataFingerprint = "data_fingerprint"
    public static let split = "split"
    public static let detectionThreshold = "detection_threshold"
    public static let verificationThreshold = "verification_threshold"
    public static let epochsTrained = "epochs_trained"
    public static let finalLoss = "final_training_loss"
}
