// EpisodeSettings.swift — how `train --identities --episodes N` trains: few-shot episodes with the
// prototypical loss (PrototypicalLoss.swift) instead of labelled pairs; stored in the run's settings.
import Foundation
import Tensor

public struct EpisodeSettings: Codable, Equatable, Sendable {
    /// Episodes an epoch (`--episodes`).
    public var perEpoch: Int
    /// Classes an episode (`--way`), support photos a class (`--shots`), query photos a class (`--queries`).
    public var classes: Int
    public var shots: Int
    public var queries: Int
    /// Each quarter turn of an identity is a class of its own (Omniglot's characters; never faces).
    public var quarterTurnClasses: Bool
    /// Koch's random affine distortion of every photo (PictureDistortion).
    public var distortions: Bool
    /// A random left–right flip of every photo.
    public var mirror: Bool
    /// Adam's learning rate halves after this many episodes (Snell et al.: 2,000).
    public var halvingEpisodes: Int
    /// Training stops when the held-out one-shot accuracy has not improved for this many epochs (0: never),
    /// and the model keeps the weights of its best epoch.
    public var patience: Int

    public init(perEpoch: Int, classes: Int, shots: Int, queries: Int, quarterTurnClasses: Bool, distortions: Bool, mirror: Bool,
                halvingEpisodes: Int = 2000, patience: Int = 0) {
        (self.perEpoch, self.classes, self.shots, self.queries) = (perEpoch, classes, shots, queries)
        (self.quarterTurnClasses, self.distortions, self.mirror) = (quarterTurnClasses, distortions, mirror)
        (self.halvingEpisodes, self.patience) = (halvingEpisodes, patience)
    }

    public var shape: EpisodeShape { EpisodeShape(classes: classes, shots: shots, queries: queries) }

    /// The default learning rate of episode training (Snell et al.'s).
    public static let standardLearningRate: Float = 1e-3

    /// The first setting out of range, as a usage message naming its option, or nil.
    var problem: String? {
        if !(1...1_000_000).contains(perEpoch) { return "--episodes must be at least 1 and at most 1000000" }
        if !(2...1000).contains(classes) { return "--way must be at least 2 and at most 1000" }
        if !(1...100).contains(shots) || !(1...100).contains(queries) { return "--shots and --queries must be in 1...100" }
        if !(1...100_000_000).contains(halvingEpisodes) || !(0...1_000_000).contains(patience) { return "--patience must be in 0...1000000" }
        return nil
    }

    /// The learning rate after `episodesDone` episodes.
    func learningRate(base: Float, episodesDone: Int) -> Float {
        base * pow(0.5, Float(episodesDone / halvingEpisodes))
    }
}
