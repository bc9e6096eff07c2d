// ModelDescription.swift — what a model file holds, gathered for `facever model info`: its network, how it
// was made (trained here, with what settings; or imported, from where, under what licence), the
// thresholds in force and where they come from, and how this machine would run it.
//
// Everything but `runsHere` comes from the file, loaded whole, so a file whose weights do not match their
// id is refused before anything is described (TrainedModel.load). `runsHere` is what `verify` would use
// with no `--precision`: the model's precision resolved on this CPU, its products' kernel and threads.
import Foundation
import Tensor

public struct ModelDescription: Sendable {
    /// What the network is, from its architecture.
    public struct Network: Sendable {
        /// The `--architecture` name it was built as (tutorial, tiny, conv4-faces, …), or its family
        /// ("resnet") when it is no architecture facever trains.
        public let name: String
        public let input: InputFormat
        public let embeddingSize: Int
        /// Parameters of the embedding and the head (a landmark predictor's trees not counted).
        public let parameters: Int
        public let pairFeature: PairFeature
        /// It cuts its input from the photo by its own five landmarks (dlib's ResNet).
        public let alignsByLandmarks: Bool
        /// Each descriptor is averaged with its mirror image's (a ResNet's; nil for the others).
        public let mirrorAverage: Bool?
        /// What the face chip shows past the photo's edge (a ResNet's; nil for the others).
        public let chipBorder: ChipBorder?
    }

    /// Where an imported model came from.
    public struct Provenance: Sendable {
        public let source: String
        public let licence: String?
        /// The converter's version that wrote the file.
        public let importVersion: String?
    }

    public let path: String
    public let bytes: Int64
    public let modelID: String
    public let network: Network
    /// How photos from outside are cropped for it (nil: not recorded, an old file).
    public let crop: CropMode?
    public let thresholds: Thresholds
    public let thresholdsSource: String
    /// The descriptor distance an imported model's head maps to score 0.5.
    public let descriptorThreshold: Double?
    /// What its training run was asked to do (nil: imported, or made before settings were stored).
    public let settings: TrainingSettings?
    /// Pairs the training run used, and those it held out for `evaluate` (nil: no split recorded).
    public let trainingPairs: Int?, heldOutPairs: Int?
    /// Epochs in the recorded history, and the last epoch's training loss.
    public let epochsRecorded: Int?
    public let finalLoss: Double?
    public let provenance: Provenance?
    /// How it runs here unless `--precision` says otherwise: its precision resolved on this CPU, the kernel of
    /// its float32 products, the threads (what `verify` would use).
    public let runsHere: Compute

    /// Loads and checks the model at `url` and describes it, naming it `shownAs` (the path as the user gave
    /// it; by default the URL's path). Errors: TrainedModel.load's.
    public init(modelAt url: URL, shownAs: String? = nil) throws {
        try self.init(TrainedModel.load(from: url), shownAs: shownAs)
    }

    public init(_ model: TrainedModel, shownAs: String? = nil) throws {
        let metadata = model.metadata, architecture = model.network.architecture
        path = shownAs ?? model.url.path
        bytes = ((try? FileManager.default.attributesOfItem(atPath: model.url.path)[.size]) as? NSNumber)?.int64Value ?? 0
        modelID = model.modelID
        var resnet: ResNetArchitecture?
        if case .resnet(let value) = architecture { resnet = value }
        network = Network(
            name: ArchitectureName.allCases.first { $0.architecture == architecture }?.rawValue
                ?? resnet?.family ?? model.settings?.architectureName ?? "unnamed",
            input: architecture.inputFormat, embeddingSize: architecture.embeddingSize,
            parameters: model.network.parameterCount, pairFeature: architecture.pairFeature,
            alignsByLandmarks: model.alignsByLandmarks, mirrorAverage: resnet.map { $0.mirrorAverage == true },
            chipBorder: resnet.map { $0.chipBorder ?? .black })
        crop = model.cropping.mode
        thresholds = model.thresholds
        thresholdsSource = model.thresholdsSource
        descriptorThreshold = metadata[ModelKeys.descriptorThreshold].flatMap(Double.init)
        settings = model.settings
        trainingPairs = model.split?.train.count
        heldOutPairs = model.split?.test.count
        let history = model.history
        epochsRecorded = history?.count ?? metadata[ModelKeys.epochsTrained].flatMap(Int.init)
        finalLoss = history?.last?.trainingLoss ?? metadata[ModelKeys.finalLoss].flatMap(Double.init)
        provenance = metadata[ModelKeys.provenance].map {
            Provenance(source: $0, licence: metadata[ModelKeys.licence], importVersion: metadata[ModelKeys.importVersion])
        }
        runsHere = model.compute(for: try model.precision(requested: nil))
    }
}
