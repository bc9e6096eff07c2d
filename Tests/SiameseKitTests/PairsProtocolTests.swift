// PairsProtocolTests.swift — LFW's pairs protocol: the file read as LFW writes it (header, folds, relative
// paths) with bad lines named, and k-fold accuracy with each fold's threshold chosen on the others,
// worked out by hand.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class PairsProtocolTests: XCTestCase {
    func testTheFileIsReadAsLFWWritesItAndBadLinesAreNamed() throws {
        let root = try TestPaths.temporaryFolder("pairs")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("pairs.tsv")
        try "fold\timage_a\timage_b\tsame\n1\timages/A/A_0001.jpg\timages/A/A_0002.jpg\t1\n2\timages/A/A_0001.jpg\t/abs/B_0001.jpg\t0\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let pairs = try PairsProtocol.read(file)
        XCTAssertEqual(pairs.map(\.fold), [1, 2])
        XCTAssertEqual(pairs[0].first.path, root.appendingPathComponent("images/A/A_0001.jpg").path, "relative to the file")
        XCTAssertEqual(pairs[1].second.path, "/abs/B_0001.jpg")
        XCTAssertEqual(pairs.map(\.same), [true, false])

        try "a.jpg\tb.jpg\t1\nc.jpg\td.jpg\t0\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PairsProtocol.read(file).map(\.fold), [1, 1], "three columns: one fold")
        try "a.jpg\tb.jpg\t1\nc.jpg\td.jpg\tmaybe\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PairsProtocol.read(file)) { XCTAssertTrue("\($0)".contains("line 2 is not"), "\($0)") }
        try "a.jpg\tb.jpg\t1\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PairsProtocol.read(file)) { XCTAssertTrue("\($0)".contains("both same and different"), "\($0)") }
        // A fold a line would make the protocol quadratic in the file's length: more than 100 folds are refused.
        try (0...PairsProtocol.maximumFolds).map { "\($0)\ta\($0).jpg\tb.jpg\t\($0 % 2)" }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PairsProtocol.read(file)) { XCTAssertTrue("\($0)".contains("101 folds, more than the 100"), "\($0)") }
    }

    func testAFileSavedOnWindowsOrByASpreadsheetReadsTheSameAndErrorsNameTheEditorsLine() throws {
        let root = try TestPaths.temporaryFolder("pairs-line-ends")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("pairs.tsv")
        let lines = ["fold\timage_a\timage_b\tsame", "1\ta.jpg\tb.jpg\t1", "2\tc.jpg\td.jpg\t0"]
        let expected = try { () throws -> [ImagePair] in
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            return try PairsProtocol.read(file)
        }()
        XCTAssertEqual(expected.count, 2)
        // CRLF, CR, a byte-order mark (with and without the header), blank lines between pairs.
        for text in [lines.joined(separator: "\r\n") + "\r\n", lines.joined(separator: "\r"),
                     "\u{FEFF}" + lines.joined(separator: "\r\n"), "\u{FEFF}" + lines.dropFirst().joined(separator: "\n"),
                     lines.joined(separator: "\n\n\r\n")] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try PairsProtocol.read(file), expected, text.debugDescription)
        }
        // The line a text editor shows: blank lines count.
        try "fold\timage_a\timage_b\tsame\r\n\r\n1\ta.jpg\tb.jpg\t1\r\n2\tc.jpg\td.jpg\tmaybe\r\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PairsProtocol.read(file)) { XCTAssertTrue("\($0)".contains("line 4 is not"), "\($0)") }
    }

    func testKFoldAccuracyChoosesEachFoldsThresholdOnTheOthers() {
        func pair(_ fold: Int, _ same: Bool) -> ImagePair {
            ImagePair(fold: fold, first: URL(fileURLWithPath: "/a"), second: URL(fileURLWithPath: "/b"), same: same)
        }
        // Fold 1: same 0.9, 0.8; different 0.3, 0.1. Fold 2: same 0.6, 0.2; different 0.5, 0.4.
        let pairs = [pair(1, true), pair(1, true), pair(1, false), pair(1, false), pair(2, true), pair(2, true), pair(2, false), pair(2, false)]
        let scores: [Float] = [0.9, 0.8, 0.3, 0.1, 0.6, 0.2, 0.5, 0.4]
        // On fold 2 the best threshold is 0.55 (3 of 4 right), which gets all of fold 1 right; on fold 1 it is
        // also 0.55 (all right), which gets 3 of fold 2's 4 right.
        XCTAssertEqual(PairsProtocol.bestThreshold(scores: Array(scores[4...]), labels: pairs[4...].map(\.same)), 0.55, accuracy: 1e-6)
        // The sweep finds the accuracy a brute-force search over every candidate finds, ties included.
        var generator = RandomGenerator(seed: 3)
        for _ in 0..<50 {
            let count = 1 + Int(generator.next() % 40)
            let someScores = (0..<count).map { _ in Float(generator.next() % 8) / 8 }
            let someLabels = (0..<count).map { _ in generator.next() % 2 == 0 }
            let distinct = Array(Set(someScores)).sorted()
            let candidates = [distinct[0] - 1] + zip(distinct, distinct.dropFirst()).map { ($0 + $1) / 2 } + [distinct.last! + 1]
            let bestByBruteForce = candidates.map { PairsProtocol.accuracy(scores: someScores, labels: someLabels, threshold: $0) }.max()!
            let chosen = PairsProtocol.bestThreshold(scores: someScores, labels: someLabels)
            XCTAssertEqual(PairsProtocol.accuracy(scores: someScores, labels: someLabels, threshold: chosen), bestByBruteForce, accuracy: 1e-12)
        }
        let report = PairsProtocol.report(scores: scores, pairs: pairs, threshold: 0.5)
        XCTAssertEqual(report.foldAccuracies, [1: 1.0, 2: 0.75])
        XCTAssertEqual(report.meanAccuracy, 0.875, accuracy: 1e-12)
        XCTAssertEqual(report.accuracyStandardDeviation, (2 * 0.125 * 0.125).squareRoot(), accuracy: 1e-12)
        XCTAssertNil(report.tarAtFAR1e3, "4 different pairs cannot measure FAR 1e-3")
        XCTAssertNil(report.tarAtFAR1e2, "nor FAR 1e-2")

        // 100 different pairs scoring 0…0.495, 30 same pairs at 0.9 and 10 at 0.1: at FAR ≤ 1 % the best
        // threshold passes the 30 (and at most one different pair), TAR 0.75; FAR 1e-3 needs 1,000 different pairs.
        let many = (0..<100).map { ImagePair(fold: 1 + $0 % 2, first: URL(fileURLWithPath: "/d\($0)"), second: URL(fileURLWithPath: "/e"), same: false) }
            + (0..<40).map { ImagePair(fold: 1 + $0 % 2, first: URL(fileURLWithPath: "/s\($0)"), second: URL(fileURLWithPath: "/t"), same: true) }
        let manyScores = (0..<100).map { Float($0) * 0.005 } + [Float](repeating: 0.9, count: 30) + [Float](repeating: 0.1, count: 10)
        let measured = PairsProtocol.report(scores: manyScores, pairs: many, threshold: 0.5)
        XCTAssertEqual(try XCTUnwrap(measured.tarAtFAR1e2), 0.75, accuracy: 1e-12)
        XCTAssertNil(measured.tarAtFAR1e3)
    }

    func testScoredPairsRoundTripExactly() throws {
        let root = try TestPaths.temporaryFolder("scored-pairs")
        defer { try? FileManager.default.removeItem(at: root) }
        let pairs = [ImagePair(fold: 3, first: URL(fileURLWithPath: "/lfw/A/A_0001.jpg"), second: URL(fileURLWithPath: "/lfw/A/A_0002.jpg"), same: true),
                     ImagePair(fold: 5, first: URL(fileURLWithPath: "/lfw/A/A_0001.jpg"), second: URL(fileURLWithPath: "/lfw/B b/B_0001.jpg"), same: false)]
        let scores: [Float] = [0.1 + 0.2, 1e-30]  // values a short decimal cannot hold: every bit must come back
        let file = root.appendingPathComponent("scores.tsv")
        try ScoredPairs.write(pairs, scores: scores, to: file)
        let read = try ScoredPairs.read(file)
        XCTAssertEqual(read.pairs, pairs)
        XCTAssertEqual(read.scores.map(\.bitPattern), scores.map(\.bitPattern))

        // Files of 60 folds each pass alone; together they name 120, which is refused.
        var urls: [URL] = []
        for part in 0..<2 {
            let many = (0..<60).map { ImagePair(fold: part * 60 + $0, first: URL(fileURLWithPath: "/a\($0)"), second: URL(fileURLWithPath: "/b"),
                                                same: $0 % 2 == 0) }
            urls.append(root.appendingPathComponent("part\(part).tsv"))
            try ScoredPairs.write(many, scores: [Float](repeating: 0.5, count: many.count), to: urls[part])
            XCTAssertEqual(try ScoredPairs.read(urls[part]).pairs.count, 60)
        }
        XCTAssertThrowsError(try ScoredPairs.read(urls)) { XCTAssertTrue("\($0)".contains("120 folds, more than the 100"), "\($0)") }
    }

    func testEveryImageIsEmbeddedOnceAndAnUnreadableOneIsTheErrorNamingIt() throws {
        let root = try TestPaths.temporaryFolder("pairs-scores")
        defer { try? FileManager.default.removeItem(at: root) }
        // 40 pictures: more than one batch, so later batches are cropped while earlier ones are embedded.
        let urls = try (0..<40).map { index -> URL in
            let url = root.appendingPathComponent("p\(index).png")
            let pixels = (0..<(48 * 48 * 3)).map { UInt8(truncatingIfNeeded: $0 &* (index + 1)) }
            try RGBImage(width: 48, height: 48, pixels: pixels).pngData().write(to: url)
            return url
        }
        let pairs = (0..<39).map { ImagePair(fold: $0 % 2 + 1, first: urls[$0], second: urls[$0 + 1], same: $0 % 3 == 0) }
        let model = InferenceModel(network: SiameseNetwork(architecture: .tiny, seed: 1), compute: Compute(precision: .float32))
        let scored = try PairsProtocol.scores(of: pairs, model: model, cropper: .centre, decoder: .ownFormats)
        // Each pair's score is the one the two photos give alone.
        for index in [0, 17, 38] {
            let alone = try PairsProtocol.scores(of: [pairs[index]], model: model, cropper: .centre, decoder: .ownFormats)
            XCTAssertEqual(scored.scores[index], alone.scores[0], accuracy: 1e-6, "pair \(index)")
        }
        XCTAssertEqual(scored.withoutFace, 0)

        let broken = root.appendingPathComponent("broken.png")
        try Data("not a picture".utf8).write(to: broken)
        let withBroken = pairs + [ImagePair(fold: 1, first: urls[0], second: broken, same: false)]
        XCTAssertThrowsError(try PairsProtocol.scores(of: withBroken, model: model, cropper: .centre, decoder: .ownFormats)) {
            XCTAssertTrue("\($0)".contains(broken.path), "\($0)")
        }
    }

    func testAListOfTooManyImagesIsAnErrorBeforeAnyIsRead() {
        let count = PairsProtocol.maximumDistinctImages / 2 + 1
        let pairs = (0..<count).map { ImagePair(fold: 1, first: URL(fileURLWithPath: "/none/a\($0).jpg"),
                                                second: URL(fileURLWithPath: "/none/b\($0).jpg"), same: $0 % 2 == 0) }
        let model = InferenceModel(network: SiameseNetwork(architecture: .tiny, seed: 1), compute: Compute(precision: .float32))
        XCTAssertThrowsError(try PairsProtocol.scores(of: pairs, model: model, cropper: .centre, decoder: .ownFormats)) {
            XCTAssertTrue("\($0)".contains("distinct images, more than the 20000"), "\($0)")
        }
    }

    func testTheFoldMeanIsTheSameWhateverTheDictionarysOrder() {
        // Ten folds whose accuracies sum to different last bits in different orders. Dictionaries of the
        // same folds but other capacities iterate in other orders: the figures must not move with them.
        let accuracies: [Double] = [0.9801084990958409, 0.9822064056939501, 0.9858906525573192, 0.9871559633027523, 0.9840425531914894,
                                    0.1, 0.7, 0.3000000000000001, 0.2, 0.6]
        let metrics = BinaryMetrics(scores: [0.2, 0.8], labels: [0, 1], threshold: 0.5)
        let inFoldOrder = accuracies.reduce(0, +) / 10
        for capacity in [0, 16, 32, 64, 128, 256, 512, 1024] {
            var byFold: [Int: Double] = [:]
            byFold.reserveCapacity(capacity)
            for (index, accuracy) in accuracies.enumerated() { byFold[index + 1] = accuracy }
            let report = PairsProtocol.Report(foldAccuracies: byFold, metrics: metrics, tarAtFAR1e2: nil, tarAtFAR1e3: nil)
            XCTAssertEqual(report.meanAccuracy, inFoldOrder, "capacity \(capacity)")
            let deviations = accuracies.map { ($0 - inFoldOrder) * ($0 - inFoldOrder) }.reduce(0, +) / 9
            XCTAssertEqual(report.accuracyStandardDeviation, deviations.squareRoot(), "capacity \(capacity)")
        }
    }
}
