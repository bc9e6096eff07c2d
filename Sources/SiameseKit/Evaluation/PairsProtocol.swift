// PairsProtocol.swift — face verification on a list of image pairs, as LFW's View 2 measures it
// (`evaluate --pairs FILE`): k-fold accuracy (the threshold chosen on the other folds, accuracy on the
// held-back one, mean ± standard deviation over folds), ROC AUC and EER over all pairs, and the TAR at
// FAR 1e-2 and 1e-3 when there are enough different pairs to measure them.
//
// A pairs file is tab-separated text, one pair a line: `fold  image_a  image_b  same` (same = 1 or 0), or
// without the fold column (then one fold). A first line that is not a pair (LFW's header) is skipped;
// image paths are relative to the file's folder.
import Foundation
import Tensor

public struct ImagePair: Equatable, Sendable {
    public let fold: Int
    public let first: URL
    public let second: URL
    public let same: Bool
}

public enum PairsProtocol {
    /// The pairs of `url`; a line that is not a pair (after an optional header) is an error naming it.
    public static func read(_ url: URL) throws -> [ImagePair] {
        let folder = url.deletingLastPathComponent()
        var pairs: [ImagePair] = []
        for (index, (number, line)) in try TextFile.lines(url).enumerated() {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            let pair: ImagePair?
            switch fields.count {
            case 4: pair = Int(fields[0]).flatMap { fold in parse(fold: fold, fields[1], fields[2], fields[3], folder: folder) }
            case 3: pair = parse(fold: 1, fields[0], fields[1], fields[2], folder: folder)
            default: pair = nil
            }
            if let pair {
                pairs.append(pair)
            } else if index > 0 {
                throw InputError(path: url.path, problem: "line \(number) is not `fold<TAB>image_a<TAB>image_b<TAB>same` (same: 1 or 0)")
            }
        }
        guard pairs.contains(where: \.same), pairs.contains(where: { !$0.same }) else {
            throw InputError(path: url.path, problem: "the file needs both same and different pairs")
        }
        try checkFolds(pairs, path: url.path)
        return pairs
    }

    /// LFW has 10 folds; each fold's threshold is chosen over all the other pairs, so folds × pairs is the
    /// protocol's work, and a file with a fold a line would take hours rather than fail.
    public static let maximumFolds = 100

    /// Throws when `pairs` name more than `maximumFolds` folds.
    static func checkFolds(_ pairs: [ImagePair], path: String?) throws {
        let folds = Set(pairs.map(\.fold)).count
        guard folds <= maximumFolds else {
            throw InputError(path: path, problem: "the pairs name \(folds) folds, more than the \(maximumFolds) the protocol takes",
                             nextStep: "number the folds 1 to 10, as LFW does")
        }
    }

    private static func parse(fold: Int, _ first: String, _ second: String, _ same: String, folder: URL) -> ImagePair? {
        guard same == "1" || same == "0", !first.isEmpty, !second.isEmpty else { return nil }
        func resolve(_ path: String) -> URL { path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path) }
        return ImagePair(fold: fold, first: resolve(first), second: resolve(second), same: same == "1")
    }

    public struct Report: Sendable {
        /// Accuracy on each fold with the threshold chosen on the others, by fold number.
        public let foldAccuracies: [Int: Double]
        public let metrics: BinaryMetrics
        /// The best TAR with FAR ≤ 1e-2, or nil when fewer than 100 different pairs cannot measure it.
        public let tarAtFAR1e2: Double?
        /// The best TAR with FAR ≤ 1e-3, or nil when fewer than 1,000 different pairs cannot measure it.
        public let tarAtFAR1e3: Double?

        public var meanAccuracy: Double { accuraciesInFoldOrder.reduce(0, +) / Double(max(foldAccuracies.count, 1)) }
        /// The sample standard deviation over folds (0 for one fold).
        public var accuracyStandardDeviation: Double {
            let values = accuraciesInFoldOrder, mean = meanAccuracy
            guard values.count > 1 else { return 0 }
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }

        /// Summed in fold order, not in a dictionary's (which changes from run to run): the same scores give
        /// the same figures to the last bit.
        private var accuraciesInFoldOrder: [Double] { foldAccuracies.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The protocol's figures for `scores` of `pairs`. With one fold, the threshold is chosen on it (so the
    /// accuracy is optimistic: the report says how many folds there were).
    public static func report(scores: [Float], pairs: [ImagePair], threshold: Float) -> Report {
        precondition(scores.count == pairs.count && !pairs.isEmpty, "PairsProtocol: a score a pair")
        let labels = pairs.map(\.same)
        let folds = Set(pairs.map(\.fold)).sorted()
        var accuracies: [Int: Double] = [:]
        for fold in folds {
            let choosing = folds.count > 1 ? pairs.indices.filter { pairs[$0].fold != fold } : Array(pairs.indices)
            let chosen = bestThreshold(scores: choosing.map { scores[$0] }, labels: choosing.map { labels[$0] })
            let testing = pairs.indices.filter { pairs[$0].fold == fold }
            accuracies[fold] = accuracy(scores: testing.map { scores[$0] }, labels: testing.map { labels[$0] }, threshold: chosen)
        }
        let metrics = BinaryMetrics(scores: scores, labels: labels.map { $0 ? 1 : 0 }, threshold: threshold)
        // A FAR of 1/n needs n different pairs to be measured at all.
        let differents = labels.filter { !$0 }.count
        let curve = BinaryMetrics.rocCurve(scores: scores, labels: labels.map { $0 ? 1 : 0 })
        func tar(atFAR far: Double) -> Double? {
            Double(differents) * far < 1 ? nil : curve.filter { $0.falseAcceptRate <= far }.map(\.trueAcceptRate).max()
        }
        return Report(foldAccuracies: accuracies, metrics: metrics, tarAtFAR1e2: tar(atFAR: 1e-2), tarAtFAR1e3: tar(atFAR: 1e-3))
    }

    /// The threshold ("same" when score > threshold) with the best accuracy on these pairs: below every
    /// score, or a midpoint between consecutive distinct scores. One sweep over the sorted scores (a
    /// pairs file of any length costs n log n, not n²).
    static func bestThreshold(scores: [Float], labels: [Bool]) -> Float {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        guard let lowest = order.first.map({ scores[$0] }) else { return 0.5 }
        // Below every score, everything is "same": the same pairs are right.
        var right = labels.filter { $0 }.count
        var best = (right: right, threshold: lowest - max(1e-6, abs(lowest) * 1e-6))
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            // Raising the threshold to this score turns every pair with it into "different".
            while index < order.count && scores[order[index]] == score {
                right += labels[order[index]] ? -1 : 1
                index += 1
            }
            let next = index < order.count ? scores[order[index]] : score + max(1e-6, abs(score) * 1e-6)
            if right > best.right { best = (right, score + (next - score) / 2) }
        }
        return best.threshold
    }

    static func accuracy(scores: [Float], labels: [Bool], threshold: Float) -> Double {
        guard !scores.isEmpty else { return 0 }
        return Double(zip(scores, labels).filter { ($0 > threshold) == $1 }.count) / Double(scores.count)
    }

    public static let maximumDistinctImages = 20_000

    /// The Siamese score of every pair: each distinct image read, cropped by `cropper` and embedded once
    /// (in batches; `progress(done, total)` after each). A pair with an image in which face mode finds no
    /// face scores 0 (a face verifier says "not the same" to it); `withoutFace` counts those images.
    public static func scores(of pairs: [ImagePair], model: InferenceModel, cropper: PhotoCropper, decoder: PhotoDecoder,
                              progress: (Int, Int) -> Void = { _, _ in }) throws -> (scores: [Float], withoutFace: Int) {
        let images = Array(Set(pairs.flatMap { [$0.first, $0.second] })).sorted { $0.path < $1.path }
        // Every distinct image's embedding stays in memory until the pairs are scored: bounded, so that a
        // list of millions of images is an error rather than exhausted memory (LFW has 13,233 images).
        guard images.count <= maximumDistinctImages else {
            throw InputError(path: nil, problem: "the pairs name \(images.count) distinct images, more than the \(maximumDistinctImages) "
                             + "one evaluation holds", nextStep: "split the pairs file")
        }
        let format = model.inputFormat, size = model.architecture.embeddingSize
        let batch = InferenceModel.embeddingBatch
        let embedder = model.packingDenseWeight(forBatchesOf: min(batch, images.count))
        var embeddings: [URL: [Float]] = [:]
        var withoutFace = 0
        // The next batch's photos are read and cropped on a thread of their own while this one is embedded.
        let crops = CropsAhead(files: images, cropper: cropper, decoder: decoder, lookahead: batch)
        for start in stride(from: 0, to: images.count, by: batch) {
            let chunk = Array(images[start..<min(images.count, start + batch)])
            var values: [[Float]] = [], embedded: [URL] = []
            for url in chunk {
                guard let crop = try crops.next()!.crop.get() else {
                    withoutFace += 1
                    continue
                }
                values.append(ImageBatch.values(of: crop.photo, for: format))
                embedded.append(url)
            }
            if !values.isEmpty {
                let computed = embedder.embeddings(ImageBatch.tensor(stacking: values, format: format)).data
                for (row, url) in embedded.enumerated() { embeddings[url] = Array(computed[(row * size)..<((row + 1) * size)]) }
            }
            progress(min(images.count, start + batch), images.count)
        }
        let scorable = pairs.indices.filter { embeddings[pairs[$0].first] != nil && embeddings[pairs[$0].second] != nil }
        var scores = [Float](repeating: 0, count: pairs.count)
        if !scorable.isEmpty {
            func gather(_ urls: [URL]) -> Tensor { Tensor(shape: [urls.count, size], data: urls.flatMap { embeddings[$0]! }) }
            let logits = embedder.logits(anchorEmbeddings: gather(scorable.map { pairs[$0].first }),
                                         otherEmbeddings: gather(scorable.map { pairs[$0].second })).data
            for (index, logit) in zip(scorable, logits) { scores[index] = logistic(logit) }
        }
        guard scores.allSatisfy(\.isFinite) else {
            throw InputError(path: nil, problem: "the model gave a score that is not a finite number", nextStep: "train the model again")
        }
        return (scores, withoutFace)
    }
}
