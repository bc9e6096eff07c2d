// OneShotProtocol.swift — N-way one-shot classification as Lake et al. and Koch et al. measure it on
// Omniglot (`evaluate --one-shot DIR`): in each run, every test image is given the class of the training
// image (one per class) it scores highest against; accuracy per run and over all runs.
//
// Lake's layout: DIR/runNN/training/classXX.png (one image a class), DIR/runNN/test/itemXX.png, and
// DIR/runNN/class_labels.txt with one line a test item, `test image  its training image` (paths relative to
// DIR, as Lake writes them, or to the run). Images are used whole (characters need no crop): squared and
// resized to the network's input.
import Foundation
import Tensor

public enum OneShotProtocol {
    public struct Run: Sendable {
        public let name: String
        /// One image a class.
        public let training: [URL]
        /// Each test image with the index in `training` of its class.
        public let tests: [(image: URL, answer: Int)]
    }

    /// The runs under `folder` (subfolders with a class_labels.txt), by name.
    public static func read(_ folder: URL) throws -> [Run] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let runs = try names.compactMap { name -> Run? in
            let run = folder.appendingPathComponent(name)
            let labels = run.appendingPathComponent("class_labels.txt")
            guard FileManager.default.fileExists(atPath: labels.path) else { return nil }
            return try read(run: run, labels: labels, root: folder)
        }
        guard !runs.isEmpty else {
            throw InputError(path: folder.path, problem: "no one-shot runs (runNN/class_labels.txt) here",
                             nextStep: "give the folder that holds Lake's run01 … run20")
        }
        return runs
    }

    static func read(run: URL, labels: URL, root: URL) throws -> Run {
        func resolve(_ path: String) -> URL {
            let fromRoot = root.appendingPathComponent(path)
            return FileManager.default.fileExists(atPath: fromRoot.path) ? fromRoot : run.appendingPathComponent(path)
        }
        var training: [URL] = [], indexOf: [String: Int] = [:], tests: [(image: URL, answer: Int)] = []
        for (number, line) in try TextFile.lines(labels) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 2 else {
                throw InputError(path: labels.path, problem: "line \(number) is not `test_image training_image`")
            }
            let trainingImage = resolve(fields[1])
            if indexOf[trainingImage.path] == nil {
                indexOf[trainingImage.path] = training.count
                training.append(trainingImage)
            }
            tests.append((resolve(fields[0]), indexOf[trainingImage.path]!))
        }
        // Training images no test item names are still candidates.
        let folder = run.appendingPathComponent("training")
        for extra in ((try? DataLayout.imageFiles(in: folder)) ?? []) where indexOf[extra.path] == nil {
            indexOf[extra.path] = training.count
            training.append(extra)
        }
        guard !tests.isEmpty, training.count >= 2 else { throw InputError(path: labels.path, problem: "a run needs test items and two classes") }
        return Run(name: run.lastPathComponent, training: training, tests: tests)
    }

    /// The share of rows whose highest score is at the right column: scores[test][class].
    public static func accuracy(scores: [[Float]], answers: [Int]) -> Double {
        let right = zip(scores, answers).filter { row, answer in row.indices.max { row[$0] < row[$1] } == answer }.count
        return Double(right) / Double(max(answers.count, 1))
    }

    /// The most images `evaluate` embeds at once for `runs` (a run's images, in batches of
    /// InferenceModel.embeddingBatch).
    public static func largestBatch(_ runs: [Run]) -> Int {
        min(InferenceModel.embeddingBatch, runs.map { $0.training.count + $0.tests.count }.max() ?? 0)
    }

    /// Each run's accuracy with `model`, images decoded by `decoder`.
    public static func evaluate(_ runs: [Run], model: InferenceModel, decoder: PhotoDecoder) throws -> [Double] {
        let format = model.inputFormat, size = model.architecture.embeddingSize
        return try runs.map { run in
            let images = run.training + run.tests.map(\.image)
            let values = try images.map { ImageBatch.values(of: try decoder.read(contentsOf: $0), for: format) }
            var embeddings: [Float] = []
            let batch = InferenceModel.embeddingBatch
            for start in stride(from: 0, to: values.count, by: batch) {
                embeddings += model.embeddings(ImageBatch.tensor(stacking: Array(values[start..<min(values.count, start + batch)]),
                                                                 format: format)).data
            }
            let classes = run.training.count
            // Every test embedding against every training embedding: tests × classes pairs.
            var anchors: [Float] = [], others: [Float] = []
            for test in 0..<run.tests.count {
                let row = Array(embeddings[((classes + test) * size)..<((classes + test + 1) * size)])
                for candidate in 0..<classes {
                    anchors += row
                    others += embeddings[(candidate * size)..<((candidate + 1) * size)]
                }
            }
            let logits = model.logits(anchorEmbeddings: Tensor(shape: [anchors.count / size, size], data: anchors),
                                      otherEmbeddings: Tensor(shape: [others.count / size, size], data: others)).data
            let scores = (0..<run.tests.count).map { Array(logits[($0 * classes)..<(($0 + 1) * classes)]) }
            return accuracy(scores: scores, answers: run.tests.map(\.answer))
        }
    }
}
