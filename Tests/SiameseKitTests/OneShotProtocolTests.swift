// OneShotProtocolTests.swift — Lake's one-shot runs read as he writes them (paths relative to the runs'
// folder or to the run), bad lines named, and the accuracy of the best-scoring class counted by hand.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class OneShotProtocolTests: XCTestCase {
    /// Two runs of three classes (ORL subjects 1–3 and 4–6): training photo 1, test photo 2 of each.
    static func makeRuns(in root: URL, labelsRelativeToRun: Bool = false) throws {
        for (run, subjects) in [("run01", [1, 2, 3]), ("run02", [4, 5, 6])] {
            let folder = root.appendingPathComponent(run)
            for sub in ["training", "test"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            var lines: [String] = []
            for (index, subject) in subjects.enumerated() {
                let name = String(format: "%02d", index + 1)
                try FileManager.default.copyItem(at: TestPaths.sampleFace(subject: subject, number: 1),
                                                 to: folder.appendingPathComponent("training/class\(name).pgm"))
                try FileManager.default.copyItem(at: TestPaths.sampleFace(subject: subject, number: 2),
                                                 to: folder.appendingPathComponent("test/item\(name).pgm"))
                // The answers in another order than the items, as in Lake's files.
                let answer = String(format: "%02d", index + 1)
                let prefix = labelsRelativeToRun ? "" : "\(run)/"
                lines.append("\(prefix)test/item\(name).pgm \(prefix)training/class\(answer).pgm")
            }
            try lines.reversed().joined(separator: "\n").write(to: folder.appendingPathComponent("class_labels.txt"), atomically: true, encoding: .utf8)
        }
    }

    func testRunsAreReadAsLakeWritesThemAndBadLinesAreNamed() throws {
        let root = try TestPaths.temporaryFolder("one-shot")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.makeRuns(in: root)
        let runs = try OneShotProtocol.read(root)
        XCTAssertEqual(runs.map(\.name), ["run01", "run02"])
        XCTAssertEqual(runs[0].training.count, 3)
        for test in runs[0].tests {
            XCTAssertEqual(test.image.lastPathComponent.dropFirst(4), runs[0].training[test.answer].lastPathComponent.dropFirst(5),
                           "item NN's answer is class NN")
        }
        let relative = try TestPaths.temporaryFolder("one-shot-relative")
        defer { try? FileManager.default.removeItem(at: relative) }
        try Self.makeRuns(in: relative, labelsRelativeToRun: true)
        XCTAssertEqual(try OneShotProtocol.read(relative)[1].tests.count, 3)

        try "run01/test/item01.pgm\n".write(to: root.appendingPathComponent("run01/class_labels.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try OneShotProtocol.read(root)) { XCTAssertTrue("\($0)".contains("line 1 is not"), "\($0)") }
        XCTAssertThrowsError(try OneShotProtocol.read(root.appendingPathComponent("run02/test"))) {
            XCTAssertTrue("\($0)".contains("no one-shot runs"), "\($0)")
        }
    }

    func testTheBestScoringClassIsTheAnswer() {
        let scores: [[Float]] = [[0.1, 0.9, 0.3], [0.8, 0.2, 0.7], [0.2, 0.3, 0.1], [0.4, 0.1, 0.6]]
        XCTAssertEqual(OneShotProtocol.accuracy(scores: scores, answers: [1, 0, 2, 2]), 0.75, "the third row's best is class 1, not 2")
    }
}
