// EvaluateCommand.swift — `facever evaluate`: metrics on the held-out pairs recorded with the model.
import ArgumentParser
import Foundation
import SiameseKit

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Precision, recall, accuracy, ROC AUC and equal-error rate on the held-out test pairs.",
        discussion: """
            The test pairs are those the training split held out (stored in the model file).

            Examples:
              facever evaluate
              facever evaluate --json | jq .roc_auc
            """
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Score threshold for precision, recall and accuracy (default: the model's detection threshold).")
    var threshold: Float?

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    private var modelURL: URL { modelOptions.url(in: options) }

    @OptionGroup var compute: PrecisionOptions

    func validate() throws {
        if let threshold, !(threshold.isFinite && (0...1).contains(threshold)) {
            throw ValidationError("--threshold must be a number in [0, 1]")
        }
    }

    func run() throws {
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let inference = model.prepared(for: try compute.resolved(for: model))
            guard let split = model.split, !split.test.isEmpty else {
                throw InputError(path: modelURL.path, problem: "the model has no held-out test pairs",
                                 nextStep: "train with a --test-fraction above 0")
            }
            let dataset = try FaceDataset(layout: options.layout, classes: [.anchor, .positive, .negative],
                                          input: model.network.architecture.inputFormat,
                                          only: Set(split.test.flatMap { [$0.anchor, $0.other] }), decoder: .withCaptureFormats)
            let start = Date()
            let scores = try Evaluation.scores(model: inference, dataset: dataset, pairs: split.test)
            let metrics = BinaryMetrics(scores: scores, labels: split.test.map(\.label), threshold: threshold ?? model.thresholds.detection)
            let seconds = Date().timeIntervalSince(start)
            if json {
                print(EvaluationReport(metrics: metrics, model: modelURL.path, seconds: seconds).jsonLine())
            } else {
                print(EvaluationReport(metrics: metrics, model: modelURL.path, seconds: seconds).text())
            }
        }
    }
}

struct EvaluationReport {
    let metrics: BinaryMetrics
    let model: String
    let seconds: Double

    func jsonLine() -> String {
        let c = metrics.confusion
        let object: [String: Any] = [
            "model": model, "pairs": metrics.pairs, "threshold": Double(metrics.threshold),
            "precision": metrics.precision, "recall": metrics.recall, "accuracy": metrics.accuracy,
            "roc_auc": metrics.rocAUC, "equal_error_rate": metrics.equalErrorRate,
            "equal_error_threshold": Double(metrics.equalErrorThreshold),
            "confusion": ["true_positives": c.truePositives, "false_positives": c.falsePositives,
                          "true_negatives": c.trueNegatives, "false_negatives": c.falseNegatives],
            "seconds": seconds,
        ]
        return Console.jsonLine(object)
    }

    func text() -> String {
        let m = metrics, c = metrics.confusion
        return """
            held-out pairs: \(m.pairs) (\(c.truePositives + c.falseNegatives) same, \(c.trueNegatives + c.falsePositives) different)
            at threshold \(m.threshold):  precision \(String(format: "%.3f", m.precision))  recall \(String(format: "%.3f", m.recall))  accuracy \(String(format: "%.3f", m.accuracy))
            confusion:  same→same \(c.truePositives)  same→different \(c.falseNegatives)  different→same \(c.falsePositives)  different→different \(c.trueNegatives)
            ROC AUC \(String(format: "%.3f", m.rocAUC))  equal-error rate \(String(format: "%.3f", m.equalErrorRate)) at threshold \(String(format: "%.3f", m.equalErrorThreshold))
            evaluated \(m.pairs) pairs in \(String(format: "%.1f", seconds)) s
            """
    }
}
