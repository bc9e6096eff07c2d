// EpisodeSampler.swift — few-shot episodes drawn from the training identities of a `train --identities` run.
//
// An episode is W classes, each with S support and Q query photos (EpisodeShape), drawn without repeats, then
// E exemplar classes of identities with fewer than S+Q photos (their photos repeated, each copy augmented
// afresh), then D distractor classes of S support photos from other identities (supports only):
//   photos: [(W+E)·(S+Q) + D·S, H, W, C], class-major (PrototypicalLoss.swift's layout)
// A class is an identity with at least S+Q photos, or, with quarter-turn classes, an identity turned by
// k·90° (k = 0…3: four classes an identity). Each photo may then be mirrored, distorted and lit anew
// (PictureDistortion). Episode `number` of a run is drawn from its own generator, seeded by the run's seed
// and the number, so a resumed run draws exactly the episodes it would have drawn.
import Foundation
import Tensor

public struct EpisodeSampler {
    let dataset: FaceDataset
    let settings: EpisodeSettings
    let seed: UInt64
    /// Photo indices of each identity that can fill a class.
    let identities: [[Int]]
    /// Photo indices of each identity that can be a distractor (at least S photos); `identities` are among them.
    let distractorIdentities: [[Int]]
    /// Photo indices of each identity too small for a class (1 ≤ photos < S+Q): the exemplar classes' pool.
    let exemplarIdentities: [[Int]]

    /// The sampler over `dataset`'s identities but those held out (split.testSources' "identity:NAME").
    public init(dataset: FaceDataset, heldOut: [String], settings: EpisodeSettings, seed: UInt64) throws {
        let excluded = Identities.heldOut(heldOut)
        let byIdentity = Identities.photosByIdentity(dataset).filter { !excluded.contains($0.key) }
        let training = byIdentity.keys.sorted().map { byIdentity[$0]!.map { dataset.index(of: $0)! } }
        identities = training.filter { $0.count >= settings.shots + settings.queries }
        distractorIdentities = training.filter { $0.count >= settings.shots }
        exemplarIdentities = training.filter { !$0.isEmpty && $0.count < settings.shots + settings.queries }
        let classes = identities.count * (settings.quarterTurnClasses ? 4 : 1)
        guard classes >= settings.classes else {
            throw InputError(path: nil, problem: "\(settings.classes)-way episodes need \(settings.classes) training classes with "
                             + "\(settings.shots + settings.queries) photos each; these identities give \(classes)",
                             nextStep: "lower --way, --shots or --queries, or add identities")
        }
        guard exemplarIdentities.count >= settings.exemplars else {
            throw InputError(path: nil, problem: "\(settings.exemplars) exemplar classes an episode need as many training identities with "
                             + "fewer than \(settings.shots + settings.queries) photos; these give \(exemplarIdentities.count)",
                             nextStep: "lower --exemplars, or add identities")
        }
        let shown = settings.classes + settings.exemplars
        guard settings.distractors == 0 || distractorIdentities.count >= shown + settings.distractors else {
            throw InputError(path: nil, problem: "\(shown) classes and \(settings.distractors) distractors an episode need "
                             + "\(shown + settings.distractors) training identities; these give \(distractorIdentities.count)",
                             nextStep: "lower --way, --exemplars or --distractors, or add identities")
        }
        let side = dataset.input.shape
        if settings.quarterTurnClasses && side[0] != side[1] {
            throw InputError(path: nil, problem: "quarter-turn classes need square pictures", nextStep: "choose another --augment")
        }
        (self.dataset, self.settings, self.seed) = (dataset, settings, seed)
    }

    /// Classes an epoch can draw from.
    public var classCount: Int { identities.count * (settings.quarterTurnClasses ? 4 : 1) }

    /// Episode `number` of the run: [W·(S+Q), H, W, C].
    public func episode(_ number: Int) -> Tensor {
        let (photos, turns, drawGenerator) = draw(number)
        var generator = drawGenerator
        let batch = dataset.batch(photos)
        let shape = dataset.input.shape, size = dataset.input.valueCount
        for (slot, turn) in turns.enumerated() {
            var picture = batch.data[(slot * size)..<((slot + 1) * size)]
            PictureDistortion.turn(&picture, side: shape[0], channels: shape[2], quarterTurns: turn)
            if settings.mirror && generator.next() % 2 == 0 {
                PictureDistortion.mirror(&picture, height: shape[0], width: shape[1], channels: shape[2])
            }
            if settings.distortions {
                PictureDistortion.apply(.random(using: &generator), to: &picture, height: shape[0], width: shape[1], channels: shape[2])
            }
            if settings.lighting {
                let (contrast, brightness) = PictureDistortion.randomLight(using: &generator)
                PictureDistortion.light(&picture, contrast: contrast, brightness: brightness)
            }
            batch.data.replaceSubrange((slot * size)..<((slot + 1) * size), with: picture)
        }
        return batch
    }

    /// Which photos episode `number` shows (dataset indices, class-major, distractors last) and each one's
    /// quarter turns, with the generator that then draws the photos' augmentations.
    func draw(_ number: Int) -> (photos: [Int], turns: [Int], generator: RandomGenerator) {
        var generator = RandomGenerator(seed: seed ^ (0xE915_0DE5 &* UInt64(number + 1)))
        var classes = Array(0..<classCount)
        // A partial Fisher–Yates shuffle: the first W are the episode's classes.
        for slot in 0..<settings.classes {
            let pick = slot + Int(generator.next() % UInt64(classes.count - slot))
            classes.swapAt(slot, pick)
        }
        var photos: [Int] = [], turns: [Int] = []
        let turnsPerIdentity = settings.quarterTurnClasses ? 4 : 1
        for chosen in classes.prefix(settings.classes) {
            var members = identities[chosen / turnsPerIdentity]
            for slot in 0..<(settings.shots + settings.queries) {
                let pick = slot + Int(generator.next() % UInt64(members.count - slot))
                members.swapAt(slot, pick)
                photos.append(members[slot])
                turns.append(chosen % turnsPerIdentity)
            }
        }
        // Exemplar classes: identities too small for a class, their photos in a random order, repeated to fill it.
        var exemplarPool = Array(exemplarIdentities.indices)
        for slot in 0..<settings.exemplars {
            let pick = slot + Int(generator.next() % UInt64(exemplarPool.count - slot))
            exemplarPool.swapAt(slot, pick)
            var members = exemplarIdentities[exemplarPool[slot]]
            for index in members.indices {
                members.swapAt(index, index + Int(generator.next() % UInt64(members.count - index)))
            }
            let turn = Int(generator.next() % UInt64(turnsPerIdentity))
            for index in 0..<(settings.shots + settings.queries) {
                photos.append(members[index % members.count])
                turns.append(turn)
            }
        }
        guard settings.distractors > 0 else { return (photos, turns, generator) }
        // Distractors: identities none of the episode's classes shows (by their first photo, which no two share).
        let shown = Set(classes.prefix(settings.classes).map { identities[$0 / turnsPerIdentity][0] }
                        + exemplarPool.prefix(settings.exemplars).map { exemplarIdentities[$0][0] })
        var pool = distractorIdentities.indices.filter { !shown.contains(distractorIdentities[$0][0]) }
        for slot in 0..<settings.distractors {
            let pick = slot + Int(generator.next() % UInt64(pool.count - slot))
            pool.swapAt(slot, pick)
            var members = distractorIdentities[pool[slot]]
            let turn = Int(generator.next() % UInt64(turnsPerIdentity))
            for shot in 0..<settings.shots {
                let choice = shot + Int(generator.next() % UInt64(members.count - shot))
                members.swapAt(shot, choice)
                photos.append(members[shot])
                turns.append(turn)
            }
        }
        return (photos, turns, generator)
    }
}
