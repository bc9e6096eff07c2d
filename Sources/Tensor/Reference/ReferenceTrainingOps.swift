// ReferenceTrainingOps.swift — Float64 oracles for the ops that train a general verifier: batch
// normalisation with the batch's statistics (BatchNorm.swift) and the prototypical episode loss
// (PrototypicalLoss.swift). Loops follow each op's header formula literally.
import Foundation

extension Reference {
    /// y = γ (x − μ) / √(σ² + ε) + β per channel, μ and σ² (biased) over every position of the batch.
    public static func batchNormalize(x: [Double], channels: Int, scale: [Double], shift: [Double], epsilon: Double) -> [Double] {
        let positions = x.count / channels
        var y = [Double](repeating: 0, count: x.count)
        for c in 0..<channels {
            let values = (0..<positions).map { x[$0 * channels + c] }
            let mean = values.reduce(0, +) / Double(positions)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(positions)
            for p in 0..<positions { y[p * channels + c] = scale[c] * (values[p] - mean) / (variance + epsilon).squareRoot() + shift[c] }
        }
        return y
    }

    /// The mean over queries of −log softmax(−‖q − p_c‖²)[own class]; embeddings [W·(S+Q) + D·S, E], class-major,
    /// the D distractor classes (supports only) last.
    public static func prototypicalLoss(embeddings e: [Double], size: Int, classes: Int, shots: Int, queries: Int,
                                        distractors: Int = 0) -> Double {
        let perClass = shots + queries
        func vector(_ c: Int, _ k: Int) -> [Double] {
            let start = c < classes ? (c * perClass + k) * size : (classes * perClass + (c - classes) * shots + k) * size
            return Array(e[start..<(start + size)])
        }
        let prototypes = (0..<(classes + distractors)).map { c in
            (0..<size).map { d in (0..<shots).map { vector(c, $0)[d] }.reduce(0, +) / Double(shots) }
        }
        var total = 0.0
        for c in 0..<classes {
            for q in 0..<queries {
                let query = vector(c, shots + q)
                let logits = prototypes.map { p in -zip(query, p).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
                total -= log(exp(logits[c]) / logits.map(exp).reduce(0, +))
            }
        }
        return total / Double(classes * queries)
    }

    /// Each row of x [N, E] scaled to length r: r · x[n] / ‖x[n]‖.
    public static func normalizedRows(x: [Double], size: Int, radius: Double) -> [Double] {
        var y = x
        for start in stride(from: 0, to: x.count, by: size) {
            let norm = x[start..<(start + size)].map { $0 * $0 }.reduce(0, +).squareRoot()
            for d in 0..<size { y[start + d] = radius * x[start + d] / norm }
        }
        return y
    }
}
