// WorkflowEndToEndTests.swift — import → augment → train → evaluate → verify through the real binary,
// on bundled ORL faces, checking every artefact, output format and exit status; then bad inputs.
import Foundation
import Tensor
import XCTest

final class WorkflowEndToEndTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func files(_ name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("data/\(name)").path)) ?? []).sorted()
    }

    private func json(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    func testTheWholeWorkflowThroughTheCommandLine() throws {
        let staging = root.appendingPathComponent("staging")
        try Facever.stage([1, 2, 3].map { (1, $0) }, in: staging.appendingPathComponent("anchor"))
        try Facever.stage([4, 5, 6].map { (1, $0) }, in: staging.appendingPathComponent("positive"))
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: staging.appendingPathComponent("gallery"))
        try Facever.stage((2...6).flatMap { s in (1...10).map { (s, $0) } }, in: staging.appendingPathComponent("others/people"))
        try Data("not a face".utf8).write(to: staging.appendingPathComponent("others/people/broken.jpg"))

        // import
        for (folder, faceClass) in [("anchor", "anchor"), ("positive", "positive"), ("gallery", "verification")] {
            let result = try Facever.run(["import", "staging/\(folder)", "--into", faceClass, "--data", data], in: root)
            XCTAssertEqual(result.status, 0, result.standardError)
            XCTAssertTrue(result.standardOutput.hasPrefix("imported 3 photos into"), result.standardOutput)
        }
        let negatives = try Facever.run(["import", "staging/others", "--data", data], in: root)
        XCTAssertEqual(negatives.status, 0)
        XCTAssertTrue(negatives.standardOutput.contains("imported 50 photos"), negatives.standardOutput)
        XCTAssertTrue(negatives.standardOutput.contains("1 unreadable"), negatives.standardOutput)
        XCTAssertTrue(negatives.standardError.contains("broken.jpg: not a readable image"), negatives.standardError)
        XCTAssertEqual(files("negative").count, 50)

        // augment
        let augment = try Facever.run(["augment", "--copies", "2", "--seed", "1", "--data", data], in: root)
        XCTAssertEqual(augment.status, 0, augment.standardError)
        XCTAssertEqual(augment.lines.last, "augmented 6 photos: 12 copies written, 0 already there, 0 unreadable skipped")
        XCTAssertEqual(files("anchor").count, 9)
        XCTAssertEqual(files("anchor").filter { $0.contains(".aug") }.count, 6)

        // train (the tiny network, so the test stays fast)
        let trainArguments = ["train", "--architecture", "tiny", "--epochs", "2", "--pairs", "40", "--batch", "8",
                              "--learning-rate", "0.001", "--seed", "3", "--data", data]
        let train = try Facever.run(trainArguments, in: root)
        XCTAssertEqual(train.status, 0, train.standardError)
        XCTAssertEqual(train.lines.filter { $0.hasPrefix("epoch ") }.count, 2, "one plain line per epoch when not a terminal")
        XCTAssertTrue(train.lines.last!.hasPrefix("trained 2 epochs"), train.standardOutput)
        let precision = MatrixPrecision.isBFloat16Faster ? "bfloat16" : "float32"
        XCTAssertTrue(train.standardOutput.contains("; batches of 8 pairs as 4 triplets, \(precision) products"), "the defaults: \(train.standardOutput)")
        XCTAssertTrue(files("").contains("model.safetensors"))
        XCTAssertTrue(files("").contains("model.checkpoint.safetensors"))

        // resume: two more epochs from the checkpoint
        let resumed = try Facever.run(trainArguments.map { $0 == "2" ? "4" : $0 } + ["--resume"], in: root)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("resuming at epoch 3, step 1"), resumed.standardOutput)
        XCTAssertTrue(resumed.lines.last!.hasPrefix("trained 4 epochs"), resumed.standardOutput)

        // evaluate
        let evaluate = try Facever.run(["evaluate", "--json", "--data", data], in: root)
        XCTAssertEqual(evaluate.status, 0, evaluate.standardError)
        XCTAssertEqual(evaluate.lines.count, 1)
        let metrics = try json(evaluate.lines[0])
        for key in ["precision", "recall", "accuracy", "roc_auc", "equal_error_rate", "equal_error_threshold", "confusion", "pairs", "threshold"] {
            XCTAssertNotNil(metrics[key], "evaluate --json lacks \(key)")
        }
        let confusion = try XCTUnwrap(metrics["confusion"] as? [String: Int])
        XCTAssertEqual(confusion.values.reduce(0, +), metrics["pairs"] as? Int)
        let text = try Facever.run(["evaluate", "--data", data], in: root)
        XCTAssertTrue(text.standardOutput.contains("ROC AUC"), text.standardOutput)

        // verify: one line per image, JSON fields, exit status from the verdicts, cache beside the gallery
        let probes = [Facever.sampleFaces.appendingPathComponent("s1/10.pgm").path, Facever.sampleFaces.appendingPathComponent("s20/1.pgm").path]
        let verify = try Facever.run(["verify"] + probes + ["--json", "--data", data], in: root)
        XCTAssertEqual(verify.lines.count, 2)
        var allVerified = true
        for (line, probe) in zip(verify.lines, probes) {
            let object = try json(line)
            XCTAssertEqual(object["image"] as? String, probe)
            XCTAssertEqual(object["gallery_size"] as? Int, 3)
            for key in ["verified", "share", "matches", "detection_threshold", "verification_threshold", "model", "time_ms",
                        "score_mean", "score_max"] {
                XCTAssertNotNil(object[key], "verify --json lacks \(key)")
            }
            let share = try XCTUnwrap(object["share"] as? Double), matches = try XCTUnwrap(object["matches"] as? Int)
            XCTAssertEqual(share, Double(matches) / 3, accuracy: 1e-9)
            allVerified = allVerified && (object["verified"] as? Bool == true)
        }
        XCTAssertEqual(verify.status, allVerified ? 0 : 1)
        XCTAssertTrue(verify.standardError.contains("(3 cached, 0 embedded now)"), "evaluate's probe figures warmed the cache: \(verify.standardError)")
        // One cache, named by its key (the weights, this precision, the crop), made in this run's precision.
        let caches = files("").filter { $0.range(of: #"^verification\.embeddings\.[0-9a-f]{16}\.safetensors$"#, options: .regularExpression) != nil }
        XCTAssertEqual(caches.count, 1, "\(files(""))")
        let cache = try SafetensorsArchive.read(contentsOf: root.appendingPathComponent("data/\(caches[0])"))
        XCTAssertEqual(cache.metadata["precision"], precision)

        let again = try Facever.run(["verify", probes[0], "--data", data], in: root)
        XCTAssertTrue(again.lines[0].range(of: #"^.*/s1/10\.pgm (verified|not-verified) share=[01]\.\d\d \([0-3]/3\) mean=[01]\.\d\d$"#, options: .regularExpression) != nil,
                      again.lines[0])
        XCTAssertTrue(again.standardOutput.contains("(3 cached, 0 embedded now)"), again.standardOutput)

        // another precision than the model's: its own gallery cache, the same verdict format
        let float32 = try Facever.run(["verify", probes[0], "--precision", "float32", "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(float32.status), float32.standardError)
        XCTAssertTrue(float32.standardOutput.contains(precision == "float32" ? "(3 cached, 0 embedded now)" : "(0 cached, 3 embedded now)"),
                      float32.standardOutput)
        let backAgain = try Facever.run(["verify", probes[0], "--data", data], in: root)
        XCTAssertTrue(backAgain.standardOutput.contains("(3 cached, 0 embedded now)"), "each precision keeps its own cache: \(backAgain.standardOutput)")

        // a threshold of 0 for both makes every photo match and every probe verified: exit 0
        let lenient = try Facever.run(["verify", probes[1], "--detection-threshold", "0", "--verification-threshold", "0", "--data", data], in: root)
        XCTAssertEqual(lenient.status, 0)
        XCTAssertTrue(lenient.lines[0].contains(" verified share=1.00 (3/3) mean="), lenient.standardOutput)
    }

    func testBadInputsGiveOneLineErrorsAndExitStatusTwo() throws {
        let missingModel = root.appendingPathComponent("data/model.safetensors").path
        let probe = Facever.sampleFaces.appendingPathComponent("s1/10.pgm").path

        var result = try Facever.run(["verify", probe, "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("facever: \(missingModel): cannot read the file"), result.standardError)
        XCTAssertTrue(result.standardError.contains("`facever train`") && result.standardError.contains("`facever model import-dlib`"),
                      "the next step names both ways to a model: \(result.standardError)")
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1)

        result = try Facever.run(["evaluate", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("facever: \(missingModel):"), result.standardError)

        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: missingModel))
        result = try Facever.run(["verify", probe, "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: \(missingModel): not a safetensors file: no JSON header after its first 8 bytes; "
                       + "name a model that `facever train` wrote with --model, or train again if this file was one\n")
        // A safetensors header whose length was damaged: a model file to restore.
        var damaged = Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        damaged.append(Data("{\"w\":{}}".utf8))
        try damaged.write(to: URL(fileURLWithPath: missingModel))
        result = try Facever.run(["verify", probe, "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("facever: \(missingModel): header length"), result.standardError)
        XCTAssertTrue(result.standardError.hasSuffix("; train the model again or restore the file\n"), result.standardError)

        result = try Facever.run(["train", "--overwrite", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: \(root.appendingPathComponent("data/anchor").path): no such folder; "
                       + "bring photos in with `facever import DIR --into anchor`\n")

        result = try Facever.run(["import", "no/such/folder", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasSuffix("no/such/folder: no such folder; check the path\n"), result.standardError)

        result = try Facever.run(["train", "--epochs", "0", "--data", data], in: root)
        XCTAssertEqual(result.status, 64, "argument-parser's usage error")
        XCTAssertTrue(result.standardError.contains("--epochs must be at least 1"), result.standardError)

        result = try Facever.run(["train", "--batch", "5", "--data", data], in: root)
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.standardError.contains("--batches triplets needs an even --batch"), result.standardError)
        result = try Facever.run(["train", "--precision", "float16", "--data", data], in: root)
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.standardError.contains("float16"), result.standardError)

        for faceClass in ["anchor", "positive", "negative"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("data/\(faceClass)"), withIntermediateDirectories: true)
        }
        result = try Facever.run(["train", "--resume", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: \(root.appendingPathComponent("data/model.checkpoint.safetensors").path): no checkpoint to resume from; "
                       + "train without --resume to start a run\n")

        result = try Facever.run(["train", "--overwrite", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("has no anchor photos"), result.standardError)
    }
}
