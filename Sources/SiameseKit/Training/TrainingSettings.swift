// TrainingSettings.swift — what a training run was asked to do; stored in checkpoints and models.
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

    public init(architectureName: String = "tutorial", epochs: Int = 50, batchSize: Int = 16, learningRate: Float = 1e-4,
                pairsPerClass: Int = 3000, testFraction: Double = 0.3, seed: UInt64 = 0) {
        self.architectureName = architectureName
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.pairsPerClass = pairsPerClass
        self.testFraction = testFraction
        self.seed = seed
    }

    public var architecture: EmbeddingArchitecture? { EmbeddingArchitecture.named[architectureName] }

    /// Everything but `epochs`, which a resumed run may extend.
    func sameRun(as other: TrainingSettings) -> Bool {
        var mine = self, theirs = other
        mine.epochs = 0
        theirs.epochs = 0
        return mine == theirs
    }
}

/// Where a run stands: whole epochs done, steps done in the current epoch with their summed loss,
/// and the state of the generator that shuffles the current epoch (so a resumed epoch replays the
/// same order).
public struct TrainingProgress: MetadataJSON, Equatable, Sendable {
    public var epochsDone = 0
    public var stepsDoneInEpoch = 0
    public var epochLossSum: Double = 0
    public var epochPairsSeen = 0
    public var epochShuffleState: [UInt64]
    public var lastEpochLoss: Float?

    public init(seed: UInt64) {
        epochShuffleState = RandomGenerator(seed: seed ^ 0x5EED_E90C).state
    }
}
