// SiameseNetwork.swift — two images in, the probability that they show the same face out.
//
//   anchors, others: [B, H, W, C]  →  embeddings e1, e2: [B, E] (one shared embedding branch)
//   logits = Dense(|e1 − e2|): [B, 1],  score = sigmoid(logits)
// A ResNet model's head reads (e1 − e2)² instead (PairFeature): with every weight −k and bias k·t² it
// scores σ(k(t² − d²)) for the Euclidean distance d, 0.5 at d = t (DlibImport sets dlib's t = 0.6).
// Training uses the logits with binaryCrossEntropy(logits:labels:), which is the tutorial's
// sigmoid + BCE computed without overflow. Both branches run as one batch of images, each distinct
// photo of a PairBatch once.
import Foundation
import Tensor

public final class SiameseNetwork: ParameterContainer {
    public static let formatVersion = "1"

    public let embedding: EmbeddingBranch
    public let classifier: DenseLayer
    /// What cuts a photo to a landmark-aligned chip, for a network that takes one (dlib's ResNet); nil: photos
    /// are resized whole. Stored in the model file under "landmarks.".
    public let chipper: FaceChipper?

    /// A fresh network with Keras's initialisation drawn from `seed`.
    public convenience init(architecture: EmbeddingArchitecture = .tutorial, seed: UInt64 = 0) {
        try! self.init(architecture: architecture, factory: .glorotUniform(seed: seed))
    }

    public convenience init(architecture: EmbeddingArchitecture, factory: ParameterFactory) throws {
        try self.init(architecture: .koch(architecture), factory: factory)
    }

    public init(architecture: NetworkArchitecture, factory: ParameterFactory, chipper: FaceChipper? = nil) throws {
        embedding = try EmbeddingBranch(architecture: architecture, factory: factory)
        classifier = try DenseLayer(name: "classifier", inputs: architecture.embeddingSize, outputs: 1, factory: factory)
        self.chipper = chipper
    }

    public var architecture: NetworkArchitecture { embedding.architecture }

    /// The picture this network takes, and how a photo becomes it.
    public var inputFormat: InputFormat {
        var format = architecture.inputFormat
        format.chipper = chipper
        return format
    }
    public var parameters: [Tensor] { embedding.parameters + classifier.parameters }

    /// logits: [B, 1] for pairs (anchors[i], others[i]).
    public func logits(anchors: Tensor, others: Tensor, compute: Compute = .standard) -> Tensor {
        logits(PairBatch(anchors: anchors, others: others, labels: [Float](repeating: 0, count: anchors.shape[0])), compute: compute)
    }

    /// logits: [B, 1] for a batch's pairs, each distinct photo embedded once (`training`: as a training step
    /// sees them, EmbeddingBranch).
    public func logits(_ batch: PairBatch, compute: Compute = .standard, training: Bool = false) -> Tensor {
        let embeddings = embedding(batch.photos, compute: compute, training: training)
        return logits(anchorEmbeddings: gatherRows(embeddings, batch.anchorRows),
                      otherEmbeddings: gatherRows(embeddings, batch.otherRows), compute: compute)
    }

    /// logits: [B, 1] from embeddings already computed: [B, E] each.
    public func logits(anchorEmbeddings: Tensor, otherEmbeddings: Tensor, compute: Compute = .standard) -> Tensor {
        switch architecture.pairFeature {
        case .absoluteDifference: return classifier(l1Distance(anchorEmbeddings, otherEmbeddings), compute: compute)
        case .squaredDifference: return classifier(squaredDifference(anchorEmbeddings, otherEmbeddings), compute: compute)
        }
    }

    /// Same-face probabilities in (0, 1), one per pair.
    public func scores(anchors: Tensor, others: Tensor, compute: Compute = .standard) -> [Float] {
        logits(anchors: anchors, others: others, compute: compute).data.map(logistic)
    }

    // MARK: Files

    /// A digest of every parameter's name, shape and bits: equal weights, equal digest.
    public func weightsDigest() -> WeightsDigest { digestAndFirstNonFinite().digest }

    /// The first parameter holding a NaN or an infinity, by name, or nil when every value is finite.
    public func firstNonFiniteParameter() -> String? { digestAndFirstNonFinite().firstNonFinite }

    /// Both at once, in one pass over the weights (a model load needs both).
    /// The landmark predictor's tensors count as weights: an edited tree would move every landmark. So does
    /// a ResNet's architecture, which its weights' shapes do not pin down (input means, strides, the mirror
    /// average): the digest names the function that makes the embeddings, and the gallery cache is keyed on it.
    /// (A Koch network's shapes determine it, and its files' digests stay as they were.)
    private func digestAndFirstNonFinite() -> (digest: WeightsDigest, firstNonFinite: String?) {
        var hasher = WeightsDigest.Hasher()
        var firstNonFinite: String?
        if architecture.digestIncludesArchitecture {
            let text = Array(architecture.jsonString().utf8)
            _ = hasher.combine(name: ModelKeys.architecture, shape: [text.count], values: text.map(Float.init))
        }
        for parameter in parameters {
            let finite = hasher.combine(name: parameter.name!, shape: parameter.shape, values: parameter.data)
            if !finite && firstNonFinite == nil { firstNonFinite = parameter.name! }
        }
        for (name, tensor) in (chipper?.landmarks.storedTensors() ?? [:]).sorted(by: { $0.key < $1.key }) {
            let finite = hasher.combine(name: name, shape: tensor.shape, values: tensor.values)
            if !finite && firstNonFinite == nil { firstNonFinite = name }
        }
        return (hasher.finalize(), firstNonFinite)
    }

    /// Writes the model atomically: parameters, and metadata with the format, the architecture,
    /// the weights' digest (`model_id`) and whatever `extra` adds. Non-finite weights are refused:
    /// such a model would give every face the same embedding and verify everyone.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        let (digest, firstNonFinite) = digestAndFirstNonFinite()
        if let name = firstNonFinite {
            throw InputError(path: url.path, problem: "not saved: parameter '\(name)' holds a NaN or an infinity")
        }
        var metadata = extra
        metadata[ModelKeys.format] = ModelKeys.modelFormat
        metadata[ModelKeys.formatVersion] = Self.formatVersion
        metadata[ModelKeys.architecture] = architecture.jsonString()
        metadata[ModelKeys.modelID] = digest.text
        let landmarks = chipper?.landmarks.storedTensors() ?? [:]
        try SafetensorsArchive(tensors: storedParameters().merging(landmarks) { parameter, _ in parameter }, metadata: metadata).write(to: url)
    }

    /// A model file as read and checked: the network, its metadata, and the digest of the weights
    /// actually loaded.
    public struct File {
        public let network: SiameseNetwork
        public let metadata: [String: String]
        public let weightsDigest: WeightsDigest
    }

    /// The way on from a file that is not a model at all.
    static let nameAModel = "name a model that `facever train` wrote with --model"
    /// The way on from a file that is not even a safetensors file: named by mistake, or a model overwritten.
    static let nameOrTrainAModel = "name a model that `facever train` wrote with --model, or train again if this file was one"

    /// Loads a model file, building the network its metadata describes, and checks it: the
    /// architecture within bounds, every tensor present with its shape, every weight finite, and the
    /// weights equal to the digest saved with them (files from before digests existed carry another
    /// kind of `model_id`, which is kept as it is). Any failure names the file.
    public static func load(from url: URL) throws -> File {
        let archive: SafetensorsArchive
        do {
            archive = try SafetensorsArchive.read(contentsOf: url)
        } catch let error as SafetensorsError {
            if error.isOtherFormat {
                throw InputError(path: url.path, problem: error.problem, nextStep: Self.nameOrTrainAModel)
            }
            let missing = !FileManager.default.fileExists(atPath: url.path)
            throw InputError(error, nextStep: missing ? "train a model first (`facever train`) or name one with --model (a pretrained one: `facever model import-dlib`)"
                                                      : "train the model again or restore the file")
        }
        if archive.metadata[ModelKeys.format] == ModelKeys.checkpointFormat {
            throw InputError(path: url.path, problem: "a training run's checkpoint, not a model",
                             nextStep: "`facever train --resume` continues that run and writes its model when it ends; name the model with --model")
        }
        guard archive.metadata[ModelKeys.format] == ModelKeys.modelFormat else {
            throw InputError(path: url.path, problem: "not a facever model (metadata 'format' is missing or different)",
                             nextStep: Self.nameAModel)
        }
        let architecture = try NetworkArchitecture.stored(in: archive.metadata[ModelKeys.architecture], path: url.path)
        let chipper = try LandmarkPredictor.stored(in: archive.tensors, path: url.path).map {
            try FaceChipper.checked($0, geometry: architecture.chipGeometry, path: url.path, nextStep: "import dlib's models again (Scripts/setup.sh)")
        }
        let network = try SiameseNetwork(architecture: architecture, factory: .stored(in: archive, path: url.path), chipper: chipper)
        let digest = try network.checkedWeights(path: url.path, storedDigest: archive.metadata[ModelKeys.modelID])
        return File(network: network, metadata: archive.metadata, weightsDigest: digest)
    }

    /// The digest of the weights, after checking that they are finite and match `storedDigest`
    /// when it is a digest (checkpoints and models share this check).
    func checkedWeights(path: String, storedDigest: String?) throws -> WeightsDigest {
        let (digest, firstNonFinite) = digestAndFirstNonFinite()
        if let name = firstNonFinite {
            throw InputError(path: path, problem: "parameter '\(name)' holds a NaN or an infinity: the file is damaged or "
                             + "comes from a diverged training run", nextStep: "train again")
        }
        if let storedDigest, let expected = WeightsDigest(text: storedDigest), expected != digest {
            throw InputError(path: path, problem: "the weights do not match the digest saved with them (the file was damaged or edited)",
                             nextStep: "train again or restore the file")
        }
        return digest
    }
}

/// The metadata keys of a model file.
public enum ModelKeys {
    public static let format = "format"
    public static let modelFormat = "facever-siamese"
    /// The `format` of a training run's checkpoint (Training/Checkpoint.swift), which a model file is not.
    public static let checkpointFormat = "facever-checkpoint"
    public static let formatVersion = "format_version"
    public static let architecture = "architecture"
    public static let modelID = "model_id"
    public static let settings = "settings"
    public static let dataFingerprint = "data_fingerprint"
    public static let split = "split"
    public static let detectionThreshold = "detection_threshold"
    public static let verificationThreshold = "verification_threshold"
    public static let thresholdsSource = "thresholds_source"
    public static let epochsTrained = "epochs_trained"
    public static let finalLoss = "final_training_loss"
    public static let history = "history"
    /// The converter's version that wrote an imported model (DlibImport.importVersion).
    public static let importVersion = "import_version"
    /// Where an imported model's weights came from, and under what terms.
    public static let provenance = "provenance"
    public static let licence = "licence"
    /// How photos are cropped for a model without training settings (an imported one).
    public static let crop = "crop"
    /// The descriptor distance an imported model's source calls "the same person".
    public static let descriptorThreshold = "descriptor_distance_threshold"
    /// The precision a model without training settings runs in unless told (an imported one: "auto").
    public static let precision = "precision"
}
