// DistanceHead.swift — the Siamese head of a network trained on episodes, fitted to its distances.
//
// Episode training (PrototypicalLoss) shapes the embedding so that a photo lies nearer its own identity than
// any other; it never trains the head. Verification needs a score in (0, 1) with 0.5 meaning "as likely the
// same as not", so the head over (e1 − e2)² is set to σ(b − a·d²) — every weight −a, bias b — with a and b
// fitted by logistic regression (Newton's method) on labelled pairs. A score is then a decreasing function of
// the distance alone, and an N-way choice by score is the nearest neighbour in the embedding.
//
// The pairs are the held-out identities' (people the network never trained on): distances between photos it
// trained on are shorter than between photos of people it never saw, so a head fitted on training pairs says
// "same" too rarely to unseen people (the README's LFW figures show what that cost). Fitted on unseen people,
// 0.5 means what verify takes it to mean for the people it will meet.
import Foundation
import Tensor

public enum DistanceHead {
    /// Fits a and b to squared distances with labels (1 same, 0 different); nil without both kinds.
    static func fit(squaredDistances: [Double], labels: [Float]) -> (slope: Double, bias: Double)? {
        guard labels.contains(1), labels.contains(0) else { return nil }
        // Distances scaled to mean 1 keep Newton's steps well conditioned whatever the embedding's scale.
        let scale = max(squaredDistances.reduce(0, +) / Double(squaredDistances.count), 1e-12)
        let x = squaredDistances.map { $0 / scale }
        var (w, b) = (-1.0, 1.0)  // logit = b + w·x
        // A small ridge keeps the fit finite when the two kinds of pair are perfectly separated.
        let ridge = 1e-3
        for _ in 0..<50 {
            var (gw, gb, hww, hwb, hbb) = (ridge * w, 0.0, ridge, 0.0, 0.0)
            for (value, label) in zip(x, labels) {
                let p = 1 / (1 + exp(-(b + w * value))), r = p - Double(label), v = max(p * (1 - p), 1e-12)
                gw += r * value; gb += r
                hww += v * value * value; hwb += v * value; hbb += v
            }
            let determinant = hww * hbb - hwb * hwb
            guard determinant > 0 else { break }
            let (dw, db) = ((hbb * gw - hwb * gb) / determinant, (hww * gb - hwb * gw) / determinant)
            (w, b) = (w - dw, b - db)
            if abs(dw) + abs(db) < 1e-9 { break }
        }
        guard w.isFinite, b.isFinite, w < 0 else { return nil }
        return (-w / scale, b)
    }

    /// Sets `network`'s head to σ(b − a·d²) from pairs of embeddings [B, E] each; false (the head unchanged)
    /// when no decreasing fit exists.
    @discardableResult
    static func fit(_ network: SiameseNetwork, anchors: Tensor, others: Tensor, labels: [Float]) -> Bool {
        let size = anchors.shape[1]
        let distances = (0..<labels.count).map { row in
            (0..<size).reduce(0.0) { sum, d in
                let difference = Double(anchors.data[row * size + d] - others.data[row * size + d])
                return sum + difference * difference
            }
        }
        guard let (slope, bias) = fit(squaredDistances: distances, labels: labels) else { return false }
        network.classifier.weight.data = [Float](repeating: Float(-slope), count: network.classifier.weight.count)
        network.classifier.bias.data = [Float(bias)]
        return true
    }

    /// How many pairs the head is fitted on (the held-out side's first ones).
    static let maximumFittingPairs = 512

    /// The pairs to fit the head on: the held-out identities' first `maximumFittingPairs`, or — when that side lacks
    /// same or different pairs (a run with no or very few held-out identities) — the training side's.
    static func fittingPairs(of split: PairSplit) -> [LabelledPair] {
        let heldOut = Array(split.test.prefix(maximumFittingPairs))
        if heldOut.contains(where: { $0.label == 1 }) && heldOut.contains(where: { $0.label == 0 }) { return heldOut }
        return Array(split.train.prefix(maximumFittingPairs))
    }

    /// A model trained on identities with its head fitted again on its held-out identities, as episode training
    /// fits it now (models from before fitted it on training pairs): the same embedding, the new head, and
    /// the model's metadata. `heldOut` is the model's held-out set (its embeddings in the model's precision).
    /// Returns the model's network (a reference: its head is changed in place).
    public static func refitted(_ model: TrainedModel, heldOut: HeldOutSet) throws -> SiameseNetwork {
        guard model.settings?.episodes != nil, let split = model.split else {
            throw InputError(path: model.url.path, problem: "the model was not trained on episodes of identities: its head is trained, not fitted",
                             nextStep: "fit-head is for models of `train --identities --episodes`")
        }
        let pairs = fittingPairs(of: split)
        guard pairs.allSatisfy({ heldOut.embeddings[$0.anchor] != nil && heldOut.embeddings[$0.other] != nil }) else {
            throw InputError(path: model.url.path, problem: "the held-out identities do not have both same and different pairs",
                             nextStep: "train with a larger --test-fraction")
        }
        let size = model.network.architecture.embeddingSize
        func gather(_ paths: [String]) -> Tensor { Tensor(shape: [paths.count, size], data: paths.flatMap { heldOut.embeddings[$0]! }) }
        let network = model.network
        guard fit(network, anchors: gather(pairs.map(\.anchor)), others: gather(pairs.map(\.other)), labels: pairs.map(\.label)) else {
            throw InputError(path: model.url.path, problem: "the held-out pairs' distances do not separate same from different",
                             nextStep: "train the model longer")
        }
        return network
    }
}
