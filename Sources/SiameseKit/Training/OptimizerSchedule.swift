// OptimizerSchedule.swift — the optimizer a run's settings ask for, and its learning rate and momentum before
// each update.
//
//   adam       the settings' rate; with episodes, halved every `halvingEpisodes` episodes (Snell et al.)
//   koch-sgd   SGD with momentum as Koch et al. (2015) train: η_e = η·0.99^e in epoch e (counted from 0: 1 %
//              decay an epoch), μ_e = 0.5 + (μ − 0.5)·e / 10 until it reaches the settings' μ (Koch: "starting
//              at 0.5 ... increasing linearly each epoch until reaching μ_j"; how fast they do not say: here
//              in 10 epochs). Koch's per-layer rates, momenta and L2 weights came from a Bayesian search this
//              project cannot repeat; every layer shares one η and one μ here.
import Foundation
import Tensor

public enum OptimizerName: String, Codable, CaseIterable, Sendable {
    case adam
    case kochSGD = "koch-sgd"
}

extension TrainingSettings {
    /// The momentum Koch's SGD rises to when the run names none.
    public static let standardMomentum: Float = 0.9
    /// Epochs over which Koch's SGD momentum rises from 0.5 to its final value.
    static let momentumRampEpochs = 10

    /// The optimizer these settings ask for, before any update.
    func makeOptimizer() -> any Optimizer {
        let made: any Optimizer = optimizer == .kochSGD ? MomentumSGD(learningRate: 0, momentum: 0) : Adam()
        schedule(made, epoch: 0, episodesDone: 0)
        return made
    }

    /// The state tensors of the optimizer these settings ask for, to check a checkpoint's.
    var optimizerType: any Optimizer.Type {
        switch optimizer ?? .adam {
        case .adam: return Adam.self
        case .kochSGD: return MomentumSGD.self
        }
    }

    /// Sets `optimizer`'s rate (and momentum) for the next update: in epoch `epoch` (from 0), after
    /// `episodesDone` episodes (0 for pair runs).
    func schedule(_ optimizer: any Optimizer, epoch: Int, episodesDone: Int) {
        optimizer.learningRate = scheduledLearningRate(epoch: epoch, episodesDone: episodesDone)
        if let sgd = optimizer as? MomentumSGD { sgd.momentum = scheduledMomentum(epoch: epoch) }
    }

    /// The learning rate of the next update, in epoch `epoch` (from 0) after `episodesDone` episodes.
    func scheduledLearningRate(epoch: Int, episodesDone: Int) -> Float {
        switch optimizer ?? .adam {
        case .adam: return episodes?.learningRate(base: learningRate, episodesDone: episodesDone) ?? learningRate
        case .kochSGD: return learningRate * pow(0.99, Float(epoch))
        }
    }

    /// Koch's SGD's momentum in epoch `epoch` (from 0); a final μ of 0.5 or less holds from the start.
    func scheduledMomentum(epoch: Int) -> Float {
        let final = momentum ?? Self.standardMomentum
        guard final > 0.5 else { return final }
        return min(final, 0.5 + (final - 0.5) * Float(epoch) / Float(Self.momentumRampEpochs))
    }
}
