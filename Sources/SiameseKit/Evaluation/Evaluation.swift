// Evaluation.swift — scoring the held-out pairs that training recorded.
//
// Each distinct photo is embedded once (pairs share photos: an anchor appears in many pairs), then
// every pair is scored from the two embeddings with the Siamese head.
import Foundation
import Tensor

public enum Evaluation {
    /// Same-face probabilities for `pairs`, reading photos (by relative path) from `dataset`.
    public static func scores(model: InferenceModel, dataset: FaceDataset, pairs: [LabelledPair], batchSize: Int = 32) throws -> [Float] {
        let embedder = model.packingDenseWeight()
        let paths = Array(Set(pairs.flatMap { [$0.anchor, $0.other] })).sorted()
        let indices = try paths.map { path in
            guard let index = dataset.index(of: path) else {
                throw InputError(path: path, problem: "a held-out photo is missing or unreadable; evaluate needs the photos the model was trained with")
            }
            return index
        }
        // [photos, E]: one embedding per distinct photo, in `paths` order.
        let size = model.architecture.embeddingSize
        var embeddings = [Float]()
        embeddings.reserveCapacity(paths.count * size)
        for start in stride(from: 0, to: indices.count, by: batchSize) {
            embeddings += embedder.embeddings(dataset.batch(Array(indices[start..<min(indices.count, start + batchSize)]))).data
        }
        let row = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
        func gather(_ paths: [String]) -> Tensor {
            var values = [Float]()
            values.reserveCapacity(paths.count * size)
            for path in paths { values += embeddings[(row[path]! * size)..<((row[path]! + 1) * size)] }
            return Tensor(shape: [paths.count, size], data: values)
        }
        return model.logits(anchorEmbeddings: gather(pairs.map(\.anchor)), otherEmbeddings: gather(pairs.map(\.other)))
            .data.map(logistic)
    }
}
