// BinaryMetrics.swift — how well scores separate same-face pairs (label 1) from different-face pairs (0).
//
// A pair is predicted "same" when its score exceeds the threshold (the tutorial's `yhat > 0.5`).
//   precision = TP / (TP + FP)   (0 when nothing is predicted same)
//   recall    = TP / (TP + FN)   (0 when there are no same pairs)
//   accuracy  = (TP + TN) / all
//   ROC AUC   = P(score of a random same pair > score of a random different pair), ties count ½
//   EER       = the error rate where false acceptance (FP / negatives) equals false rejection
//               (FN / positives), at the score threshold where the two are closest; their mean.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public var truePositives = 0
    public var falsePositives = 0
    public var trueNegatives = 0
    public var falseNegatives = 0
}

public struct BinaryMetrics: Codable, Equatable, Sendable {
    public var threshold: Float
    public var pairs: Int
    public var confusion: ConfusionMatrix
    public var precision: Double
    public var recall: Double
    public var accuracy: Double
    public var rocAUC: Double
    public var equalErrorRate: Double
    public var equalErrorThreshold: Float

    public init(scores: [Float], labels: [Float], threshold: Float) {
        precondition(scores.count == labels.count && !scores.isEmpty, "BinaryMetrics: scores and labels must match and not be empty")
        var confusion = ConfusionMatrix()
        for (score, label) in zip(scores, labels) {
            switch (score > threshold, label == 1) {
            case (true, true): confusion.truePositives += 1
            case (true, false): confusion.falsePositives += 1
            case (false, false): confusion.trueNegatives += 1
            case (false, true): confusion.falseNegatives += 1
            }
        }
        let c = confusion
        self.threshold = threshold
        self.pairs = scores.count
        self.confusion = confusion
        self.precision = Self.ratio(c.truePositives, c.truePositives + c.falsePositives)
        self.recall = Self.ratio(c.truePositives, c.truePositives + c.falseNegatives)
        self.accuracy = Self.ratio(c.truePositives + c.trueNegatives, scores.count)
        self.rocAUC = Self.areaUnderROC(scores: scores, labels: labels)
        (self.equalErrorRate, self.equalErrorThreshold) = Self.equalError(scores: scores, labels: labels)
    }

    /// Every pair told apart (ROC AUC 1, or every pair right at the threshold): a held-out set this easy
    /// cannot say how good the model is, only that these pairs were too easy.
    public var separatesPerfectly: Bool { rocAUC >= 1 || accuracy >= 1 }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// Mann–Whitney U over average ranks. 0.5 when one class is missing.
    static func areaUnderROC(scores: [Float], labels: [Float]) -> Double {
        let positives = labels.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0 && negatives > 0 else { return 0.5 }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = averageRank }
            start = end + 1
        }
        let positiveRankSum = zip(ranks, labels).filter { $0.1 == 1 }.map(\.0).reduce(0, +)
        let u = positiveRankSum - Double(positives * (positives + 1)) / 2
        return u / Double(positives * negatives)
    }

    /// Tries "same when score > t" for t below every score and at every distinct score.
    static func equalError(scores: [Float], labels: [Float]) -> (rate: Double, threshold: Float) {
        let positives = labels.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0 && negatives > 0 else { return (0, 0.5) }
        let candidates = [Swift.min(0, scores.min()! - 1e-6)] + Array(Set(scores)).sorted()
        var best = (gap: Double.infinity, rate: 1.0, threshold: Float(0.5))
        for t in candidates {
            var falseAccepts = 0, falseRejects = 0
            for (score, label) in zip(scores, labels) {
                if label == 1 && !(score > t) { falseRejects += 1 }
                if label != 1 && score > t { falseAccepts += 1 }
            }
            let far = Double(falseAccepts) / Double(negatives), frr = Double(falseRejects) / Double(positives)
            if abs(far - frr) < best.gap {
                best = (abs(far - frr), (far + frr) / 2, t)
            }
        }
        return (best.rate, best.threshold)
    }

    /// The ROC curve: for every distinct score as the threshold ("same" when score > threshold), from the
    /// highest (nothing accepted) down (everything accepted), the false and true accept rates.
    public static func rocCurve(scores: [Float], labels: [Float]) -> [(falseAcceptRate: Double, trueAcceptRate: Double, threshold: Float)] {
        let positives = labels.filter { $0 == 1 }.count, negatives = labels.count - positives
        guard positives > 0 && negatives > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var curve: [(falseAcceptRate: Double, trueAcceptRate: Double, threshold: Float)] = [(0, 0, scores.max()!)]
        var truePositives = 0, falsePositives = 0
        var index = 0
        while index < order.count {
            let threshold = scores[order[index]]
            // Every score equal to this one moves across together.
            while index < order.count && scores[order[index]] == threshold {
                if labels[order[index]] == 1 { truePositives += 1 } else { falsePositives += 1 }
                index += 1
            }
            let next = index < order.count ? scores[order[index]] : Swift.min(0, threshold - 1e-6)
            curve.append((Double(falsePositives) / Double(negatives), Double(truePositives) / Double(positives), next))
        }
        return curve
    }
}
