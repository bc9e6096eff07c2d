// Evaluation.swift — scoring the held-out pairs that training recorded, in batches.
import Foundation
import Tensor

public enum Evaluation {
    /// Same-face probabilities for `pairs`, reading photos (by relative path) from `dataset`.
    public static func scores(network: SiameseNetwork, dataset: FaceDataset, pairs: [LabelledPair], batchSize: Int = 32) throws -> [Float] {
        var scores: [Float] = []
        scores.reserveCapacity(pairs.count)
        for start in stride(from: 0, to: pairs.count, by: batchSize) {
            let batch = pairs[start..<min(pairs.count, start + batchSize)]
            func indices(_ paths: [String]) throws -> [Int] {
                try paths.map { path in
                    guard let index = dataset.index(of: path) else {
                        throw ImageError(path: path, problem: "a held-out photo is missing or unreadable; evaluate needs the photos the model was trained with")
                    }
                    return index
                }
            }
            let anchors = dataset.batch(try indices(batch.map(\.anchor)))
            let others = dataset.batch(try indices(batch.map(\.other)))
            scores += network.scores(anchors: anchors, others: others)
        }
        return scores
    }
}
