// PairBatch.swift — a batch of labelled pairs over its distinct photos.
//
//   photos: [U, H, W, C]   every photo the batch uses, once (anchors first, then the others)
//   anchorRows, otherRows: [B]   pair i is (photos[anchorRows[i]], photos[otherRows[i]])
//   labels: [B]            1 same face, 0 different
// SiameseNetwork embeds the U photos once and gathers the rows of each side, so a photo shared by
// several pairs (an anchor in a triplet) costs one embedding, and its gradient sums over its pairs.
import Tensor

public struct PairBatch {
    public let photos: Tensor
    public let anchorRows: [Int]
    public let otherRows: [Int]
    public let labels: [Float]

    public init(photos: Tensor, anchorRows: [Int], otherRows: [Int], labels: [Float]) {
        precondition(anchorRows.count == labels.count && otherRows.count == labels.count,
                     "PairBatch: \(anchorRows.count) anchors, \(otherRows.count) others, \(labels.count) labels")
        self.photos = photos
        self.anchorRows = anchorRows
        self.otherRows = otherRows
        self.labels = labels
    }

    /// Pairs given as two aligned image batches: 2B photos, no sharing.
    public init(anchors: Tensor, others: Tensor, labels: [Float]) {
        precondition(anchors.shape == others.shape, "PairBatch: anchors \(anchors.shape) vs others \(others.shape)")
        let batch = anchors.shape[0]
        let photos = Tensor(shape: [2 * batch] + Array(anchors.shape.dropFirst()), data: anchors.data + others.data)
        self.init(photos: photos, anchorRows: Array(0..<batch), otherRows: Array(batch..<(2 * batch)), labels: labels)
    }

    /// The batch of `pairs`, each distinct photo path loaded once by `load` (paths → [U, H, W, C]).
    public init(pairs: [LabelledPair], load: ([String]) -> Tensor) {
        var paths: [String] = [], rowOfPath: [String: Int] = [:]
        func row(_ path: String) -> Int {
            if let row = rowOfPath[path] { return row }
            rowOfPath[path] = paths.count
            paths.append(path)
            return paths.count - 1
        }
        let anchorRows = pairs.map { row($0.anchor) }
        let otherRows = pairs.map { row($0.other) }
        self.init(photos: load(paths), anchorRows: anchorRows, otherRows: otherRows, labels: pairs.map(\.label))
    }
}
