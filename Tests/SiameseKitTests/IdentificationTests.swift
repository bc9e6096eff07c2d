// IdentificationTests.swift — identify's arithmetic and tallies: a person's score is the mean of their
// three best photo scores, the best person is named only above the threshold, everyone enrolled is in
// the ranking; rank-1 accuracy and unknown rejection counted by hand; the ROC curve on a worked example.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class IdentificationTests: XCTestCase {
    func testAPersonsScoreIsTheMeanOfTheirThreeBestPhotosAndTheThresholdDecidesUnknown() throws {
        let root = try TestPaths.temporaryFolder("identify")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        for (subject, photos) in [(1, 1...5), (2, 1...2), (3, 1...4)] {
            let staging = root.appendingPathComponent("staging/s\(subject)")
            try TestPaths.copySampleFaces(photos.map { (subject: subject, number: $0) }, into: staging)
            _ = try ImageImporter.run(source: staging, into: People.folder(of: "person \(subject)", in: layout))
        }
        XCTAssertEqual(try People.list(in: layout), [Person(name: "person 1", photoCount: 5), Person(name: "person 2", photoCount: 2),
                                                     Person(name: "person 3", photoCount: 4)])
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 3).save(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let probe = try PhotoCropper.centre.crop(try RGBImage.read(contentsOf: TestPaths.sampleFace(subject: 1, number: 9)))!.photo

        // A photo lying directly in the people folder belongs to nobody: never a name in the ranking.
        try FileManager.default.copyItem(at: TestPaths.sampleFace(subject: 9, number: 1), to: layout.peopleFolder.appendingPathComponent("stray.pgm"))
        let identifier = try Identifier(model: model, precision: .float32, layout: layout, threshold: 0, cropper: .centre, decoder: .ownFormats)
        XCTAssertEqual(identifier.names, ["person 1", "person 2", "person 3"])
        let result = try identifier.identify(probe)
        // The same figures by hand, from the scores against every enrolled photo.
        let format = model.network.architecture.inputFormat
        let embedding = identifier.gallery.inference.embeddings(ImageBatch.tensor(stacking: [ImageBatch.values(of: probe, for: format)],
                                                                                  format: format)).data
        let scores = try Gallery.scores(of: embedding, against: identifier.gallery.embeddings, inference: identifier.gallery.inference, model: model)
        var expected: [String: Double] = [:]
        XCTAssertEqual(identifier.gallery.paths.count, 12, "11 photos of people and the stray one")
        for name in identifier.names {
            let mine = zip(identifier.gallery.paths, scores).filter { People.name(of: $0.0, in: layout) == name }.map { Double($0.1) }
            let best = mine.sorted(by: >).prefix(3)
            expected[name] = best.reduce(0, +) / Double(best.count)
        }
        XCTAssertEqual(result.ranking.count, 3)
        for (name, score) in result.ranking { XCTAssertEqual(score, expected[name]!, accuracy: 1e-9, name) }
        XCTAssertEqual(result.ranking.map(\.score), result.ranking.map(\.score).sorted(by: >), "best first")
        XCTAssertEqual(result.name, result.ranking[0].name, "threshold 0: the best is named")
        XCTAssertEqual(result.runnerUp?.name, result.ranking[1].name)

        let strict = try Identifier(model: model, precision: .float32, layout: layout, threshold: 1, cropper: .centre, decoder: .ownFormats)
        XCTAssertNil(try strict.identify(probe).name, "nobody scores above 1: unknown")
        XCTAssertEqual(strict.gallery.report.cached, 12, "the second identifier reads everyone from the cache")
    }

    func testNamesThatCannotBeFoldersOrLinesAreRefused() {
        for bad in ["", ".hidden", " lead", "a/b", "tab\there", "new\nline", String(repeating: "x", count: 65), "..", "trail "] {
            XCTAssertNotNil(People.problem(withName: bad), "'\(bad)'")
        }
        for good in ["alice", "Jean-Luc O'Neil", "李小龙", "s_2.5"] { XCTAssertNil(People.problem(withName: good), good) }
    }

    func testTheTallyCountsRankOneAndUnknownRejectionByHand() {
        var tally = IdentificationTally()
        tally.record(truth: "ann", answer: "ann")
        tally.record(truth: "ann", answer: "bob")
        tally.record(truth: "bob", answer: nil)
        tally.record(truth: "bob", answer: nil, noFace: true)
        tally.record(truth: nil, answer: nil)
        tally.record(truth: nil, answer: "ann")
        tally.record(truth: nil, answer: nil)
        XCTAssertEqual(tally.rankOneAccuracy, 1.0 / 4)
        XCTAssertEqual(tally.unknownRejectionRate, 2.0 / 3)
        XCTAssertEqual(tally.confusion["ann"], ["ann": 1, "bob": 1])
        XCTAssertEqual(tally.confusion["bob"], ["unknown": 1, "no face": 1])
        XCTAssertEqual(tally.confusion["unknown"], ["unknown": 2, "ann": 1])
        XCTAssertNil(IdentificationTally().rankOneAccuracy)
    }

    func testTheROCCurveOnAWorkedExample() {
        // Same 0.9, 0.8, 0.3; different 0.6, 0.2, 0.1 (MetricsTests' example).
        let curve = BinaryMetrics.rocCurve(scores: [0.9, 0.8, 0.3, 0.6, 0.2, 0.1], labels: [1, 1, 1, 0, 0, 0])
        let points: [[Double]] = curve.map { [$0.falseAcceptRate, $0.trueAcceptRate] }
        let third = 1.0 / 3, twoThirds = 2.0 / 3
        let expected: [[Double]] = [[0, 0], [0, third], [0, twoThirds], [third, twoThirds], [third, 1], [twoThirds, 1], [1, 1]]
        XCTAssertEqual(points, expected)
        XCTAssertEqual(curve[2].threshold, 0.6, "above 0.6: the two best same pairs, no different one")
        // Ties move together: one step, not two.
        let tied: [[Double]] = BinaryMetrics.rocCurve(scores: [0.5, 0.5], labels: [1, 0]).map { [$0.falseAcceptRate, $0.trueAcceptRate] }
        XCTAssertEqual(tied, [[0, 0], [1, 1]])
    }
}
