// ReportCommand.swift — `facever report`: the model and its evaluation as PNG plots.
import ArgumentParser
import Foundation
import SiameseKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw the model's training history and held-out evaluation as PNG plots.",
        discussion: """
            Writes history.png (training and held-out loss, held-out accuracy per epoch), roc.png (the ROC \
            curve of the held-out pairs with the threshold's operating point and the equal-error point) and \
            scores.png (histograms of same and different pairs' scores with the threshold); with --identify \
            DIR also identify.png (who was taken for whom on a labelled folder).

            Examples:
              facever report
              facever report --output plots --identify labelled/
            """
    )

    @Option(help: ArgumentHelp("Where the PNG files go (default: DATA/report).", valueName: "folder"))
    var output: String?

    @Option(help: ArgumentHelp("A labelled folder (one subfolder per person, unknown/ for others) to draw identification on.", valueName: "folder"))
    var identify: String?

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var compute: PrecisionOptions

    func run() throws {
        let folder = output.map { URL(fileURLWithPath: $0) } ?? options.layout.root.appendingPathComponent("report")
        try reportingInputErrors {
            let model = try TrainedModel.load(from: modelOptions.url(in: options))
            let precision = try compute.resolved(for: model)
            let cropper = cropping.cropper(for: model)
            // The held-out pairs first: a model without them (an imported one) is refused before anything is
            // drawn or said about its history.
            let progress = ProgressLine("held-out photos:", unit: "photos")
            defer { progress.clear() }
            let heldOut = try HeldOutSet(model: model, inference: model.prepared(for: precision), layout: options.layout,
                                         cropper: cropper, decoder: .withCaptureFormats, progress: progress.step)
            progress.clear()
            var written: [URL] = []
            if let history = model.history, !history.isEmpty {
                written.append(try Figures.write(Figures.history(history).render(), named: "history", in: folder))
            } else {
                Console.note("no training history in the model (trained before histories were recorded): history.png not drawn")
            }
            let threshold = model.thresholds.detection
            written.append(try Figures.write(Figures.roc(scores: heldOut.scores, labels: heldOut.labels, threshold: threshold).render(),
                                             named: "roc", in: folder))
            written.append(try Figures.write(Figures.scores(scores: heldOut.scores, labels: heldOut.labels, threshold: threshold).render(),
                                             named: "scores", in: folder))
            if let identify {
                let identifier = try Identifier(model: model, precision: precision, layout: options.layout, threshold: threshold,
                                                probesToCome: Int.max, cropper: cropper, decoder: .withCaptureFormats)
                let tally = try identifier.evaluate(labelledFolder: URL(fileURLWithPath: identify), decoder: .withCaptureFormats,
                                                    onSkip: { Console.warning("skipped \($0)") })
                written.append(try Figures.write(Figures.identification(tally), named: "identify", in: folder))
            }
            for url in written { print("wrote \(TerminalText.escaped(url.path))") }
        }
    }
}
