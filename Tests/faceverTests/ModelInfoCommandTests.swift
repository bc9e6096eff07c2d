// ModelInfoCommandTests.swift — `facever model info` through the real binary: a model trained here is
// described from its file (network, parameters, the run's settings, held-out pairs, thresholds and their
// source, how it runs on this CPU), in lines and in JSON; thresholds saved later show with their source; a
// damaged or missing file is refused in one line. dlib's imported model (after setup) shows where it came from.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class ModelInfoCommandTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }
    private var modelPath: String { data + "/model.safetensors" }

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("model-info") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func json(_ result: CommandResult) throws -> [String: Any] {
        XCTAssertEqual(result.lines.count, 1, result.standardOutput)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    func testDescribesATrainedModelFromItsFile() throws {
        for (faceClass, photos) in [("anchor", (1...3).map { (1, $0) }), ("positive", (4...6).map { (1, $0) }),
                                    ("negative", (2...5).flatMap { s in (1...2).map { (s, $0) } })] {
            try Facever.stage(photos, in: root.appendingPathComponent("staging/\(faceClass)"))
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", data], in: root).status, 0)
        }
        let train = try Facever.run(["train", "--architecture", "tiny", "--epochs", "2", "--pairs", "20", "--batch", "4",
                                     "--seed", "7", "--learning-rate", "0.002", "--data", data], in: root)
        XCTAssertEqual(train.status, 0, train.standardError)
        let model = try TrainedModel.load(from: URL(fileURLWithPath: modelPath))
        let split = try XCTUnwrap(model.split)

        let info = try Facever.run(["model", "info", "--data", data], in: root)
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertEqual(info.standardError, "")
        let lines = info.lines
        XCTAssertEqual(lines.first, "\(data)/model.safetensors: model \(model.modelID), "
                       + String(format: "%.1f MB", Double(try Data(contentsOf: model.url).count) / 1_000_000)
                       + ", weights checked against their id")
        XCTAssertTrue(lines.contains("network: tiny, 32×32×3 picture → 128-value embedding, head on |e1 − e2|; 80,897 parameters"), info.standardOutput)
        XCTAssertEqual(model.network.parameterCount, 80_897)
        XCTAssertTrue(lines.contains { $0.hasPrefix("trained: 2 epochs (last training loss ") && $0.hasSuffix(
            " of 2 asked, 20 pairs a class, batches of 4 (triplets), Adam at 0.002, seed 7, \(model.settings!.precision.rawValue)") },
                      info.standardOutput)
        XCTAssertTrue(lines.contains("held out: \(split.test.count) of \(split.test.count + split.train.count) pairs, which evaluate reads back"),
                      info.standardOutput)
        XCTAssertTrue(lines.contains("crop: face"), info.standardOutput)
        XCTAssertTrue(lines.contains("thresholds: detection 0.500, verification 0.500 (the tutorial's defaults, stored at training)"),
                      info.standardOutput)
        // What verify would run: the prepared network's own Compute.
        let compute = model.prepared(for: try model.precision(requested: nil)).compute
        XCTAssertTrue(lines.last?.hasPrefix("runs here: \(compute)") == true, info.standardOutput)

        // The run's checkpoint beside the model is no model, and is named for what it is.
        let checkpoint = try Facever.run(["model", "info", "--model", data + "/model.checkpoint.safetensors"], in: root)
        XCTAssertEqual(checkpoint.status, 2)
        XCTAssertTrue(checkpoint.standardError.contains("model.checkpoint.safetensors: a training run's checkpoint, not a model; "
                                                        + "`facever train --resume` continues"), checkpoint.standardError)

        let object = try json(try Facever.run(["model", "info", "--json", "--model", modelPath], in: root))
        XCTAssertEqual(object["model_id"] as? String, model.modelID)
        XCTAssertEqual(object["model"] as? String, modelPath)
        let network = try XCTUnwrap(object["network"] as? [String: Any])
        XCTAssertEqual(network["name"] as? String, "tiny")
        XCTAssertEqual(network["input"] as? [Int], [32, 32, 3])
        XCTAssertEqual(network["parameters"] as? Int, 80_897)
        XCTAssertEqual(network["pair_feature"] as? String, "absolute_difference")
        XCTAssertEqual(network["landmarks"] as? Bool, false)
        XCTAssertNil(network["mirror_average"])
        let training = try XCTUnwrap(object["training"] as? [String: Any])
        XCTAssertEqual(training["held_out_pairs"] as? Int, split.test.count)
        XCTAssertEqual(training["training_pairs"] as? Int, split.train.count)
        XCTAssertEqual(training["epochs_recorded"] as? Int, 2)
        XCTAssertEqual((training["settings"] as? [String: Any])?["seed"] as? Int, 7)
        XCTAssertTrue(object["imported"] is NSNull)
        let runsHere = try XCTUnwrap(object["runs_here"] as? [String: Any])
        XCTAssertEqual(runsHere["precision"] as? String, compute.precision.rawValue)
        XCTAssertEqual(runsHere["threads"] as? Int, compute.threads)
        XCTAssertEqual(runsHere["float32_kernel"] as? String, "\(compute.float32Kernel)")

        // Thresholds saved later are the ones described, with where they came from.
        try model.savingThresholds(Thresholds(detection: 0.25, verification: 0.75), source: "test: calibrated by hand")
        let saved = try Facever.run(["model", "info", "--data", data], in: root)
        XCTAssertTrue(saved.lines.contains("thresholds: detection 0.250, verification 0.750 (test: calibrated by hand)"), saved.standardOutput)
        let thresholds = try XCTUnwrap(try json(try Facever.run(["model", "info", "--json", "--data", data], in: root))["thresholds"] as? [String: Any])
        XCTAssertEqual(thresholds["detection"] as? Double, 0.25)
        XCTAssertEqual(thresholds["source"] as? String, "test: calibrated by hand")
    }

    func testADamagedOrMissingModelIsRefusedInOneLine() throws {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: modelPath))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: modelPath))
        bytes[bytes.count - 5] ^= 0x40   // one weight changed: no longer the weights its id names
        try bytes.write(to: URL(fileURLWithPath: modelPath))
        let damaged = try Facever.run(["model", "info", "--data", data], in: root)
        XCTAssertEqual(damaged.status, 2)
        XCTAssertEqual(damaged.standardOutput, "")
        XCTAssertEqual(damaged.standardError.split(separator: "\n").count, 1, damaged.standardError)
        XCTAssertTrue(damaged.standardError.hasPrefix("facever: \(modelPath): "), damaged.standardError)

        let missing = try Facever.run(["model", "info", "--model", "none.safetensors", "--json"], in: root)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.standardOutput, "")
        XCTAssertTrue(missing.standardError.contains("none.safetensors: cannot read the file"), missing.standardError)
    }

    func testTheImportedModelSaysWhereItCameFrom() throws {
        let pretrained = TestPaths.models.appendingPathComponent("dlib-resnet-v1.safetensors").path
        guard FileManager.default.fileExists(atPath: pretrained) else {
            throw XCTSkip("models/dlib-resnet-v1.safetensors is not there: run Scripts/setup.sh")
        }
        let info = try Facever.run(["model", "info", "--model", pretrained], in: root)
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.lines.contains("network: resnet, 150×150×3 face chip cut by its 5-point landmark predictor (black past the "
                                          + "photo's edge) → 128-value embedding averaged with its mirror image's, head on (e1 − e2)²; "
                                          + "5,614,721 parameters"), info.standardOutput)
        XCTAssertTrue(info.lines.contains { $0.hasPrefix("imported: dlib_face_recognition_resnet_model_v1.dat") }, info.standardOutput)
        XCTAssertTrue(info.lines.contains { $0.hasPrefix("licence: public domain") }, info.standardOutput)
        XCTAssertFalse(info.lines.contains { $0.hasPrefix("trained:") }, info.standardOutput)
        // What the thresholds stand for, in words that sit in verify's summary without parentheses in parentheses.
        XCTAssertTrue(info.lines.contains("thresholds: detection 0.500, verification 0.500 (the imported head: score 0.5 at descriptor "
                                          + "distance 0.5904, dlib's 0.6 × 0.984 for mirror-averaged descriptors)"), info.standardOutput)
        let object = try json(try Facever.run(["model", "info", "--json", "--model", pretrained], in: root))
        XCTAssertEqual((object["thresholds"] as? [String: Any])?["descriptor_distance"] as? Double, 0.5904)
        XCTAssertEqual((object["network"] as? [String: Any])?["landmarks"] as? Bool, true)
        XCTAssertEqual((object["network"] as? [String: Any])?["mirror_average"] as? Bool, true)
        XCTAssertEqual((object["imported"] as? [String: Any])?["import_version"] as? String, DlibImport.importVersion)
        XCTAssertTrue(object["training"] is NSNull)
    }
}
