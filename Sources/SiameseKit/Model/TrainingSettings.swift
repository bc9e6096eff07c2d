// TrainingSettings.swift — what a training run was asked to do; stored in checkpoints and in the model
// (where verify reads the precision it trained in).
import Foundation
import Tensor

public struct TrainingSettings: MetadataJSON, Equatable, Sendable {
    public var architectureName: String
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var pairsPerClass: Int
    public var testFraction: Double
    public var seed: UInt64
    /// How pairs are grouped into batches (files from before this setting existed: `.pairs`).
    public var batches: BatchComposition
    /// The arithmetic of the engine's matrix products (files from before: `.float32`).
    public var precision: MatrixPrecision
    /// How photos from outside were cropped (files from before crop modes were recorded: nil); verify
    /// crops the same way unless told otherwise.
    public var crop: CropMode?
    /// The identities folder of a `train --identities` run (absolute path), nil for the user's own data.
    public var identities: String?
    /// The model_id of the model whose weights the run started from (`train --from`), nil for fresh weights.
    public var initialModel: String?
    /// Few-shot episodes instead of pairs (`train --identities --episodes N`), nil for pairs.
    public var episodes: EpisodeSettings?
    /// The optimizer (OptimizerSchedule.swift); nil is Adam (files from before: Adam).
    public var optimizer: OptimizerName?
    /// Koch's SGD: the momentum it rises to (nil: `standardMomentum`); nil with Adam.
    public var momentum: Float?

    /// The defaults of `facever train` (the tutorial's recipe, with facever's triplet batches; the
    /// precision `train --precision auto` resolves to is decided by PrecisionChoice).
    public static let standard = TrainingSettings(
        architectureName: ArchitectureName.tutorial.rawValue, epochs: 50, batchSize: 16, learningRate: 1e-4,
        pairsPerClass: 3000, testFraction: 0.3, seed: 0, batches: .triplets, precision: .float32, crop: .face)

    public init(architectureName: String, epochs: Int, batchSize: Int, learningRate: Float, pairsPerClass: Int,
                testFraction: Double, seed: UInt64, batches: BatchComposition, precision: MatrixPrecision, crop: CropMode?,
                initialModel: String? = nil, identities: String? = nil) {
        self.architectureName = architectureName
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.pairsPerClass = pairsPerClass
        self.testFraction = testFraction
        self.seed = seed
        self.batches = batches
        self.precision = precision
        self.crop = crop
        self.initialModel = initialModel
        self.identities = identities
    }

    private enum CodingKeys: String, CodingKey {
        case architectureName, epochs, batchSize, learningRate, pairsPerClass, testFraction, seed, batches, precision, crop, initialModel, identities
        case episodes, optimizer, momentum
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        architectureName = try values.decode(String.self, forKey: .architectureName)
        epochs = try values.decode(Int.self, forKey: .epochs)
        batchSize = try values.decode(Int.self, forKey: .batchSize)
        learningRate = try values.decode(Float.self, forKey: .learningRate)
        pairsPerClass = try values.decode(Int.self, forKey: .pairsPerClass)
        testFraction = try values.decode(Double.self, forKey: .testFraction)
        seed = try values.decode(UInt64.self, forKey: .seed)
        batches = try values.decodeIfPresent(BatchComposition.self, forKey: .batches) ?? .pairs
        precision = try values.decodeIfPresent(MatrixPrecision.self, forKey: .precision) ?? .float32
        crop = try values.decodeIfPresent(CropMode.self, forKey: .crop)
        initialModel = try values.decodeIfPresent(String.self, forKey: .initialModel)
        identities = try values.decodeIfPresent(String.self, forKey: .identities)
        episodes = try values.decodeIfPresent(EpisodeSettings.self, forKey: .episodes)
        optimizer = try values.decodeIfPresent(OptimizerName.self, forKey: .optimizer)
        momentum = try values.decodeIfPresent(Float.self, forKey: .momentum)
    }

    public var architecture: NetworkArchitecture? { ArchitectureName(rawValue: architectureName)?.architecture }

    /// The ranges a run may ask for: wide enough for any real run, narrow enough that no count
    /// overflows and no allocation runs away. The CLI and checkpoint reading both check them here.
    public static let epochRange = 1...1_000_000
    public static let batchSizeRange = 1...4096
    public static let pairsPerClassRange = 1...10_000_000

    /// The first setting out of range, as a usage message naming its option, or nil when all are fine.
    public var problem: String? {
        if !Self.epochRange.contains(epochs) { return "--epochs must be at least 1 and at most \(Self.epochRange.upperBound)" }
        if !Self.batchSizeRange.contains(batchSize) { return "--batch must be at least 1 and at most \(Self.batchSizeRange.upperBound)" }
        if batches == .triplets && batchSize % 2 != 0 { return "--batches triplets needs an even --batch (two pairs per triplet)" }
        if !(learningRate.isFinite && learningRate > 0) { return "--learning-rate must be a positive finite number" }
        if !Self.pairsPerClassRange.contains(pairsPerClass) { return "--pairs must be at least 1 and at most \(Self.pairsPerClassRange.upperBound)" }
        if !(testFraction.isFinite && (0..<1).contains(testFraction)) { return "--test-fraction must be in [0, 1)" }
        if architecture == nil {
            return "--architecture must be one of \(ArchitectureName.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if let momentum {
            if optimizer != .kochSGD { return "--momentum is for --optimizer koch-sgd (Adam keeps its own moments)" }
            if !(momentum.isFinite && (0..<1).contains(momentum)) { return "--momentum must be in [0, 1)" }
        }
        if let episodes {
            if let problem = episodes.problem { return problem }
            if architecture?.pairFeature != .squaredDifference {
                return "--episodes trains a network compared by distance: give --architecture conv4-omniglot, conv4-faces or conv4-faces-sphere"
            }
        }
        return nil
    }

    /// Everything but `epochs`, which a resumed run may extend.
    func sameRun(as other: TrainingSettings) -> Bool {
        var mine = self, theirs = other
        mine.epochs = 0
        theirs.epochs = 0
        return mine == theirs
    }
}
