// TrainingSession.swift — the training loop: epochs of shuffled batches, checkpoints, interruption.
//
// Each epoch shuffles the training pairs (or triplets: see BatchComposition) with a generator whose state is
// part of the progress, runs one optimizer step per batch (Adam, or Koch's SGD with momentum: OptimizerSchedule;
// the last batch may be short) with the run's matrix precision, and ends with a checkpoint. `shouldStop` is
// asked before every step; when it says yes, the session saves a checkpoint mid-epoch and returns
// `.interrupted`. Resuming from that checkpoint replays the same order from the next step, so an
// interrupted run ends with the same weights as an uninterrupted one. A loss or a weight that stops
// being a finite number ends the run with InputError.diverged before anything is saved. After each
// epoch, up to `heldOutPairsPerEpoch` held-out pairs are scored for the history (loss and accuracy);
// that reads the weights only, so it changes nothing in the run.
// With episode settings (`train --identities --episodes N`), a step is one few-shot episode of the training
// identities (EpisodeSampler) under the prototypical loss, and an epoch is N episodes; after each, the head is
// fitted to the embedding's distances on held-out identities (DistanceHead), and an N-way one-shot task on
// held-out identities scores the epoch: the weights of the best epoch are kept (in the checkpoint too) and
// become the model, and `patience` epochs without a better score end the run (early stopping).
import Foundation
import Tensor

public enum TrainingEvent {
    case step(epoch: Int, step: Int, stepsInEpoch: Int, loss: Float, pairsPerSecond: Double, secondsLeft: Double)
    case epochFinished(record: EpochRecord, seconds: Double)
}

public enum TrainingOutcome: Equatable {
    case completed
    case interrupted
}

extension InputError {
    /// The loss or a weight became NaN or infinite: the run stops without saving anything, so the
    /// last checkpoint (from the last whole epoch) stays as it was and no model is written.
    static func diverged(epoch: Int, step: Int) -> InputError {
        InputError(path: nil, problem: "training diverged at epoch \(epoch) step \(step) (the loss or a weight is no longer a "
                   + "finite number); nothing was saved from this epoch", nextStep: "try a lower --learning-rate")
    }
}

public final class TrainingSession {
    public let settings: TrainingSettings
    public let dataset: FaceDataset
    public let split: PairSplit
    public let network: SiameseNetwork
    public let optimizer: any Optimizer
    public private(set) var progress: TrainingProgress
    /// An episode run's weights at its best held-out one-shot epoch so far, by parameter name (nil: none yet).
    public internal(set) var bestWeights: [String: [Float]]?

    init(settings: TrainingSettings, dataset: FaceDataset, split: PairSplit, network: SiameseNetwork, optimizer: any Optimizer,
         progress: TrainingProgress) {
        self.settings = settings
        self.dataset = dataset
        self.split = split
        self.network = network
        self.optimizer = optimizer
        self.progress = progress
    }

    /// A new run: the split drawn from the seed, Adam at step 0, and a fresh network — or, with
    /// `startingFrom`, a copy of that model's weights (`settings.initialModel` must name it: it is recorded
    /// in the checkpoints and the model, and a resume must repeat it).
    /// With `settings.identities`, pairs are drawn within and across the dataset's identities and split by
    /// identity (Identities.swift); otherwise from anchor, positive and negative photos (PairSplit).
    public static func start(settings: TrainingSettings, dataset: FaceDataset, startingFrom initial: TrainedModel? = nil) throws -> TrainingSession {
        try checkRunnable(settings)
        if settings.episodes != nil && settings.identities == nil {
            throw InputError(path: nil, problem: "episodes are drawn from identities", nextStep: "give --identities DIR")
        }
        let split = settings.identities != nil
            ? try Identities.split(dataset: dataset, pairsPerClass: settings.pairsPerClass, testFraction: settings.testFraction,
                                   seed: settings.seed, batches: settings.batches)
            : try PairSplit.make(dataset: dataset, pairsPerClass: settings.pairsPerClass,
                                 testFraction: settings.testFraction, seed: settings.seed, batches: settings.batches)
        guard let architecture = settings.architecture, architecture.inputFormat == dataset.input else {
            throw InputError(path: "--architecture \(settings.architectureName)", problem: "the photos were decoded for another network")
        }
        let network: SiameseNetwork
        if let initial {
            guard initial.network.architecture == architecture else {
                let name = ArchitectureName.allCases.first { $0.architecture == initial.network.architecture }?.rawValue
                throw InputError(path: initial.url.path, problem: "the model is \(name.map { "the \($0)" } ?? "another") network, not the "
                                 + "\(settings.architectureName) one this run trains", nextStep: name.map { "give --architecture \($0)" })
            }
            precondition(settings.initialModel == initial.modelID, "TrainingSession: settings.initialModel must name the starting model")
            // A copy of the weights: training must never write into the starting model's (mapped) file.
            let archive = try SafetensorsArchive.read(contentsOf: initial.url)
            network = try SiameseNetwork(architecture: architecture, factory: .stored(in: archive, path: initial.url.path))
            _ = try network.checkedWeights(path: initial.url.path, storedDigest: initial.modelID)
        } else {
            network = try SiameseNetwork(architecture: architecture, factory: .glorotUniform(seed: settings.seed))
        }
        return TrainingSession(settings: settings, dataset: dataset, split: split, network: network,
                               optimizer: settings.makeOptimizer(), progress: TrainingProgress(seed: settings.seed))
    }

    /// Continues the run saved in `checkpoint`; `settings` may only change the number of epochs.
    public static func resume(from checkpoint: Checkpoint, path: String, settings: TrainingSettings,
                              dataset: FaceDataset) throws -> TrainingSession {
        guard checkpoint.settings.sameRun(as: settings) else {
            throw InputError(path: path, problem: "the checkpoint was made with other settings (\(checkpoint.settings.jsonString()))",
                             nextStep: "repeat them, or train without --resume to start over")
        }
        guard checkpoint.dataFingerprint == dataset.fingerprint else {
            throw InputError(path: path, problem: "the photos changed since this checkpoint", nextStep: "train without --resume to start over")
        }
        try checkRunnable(settings)
        func damaged(_ what: String) -> InputError {
            InputError(path: path, problem: "the checkpoint is damaged (\(what))", nextStep: "train without --resume to start over")
        }
        guard checkpoint.architecture == settings.architecture, checkpoint.architecture.inputFormat == dataset.input else { throw damaged("its architecture is not the settings' one") }
        let network = try SiameseNetwork(architecture: checkpoint.architecture, factory: .stored(in: checkpoint.archive, path: path))
        _ = try network.checkedWeights(path: path, storedDigest: nil)
        if let problem = settings.optimizerType.stateProblem(checkpoint.optimizerState, parameters: network.parameters) {
            throw damaged(problem)
        }
        for pair in checkpoint.split.train {
            guard dataset.index(of: pair.anchor) != nil, dataset.index(of: pair.other) != nil else {
                throw InputError(path: path, problem: "the checkpoint's training pairs name a photo that is not in the data folder "
                                 + "(\(pair.anchor) or \(pair.other))", nextStep: "train without --resume to start over")
            }
            guard pair.label == 0 || pair.label == 1 else { throw damaged("a pair's label is \(pair.label)") }
        }
        let session = TrainingSession(settings: settings, dataset: dataset, split: checkpoint.split, network: network,
                                      optimizer: settings.makeOptimizer(), progress: checkpoint.progress)
        let best = checkpoint.archive.tensors.filter { $0.key.hasPrefix(Self.bestPrefix) }
        if !best.isEmpty {
            var weights: [String: [Float]] = [:]
            for parameter in network.parameters {
                guard let stored = best[Self.bestPrefix + parameter.name!], stored.values.count == parameter.count,
                      stored.values.allSatisfy(\.isFinite) else { throw damaged("its best epoch's \(parameter.name!)") }
                weights[parameter.name!] = stored.values
            }
            guard best.count == weights.count else { throw damaged("an unknown best-epoch tensor") }
            session.bestWeights = weights
        }
        if let problem = checkpoint.progress.problem(stepsPerEpoch: session.stepsPerEpoch) { throw damaged(problem) }
        session.optimizer.restore(step: checkpoint.adamStep, tensors: checkpoint.optimizerState)
        return session
    }

    /// Settings out of range, or that this machine cannot run (bfloat16 without AVX512_BF16).
    static func checkRunnable(_ settings: TrainingSettings) throws {
        if let problem = settings.problem { throw InputError(path: nil, problem: problem) }
        _ = try PrecisionChoice.resolve(PrecisionChoice(settings.precision), trained: nil)
    }

    /// Training pairs shuffled together: 1 (pairs) or 2 (a triplet's positive and negative pair).
    private var pairsPerUnit: Int { settings.batches.pairsPerUnit }
    private var unitsPerBatch: Int { max(1, settings.batchSize / pairsPerUnit) }
    public var stepsPerEpoch: Int {
        if let episodes = settings.episodes { return episodes.perEpoch }
        let units = split.train.count / pairsPerUnit
        return (units + unitsPerBatch - 1) / unitsPerBatch
    }

    public func run(
        shouldStop: () -> Bool = { false },
        checkpoint: (TrainingSession) throws -> Void,
        events: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainingOutcome {
        guard !split.train.isEmpty else {
            throw InputError(path: nil, problem: "no training pairs", nextStep: "add anchor, positive and negative photos")
        }
        // start and resume have checked that this CPU runs the run's precision.
        let trainer = SiameseTrainer(network: network, optimizer: optimizer, compute: Compute(precision: settings.precision))
        let sampler = try settings.episodes.map { try EpisodeSampler(dataset: dataset, heldOut: split.testSources, settings: $0, seed: settings.seed) }
        let runStart = Date()
        var pairsThisRun = 0
        let pairsLeftAtStart = settings.episodes.map {
            ((settings.epochs - progress.epochsDone) * stepsPerEpoch - progress.stepsDoneInEpoch) * $0.shape.photos
        } ?? (settings.epochs - progress.epochsDone) * split.train.count - min(split.train.count, progress.stepsDoneInEpoch * settings.batchSize)

        while progress.epochsDone < settings.epochs && !patienceExhausted {
            let epochStart = Date()
            var pairsThisEpoch = 0
            var generator = RandomGenerator(state: progress.epochShuffleState)!
            var order = Array(0..<(split.train.count / pairsPerUnit))
            order.shuffle(using: &generator)
            for step in progress.stepsDoneInEpoch..<stepsPerEpoch {
                if shouldStop() {
                    try saveCheckpoint(checkpoint, epoch: progress.epochsDone + 1, step: step)
                    return .interrupted
                }
                let loss: Float, seen: Int
                let episodeNumber = settings.episodes == nil ? 0 : progress.epochsDone * stepsPerEpoch + step
                settings.schedule(optimizer, epoch: progress.epochsDone, episodesDone: episodeNumber)
                if let sampler, let episodes = settings.episodes {
                    loss = trainer.step(episode: sampler.episode(episodeNumber), shape: episodes.shape)
                    seen = episodes.shape.photos
                } else {
                    let units = order[(step * unitsPerBatch)..<min(order.count, (step + 1) * unitsPerBatch)]
                    let batch = units.flatMap { unit in split.train[(unit * pairsPerUnit)..<((unit + 1) * pairsPerUnit)] }
                    loss = trainer.step(PairBatch(pairs: batch, load: images))
                    seen = batch.count
                }
                guard loss.isFinite else { throw InputError.diverged(epoch: progress.epochsDone + 1, step: step + 1) }
                progress.stepsDoneInEpoch = step + 1
                progress.epochLossSum += Double(loss) * Double(seen)
                progress.epochPairsSeen += seen
                pairsThisRun += seen
                pairsThisEpoch += seen
                let rate = Double(pairsThisRun) / max(Date().timeIntervalSince(runStart), 1e-9)
                events(.step(epoch: progress.epochsDone + 1, step: step + 1, stepsInEpoch: stepsPerEpoch, loss: loss,
                             pairsPerSecond: rate, secondsLeft: Double(max(0, pairsLeftAtStart - pairsThisRun)) / rate))
            }
            let meanLoss = Float(progress.epochLossSum / Double(max(progress.epochPairsSeen, 1)))
            if settings.episodes != nil { fitHead() }
            let heldOut = heldOutFigures()
            let oneShot = settings.episodes != nil ? heldOutOneShot() : nil
            let record = EpochRecord(epoch: progress.epochsDone + 1, trainingLoss: Double(meanLoss), heldOutLoss: heldOut?.loss,
                                     heldOutAccuracy: heldOut?.accuracy,
                                     pairsPerSecond: Double(pairsThisEpoch) / max(Date().timeIntervalSince(epochStart), 1e-9),
                                     heldOutOneShot: oneShot)
            if let oneShot, oneShot > (progress.history.compactMap(\.heldOutOneShot).max() ?? -1) {
                bestWeights = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name!, $0.data) })
            }
            progress.history.append(record)
            progress.epochsDone += 1
            progress.stepsDoneInEpoch = 0
            progress.epochLossSum = 0
            progress.epochPairsSeen = 0
            progress.epochShuffleState = generator.state
            progress.lastEpochLoss = meanLoss
            try saveCheckpoint(checkpoint, epoch: progress.epochsDone, step: stepsPerEpoch)
            let seconds = Date().timeIntervalSince(epochStart)
            events(.epochFinished(record: record, seconds: seconds))
        }
        // The run is over: an episode run's network becomes its best epoch's (the last checkpoint keeps the last
        // epoch's weights, which a resume with more epochs continues from).
        restoreBestWeights()
        return .completed
    }

    /// Whether an episode run has gone `patience` epochs without a better held-out one-shot score.
    var patienceExhausted: Bool {
        guard let patience = settings.episodes?.patience, patience > 0 else { return false }
        let scores = progress.history.map { $0.heldOutOneShot ?? 0 }
        guard let best = scores.max(), let bestEpoch = scores.firstIndex(of: best) else { return false }
        return scores.count - 1 - bestEpoch >= patience
    }

    /// Where a checkpoint keeps the best epoch's weights: "best.<parameter name>".
    static let bestPrefix = "best."

    /// Puts the best epoch's weights (when an episode run has them) into the network: what the model keeps.
    private func restoreBestWeights() {
        guard let bestWeights else { return }
        for parameter in network.parameters { parameter.data = bestWeights[parameter.name!]! }
    }

    /// Fits the head to the embedding's distances on the held-out identities' pairs (DistanceHead).
    func fitHead() {
        let pairs = DistanceHead.fittingPairs(of: split)
        guard !pairs.isEmpty else { return }
        let (anchors, others) = embeddingsOfPairs(pairs, inference: inferenceModel())
        DistanceHead.fit(network, anchors: anchors, others: others, labels: pairs.map(\.label))
    }

    /// Held-out one-shot tasks an epoch, and their width (Lake's: 20-way).
    static let oneShotTasks = 100
    static let oneShotWays = 20

    /// The share of held-out one-shot tasks solved: for each of `oneShotTasks` tasks (the same every epoch),
    /// `oneShotWays` held-out identities (fewer when there are fewer) each give one support and one query
    /// photo, and each query is assigned to the support it scores highest with. nil without two identities.
    func heldOutOneShot() -> Double? {
        let heldOut = Identities.heldOut(split.testSources)
        let byIdentity = Identities.photosByIdentity(dataset).filter { heldOut.contains($0.key) }
        let candidates = byIdentity.keys.sorted().filter { byIdentity[$0]!.count >= 2 }
        let ways = min(Self.oneShotWays, candidates.count)
        guard ways >= 2 else { return nil }
        var generator = RandomGenerator(seed: settings.seed ^ 0x0E5_4071)
        var tasks: [[(support: String, query: String)]] = []
        for _ in 0..<Self.oneShotTasks {
            var names = candidates
            names.shuffle(using: &generator)
            tasks.append(names.prefix(ways).map { name in
                var photos = byIdentity[name]!
                photos.shuffle(using: &generator)
                return (photos[0], photos[1])
            })
        }
        let paths = Array(Set(tasks.flatMap { $0.flatMap { [$0.support, $0.query] } })).sorted()
        let inference = inferenceModel()
        let embeddings = embeddings(of: paths, inference: inference)
        let size = network.architecture.embeddingSize
        var correct = 0, total = 0
        for task in tasks {
            let supports = task.map { embeddings[$0.support]! }
            for (truth, item) in task.enumerated() {
                let query = embeddings[item.query]!
                let logits = inference.logits(
                    anchorEmbeddings: Tensor(shape: [ways, size], data: Array(repeating: query, count: ways).flatMap { $0 }),
                    otherEmbeddings: Tensor(shape: [ways, size], data: supports.flatMap { $0 })).data
                if logits.indices.max(by: { logits[$0] < logits[$1] }) == truth { correct += 1 }
                total += 1
            }
        }
        return Double(correct) / Double(total)
    }

    /// The network as it stands, for inference in the run's precision.
    func inferenceModel() -> InferenceModel { InferenceModel(network: network, compute: Compute(precision: settings.precision)) }

    /// Each photo's embedding, by relative path.
    func embeddings(of paths: [String], inference: InferenceModel) -> [String: [Float]] {
        let size = network.architecture.embeddingSize
        var embeddings: [String: [Float]] = [:]
        for start in stride(from: 0, to: paths.count, by: 64) {
            let chunk = Array(paths[start..<min(paths.count, start + 64)])
            let computed = inference.embeddings(images(chunk)).data
            for (row, path) in chunk.enumerated() { embeddings[path] = Array(computed[(row * size)..<((row + 1) * size)]) }
        }
        return embeddings
    }

    /// The embeddings of each pair's two photos: [B, E] each.
    func embeddingsOfPairs(_ pairs: [LabelledPair], inference: InferenceModel) -> (anchors: Tensor, others: Tensor) {
        let embeddings = embeddings(of: Array(Set(pairs.flatMap { [$0.anchor, $0.other] })).sorted(), inference: inference)
        let size = network.architecture.embeddingSize
        func gather(_ paths: [String]) -> Tensor { Tensor(shape: [paths.count, size], data: paths.flatMap { embeddings[$0]! }) }
        return (gather(pairs.map(\.anchor)), gather(pairs.map(\.other)))
    }

    /// Saves a checkpoint unless a weight has overflowed (a finite loss can come from weights that
    /// have just become infinite): a checkpoint is always one a run can continue from.
    private func saveCheckpoint(_ checkpoint: (TrainingSession) throws -> Void, epoch: Int, step: Int) throws {
        guard network.firstNonFiniteParameter() == nil else { throw InputError.diverged(epoch: epoch, step: step) }
        try checkpoint(self)
    }

    /// Held-out pairs scored after each epoch for the history: enough for a curve, and a bounded cost
    /// (at most 512 photos embedded, inference only, once an epoch).
    static let heldOutPairsPerEpoch = 256

    /// Binary cross-entropy and accuracy (score > 0.5) of the network on the first held-out pairs, or
    /// nil when there are none.
    func heldOutFigures() -> (loss: Double, accuracy: Double)? {
        let pairs = Array(split.test.prefix(Self.heldOutPairsPerEpoch))
        guard !pairs.isEmpty else { return nil }
        let inference = inferenceModel()
        let (anchors, others) = embeddingsOfPairs(pairs, inference: inference)
        let logits = inference.logits(anchorEmbeddings: anchors, otherEmbeddings: others).data
        var loss = 0.0, correct = 0
        for (logit, pair) in zip(logits, pairs) {
            // BCE from the logit: log(1 + e^x) − t·x, computed without overflow.
            let x = Double(logit), t = Double(pair.label)
            loss += max(x, 0) - t * x + log1p(exp(-abs(x)))
            if (x > 0) == (pair.label == 1) { correct += 1 }
        }
        guard loss.isFinite else { return nil }
        return (loss / Double(pairs.count), Double(correct) / Double(pairs.count))
    }

    /// [B, H, W, C] for photos given by relative path.
    func images(_ paths: [String]) -> Tensor {
        dataset.batch(paths.map { path in
            guard let index = dataset.index(of: path) else { preconditionFailure("split names a photo not in the dataset: \(path)") }
            return index
        })
    }
}

extension TrainingSession {
    /// Writes the trained model with its settings, data fingerprint, split, thresholds and history, and
    /// the history again as MODEL.history.csv beside it.
    public func saveModel(to url: URL, thresholds: Thresholds = Thresholds()) throws {
        var metadata = [
            ModelKeys.settings: settings.jsonString(),
            ModelKeys.dataFingerprint: dataset.fingerprint.hex,
            ModelKeys.split: split.jsonString(),
            ModelKeys.detectionThreshold: String(thresholds.detection),
            ModelKeys.verificationThreshold: String(thresholds.verification),
            ModelKeys.epochsTrained: String(progress.epochsDone),
        ]
        if let loss = progress.lastEpochLoss { metadata[ModelKeys.finalLoss] = String(loss) }
        metadata[ModelKeys.history] = TrainingHistory.json(progress.history)
        try network.save(to: url, metadata: metadata)
        try AtomicFile.write(Data(TrainingHistory.csv(progress.history).utf8), to: TrainingHistory.csvURL(forModel: url))
    }
}
