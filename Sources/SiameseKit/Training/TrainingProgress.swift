// TrainingProgress.swift — where a training run stands; stored in every checkpoint.
import Foundation
import Tensor

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
    /// One record per finished epoch (checkpoints from before histories: empty).
    public var history: [EpochRecord] = []

    public init(seed: UInt64) {
        epochShuffleState = RandomGenerator(seed: seed ^ 0x5EED_E90C).state
    }

    private enum CodingKeys: String, CodingKey {
        case epochsDone, stepsDoneInEpoch, epochLossSum, epochPairsSeen, epochShuffleState, lastEpochLoss, history
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        epochsDone = try values.decode(Int.self, forKey: .epochsDone)
        stepsDoneInEpoch = try values.decode(Int.self, forKey: .stepsDoneInEpoch)
        epochLossSum = try values.decode(Double.self, forKey: .epochLossSum)
        epochPairsSeen = try values.decode(Int.self, forKey: .epochPairsSeen)
        epochShuffleState = try values.decode([UInt64].self, forKey: .epochShuffleState)
        lastEpochLoss = try values.decodeIfPresent(Float.self, forKey: .lastEpochLoss)
        history = try values.decodeIfPresent([EpochRecord].self, forKey: .history) ?? []
    }

    /// Why this progress cannot be continued with `stepsPerEpoch` steps an epoch, or nil.
    func problem(stepsPerEpoch: Int) -> String? {
        guard epochsDone >= 0, epochsDone <= TrainingSettings.epochRange.upperBound else { return "epochs done \(epochsDone)" }
        guard (0...stepsPerEpoch).contains(stepsDoneInEpoch) else {
            return "step \(stepsDoneInEpoch) of an epoch of \(stepsPerEpoch) steps"
        }
        guard epochPairsSeen >= 0, epochLossSum.isFinite, epochLossSum >= 0, lastEpochLoss?.isFinite ?? true else {
            return "the epoch's loss so far"
        }
        guard RandomGenerator(state: epochShuffleState) != nil else { return "the shuffle state" }
        guard history.count <= epochsDone, history.allSatisfy({ $0.trainingLoss.isFinite && $0.pairsPerSecond.isFinite }) else {
            return "the training history"
        }
        return nil
    }
}
