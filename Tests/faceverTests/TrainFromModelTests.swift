// TrainFromModelTests.swift — `train --from MODEL` through the binary: the run starts from that model's
// weights (with a vanishing learning rate they come out unchanged), records which model it started from,
// never writes into it, and refuses a model of another architecture.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class TrainFromModelTests: XCTestCase {
    func testARunStartsFromTheGivenModelsWeightsAndRecordsIt() throws {
        let root = try TestPaths.temporaryFolder("train-from")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data").path
        for (faceClass, photos) in [("anchor", [(1, 1), (1, 2), (1, 3)]), ("positive", [(1, 4), (1, 5), (1, 6)]),
                                    ("negative", (2...4).flatMap { s in (1...3).map { (s, $0) } })] {
            try Facever.stage(photos, in: root.appendingPathComponent("staging/\(faceClass)"))
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--crop", "centre", "--data", data],
                                           in: root).status, 0)
        }
        let common = ["--architecture", "tiny", "--epochs", "1", "--pairs", "20", "--batch", "4", "--crop", "centre", "--data", data]
        XCTAssertEqual(try Facever.run(["train"] + common + ["--seed", "3"], in: root).status, 0)
        let first = URL(fileURLWithPath: data + "/model.safetensors")
        let before = try Data(contentsOf: first)
        let general = try TrainedModel.load(from: first)

        let next = URL(fileURLWithPath: data + "/next.safetensors")
        let started = try Facever.run(["train"] + common + ["--seed", "9", "--learning-rate", "1e-20", "--from", first.path,
                                                           "--model", next.path], in: root)
        XCTAssertEqual(started.status, 0, started.standardError)
        let model = try TrainedModel.load(from: next)
        XCTAssertEqual(model.settings?.initialModel, general.modelID)
        var largest: Float = 0
        for (fresh, start) in zip(model.network.parameters, general.network.parameters) {
            XCTAssertEqual(fresh.name, start.name)
            for (a, b) in zip(fresh.data, start.data) { largest = max(largest, abs(a - b)) }
        }
        XCTAssertLessThan(largest, 1e-6, "a vanishing learning rate leaves the starting weights (not seed 9's fresh ones)")
        XCTAssertEqual(try Data(contentsOf: first), before, "the starting model is never written")

        let other = try Facever.run(["train", "--architecture", "omniglot", "--epochs", "1", "--pairs", "20", "--crop", "centre",
                                     "--from", first.path, "--model", data + "/other.safetensors", "--data", data], in: root)
        XCTAssertEqual(other.status, 2)
        XCTAssertTrue(other.standardError.contains("the model is the tiny network, not the omniglot one this run trains; give --architecture tiny"),
                      other.standardError)
    }

    func testTrainingOnIdentitiesSplitsByIdentityAndEvaluateFindsItsHeldOutPairs() throws {
        let root = try TestPaths.temporaryFolder("train-identities")
        defer { try? FileManager.default.removeItem(at: root) }
        let people = root.appendingPathComponent("people")
        for subject in 1...8 { try Facever.stage((1...4).map { (subject, $0) }, in: people.appendingPathComponent("s\(subject)")) }
        let data = root.appendingPathComponent("data").path
        let trained = try Facever.run(["train", "--identities", "people", "--architecture", "tiny", "--epochs", "1", "--pairs", "60",
                                       "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(trained.status, 0, trained.standardError)
        let model = try TrainedModel.load(from: URL(fileURLWithPath: data + "/model.safetensors"))
        XCTAssertEqual(model.settings?.identities, people.standardizedFileURL.path)
        let split = try XCTUnwrap(model.split)
        let heldOut = Set(split.testSources)
        XCTAssertEqual(heldOut.count, 2, "30 % of 8 identities, at least 2")
        XCTAssertTrue(split.train.allSatisfy { !heldOut.contains("identity:" + Identities.identity(of: $0.anchor)) })
        let evaluated = try Facever.run(["evaluate", "--json", "--data", data], in: root)
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluated.lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(report["pairs"] as? Int, split.test.count, "the held-out pairs, read from the identities folder")
    }
}
