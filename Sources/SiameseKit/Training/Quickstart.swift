// Quickstart.swift — a short training run on a folder of people, to see the engine learn.
//
// The folder holds one subfolder of photos per person. The first person (in name order) plays the
// user: their photos are paired with each other (label 1) and with other people's (label 0), half
// and half in every batch. The loss on one fixed batch is measured before and after training.
import Foundation
import Tensor

public struct QuickstartReport {
    public var stepLosses: [Float] = []
    public var fixedBatchLossBefore: Float = 0
    public var fixedBatchLossAfter: Float = 0
    public var seconds: Double = 0
    public var pairsPerSecond: Double = 0
}

public enum Quickstart {
    public struct PeopleFolder {
        public let user: [URL]
        public let others: [URL]
    }

    /// The user's photos and everybody else's, from `folder/<person>/<photo>`.
    public static func people(in folder: URL) throws -> PeopleFolder {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else {
            throw ImageError(path: folder.path, problem: "not a readable folder")
        }
        let people = names.filter { !$0.hasPrefix(".") }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            .map { folder.appendingPathComponent($0) }
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
        guard people.count >= 2 else {
            throw ImageError(path: folder.path, problem: "needs at least two person folders, found \(people.count)")
        }
        func photos(_ person: URL) -> [URL] {
            ((try? manager.contentsOfDirectory(atPath: person.path)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
                .sorted().map { person.appendingPathComponent($0) }
        }
        return PeopleFolder(user: photos(people[0]), others: people.dropFirst().flatMap(photos))
    }

    public static func run(
        folder: URL, steps: Int, batchSize: Int, seed: UInt64, architecture: EmbeddingArchitecture = .tutorial,
        progress: (Int, Float) -> Void
    ) throws -> QuickstartReport {
        precondition(batchSize >= 2 && batchSize % 2 == 0, "Quickstart: the batch needs an even size ≥ 2")
        let folderContents = try people(in: folder)
        let user = try folderContents.user.map { ImageBatch.values(of: try RGBImage.read(contentsOf: $0), for: architecture) }
        let others = try folderContents.others.map { ImageBatch.values(of: try RGBImage.read(contentsOf: $0), for: architecture) }
        guard user.count >= 2 else {
            throw ImageError(path: folder.path, problem: "the first person needs at least two photos")
        }
        var generator = RandomGenerator(seed: seed)
        func randomBatch() -> (Tensor, Tensor, [Float]) {
            var anchors: [[Float]] = [], partners: [[Float]] = [], labels: [Float] = []
            for index in 0..<batchSize {
                let anchor = Int(generator.next() % UInt64(user.count))
                anchors.append(user[anchor])
                if index % 2 == 0 {
                    var positive = Int(generator.next() % UInt64(user.count - 1))
                    if positive >= anchor { positive += 1 }
                    partners.append(user[positive])
                    labels.append(1)
                } else {
                    partners.append(others[Int(generator.next() % UInt64(others.count))])
                    labels.append(0)
                }
            }
            return (ImageBatch.tensor(stacking: anchors, architecture: architecture),
                    ImageBatch.tensor(stacking: partners, architecture: architecture), labels)
        }

        let trainer = SiameseTrainer(network: SiameseNetwork(architecture: architecture, seed: seed))
        var report = QuickstartReport()
        let fixed = randomBatch()
        report.fixedBatchLossBefore = trainer.loss(anchors: fixed.0, others: fixed.1, labels: fixed.2).data[0]
        let start = Date()
        for step in 1...max(1, steps) {
            let batch = randomBatch()
            let loss = trainer.step(anchors: batch.0, others: batch.1, labels: batch.2)
            report.stepLosses.append(loss)
            progress(step, loss)
        }
        report.seconds = Date().timeIntervalSince(start)
        report.pairsPerSecond = Double(steps * batchSize) / max(report.seconds, 1e-9)
        report.fixedBatchLossAfter = trainer.loss(anchors: fixed.0, others: fixed.1, labels: fixed.2).data[0]
        return report
    }
}
