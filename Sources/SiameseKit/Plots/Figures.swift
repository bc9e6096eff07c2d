// Figures.swift — the pictures `facever report` and `evaluate --plot` write: the training history's loss
// curves, the ROC curve of the held-out pairs with the operating point and the equal-error point, the
// histograms of same and different scores with the threshold, and who identify took for whom.
import Foundation
import Tensor

public enum Figures {
    /// Training and held-out loss, and held-out accuracy, per epoch.
    public static func history(_ records: [EpochRecord]) -> Chart {
        let highest = records.flatMap { [$0.trainingLoss] + ($0.heldOutLoss.map { [$0] } ?? []) }.max() ?? 1
        var chart = Chart(title: "Training history", xLabel: "epoch", yLabel: "loss (BCE) / accuracy",
                          xRange: (records.count > 1 ? 1 : 0)...Double(max(records.count, 2)), yRange: 0...max(1, highest * 1.05))
        chart.wholeNumberXTicks = true
        chart.series.append(.init(name: "training loss", colour: .blue, points: records.map { (Double($0.epoch), $0.trainingLoss) }))
        let heldOut = records.filter { $0.heldOutLoss != nil }
        if !heldOut.isEmpty {
            chart.series.append(.init(name: "held-out loss", colour: .orange, points: heldOut.map { (Double($0.epoch), $0.heldOutLoss!) }))
            chart.series.append(.init(name: "held-out accuracy", colour: .green,
                                      points: heldOut.compactMap { r in r.heldOutAccuracy.map { (Double(r.epoch), $0) } }))
        }
        return chart
    }

    /// The ROC curve of pair scores, the point at `threshold` and the equal-error point marked; `pairs` names
    /// the pairs in the title.
    public static func roc(scores: [Float], labels: [Float], threshold: Float, pairs: String = "held-out pairs") -> Chart {
        let metrics = BinaryMetrics(scores: scores, labels: labels, threshold: threshold)
        var chart = Chart(title: String(format: "ROC of %d %@ (AUC %.3f)", scores.count, pairs, metrics.rocAUC),
                          xLabel: "false accept rate (different pairs called same)", yLabel: "true accept rate",
                          xRange: 0...1, yRange: 0...1)
        chart.referenceLines = [[(0, 0), (1, 1)]]
        chart.series.append(.init(name: "", colour: .blue,
                                  points: BinaryMetrics.rocCurve(scores: scores, labels: labels).map { ($0.falseAcceptRate, $0.trueAcceptRate) }))
        let c = metrics.confusion
        let far = BinaryMetrics.ratio(c.falsePositives, c.falsePositives + c.trueNegatives)
        let tar = BinaryMetrics.ratio(c.truePositives, c.truePositives + c.falseNegatives)
        chart.markers.append(.init(x: far, y: tar, label: String(format: "threshold %.2f: TAR %.2f, FAR %.2f", threshold, tar, far),
                                   colour: .orange))
        let eer = metrics.equalErrorRate
        chart.markers.append(.init(x: eer, y: 1 - eer, label: String(format: "EER %.3f (threshold %.2f)", eer, metrics.equalErrorThreshold),
                                   colour: .purple))
        return chart
    }

    /// Histograms (20 bins over [0, 1]) of the scores of same and different pairs, with the threshold; `pairs`
    /// names the pairs in the title.
    public static func scores(scores: [Float], labels: [Float], threshold: Float, pairs: String = "held-out pairs", bins: Int = 20) -> Chart {
        func histogram(_ values: [Float]) -> [Int] {
            var counts = [Int](repeating: 0, count: bins)
            for value in values where value.isFinite { counts[min(bins - 1, max(0, Int(Double(value) * Double(bins))))] += 1 }
            return counts
        }
        let same = histogram(zip(scores, labels).filter { $0.1 == 1 }.map(\.0))
        let different = histogram(zip(scores, labels).filter { $0.1 != 1 }.map(\.0))
        let width = 1 / Double(bins)
        var chart = Chart(title: "Scores of \(pairs)", xLabel: "Siamese score", yLabel: "pairs",
                          xRange: 0...1, yRange: 0...Double(max(1, (same + different).max() ?? 1)) * 1.1)
        // Side by side in each bin: different on the left half, same on the right half.
        chart.series.append(.init(name: "different people", colour: .vermilion,
                                  points: different.enumerated().map { (Double($0) * width + width * 0.27, Double($1)) },
                                  kind: .bars(width: width * 0.46)))
        chart.series.append(.init(name: "same person", colour: .green,
                                  points: same.enumerated().map { (Double($0) * width + width * 0.73, Double($1)) },
                                  kind: .bars(width: width * 0.46)))
        chart.verticalLines.append((Double(threshold), String(format: "threshold %.2f", threshold), .black))
        return chart
    }

    /// Who identify took for whom: for each true person (rows), the share of their photos given each
    /// answer (columns), as a grid of shaded cells with the counts. At most `limit` people, the most
    /// photographed, plus `unknown` and `no face`.
    public static func identification(_ tally: IdentificationTally, limit: Int = 16) -> RGBImage {
        let truths = tally.confusion.keys.sorted { a, b in
            let (ca, cb) = (tally.confusion[a]!.values.reduce(0, +), tally.confusion[b]!.values.reduce(0, +))
            return ca != cb ? ca > cb : a.compare(b, options: .numeric) == .orderedAscending
        }.prefix(limit)
        var answers = Array(truths)
        for extra in [IdentificationTally.unknown, "no face"] where !answers.contains(extra) {
            if tally.confusion.values.contains(where: { $0[extra] != nil }) { answers.append(extra) }
        }
        let cell = 44.0, left = 170.0, top = 150.0
        let width = Int(left + cell * Double(answers.count) + 40), height = Int(top + cell * Double(truths.count) + 90)
        var canvas = Canvas(width: max(width, 560), height: max(height, 300))
        let accuracy = tally.rankOneAccuracy.map { String(format: "rank-1 %.3f", $0) } ?? "rank-1 -"
        let rejection = tally.unknownRejectionRate.map { String(format: "unknown rejected %.3f", $0) } ?? "unknown rejected -"
        canvas.text("Identification: \(accuracy), \(rejection)", x: Double(canvas.width) / 2, y: 36, size: 0.7, alignment: .centre, bold: true)
        canvas.text("answer", x: left + cell * Double(answers.count) / 2, y: 70, size: 0.55, alignment: .centre)
        canvas.text("truth", x: 12, y: top - 12, size: 0.55)
        for (column, answer) in answers.enumerated() {
            canvas.text(String(answer.prefix(10)), x: left + cell * (Double(column) + 0.5), y: top - 12 - Double(column % 2) * 18, size: 0.4,
                        alignment: .centre)
        }
        for (row, truth) in truths.enumerated() {
            let counts = tally.confusion[truth]!
            let total = Double(max(1, counts.values.reduce(0, +)))
            canvas.text(String(truth.prefix(18)), x: left - 10, y: top + cell * (Double(row) + 0.5) + 5, size: 0.45, alignment: .right)
            for (column, answer) in answers.enumerated() {
                let count = counts[answer] ?? 0
                let share = Double(count) / total
                let shade = UInt8(255 - 200 * share)
                let colour = answer == truth ? Colour(shade, 255, shade) : Colour(255, shade, shade)
                let x = left + cell * Double(column), y = top + cell * Double(row)
                canvas.fillRectangle(x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, colour: count == 0 ? Colour(248, 248, 248) : colour)
                if count > 0 { canvas.text(String(count), x: x + cell / 2, y: y + cell / 2 + 5, size: 0.45, alignment: .centre) }
            }
        }
        canvas.text("green: the right answer; red: a wrong one; darker: a larger share of that person's photos",
                    x: 12, y: Double(canvas.height) - 20, size: 0.45, colour: .axis)
        return canvas.image
    }
}

extension Figures {
    /// Writes `image` as `folder/name.png` (the folder made private, the file atomically, 0600).
    @discardableResult
    public static func write(_ image: RGBImage, named name: String, in folder: URL) throws -> URL {
        try PrivateFolder.create(folder)
        let url = folder.appendingPathComponent(name + ".png")
        try AtomicFile.write(try image.pngData(), to: url)
        return url
    }
}
