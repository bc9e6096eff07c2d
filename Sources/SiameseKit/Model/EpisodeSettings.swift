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
    /// Classes an episode with support photos only (`--distractors`): identities too small to be queried
    /// (one photo, for 1-shot episodes) that only stand in the way of the other classes' queries.
    public var distractors: Int
    /// Each quarter turn of an identity is a class of its own (Omniglot's characters; never faces).
    public var quarterTurnClasses: Bool
    /// Koch's random affine distortion of every photo (PictureDistortion).
    public var distortions: Bool
    /// A random left–right flip of every photo.
    public var mirror: Bool
    /// A random contrast and brightness of every photo (PictureDistortion.light).
    public var lighting: Bool
    /// Classes an episode, beyond `classes`, made of one identity photographed too few times to fill a class
    /// (`--exemplars`): its photos repeat, each copy augmented afresh, so a person photographed once is a class
    /// whose query is another view of its support (Dosovitskiy et al.'s exemplar classes).
    public var exemplars: Int
    /// Adam's learning rate halves after this many episodes (Snell et al.: 2,000).
    public var halvingEpisodes: Int
    /// Training stops when the held-out one-shot accuracy has not improved for this many epochs (0: never),
    /// and the model keeps the weights of its best epoch.
    public var patience: Int

    public init(perEpoch: Int, classes: Int, shots: Int, queries: Int, distractors: Int = 0, quarterTurnClasses: Bool, distortions: Bool,
                mirror: Bool, lighting: Bool = false, exemplars: Int = 0, halvingEpisodes: Int = 2000, patience: Int = 0) {
        (self.perEpoch, self.classes, self.shots, self.queries, self.distractors) = (perEpoch, classes, shots, queries, distractors)
        (self.quarterTurnClasses, self.distortions, self.mirror) = (quarterTurnClasses, distortions, mirror)
        (self.lighting, self.exemplars) = (lighting, exemplars)
        (self.halvingEpisodes, self.patience) = (halvingEpisodes, patience)
    }

    private enum CodingKeys: String, CodingKey {
        case perEpoch, classes, shots, queries, distractors, quarterTurnClasses, distortions, mirror, lighting, exemplars, halvingEpisodes
        case patience
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        perEpoch = try values.decode(Int.self, forKey: .perEpoch)
        classes = try values.decode(Int.self, forKey: .classes)
        shots = try values.decode(Int.self, forKey: .shots)
        queries = try values.decode(Int.self, forKey: .queries)
        // Settings from before distractors existed: none.
        distractors = try values.decodeIfPresent(Int.self, forKey: .distractors) ?? 0
        quarterTurnClasses = try values.decode(Bool.self, forKey: .quarterTurnClasses)
        distortions = try values.decode(Bool.self, forKey: .distortions)
        mirror = try values.decode(Bool.self, forKey: .mirror)
        // Settings from before lighting and exemplar classes existed: neither.
        lighting = try values.decodeIfPresent(Bool.self, forKey: .lighting) ?? false
        exemplars = try values.decodeIfPresent(Int.self, forKey: .exemplars) ?? 0
        halvingEpisodes = try values.decode(Int.self, forKey: .halvingEpisodes)
        patience = try values.decode(Int.self, forKey: .patience)
    }

    /// The loss's view: exemplar classes are classes like the others (after them, before the distractors).
    public var shape: EpisodeShape { EpisodeShape(classes: classes + exemplars, shots: shots, queries: queries, distractors: distractors) }

    /// Photos an episode may hold (TrainingSettings.batchSizeRange's bound).
    public static let maximumPhotos = TrainingSettings.batchSizeRange.upperBound

    /// The default learning rate of episode training (Snell et al.'s).
    public static let standardLearningRate: Float = 1e-3

    /// The first setting out of range, as a usage message naming its option, or nil.
    var problem: String? {
        if !(1...1_000_000).contains(perEpoch) { return "--episodes must be at least 1 and at most 1000000" }
        if !(2...1000).contains(classes) { return "--way must be at least 2 and at most 1000" }
        if !(1...100).contains(shots) || !(1...100).contains(queries) { return "--shots and --queries must be in 1...100" }
        if !(0...10_000).contains(distractors) { return "--distractors must be in 0...10000" }
        if !(0...1000).contains(exemplars) { return "--exemplars must be in 0...1000" }
        if exemplars > 0 && !(distortions || mirror || lighting) {
            return "--exemplars needs --augment distort, mirror or light: an exemplar's query is another view of its support"
        }
        // An episode is one batch: the same bound as --batch, so that no option can ask for unbounded memory.
        if (classes + exemplars) * (shots + queries) + distractors * shots > Self.maximumPhotos {
            return "an episode of (--way + --exemplars) × (--shots + --queries) + --distractors × --shots photos must hold at most "
                + "\(Self.maximumPhotos)"
        }
        if !(1...100_000_000).contains(halvingEpisodes) || !(0...1_000_000).contains(patience) { return "--patience must be in 0...1000000" }
        return nil
    }

    /// The learning rate after `episodesDone` episodes.
    func learningRate(base: Float, episodesDone: Int) -> Float {
        base * pow(0.5, Float(episodesDone / halvingEpisodes))
    }
}
