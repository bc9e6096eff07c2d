// Evaluation.swift — embedding held-out photos and scoring the held-out pairs that training recorded.
//
// Each distinct photo is embedded once (pairs share photos: an anchor appears in many pairs); the pairs
// are then scored from those embeddings with the Siamese head, and the same embeddings serve verify's
// rule on the held-out probes (Verifier.scores(of:)).
import Foundation
import Tensor

public enum Evaluation {
    /// The embedding [E] of each photo at `paths` (relative paths in `dataset`), in batches;
    /// `progress(done, total)` follows each batch.
    public static func embeddings(model: InferenceModel, dataset: FaceDataset, paths: [String],
                                  batchSize: Int = InferenceModel.embeddingBatch,
                                  progress: (Int, Int) -> Void = { _, _ in }) throws -> [String: [Float]] {
        let embedder = model.packingDenseWeight(forBatchesOf: min(batchSize, paths.count))
        let indices = try paths.map { path in
            guard let index = dataset.index(of: path) else {
                throw InputError(path: path, problem: "a held-out photo is missing or unreadable",
                                 nextStep: "evaluate needs the photos the model was trained with")
            }
            return index
        }
        let size = model.architecture.embeddingSize
        var embeddings: [String: [Float]] = [:]
        for start in stride(from: 0, to: indices.count, by: batchSize) {
            let end = min(indices.count, start + batchSize)
            let batch = embedder.embeddings(dataset.batch(Array(indices[start..<end]))).data
            for (row, path) in paths[start..<end].enumerated() {
                embeddings[path] = Array(batch[(row * size)..<((row + 1) * size)])
            }
            progress(end, indices.count)
        }
        return embeddings
    }

    /// Same-face probabilities for `pairs`, from the embeddings of their photos.
    public static func scores(model: InferenceModel, pairs: [LabelledPair], embeddings: [String: [Float]]) -> [Float] {
        let size = model.architecture.embeddingSize
        func gather(_ paths: [String]) -> Tensor {
            Tensor(shape: [paths.count, size], data: paths.flatMap { embeddings[$0]! })
        }
        return model.logits(anchorEmbeddings: gather(pairs.map(\.anchor)), otherEmbeddings: gather(pairs.map(\.other)))
            .data.map(logistic)
    }
}
