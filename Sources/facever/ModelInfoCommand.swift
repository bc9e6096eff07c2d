// ModelInfoCommand.swift — `facever model info`: what a model file is, in a few lines or one JSON object
// (SiameseKit's ModelDescription gathers it; this prints it).
import ArgumentParser
import Foundation
import SiameseKit

struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model file: its network, how it was trained or imported, its thresholds.",
        discussion: """
            Loads the model whole (a file whose weights do not match their id is refused, exit 2) and says \
            what it is: the network and its parameters, the training run's settings and held-out pairs (or \
            where an imported model came from, and its licence), how photos are cropped for it, the \
            thresholds in force and where they come from, and the precision and kernel it runs in on this \
            machine unless --precision says otherwise.

            Examples:
              facever model info
              facever model info --model models/dlib-resnet-v1.safetensors --json
            """
    )

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print one JSON object: {\"model\", \"bytes\", \"model_id\", \"network\", \"crop\", \"thresholds\", \"training\", \"imported\", \"runs_here\"}.")
    var json = false

    func run() throws {
        try reportingInputErrors {
            let url = modelOptions.url(in: options)
            let description = try ModelDescription(modelAt: url, shownAs: modelOptions.model ?? url.relativePath)
            if json {
                print(Console.jsonLine(Self.json(description)))
            } else {
                for line in Self.lines(description) { print(TerminalText.escaped(line)) }
            }
        }
    }

    static func lines(_ model: ModelDescription) -> [String] {
        let network = model.network, input = network.input
        var networkLine = "network: \(network.name), \(input.height)×\(input.width)×\(input.channels) "
        if network.alignsByLandmarks {
            networkLine += "face chip cut by its 5-point landmark predictor"
            if let border = network.chipBorder { networkLine += " (\(border == .black ? "black" : "the photo mirrored") past the photo's edge)" }
        } else {
            networkLine += input.channels == 1 ? "grey picture" : "picture"
        }
        networkLine += " → \(network.embeddingSize)-value embedding"
        if network.mirrorAverage == true { networkLine += " averaged with its mirror image's" }
        networkLine += ", head on \(network.pairFeature == .absoluteDifference ? "|e1 − e2|" : "(e1 − e2)²"); "
            + "\(grouped(network.parameters)) parameters"
        var lines = ["\(model.path): model \(model.modelID), \(megabytes(model.bytes)), weights checked against their id", networkLine]
        if let settings = model.settings {
            var trained = "trained: "
            if let epochs = model.epochsRecorded {
                trained += Console.count(epochs, "epoch")
                if let loss = model.finalLoss { trained += String(format: " (last training loss %.4g)", loss) }
                trained += " of \(settings.epochs) asked"
            } else {
                trained += Console.count(settings.epochs, "epoch") + " asked"
            }
            if let episodes = settings.episodes {
                trained += ", \(grouped(episodes.perEpoch)) episodes an epoch (\(episodes.classes)-way, \(episodes.shots)-shot)"
            } else {
                trained += ", \(grouped(settings.pairsPerClass)) pairs a class, batches of \(settings.batchSize) (\(settings.batches.rawValue))"
            }
            trained += ", \(settings.optimizer == .kochSGD ? "Koch's SGD" : "Adam") at \(settings.learningRate), seed \(settings.seed), \(settings.precision.rawValue)"
            lines.append(trained)
            if let identities = settings.identities { lines.append("identities: \(identities)") }
            if let initial = settings.initialModel { lines.append("started from: model \(initial)") }
            if let heldOut = model.heldOutPairs, let training = model.trainingPairs {
                lines.append("held out: \(grouped(heldOut)) of \(grouped(heldOut + training)) pairs, which evaluate reads back")
            }
        }
        if let provenance = model.provenance {
            lines.append("imported: \(provenance.source)" + (provenance.importVersion.map { " (converter version \($0))" } ?? ""))
            if let licence = provenance.licence { lines.append("licence: \(licence)") }
        }
        if model.settings == nil, model.provenance == nil { lines.append("trained: no training settings recorded (a file from an older facever)") }
        lines.append("crop: " + (model.crop?.rawValue ?? "not recorded (face, unless --crop says otherwise)"))
        let thresholds = String(format: "thresholds: detection %.3f, verification %.3f", model.thresholds.detection, model.thresholds.verification)
            + " (\(model.thresholdsSource))"
        lines.append(thresholds)
        var here = "runs here: \(model.runsHere)"
        if model.runsHere.precision == .float32, model.settings.map({ $0.precision == .bfloat16 }) ?? true {
            here += " (" + (model.settings == nil ? "" : "trained in bfloat16; ")
                + (MatrixPrecision.bfloat16UnavailableReason ?? "bfloat16 multiplies no faster on this CPU") + ")"
        }
        lines.append(here + "; --precision changes it, and `taskset -c CPUS` the threads")
        return lines
    }

    static func json(_ model: ModelDescription) -> [String: Any] {
        let network = model.network
        var networkObject: [String: Any] = [
            "name": network.name, "input": [network.input.height, network.input.width, network.input.channels],
            "embedding_size": network.embeddingSize, "parameters": network.parameters,
            "pair_feature": network.pairFeature == .absoluteDifference ? "absolute_difference" : "squared_difference",
            "landmarks": network.alignsByLandmarks,
        ]
        if let mirror = network.mirrorAverage { networkObject["mirror_average"] = mirror }
        if let border = network.chipBorder { networkObject["chip_border"] = border.rawValue }
        var thresholds: [String: Any] = ["detection": Double(model.thresholds.detection),
                                         "verification": Double(model.thresholds.verification), "source": model.thresholdsSource]
        if let distance = model.descriptorThreshold { thresholds["descriptor_distance"] = distance }
        var training: Any = NSNull()
        if let settings = model.settings {
            var object: [String: Any] = ["settings": (try? JSONSerialization.jsonObject(with: Data(settings.jsonString().utf8))) ?? NSNull()]
            object["epochs_recorded"] = model.epochsRecorded ?? NSNull()
            object["final_loss"] = model.finalLoss ?? NSNull()
            object["training_pairs"] = model.trainingPairs ?? NSNull()
            object["held_out_pairs"] = model.heldOutPairs ?? NSNull()
            training = object
        }
        let imported: Any = model.provenance.map {
            ["source": $0.source, "licence": $0.licence ?? NSNull(), "import_version": $0.importVersion ?? NSNull()] as [String: Any]
        } ?? NSNull()
        return ["model": model.path, "bytes": model.bytes, "model_id": model.modelID, "network": networkObject,
                "crop": model.crop?.rawValue ?? NSNull(), "thresholds": thresholds, "training": training, "imported": imported,
                "runs_here": ["precision": model.runsHere.precision.rawValue, "threads": model.runsHere.threads,
                              "float32_kernel": "\(model.runsHere.float32Kernel)", "description": "\(model.runsHere)"]]
    }

    /// 38964545 → "38,964,545".
    private static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }

    private static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
