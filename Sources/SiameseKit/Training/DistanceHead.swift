// DistanceHead.swift — the Siamese head of a network trained on episodes, fitted to its distances.
//
// Episode training (PrototypicalLoss) shapes the embedding so that a photo lies nearer its own identity than
// any other; it never trains the head. Verification needs a score in (0, 1) with 0.5 meaning "as likely the
// same as not", so the head over (e1 − e2)² is set to σ(b − a·d²) — every weight −a, bias b — with a and b
// fitted by logistic regression (Newton's method) on labelled training pairs. A score is then a decreasing
// function of the distance alone, and an N-way choice by score is the nearest neighbour in the embedding.
import Foundation
import Tensor

enum DistanceHead {
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

    /// Sets `network`'s head to σ(b − a·d²) from pairs of embeddings [B, E] each.
    static func fit(_ network: SiameseNetwork, anchors: Tensor, others: Tensor, labels: [Float]) {
        let size = anchors.shape[1]
        let distances = (0..<labels.count).map { row in
            (0..<size).reduce(0.0) { sum, d in
                let difference = Double(anchors.data[row * size + d] - others.data[row * size + d])
                return sum + difference * difference
            }
        }
        guard let (slope, bias) = fit(squaredDistances: distances, labels: labels) else { return }
        network.classifier.weight.data = [Float](repeating: Float(-slope), count: network.classifier.weight.count)
        network.classifier.bias.data = [Float(bias)]
    }
}
