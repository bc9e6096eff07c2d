// TrainedModel.swift — a model file as the commands use it: the network plus what training recorded.
//
// Thresholds "in force" are those stored at training time (0.5 and 0.5 unless chosen otherwise);
// the held-out split lets `evaluate` test exactly the pairs training never saw.
import Foundation
import Tensor

public struct Thresholds: Codable, Equatable, Sendable {
    /// A gallery photo matches when the Siamese score exceeds this.
    public var detection: Float
    /// A probe is verified when the share of matching gallery photos exceeds this.
    public var verification: Float

    /// The tutorial's thresholds, which a model uses until calibrated ones are stored with it.
    public static let standard = Thresholds(detection: 0.5, verification: 0.5)

    public init(detection: Float = Thresholds.standard.detection, verification: Float = Thresholds.standard.verification) {
        self.detection = detection
        self.verification = verification
    }
}

public struct TrainedModel {
    public let url: URL
    public let network: SiameseNetwork
    public let metadata: [String: String]
    /// The digest of the weights as loaded: what the gallery cache is keyed on.
    public let weightsDigest: WeightsDigest
    /// The thresholds stored with the model (0.5 and 0.5 when it stores none).
    public let thresholds: Thresholds

    /// Reads and checks a model file (see SiameseNetwork.load); stored thresholds must be numbers in [0, 1].
    public static func load(from url: URL) throws -> TrainedModel {
        let file = try SiameseNetwork.load(from: url)
        var thresholds = Thresholds()
        for (key, keyPath) in [(ModelKeys.detectionThreshold, \Thresholds.detection),
                               (ModelKeys.verificationThreshold, \Thresholds.verification)] {
            guard let text = file.metadata[key] else { continue }
            guard let value = Float(text), value.isFinite, (0...1).contains(value) else {
                throw InputError(path: url.path, problem: "the stored \(key) '\(text)' is not a number in [0, 1]",
                                 nextStep: "the file is damaged: train again or restore it")
            }
            thresholds[keyPath: keyPath] = value
        }
        return TrainedModel(url: url, network: file.network, metadata: file.metadata, weightsDigest: file.weightsDigest,
                            thresholds: thresholds)
    }

    /// Where the stored thresholds come from: a calibration (`evaluate --target-far F --save` writes
    /// how it was made), or training, which stores the tutorial's.
    public var thresholdsSource: String {
        metadata[ModelKeys.thresholdsSource] ?? "the tutorial's defaults, stored at training"
    }

    /// Rewrites the model file (atomically, keeping its mode) with `thresholds` in force and where they
    /// came from; the weights and everything else stay as they are. Refused when the file now holds
    /// another model than this one (thresholds calibrated for other weights would mean nothing).
    public func savingThresholds(_ thresholds: Thresholds, source: String) throws {
        var archive = try archiveStillHoldingThisModel(redo: "run evaluate --target-far again")
        archive.metadata[ModelKeys.detectionThreshold] = String(thresholds.detection)
        archive.metadata[ModelKeys.verificationThreshold] = String(thresholds.verification)
        archive.metadata[ModelKeys.thresholdsSource] = source
        try archive.write(to: url)
    }

    /// Rewrites the model file (atomically, keeping its mode) with `network`'s weights — this model's own with a
    /// new head (DistanceHead.refitted) — and this model's metadata under the new weights' id. Refused, like
    /// `savingThresholds`, when the file now holds another model than this one.
    public func savingWeights(of network: SiameseNetwork) throws {
        _ = try archiveStillHoldingThisModel(redo: "run model fit-head again")
        try network.save(to: url, metadata: metadata)
    }

    /// The file's archive, when it still holds the model this value was loaded from.
    private func archiveStillHoldingThisModel(redo: String) throws -> SafetensorsArchive {
        let archive = try SafetensorsArchive.read(contentsOf: url)
        guard archive.metadata[ModelKeys.modelID] == metadata[ModelKeys.modelID] else {
            throw InputError(path: url.path, problem: "not saved: the file now holds another model than the one loaded", nextStep: redo)
        }
        return archive
    }

    /// The model's id as saved (its weights' digest; older files: another fingerprint of them).
    public var modelID: String { metadata[ModelKeys.modelID] ?? weightsDigest.text }

    /// The network ready for inference in `precision` (resolve it with PrecisionChoice: the user's
    /// choice, this model's training precision, the CPU).
    public func prepared(for precision: MatrixPrecision) -> InferenceModel {
        InferenceModel(network: network, compute: compute(for: precision))
    }

    /// How the network's products run here in `precision`: the Compute `prepared(for:)` gives it (precision,
    /// float32 kernel, threads), without preparing the weights.
    public func compute(for precision: MatrixPrecision) -> Compute { Compute(precision: precision) }

    /// The precision this model runs in when the user asks for `requested` (nil: nothing).
    public func precision(requested: PrecisionChoice?) throws -> MatrixPrecision {
        if settings == nil, metadata[ModelKeys.precision] == PrecisionChoice.auto.rawValue {
            return try PrecisionChoice.resolve(requested ?? .auto, trained: nil)
        }
        return try PrecisionChoice.resolve(requested, trained: settings?.precision ?? .float32)
    }

    /// One record per epoch of the run that trained it (nil for models from before histories).
    public var history: [EpochRecord]? { TrainingHistory.decode(metadata[ModelKeys.history]) }

    public var split: PairSplit? { metadata[ModelKeys.split].flatMap(PairSplit.fromJSON) }
    public var settings: TrainingSettings? { metadata[ModelKeys.settings].flatMap(TrainingSettings.fromJSON) }

    /// Whether the model carries a landmark predictor that aligns its input (ModelCropping.alignsByLandmarks).
    public var alignsByLandmarks: Bool { network.chipper != nil }

    /// What the model's metadata says about cropping, and whether its landmarks align its input.
    public var cropping: ModelCropping { ModelCropping(metadata: metadata, alignsByLandmarks: alignsByLandmarks) }

    /// The picture the network takes, and how a photo becomes it.
    public var inputFormat: InputFormat { network.inputFormat }
}

/// What a model's file says about how photos are cropped for it; readable from the file's header alone, so
/// that a command can start cropping its photos while the weights load (CropsAhead).
public struct ModelCropping: Equatable, Sendable {
    /// The crop mode training used (nil: an imported model, or one from before crop modes were recorded).
    public let trained: CropMode?
    /// How photos are cropped for the model: as it was trained, or as an imported model says (nil: not recorded).
    public let mode: CropMode?
    /// Whether the model carries a landmark predictor that aligns its input (dlib's ResNet cuts its chip by
    /// five landmarks): then a face crop needs no levelling by the eyes first.
    public let alignsByLandmarks: Bool

    public init(trained: CropMode?, mode: CropMode?, alignsByLandmarks: Bool = false) {
        self.trained = trained
        self.mode = mode
        self.alignsByLandmarks = alignsByLandmarks
    }
}

extension ModelCropping {
    public init(metadata: [String: String], alignsByLandmarks: Bool) {
        let trained = metadata[ModelKeys.settings].flatMap(TrainingSettings.fromJSON)?.crop
        self.init(trained: trained, mode: trained ?? metadata[ModelKeys.crop].flatMap(CropMode.init(rawValue:)),
                  alignsByLandmarks: alignsByLandmarks)
    }

    /// The record in the model file at `url`, from its header; nil when the header cannot be read (loading
    /// the model then says why).
    public static func recorded(inModelAt url: URL) -> ModelCropping? {
        (try? SafetensorsArchive.readHeader(contentsOf: url)).map { header in
            ModelCropping(metadata: header.metadata, alignsByLandmarks: header.tensorNames.contains(LandmarkPredictor.markerTensor))
        }
    }
}
