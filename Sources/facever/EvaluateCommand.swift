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

    @Option(help: ArgumentHelp("Identification instead: name every photo of this labelled folder (one subfolder per person, unknown/ for people not enrolled) among the enrolled people; rank-1 accuracy and unknown-rejection rate.", valueName: "folder"))
    var identify: String?

    @Option(help: ArgumentHelp("Pairs of people's photos instead (tab-separated `fold image_a image_b same`, LFW's View 2 protocol; paths relative to the file): k-fold accuracy, ROC AUC, EER, TAR at FAR 1e-2 and 1e-3.", valueName: "file"))
    var pairs: String?

    @Option(name: .customLong("write-scores"), help: ArgumentHelp("With --pairs: also write every pair with its score to this file (tab-separated `fold image_a image_b same score`), for --scored-pairs.", valueName: "file"))
    var writeScores: String?

    @Option(name: .customLong("scored-pairs"), help: ArgumentHelp("LFW's protocol on pairs already scored (files written by --write-scores, any number, read as one list; no model): one model per fold, each fold's threshold chosen on the others' scores.", valueName: "file"))
    var scoredPairs: [String] = []

    @Option(name: .customLong("one-shot"), help: ArgumentHelp("N-way one-shot classification instead, on Lake's Omniglot runs in this folder (runNN/training, runNN/test, runNN/class_labels.txt): accuracy per run and overall.", valueName: "folder"))
    var oneShot: String?

    @Option(help: ArgumentHelp("Also draw the evaluation as PNG files in this folder (roc.png, scores.png for the held-out set or --pairs; identify.png with --identify).", valueName: "folder"))
    var plot: String?

    @OptionGroup var cropping: CropOptions

    func validate() throws {
        if let threshold, !(threshold.isFinite && (0...1).contains(threshold)) {
            throw ValidationError("--threshold must be a number in [0, 1]")
        }
        if let targetFAR, !(targetFAR.isFinite && targetFAR > 0 && targetFAR < 1) {
            throw ValidationError("--target-far must be a number between 0 and 1 (0.01 is 1 %)")
        }
        if save && targetFAR == nil { throw ValidationError("--save stores a calibration: give --target-far F") }
        if [identify, pairs, oneShot, scoredPairs.first].compactMap({ $0 }).count > 1 {
            throw ValidationError("give one of --identify, --pairs, --scored-pairs and --one-shot")
        }
        if writeScores != nil && pairs == nil { throw ValidationError("--write-scores writes the scores of --pairs FILE: give --pairs") }
        if !scoredPairs.isEmpty && (targetFAR != nil || gallery != nil || plot != nil) {
            throw ValidationError("--scored-pairs reports scores already made: --target-far, --gallery and --plot do not apply")
        }
        if oneShot != nil && (targetFAR != nil || gallery != nil || threshold != nil || plot != nil) {
            throw ValidationError("--one-shot takes the best-scoring class: --target-far, --gallery, --threshold and --plot do not apply")
        }
        if pairs != nil && (targetFAR != nil || gallery != nil) {
            throw ValidationError("--pairs evaluates image pairs: --target-far and --gallery are for the held-out probes")
        }
        if identify != nil && (targetFAR != nil || threshold != nil || gallery != nil) {
            throw ValidationError("--identify evaluates identification: --target-far, --threshold and --gallery are for verification")
        }
    }

    func run() throws {
        if let identify { return try evaluateIdentification(on: URL(fileURLWithPath: identify)) }
        if let pairs { return try evaluatePairs(in: URL(fileURLWithPath: pairs)) }
        if let oneShot { return try evaluateOneShot(on: URL(fileURLWithPath: oneShot)) }
        if !scoredPairs.isEmpty { return try evaluateScoredPairs(scoredPairs.map { URL(fileURLWithPath: $0) }) }
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let inference = model.prepared(for: try compute.resolved(for: model))
            let cropper = cropping.cropper(for: model)
            let start = Date()
            let progress = ProgressLine("held-out photos:", unit: "photos")
            defer { progress.clear() }
            let heldOut = try HeldOutSet(model: model, inference: inference, layout: options.layout, cropper: cropper,
                                         decoder: .withCaptureFormats, progress: progress.step)
            progress.clear()
            let (dataset, embeddings, scores) = (heldOut.dataset, heldOut.embeddings, heldOut.scores)
            let metrics = BinaryMetrics(scores: scores, labels: heldOut.labels, threshold: threshold ?? model.thresholds.detection)
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
            try drawPlots(scores: scores, labels: heldOut.labels, threshold: metrics.threshold, pairs: "held-out pairs")
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
    /// `--plot FOLDER`: the ROC curve and the two classes' score histograms, the threshold marked on both.
    private func drawPlots(scores: [Float], labels: [Float], threshold: Float, pairs: String) throws {
        guard let plot else { return }
        let folder = URL(fileURLWithPath: plot)
        for (name, chart) in [("roc", Figures.roc(scores: scores, labels: labels, threshold: threshold, pairs: pairs)),
                              ("scores", Figures.scores(scores: scores, labels: labels, threshold: threshold, pairs: pairs))] {
            Console.note("wrote \(try Figures.write(chart.render(), named: name, in: folder).path)")
        }
    }

    /// `--one-shot DIR`: Lake's N-way one-shot runs.
    private func evaluateOneShot(on folder: URL) throws {
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let runs = try OneShotProtocol.read(folder)
            let inference = model.prepared(for: try compute.resolved(for: model))
                .packingDenseWeight(forBatchesOf: OneShotProtocol.largestBatch(runs))
            let accuracies = try OneShotProtocol.evaluate(runs, model: inference, decoder: .withCaptureFormats)
            let overall = accuracies.reduce(0, +) / Double(accuracies.count)
            let ways = runs.map(\.training.count)
            let way = Set(ways).count == 1 ? "\(ways[0])-way" : "N-way"
            if json {
                print(Console.jsonLine([
                    "folder": folder.path, "accuracy": overall, "runs": zip(runs, accuracies).map { ["run": $0.name, "accuracy": $1] as [String: Any] },
                    "ways": ways, "trials": runs.map(\.tests.count).reduce(0, +),
                ]))
            } else {
                for (run, accuracy) in zip(runs, accuracies) {
                    print("\(TerminalText.escaped(run.name))  \(String(format: "%.3f", accuracy)) (\(run.tests.count) trials, \(run.training.count) classes)")
                }
                print("\(way) one-shot accuracy \(String(format: "%.3f", overall)) over \(Console.count(runs.count, "run"))")
            }
        }
    }

    /// `--pairs FILE`: LFW's protocol on a list of image pairs.
    private func evaluatePairs(in file: URL) throws {
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let inference = model.prepared(for: try compute.resolved(for: model))
            let pairs = try PairsProtocol.read(file)
            let start = Date()
            let progress = ProgressLine("embedded", unit: "images")
            defer { progress.clear() }  // also when a photo stops the run
            let (scores, withoutFace) = try PairsProtocol.scores(of: pairs, model: inference, cropper: cropping.cropper(for: model),
                                                                 decoder: .withCaptureFormats, progress: progress.update)
            progress.clear()
            if let writeScores {
                try ScoredPairs.write(pairs, scores: scores, to: URL(fileURLWithPath: writeScores))
                if !json { Console.note("wrote the \(pairs.count) scores to \(writeScores)") }
            }
            let report = PairsProtocol.report(scores: scores, pairs: pairs, threshold: threshold ?? model.thresholds.detection)
            printPairsReport(report, pairs: pairs, source: ["pairs_file": file.path, "images_without_face": withoutFace,
                                                            "seconds": Date().timeIntervalSince(start)],
                             heading: "\(withoutFace) images without a face (their pairs score 0)")
            try drawPlots(scores: scores, labels: pairs.map { $0.same ? 1 : 0 }, threshold: report.metrics.threshold,
                          pairs: "pairs of \(file.lastPathComponent)")
        }
    }

    /// `--scored-pairs A --scored-pairs B …`: LFW's protocol on scores written by `--write-scores`, read as one list.
    private func evaluateScoredPairs(_ files: [URL]) throws {
        try reportingInputErrors {
            let (pairs, scores) = try ScoredPairs.read(files)
            printPairsReport(PairsProtocol.report(scores: scores, pairs: pairs, threshold: threshold ?? 0.5), pairs: pairs,
                             source: ["scored_pairs_files": files.map(\.path)], heading: "scores from \(Console.count(files.count, "file"))")
        }
    }

    /// The pairs protocol's report as one JSON line (`source` merged in) or as text.
    private func printPairsReport(_ report: PairsProtocol.Report, pairs: [ImagePair], source: [String: Any], heading: String) {
        let folds = report.foldAccuracies.keys.sorted()
        let m = report.metrics
        if json {
            let object: [String: Any] = [
                "pairs": pairs.count, "same": pairs.filter(\.same).count, "folds": folds.count,
                "accuracy": report.meanAccuracy, "accuracy_std": report.accuracyStandardDeviation,
                "fold_accuracies": folds.map { report.foldAccuracies[$0]! }, "roc_auc": m.rocAUC, "auc": m.rocAUC,
                "equal_error_rate": m.equalErrorRate,
                "tar_at_far_0.01": report.tarAtFAR1e2 ?? NSNull(), "tar_at_far_0.001": report.tarAtFAR1e3 ?? NSNull(),
                "threshold": Double(m.threshold), "accuracy_at_threshold": m.accuracy,
            ]
            print(Console.jsonLine(object.merging(source) { $1 }))
        } else {
            print("\(Console.count(pairs.count, "pair")) (\(pairs.filter(\.same).count) same) in \(Console.count(folds.count, "fold")); \(heading)")
            // With one fold there are no others: its threshold was chosen on the fold itself (the note below).
            let chosen = folds.count == 1 ? "threshold chosen on these pairs" : "threshold chosen on the other folds"
            print(String(format: "accuracy %.3f ± %.3f (%@; per fold: %@)", report.meanAccuracy, report.accuracyStandardDeviation,
                         chosen, folds.map { String(format: "%.3f", report.foldAccuracies[$0]!) }.joined(separator: " ")))
            print(String(format: "ROC AUC %.3f  equal-error rate %.3f  accuracy at threshold %.3f: %.3f", m.rocAUC, m.equalErrorRate,
                         m.threshold, m.accuracy))
            print("TAR at FAR 1e-2: " + (report.tarAtFAR1e2.map { String(format: "%.3f", $0) } ?? "- (needs 100 different pairs)")
                  + "  at FAR 1e-3: " + (report.tarAtFAR1e3.map { String(format: "%.3f", $0) } ?? "- (needs 1,000 different pairs)"))
            if folds.count == 1 { Console.note("one fold: the threshold was chosen on the pairs it is measured on, so the accuracy is optimistic") }
        }
    }

    /// `--identify DIR`: every photo of the labelled folder identified among the enrolled people.
    private func evaluateIdentification(on folder: URL) throws {
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            let progress = ProgressLine("enrolled people:", unit: "photos")
            defer { progress.clear() }
            let identifier = try Identifier(model: model, precision: try compute.resolved(for: model), layout: options.layout,
                                            threshold: model.thresholds.detection, probesToCome: Int.max,
                                            cropper: cropping.cropper(for: model), decoder: .withCaptureFormats,
                                            progress: progress.step)
            progress.clear()
            let tally = try identifier.evaluate(labelledFolder: folder, decoder: .withCaptureFormats,
                                                progress: { progress.update("identifying", $0, of: $1) }) { progress.warning("skipped \($0)") }
            progress.clear()
            func figure(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }
            if json {
                print(Console.jsonLine([
                    "folder": folder.path, "people": identifier.names.count, "known_photos": tally.knownPhotos,
                    "unknown_photos": tally.unknownPhotos, "rank1_accuracy": tally.rankOneAccuracy ?? NSNull(),
                    "unknown_rejection_rate": tally.unknownRejectionRate ?? NSNull(), "threshold": Double(identifier.threshold),
                    "confusion": tally.confusion,
                ]))
            } else {
                print("identification of \(Console.count(tally.knownPhotos + tally.unknownPhotos, "photo")) against "
                      + "\(Console.count(identifier.names.count, "person", "people")) enrolled (threshold \(String(format: "%.3f", identifier.threshold)))")
                print("rank-1 accuracy \(figure(tally.rankOneAccuracy)) (\(tally.knownRight)/\(tally.knownPhotos) photos of enrolled people named right)")
                print("unknown rejected \(figure(tally.unknownRejectionRate)) (\(tally.unknownRejected)/\(tally.unknownPhotos) photos of others called unknown)")
            }
            if let plot {
                Console.note("wrote \(try Figures.write(Figures.identification(tally), named: "identify", in: URL(fileURLWithPath: plot)).path)")
            }
        }
    }

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
