// TrainCommand.swift — `facever train`: pairs, a 70/30 split by group of photos, Adam, checkpoints, resume.
import ArgumentParser
import Foundation
import SiameseKit

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the Siamese network on DATA/anchor, DATA/positive and DATA/negative.",
        discussion: """
            Pairs (anchor, positive, 1) and (anchor, negative, 0) come in equal numbers, split into train and \
            test by group (a photo with its augmented copies, a collect session, a negative person, \
            near-duplicates). A checkpoint is saved after every \
            epoch next to the model; Ctrl-C finishes the step, saves it and exits 130; --resume continues. \
            An existing model or an interrupted run is never replaced without --overwrite.

            Examples:
              facever train --epochs 50 --seed 1
              facever train --epochs 50 --seed 1 --resume
              facever train --identities omniglot --architecture conv4-omniglot \\
                --crop centre --episodes 100 --augment turns,distort --patience 10
            """
    )

    @Option(help: "Epochs (a resumed run may raise it).")
    var epochs = TrainingSettings.standard.epochs

    @Option(help: "Pairs per batch.")
    var batch = TrainingSettings.standard.batchSize

    @Option(name: .customLong("learning-rate"), help: "The learning rate (Adam's default: \(TrainingSettings.standard.learningRate), with --episodes \(EpisodeSettings.standardLearningRate); the head of a pretrained model: \(HeadTraining.standardLearningRate)).")
    var learningRate: Float?

    @Option(help: ArgumentHelp("adam, or koch-sgd: SGD with momentum as Koch et al. train (the learning rate decays 1 % an epoch, the momentum rises from 0.5 to --momentum over 10 epochs; give it a --learning-rate of its own: 0.05 was measured on Omniglot).", valueName: "optimizer"))
    var optimizer: OptimizerName?

    @Option(help: ArgumentHelp("With --optimizer koch-sgd: the momentum it rises to (default \(TrainingSettings.standardMomentum)).", valueName: "μ"))
    var momentum: Float?

    @Option(help: "Pairs per class before the split (the tutorial takes 3000; fewer are drawn when the photos allow fewer).")
    var pairs = TrainingSettings.standard.pairsPerClass

    @Option(name: .customLong("test-fraction"), help: "Share of source photos held out for evaluate.")
    var testFraction = TrainingSettings.standard.testFraction

    @Option(help: "Seed of weights, split and shuffling.")
    var seed = TrainingSettings.standard.seed

    @Option(help: "Network: tutorial (100×100×3), omniglot (105×105×1), tiny (32×32×3, for quick tests), conv4-omniglot (28×28×1), conv4-faces (64×64×1) or conv4-faces-sphere (conv4-faces compared by angle): four batch-normalised convolution blocks, for --episodes.")
    var architecture = ArchitectureName.tutorial

    @Option(help: "triplets: each anchor with a positive and a negative in the same batch, embedded once for both pairs (3 photos for 2 pairs); pairs: the tutorial's independent pairs.")
    var batches = TrainingSettings.standard.batches

    @OptionGroup var compute: PrecisionOptions

    @OptionGroup var cropping: CropOptions

    @Option(help: ArgumentHelp("Train a general verifier instead, on this folder of identities (one subfolder each: an LFW tree, Omniglot's Alphabet/characterNN, ORL's sN): same and different pairs in equal numbers, split by identity. Use --crop centre for characters and face crops.", valueName: "folder"))
    var identities: String?

    @Option(help: ArgumentHelp("With --identities: train on this many few-shot episodes an epoch (the prototypical loss) instead of pairs; the held-out identities' one-shot accuracy picks the best epoch.", valueName: "n"))
    var episodes: Int?

    @Option(help: "Classes an episode.")
    var way = 60

    @Option(help: "Support photos a class in an episode.")
    var shots = 1

    @Option(help: "Query photos a class in an episode.")
    var queries = 5

    @Option(help: "Classes an episode with support photos only, from identities with too few photos to be queried (people photographed once).")
    var distractors = 0

    @Option(help: "Classes an episode, beyond --way, each one identity with too few photos for a class (a person photographed once), its query another augmented view of its support photo.")
    var exemplars = 0

    @Option(help: ArgumentHelp("Episode augmentations, comma-separated: turns (each quarter turn of an identity is a class: characters only), distort (Koch's affine distortions), mirror, light (contrast and brightness).", valueName: "list"))
    var augment: String?

    @Option(help: "Stop an episode run after this many epochs without a better held-out one-shot accuracy (0: never).")
    var patience = 0

    @Option(help: ArgumentHelp("Start from this model's weights (a general model, or an earlier run) instead of fresh ones; the architecture must match.", valueName: "model"))
    var from: String?

    @Flag(help: "Continue from the checkpoint next to the model.")
    var resume = false

    @Flag(help: "Start a new run even though a model or an interrupted run's checkpoint is there (both are replaced).")
    var overwrite = false

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    private var modelURL: URL { modelOptions.url(in: options) }

    func validate() throws {
        if let augment {
            let unknown = augment.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !Self.augmentations.contains($0) }
            guard unknown.isEmpty else { throw ValidationError("--augment knows turns, distort, mirror and light, not \(unknown.joined(separator: ", "))") }
            guard episodes != nil else { throw ValidationError("--augment applies to --episodes training") }
        }
        if episodes != nil && identities == nil { throw ValidationError("--episodes trains a general verifier: give --identities DIR") }
        if let problem = settings.problem { throw ValidationError(problem) }
        guard !(resume && overwrite) else { throw ValidationError("--resume continues a run and --overwrite starts a new one: give one") }
        do {
            _ = try runPrecision()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The run's precision: --precision, auto when not given.
    private func runPrecision() throws -> MatrixPrecision {
        try PrecisionChoice.resolve(compute.precision ?? .auto, trained: nil)
    }

    var settings: TrainingSettings {
        var settings = TrainingSettings(
            architectureName: architecture.rawValue, epochs: epochs, batchSize: batch,
            learningRate: learningRate ?? (episodes != nil ? EpisodeSettings.standardLearningRate : TrainingSettings.standard.learningRate),
            pairsPerClass: pairs, testFraction: testFraction, seed: seed, batches: batches,
            precision: (try? runPrecision()) ?? .float32, crop: cropping.crop ?? .face)
        let augmentations = Set((augment ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        settings.optimizer = optimizer == .adam ? nil : optimizer
        settings.momentum = momentum
        settings.episodes = episodes.map {
            EpisodeSettings(perEpoch: $0, classes: way, shots: shots, queries: queries, distractors: distractors, quarterTurnClasses: augmentations.contains("turns"),
                            distortions: augmentations.contains("distort"), mirror: augmentations.contains("mirror"),
                            lighting: augmentations.contains("light"), exemplars: exemplars, patience: patience)
        }
        return settings
    }

    /// The augmentations --augment knows.
    static let augmentations: Set<String> = ["turns", "distort", "mirror", "light"]

    func run() throws {
        let checkpointURL = Checkpoint.url(forModel: modelURL)
        let interrupt = InterruptFlag(message: "finishing the current step, then saving a checkpoint")
        interrupt.install()
        let outcome: TrainingOutcome = try reportingInputErrors {
            let dataLock = try options.lockForWriting("train", alsoSweeping: [modelURL.deletingLastPathComponent()])
            let modelFolder = modelURL.deletingLastPathComponent().standardizedFileURL
            let modelLock = modelFolder == options.layout.root.standardizedFileURL ? nil : try DataLock(folder: modelFolder, command: "train")
            defer { withExtendedLifetime((dataLock, modelLock)) {} }
            if !resume && !overwrite {
                try refuseToReplace(model: modelURL, checkpoint: checkpointURL)
            }
            // --from's model, read once: its weights start the run and its id is part of the run's settings
            // (a resume must name it again).
            let initial = try from.map { try TrainedModel.load(from: URL(fileURLWithPath: $0)) }
            if let initial, case .resnet = initial.network.architecture {
                try trainHead(of: initial)
                return .completed
            }
            var runSettings = settings
            runSettings.initialModel = initial?.modelID
            let cropper = cropping.cropper(orElse: .face)
            let dataset: FaceDataset
            let loading = ProgressLine("decoding", unit: "photos")
            defer { loading.clear() }  // also when a photo stops the run
            if let identities {
                let folder = URL(fileURLWithPath: identities).standardizedFileURL
                runSettings.identities = folder.path
                dataset = try FaceDataset(files: try Identities.files(in: folder), input: architecture.architecture.inputFormat,
                                          cropper: cropper, decoder: .withCaptureFormats, progress: loading.update)
            } else {
                dataset = try FaceDataset(layout: options.layout, classes: [.anchor, .positive, .negative],
                                          input: architecture.architecture.inputFormat, cropper: cropper, decoder: .withCaptureFormats,
                                          progress: loading.update)
            }
            loading.clear()
            for skipped in dataset.skipped { Console.warning("skipped \(skipped)") }
            for path in dataset.withoutFace { Console.warning("skipped \(path): no face found") }
            let session: TrainingSession
            if resume {
                guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
                    throw InputError(path: checkpointURL.path, problem: "no checkpoint to resume from",
                                     nextStep: "train without --resume to start a run")
                }
                session = try TrainingSession.resume(from: try Checkpoint.read(from: checkpointURL), path: checkpointURL.path,
                                                     settings: runSettings, dataset: dataset)
                print("resuming at epoch \(session.progress.epochsDone + 1), step \(session.progress.stepsDoneInEpoch + 1)")
            } else {
                session = try TrainingSession.start(settings: runSettings, dataset: dataset, startingFrom: initial)
            }
            let steps = session.settings.episodes.map {
                "\(Console.count($0.perEpoch, "episode")) an epoch, each \($0.classes)-way \($0.shots)-shot with "
                    + "\(Console.count($0.queries, "query", "queries")) a class"
                    + ($0.exemplars > 0 ? " and \(Console.count($0.exemplars, "exemplar class", "exemplar classes"))" : "")
                    + ($0.distractors > 0 ? " and \(Console.count($0.distractors, "distractor"))" : "")
            } ?? "batches of \(Console.count(session.settings.batchSize, "pair"))"
                + (session.settings.batches == .triplets ? " as \(Console.count(session.settings.batchSize / 2, "triplet"))" : "")
            print("\(Console.count(dataset.photos.count, "photo")) (\(dataset.skipped.count) unreadable and "
                  + "\(dataset.withoutFace.count) without a face skipped); "
                  + "\(Console.count(session.split.train.count, "training pair")), \(Console.count(session.split.test.count, "test pair")); "
                  + "\(session.network.parameterCount) parameters; \(steps), \(session.settings.precision.rawValue) products"
                  + (session.settings.optimizer == .kochSGD
                     ? "; Koch's SGD, momentum rising to \(session.settings.momentum ?? TrainingSettings.standardMomentum)" : ""))
            let drawn = session.split.train.count + session.split.test.count
            if !resume && drawn < 2 * settings.pairsPerClass {
                Console.note("--pairs \(settings.pairsPerClass) asks for more than these photos give: \(drawn) pairs in all, "
                             + "half same, half different (add photos for more)")
            }
            let display = ProgressDisplay(totalEpochs: epochs, interactive: Console.standardOutputIsTerminal,
                                          unit: session.settings.episodes != nil ? "photos" : "pairs")
            let start = Date()
            let outcome = try session.run(
                shouldStop: { interrupt.isRaised },
                checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) },
                events: display.show)
            if outcome == .interrupted {
                print("\ninterrupted: checkpoint saved to \(TerminalText.escaped(checkpointURL.path)) at epoch \(session.progress.epochsDone + 1), "
                      + "step \(session.progress.stepsDoneInEpoch); continue with --resume")
                return outcome
            }
            if let best = session.progress.history.filter({ $0.heldOutOneShot != nil })
                .max(by: { $0.heldOutOneShot! < $1.heldOutOneShot! }) {
                print("kept epoch \(best.epoch)'s weights: held-out one-shot accuracy " + String(format: "%.3f", best.heldOutOneShot!))
            }
            try session.saveModel(to: modelURL)
            let loss = session.progress.lastEpochLoss.map { String(format: "%.4f", $0) } ?? "-"
            print("trained \(Console.count(session.progress.epochsDone, "epoch")) in "
                  + String(format: "%.1f s: final training loss %@; model saved to %@", Date().timeIntervalSince(start), loss,
                           TerminalText.escaped(modelURL.path)))
            return outcome
        }
        if outcome == .interrupted { throw ExitCode(130) }
    }

    /// A new run would replace an existing model, or the checkpoint of a run that can be continued.
    private func refuseToReplace(model: URL, checkpoint: URL) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: model.path) {
            throw InputError(path: model.path, problem: "a trained model is already there",
                             nextStep: "train with --overwrite to replace it, or --model PATH to keep both")
        }
        if fileManager.fileExists(atPath: checkpoint.path) {
            throw InputError(path: checkpoint.path, problem: "an interrupted run can be continued",
                             nextStep: "train with --resume to continue it, or --overwrite to start over")
        }
    }

    /// `--from` a pretrained embedding: the head alone, on descriptors computed once (HeadTraining).
    private func trainHead(of initial: TrainedModel) throws {
        guard !resume, identities == nil else {
            throw InputError(path: initial.url.path, problem: "a pretrained model's head trains in one go on your anchors, positives and "
                             + "negatives", nextStep: "train --from it without --resume or --identities")
        }
        guard optimizer != .kochSGD else {
            throw InputError(path: initial.url.path, problem: "a pretrained model's head trains with Adam", nextStep: "leave out --optimizer")
        }
        var runSettings = settings
        runSettings.architectureName = ResNetArchitecture.familyName
        runSettings.learningRate = learningRate ?? HeadTraining.standardLearningRate
        runSettings.initialModel = initial.modelID
        runSettings.precision = try initial.precision(requested: compute.precision)
        let cropper = cropping.cropper(orElse: .face)
        runSettings.crop = cropper.mode
        let start = Date()
        let progress = ProgressLine("decoding", unit: "photos")
        defer { progress.clear() }
        let dataset = try FaceDataset(layout: options.layout, classes: [.anchor, .positive, .negative], input: initial.inputFormat,
                                      cropper: cropper, decoder: .withCaptureFormats, progress: progress.update)
        progress.clear()
        for skipped in dataset.skipped { Console.warning("skipped \(skipped)") }
        for path in dataset.withoutFace { Console.warning("skipped \(path): no face found") }
        let training = try HeadTraining(initial: initial, settings: runSettings, dataset: dataset, precision: runSettings.precision,
                                        progress: { progress.update("embedding", $0, of: $1) })
        progress.clear()
        print("\(Console.count(dataset.photos.count, "photo")) embedded by the pretrained network in "
              + String(format: "%.1f s; ", Date().timeIntervalSince(start))
              + "\(Console.count(training.split.train.count, "training pair")), \(Console.count(training.split.test.count, "test pair")); "
              + "training the head (\(training.network.classifier.parameterCount) parameters) only")
        try training.run { record in
            print(String(format: "epoch %d/%d: loss %.4f", record.epoch, epochs, record.trainingLoss)
                  + (record.heldOutAccuracy.map { String(format: ", held-out accuracy %.3f", $0) } ?? ""))
        }
        try training.saveModel(to: modelURL)
        print("trained \(Console.count(epochs, "epoch")) in " + String(format: "%.1f s: final training loss %.4f; model saved to %@",
              Date().timeIntervalSince(start), training.lastLoss ?? .nan, TerminalText.escaped(modelURL.path)))
    }
}
