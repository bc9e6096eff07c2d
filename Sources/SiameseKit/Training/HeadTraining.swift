// HeadTraining.swift — `train --from` a pretrained embedding (dlib's ResNet): the tutorial's workflow on a
// strong embedding. The embedding stays frozen; only the Siamese head (a dense layer on (e1 − e2)², 129
// weights) learns from the user's anchor/positive/negative pairs.
//
//   every photo of the dataset → its descriptor, once (the network never changes, so nothing is recomputed)
//   for each epoch: the training pairs in a seeded order, in batches: BCE(σ(head(e1, e2)), label), Adam
//   after each epoch: loss and accuracy on the held-out pairs (the split `evaluate` later scores)
// Starting from the imported head (0.5 at dlib's distance 0.6), training moves the boundary and weighs the
// descriptor's dimensions for this user's photos and the people they are told apart from.
import Foundation
import Tensor

public final class HeadTraining {
    /// Adam's step for the head when the user names none: the tutorial's 1e-4 would take ten thousand
    /// steps to move a weight that starts at −20 by one.
    public static let standardLearningRate: Float = 0.01

    public let network: SiameseNetwork
    public let settings: TrainingSettings
    public let split: PairSplit
    public let dataset: FaceDataset
    public private(set) var history: [EpochRecord] = []
    public private(set) var lastLoss: Float?
    private let descriptors: [[Float]]
    private let initial: TrainedModel

    /// Embeds every photo of `dataset` with `initial`'s frozen network and draws the pairs as `settings` say.
    /// `progress(done, total)` follows each batch embedded.
    public init(initial: TrainedModel, settings: TrainingSettings, dataset: FaceDataset, precision: MatrixPrecision,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        guard case .resnet = initial.network.architecture else {
            throw InputError(path: initial.url.path, problem: "not a pretrained embedding (head training is for imported models)")
        }
        guard dataset.input == initial.inputFormat else {
            throw InputError(path: initial.url.path, problem: "the photos were decoded for another network")
        }
        split = try PairSplit.make(dataset: dataset, pairsPerClass: settings.pairsPerClass, testFraction: settings.testFraction,
                                   seed: settings.seed, batches: settings.batches)
        // A copy of the network: training must never write into the starting model's weights.
        let archive = try SafetensorsArchive.read(contentsOf: initial.url)
        network = try SiameseNetwork(architecture: initial.network.architecture, factory: .stored(in: archive, path: initial.url.path),
                                     chipper: initial.network.chipper)
        let inference = InferenceModel(network: network, compute: Compute(precision: precision))
        var descriptors: [[Float]] = []
        for start in stride(from: 0, to: dataset.photos.count, by: 32) {
            let chunk = Array(start..<min(dataset.photos.count, start + 32))
            let embedded = inference.embeddings(dataset.batch(chunk))
            let size = embedded.shape[1]
            for row in 0..<chunk.count { descriptors.append(Array(embedded.data[(row * size)..<((row + 1) * size)])) }
            progress(descriptors.count, dataset.photos.count)
        }
        guard descriptors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw InputError(path: initial.url.path, problem: "the network gave a descriptor that is not a number")
        }
        (self.descriptors, self.settings, self.dataset, self.initial) = (descriptors, settings, dataset, initial)
    }

    private func tensors(_ pairs: ArraySlice<LabelledPair>) -> (Tensor, Tensor, Tensor) {
        let size = descriptors.first?.count ?? 0
        let rows = { (path: String) in self.descriptors[self.dataset.index(of: path)!] }
        return (Tensor(shape: [pairs.count, size], data: pairs.flatMap { rows($0.anchor) }),
                Tensor(shape: [pairs.count, size], data: pairs.flatMap { rows($0.other) }),
                Tensor(shape: [pairs.count, 1], data: pairs.map(\.label)))
    }

    /// Runs every epoch; `epochDone` hears of each.
    public func run(epochDone: (EpochRecord) -> Void = { _ in }) throws {
        let optimizer = Adam(learningRate: settings.learningRate)
        var random = RandomGenerator(seed: settings.seed)
        var order = Array(split.train.indices)
        for epoch in 1...settings.epochs {
            let start = Date()
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            var lossSum = 0.0
            for batchStart in stride(from: 0, to: order.count, by: settings.batchSize) {
                let pairs = order[batchStart..<min(order.count, batchStart + settings.batchSize)].map { split.train[$0] }
                let (anchors, others, labels) = tensors(pairs[...])
                network.zeroGrad()
                let loss = binaryCrossEntropy(logits: network.logits(anchorEmbeddings: anchors, otherEmbeddings: others), labels: labels)
                loss.backward()
                guard loss.data[0].isFinite else {
                    throw InputError(path: initial.url.path, problem: "training diverged at epoch \(epoch) (the loss is not a number)",
                                     nextStep: "train again with a smaller --learning-rate")
                }
                optimizer.update(network.classifier.parameters)
                lossSum += Double(loss.data[0]) * Double(pairs.count)
            }
            lastLoss = Float(lossSum / Double(max(1, order.count)))
            var record = EpochRecord(epoch: epoch, trainingLoss: lossSum / Double(max(1, order.count)), heldOutLoss: nil,
                                     heldOutAccuracy: nil, pairsPerSecond: Double(order.count) / max(1e-9, Date().timeIntervalSince(start)))
            if !split.test.isEmpty {
                let (anchors, others, labels) = tensors(split.test[...])
                let logits = network.logits(anchorEmbeddings: anchors, otherEmbeddings: others)
                record.heldOutLoss = Double(binaryCrossEntropy(logits: logits, labels: labels).data[0])
                record.heldOutAccuracy = Double(zip(logits.data, labels.data).filter { ($0 > 0) == ($1 > 0.5) }.count) / Double(labels.count)
            }
            history.append(record)
            epochDone(record)
        }
    }

    /// Writes the model: the imported network with the trained head, the run's settings, split and history,
    /// and the import's provenance.
    public func saveModel(to url: URL) throws {
        var metadata = [
            ModelKeys.settings: settings.jsonString(),
            ModelKeys.dataFingerprint: dataset.fingerprint.hex,
            ModelKeys.split: split.jsonString(),
            ModelKeys.epochsTrained: String(history.count),
            ModelKeys.history: TrainingHistory.json(history),
        ]
        for key in [ModelKeys.provenance, ModelKeys.licence, ModelKeys.descriptorThreshold] {
            metadata[key] = initial.metadata[key]
        }
        if let lastLoss { metadata[ModelKeys.finalLoss] = String(lastLoss) }
        try network.save(to: url, metadata: metadata)
        try AtomicFile.write(Data(TrainingHistory.csv(history).utf8), to: TrainingHistory.csvURL(forModel: url))
    }
}
