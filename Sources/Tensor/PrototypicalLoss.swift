// PrototypicalLoss.swift — the loss of one few-shot episode (Snell et al. 2017, "Prototypical Networks"):
// each class's prototype is the mean embedding of its support photos, and each query photo is classified
// by a softmax over its negative squared distances to the prototypes.
//
//   embeddings: [W·(S+Q) + D·S, E], class-major: class c's S supports, then its Q queries (rows c·(S+Q) …);
//               then D distractor classes of S supports and no query (rows W·(S+Q) + d·S …)
//   p[c] = Σ supports of c / S                        [W + D, E]
//   z[q, c] = −‖e[q] − p[c]‖²                          [W·Q, W + D]
//   loss = mean over queries of −log softmax(z[q])[class of q]
//   with g = (softmax(z) − onehot) / (W·Q):
//   de[q] = −2 Σ_c g[q, c] (e[q] − p[c]),  dp[c] = 2 Σ_q g[q, c] (e[q] − p[c]),  de[support of c] = dp[c] / S
// A W-way S-shot episode trains the network for the N-way one-shot task it will be judged on: every query
// is pushed towards its own class and away from all W − 1 others at once, where a pair says one bit.
// Distractors are classes that have too few photos to be queried (a person photographed once): they only
// stand in the way of other classes' queries, so identities with a single photo still teach something.
import Foundation

public struct EpisodeShape: Equatable, Sendable {
    public let classes: Int
    public let shots: Int
    public let queries: Int
    /// Classes with supports only.
    public let distractors: Int

    public init(classes: Int, shots: Int, queries: Int, distractors: Int = 0) {
        precondition(classes >= 2 && shots >= 1 && queries >= 1 && distractors >= 0,
                     "EpisodeShape: \(classes)-way \(shots)-shot \(queries)-query, \(distractors) distractors")
        (self.classes, self.shots, self.queries, self.distractors) = (classes, shots, queries, distractors)
    }

    public var photosPerClass: Int { shots + queries }
    public var photos: Int { classes * photosPerClass + distractors * shots }
}

/// The episode's mean loss (a scalar tensor) and the share of queries whose nearest prototype is their own.
public func prototypicalLoss(_ embeddings: Tensor, episode: EpisodeShape) -> (loss: Tensor, accuracy: Float) {
    precondition(embeddings.rank == 2 && embeddings.shape[0] == episode.photos,
                 "prototypicalLoss: embeddings must be [\(episode.photos), E], got \(embeddings.shape)")
    let (ways, shots, queries, size) = (episode.classes, episode.shots, episode.queries, embeddings.shape[1])
    let prototypeCount = ways + episode.distractors
    let e = embeddings.data
    /// Row k of class c (a distractor's rows follow every full class's).
    func row(_ c: Int, _ k: Int) -> Int {
        c < ways ? (c * episode.photosPerClass + k) * size : (ways * episode.photosPerClass + (c - ways) * shots + k) * size
    }
    var prototypes = [Float](repeating: 0, count: prototypeCount * size)
    for c in 0..<prototypeCount {
        for s in 0..<shots {
            for d in 0..<size { prototypes[c * size + d] += e[row(c, s) + d] }
        }
        for d in 0..<size { prototypes[c * size + d] /= Float(shots) }
    }
    // Softmax probabilities of every query over the classes, and the loss, in Float64 for the sums.
    let queryCount = ways * queries
    var probabilities = [Float](repeating: 0, count: queryCount * prototypeCount)
    var total = 0.0, correct = 0
    for c in 0..<ways {
        for q in 0..<queries {
            let query = c * queries + q, base = row(c, shots + q)
            var logits = [Double](repeating: 0, count: prototypeCount)
            for k in 0..<prototypeCount {
                var distance = 0.0
                for d in 0..<size {
                    let difference = Double(e[base + d] - prototypes[k * size + d])
                    distance += difference * difference
                }
                logits[k] = -distance
            }
            let largest = logits.max()!
            let normaliser = logits.reduce(0) { $0 + exp($1 - largest) }
            for k in 0..<prototypeCount { probabilities[query * prototypeCount + k] = Float(exp(logits[k] - largest) / normaliser) }
            total += -(logits[c] - largest - log(normaliser))
            if logits.firstIndex(of: largest) == c { correct += 1 }
        }
    }
    let loss = Tensor(result: [], data: [Float(total / Double(queryCount))], inputs: [embeddings]) { output in
        let upstream = output.incomingGrad[0] / Float(queryCount)
        embeddings.accumulateGrad { de in
            var dPrototypes = [Float](repeating: 0, count: prototypeCount * size)
            for c in 0..<ways {
                for q in 0..<queries {
                    let query = c * queries + q, base = row(c, shots + q)
                    for k in 0..<prototypeCount {
                        let g = upstream * (probabilities[query * prototypeCount + k] - (k == c ? 1 : 0))
                        for d in 0..<size {
                            let difference = e[base + d] - prototypes[k * size + d]
                            de[base + d] -= 2 * g * difference
                            dPrototypes[k * size + d] += 2 * g * difference
                        }
                    }
                }
            }
            for c in 0..<prototypeCount {
                for s in 0..<shots {
                    for d in 0..<size { de[row(c, s) + d] += dPrototypes[c * size + d] / Float(shots) }
                }
            }
        }
    }
    return (loss, Float(correct) / Float(queryCount))
}
