// BatchComposition.swift — how training pairs are grouped into batches.
//
//   .pairs    — the tutorial's: positive and negative pairs drawn independently, shuffled one by one;
//               a batch of B pairs embeds about 2B photos.
//   .triplets — each positive pair (anchor, positive, 1) comes with a negative pair for the same anchor
//               (anchor, negative, 0), and the two stay together in every shuffle: a batch of B pairs
//               holds B/2 triplets and embeds 3B/2 photos (each photo of a batch is embedded once).
// The loss is the same mean binary cross-entropy over the batch's pairs either way.
public enum BatchComposition: String, Codable, CaseIterable, Sendable {
    case pairs
    case triplets

    /// Consecutive training pairs that are shuffled as one unit.
    var pairsPerUnit: Int { self == .pairs ? 1 : 2 }
}
