// EvaluateCommand.swift — `facever evaluate`: metrics on the held-out pairs recorded with the model.
import ArgumentParser
import Foundation
import SiameseKit

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "How well the model tells the user from others, on the photos training held out.",
        discussion: """
            Pair figures: precision, recall, accuracy, ROC AUC and equal-error rate on the held-out test \
            pairs (stored in the model file).

            Probe figures: verify's own rule run on the held-out photos against the gallery: TAR (the \
            user accepted) and FAR (others accepted) at the thresholds in force, and the TAR the best \
            thresholds reach at FAR 1 % and 0.1 %. --target-far F --save stores the thresholds that \
            reach FAR F in the model, and verify uses them from then on.

            Examples:
              facever evaluate
              facever evaluate --json | jq .roc_auc
              facever evaluate --target-far 0.01 --save
            """
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Score threshold for precision, recall and accuracy (default: the model's detection threshold).")
    var threshold: Float?

    @Option(name: .customLong("target-far"), help: "Calibrate: the thresholds with the best TAR whose FAR is at most this (0 < F < 1).")
    var targetFAR: Double?

    @Flag(help: "With --target-far: store the calibrated thresholds in the model (verify uses them).")
    var save = false

    @Option(help: ArgumentHelp("The gallery the probes are verified against (default: DATA/verification).", valueName: "folder"))
    var gallery: String?

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    private var modelURL: URL { modelOptions.url(in: options) }

    @OptionGroup var compute: PrecisionOptions

    @OptionGroup var cropping: CropOptions

    func validate() throws {
        if let threshold, !(threshold.isFinite && (0...1).contains(threshold)) {
            throw ValidationError("--threshold must be a number in [0, 1]")
        }
        if let targetFAR, !(targetFAR.isFinite && targetFAR > 0 && targetFAR < 1) {
            throw ValidationError("--target-far must be a number between 0 and 1 (0.01 is 1 %)")
        }
        if save && targetFAR == nil { throw ValidationError("--save stores a calibration: give --target-far F") }
    }

    func run() throws {
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let inference = model.prepared(for: try compute.resolved(for: model))
            guard let split = model.split, !split.test.isEmpty else {
                throw InputError(path: modelURL.path, problem: "the model has no held-out test pairs",
                                 nextStep: "train with a --test-fraction above 0")
            }
            let heldOut = Set(split.test.flatMap { [$0.anchor, $0.other] })
            let cropper = cropping.cropper(for: model)
            let dataset = try FaceDataset(layout: options.layout, classes: [.anchor, .positive, .negative],
                                          input: model.network.architecture.inputFormat,
                                          only: heldOut, cropper: cropper, decoder: .withCaptureFormats)
            let start = Date()
            // Every held-out photo embedded once, for the pair figures and the probe figures (a missing
            // one is an error naming it).
            let embeddings = try Evaluation.embeddings(model: inference, dataset: dataset, paths: heldOut.sorted())
            let scores = Evaluation.scores(model: inference, pairs: split.test, embeddings: embeddings)
            let metrics = BinaryMetrics(scores: scores, labels: split.test.map(\.label), threshold: threshold ?? model.thresholds.detection)
            let probes = try probeReport(model: model, precision: inference.compute.precision, dataset: dataset, embeddings: embeddings,
                                         cropper: cropper)
            let seconds = Date().timeIntervalSince(start)
            let report = EvaluationReport(metrics: metrics, model: modelURL.path, seconds: seconds)
            if json {
                var object = report.json()
                if let probes {
                    object.merge(probes.json()) { $1 }
                    object["notes"] = report.notes + probes.notes
                }
                print(Console.jsonLine(object))
            } else {
                print(report.text())
                if let probes { print(probes.text()) }
            }
            if save, let probes, let targetFAR {
                guard let point = probes.calibrated(at: targetFAR) else {
                    throw InputError(path: modelURL.path, problem: "not saved: FAR \(ProbeReport.percent(targetFAR)) cannot be "
                                     + "measured on \(probes.impostorCount) held-out impostor photos",
                                     nextStep: "import more negatives and train again, or ask for a higher --target-far")
                }
                let lock = try DataLock(folder: modelURL.deletingLastPathComponent(), command: "evaluate --save")
                defer { withExtendedLifetime(lock) {} }
                let source = "calibrated by evaluate at FAR ≤ \(ProbeReport.percent(targetFAR)) on \(probes.genuineCount) held-out "
                    + "user photos and \(probes.impostorCount) impostors, " + ISO8601DateFormatter.string(
                        from: Date(), timeZone: .current, formatOptions: [.withFullDate])
                try model.savingThresholds(point.thresholds, source: source)
                Console.note("saved in \(modelURL.path): detection \(ProbeReport.format(point.thresholds.detection)), "
                             + "verification \(ProbeReport.format(point.thresholds.verification))")
            }
        }
    }
}

extension EvaluateCommand {
    /// The probe figures, or nil (with a note) when there is no gallery to verify against; with
    /// --target-far a missing gallery is an error.
    private func probeReport(model: TrainedModel, precision: MatrixPrecision, dataset: FaceDataset,
                             embeddings: [String: [Float]], cropper: PhotoCropper) throws -> ProbeReport? {
        let galleryURL = gallery.map { URL(fileURLWithPath: $0) } ?? options.layout.folder(.verification)
        let user = dataset.photos.filter { $0.faceClass == .anchor || $0.faceClass == .positive }.map(\.relativePath)
        let others = dataset.photos.filter { $0.faceClass == .negative }.map(\.relativePath)
        let verifier: Verifier
        do {
            verifier = try Verifier(model: model, precision: precision, galleryFolder: galleryURL, thresholds: model.thresholds,
                                    probesToCome: 0, cropper: cropper, decoder: .withCaptureFormats)
        } catch let error as InputError where targetFAR == nil {
            Console.note("no probe figures: \(error)")
            return nil
        }
        return ProbeReport(gallerySize: verifier.gallery.shape[0], genuine: try user.map { try verifier.scores(of: embeddings[$0]!) },
                           impostors: try others.map { try verifier.scores(of: embeddings[$0]!) },
                           impostorPeople: PhotoGroups.peopleCount(among: dataset.photos.filter { $0.faceClass == .negative }),
                           thresholds: model.thresholds,
                           thresholdsSource: model.thresholdsSource, calibrationTarget: targetFAR)
    }
}

struct EvaluationReport {
    let metrics: BinaryMetrics
    let model: String
    let seconds: Double

    func json() -> [String: Any] {
        let c = metrics.confusion
        let object: [String: Any] = [
            "model": model, "pairs": metrics.pairs, "threshold": Double(metrics.threshold),
            "precision": metrics.precision, "recall": metrics.recall, "accuracy": metrics.accuracy,
            "roc_auc": metrics.rocAUC, "equal_error_rate": metrics.equalErrorRate,
            "equal_error_threshold": Double(metrics.equalErrorThreshold),
            "confusion": ["true_positives": c.truePositives, "false_positives": c.falsePositives,
                          "true_negatives": c.trueNegatives, "false_negatives": c.falseNegatives],
            "seconds": seconds, "notes": notes,
        ]
        return object
    }

    /// Said when the pair figures cannot be believed as they stand.
    var notes: [String] {
        guard metrics.separatesPerfectly else { return [] }
        return ["every held-out pair is told apart perfectly: the held-out set is too easy to measure the model by; the probe "
                + "figures, and verify on photos of people never imported, tell more"]
    }

    func text() -> String {
        let m = metrics, c = metrics.confusion
        return """
            held-out pairs: \(m.pairs) (\(c.truePositives + c.falseNegatives) same, \(c.trueNegatives + c.falsePositives) different)
            at threshold \(m.threshold):  precision \(String(format: "%.3f", m.precision))  recall \(String(format: "%.3f", m.recall))  accuracy \(String(format: "%.3f", m.accuracy))
            confusion:  same→same \(c.truePositives)  same→different \(c.falseNegatives)  different→same \(c.falsePositives)  different→different \(c.trueNegatives)
            ROC AUC \(String(format: "%.3f", m.rocAUC))  equal-error rate \(String(format: "%.3f", m.equalErrorRate)) at threshold \(String(format: "%.3f", m.equalErrorThreshold))
            evaluated \(m.pairs) pairs in \(String(format: "%.1f", seconds)) s
            """ + notes.map { "\nnote: " + $0 }.joined()
    }
}
