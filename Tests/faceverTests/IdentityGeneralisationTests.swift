// IdentityGeneralisationTests.swift — Koch's promise at toy scale, through the binary: a network trained with
// `train --identities` on synthetic classes (60 random glyphs, 8 shifted and noisy samples each; 45 classes to
// train on, 15 held out) tells classes it never saw apart in `evaluate --one-shot`: 10-way accuracy 0.57 when
// written (chance 0.10; the same network untrained 0.16), asserted ≥ 0.30 and 0.15 above the untrained one.
// The same with episodes (`--episodes`, conv4-omniglot, the prototypical loss): 0.79 when written, against 0.46
// for the same network untrained compared by plain distance; asserted ≥ 0.50 and 0.15 above it.
import Foundation
import SiameseKit
import Tensor
import TestSupport
import XCTest

final class IdentityGeneralisationTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("identities-generalise") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Class `glyph` (an 8×8 random pattern drawn 3× larger), sample `sample`: shifted up to 2 pixels, with noise.
    private func sample(glyph: [Bool], seed: UInt64) -> RGBImage {
        var random = RandomGenerator(seed: seed)
        let (dx, dy) = (Int(random.next() % 5) - 2, Int(random.next() % 5) - 2)
        var pixels = [UInt8](repeating: 0, count: 32 * 32 * 3)
        for y in 0..<32 {
            for x in 0..<32 {
                let (gx, gy) = ((x - 4 - dx) / 3, (y - 4 - dy) / 3)
                let on = x - 4 - dx >= 0 && y - 4 - dy >= 0 && gx < 8 && gy < 8 && glyph[gy * 8 + gx]
                let value = Int(on ? 220 : 30) + Int(random.next() % 41) - 20
                for channel in 0..<3 { pixels[3 * (y * 32 + x) + channel] = UInt8(value) }
            }
        }
        return RGBImage(width: 32, height: 32, pixels: pixels)
    }

    /// Writes the 60 glyph classes to `classes/` and returns that folder.
    private func makeClasses() throws -> URL {
        let classes = root.appendingPathComponent("classes")
        var random = RandomGenerator(seed: 42)
        for index in 0..<60 {
            let glyph = (0..<64).map { _ in random.next() % 2 == 0 }
            let folder = classes.appendingPathComponent(String(format: "glyph%02d", index))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for number in 0..<8 {
                try sample(glyph: glyph, seed: UInt64(index * 100 + number)).pngData().write(to: folder.appendingPathComponent("\(number).png"))
            }
        }
        return classes
    }

    /// Lake's format over 10 of the model's held-out classes: 7 runs of 10-way, the support photo 0, the query
    /// photo r; returns the one-shot accuracy of `model` and of `untrained` on them.
    private func oneShotAccuracies(model modelPath: String, untrained untrainedPath: String, classes: URL, data: String) throws
        -> (trained: Double, untrained: Double) {
        let model = try TrainedModel.load(from: URL(fileURLWithPath: modelPath))
        let heldOut = try XCTUnwrap(model.split).testSources.map { String($0.dropFirst("identity:".count)) }.sorted()
        XCTAssertEqual(heldOut.count, 15)
        let ways = Array(heldOut.prefix(10))

        // Lake's format over held-out classes only: 7 runs of 10-way, the support photo 0, the query photo r.
        let runs = root.appendingPathComponent("runs")
        for run in 1...7 {
            let folder = runs.appendingPathComponent(String(format: "run%02d", run))
            var lines: [String] = []
            for (index, name) in ways.enumerated() {
                let label = String(format: "%02d", index + 1)
                for (sub, file, number) in [("training", "class\(label).png", 0), ("test", "item\(label).png", run)] {
                    let target = folder.appendingPathComponent(sub).appendingPathComponent(file)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: classes.appendingPathComponent(name).appendingPathComponent("\(number).png"), to: target)
                }
                lines.append("test/item\(label).png training/class\(label).png")
            }
            try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("class_labels.txt"), atomically: true, encoding: .utf8)
        }
        func oneShot(_ modelPath: String) throws -> Double {
            let result = try Facever.run(["evaluate", "--one-shot", "runs", "--json", "--model", modelPath, "--crop", "centre",
                                          "--data", data], in: root)
            XCTAssertEqual(result.status, 0, result.standardError)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(result.lines.last).utf8)) as? [String: Any])
            return try XCTUnwrap(report["accuracy"] as? Double)
        }
        return (try oneShot(modelPath), try oneShot(untrainedPath))
    }

    func testTrainingOnIdentitiesGeneralisesToClassesNeverSeen() throws {
        let classes = try makeClasses()
        let data = root.appendingPathComponent("data").path
        let trained = try Facever.run(["train", "--identities", "classes", "--architecture", "tiny", "--epochs", "5", "--pairs", "2400",
                                       "--test-fraction", "0.25", "--learning-rate", "0.001", "--batch", "16", "--crop", "centre",
                                       "--precision", "float32", "--data", data], in: root)
        XCTAssertEqual(trained.status, 0, trained.standardOutput + trained.standardError)
        let untrainedPath = root.appendingPathComponent("untrained.safetensors").path
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: untrainedPath))
        let (accuracy, untrained) = try oneShotAccuracies(model: data + "/model.safetensors", untrained: untrainedPath,
                                                          classes: classes, data: data)
        print("identities: 10-way one-shot on held-out classes \(accuracy) trained, \(untrained) untrained (chance 0.1)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.3, "10-way one-shot on classes never seen in training (chance 0.1)")
        XCTAssertGreaterThan(accuracy, untrained + 0.15, "training, not the architecture alone, makes the difference")
    }

    func testEpisodeTrainingGeneralisesToClassesNeverSeen() throws {
        let classes = try makeClasses()
        let data = root.appendingPathComponent("data").path
        let trained = try Facever.run(["train", "--identities", "classes", "--architecture", "conv4-omniglot", "--episodes", "10",
                                       "--way", "10", "--shots", "1", "--queries", "3", "--epochs", "3", "--pairs", "600",
                                       "--test-fraction", "0.25", "--crop", "centre", "--precision", "float32", "--data", data], in: root)
        XCTAssertEqual(trained.status, 0, trained.standardOutput + trained.standardError)
        XCTAssertTrue(trained.standardOutput.contains("held-out one-shot"), trained.standardOutput)
        // Training fitted the head on the held-out identities: `model fit-head` finds the same head (the same accuracy at 0.5).
        let refit = try Facever.run(["model", "fit-head", "--data", data], in: root)
        XCTAssertEqual(refit.status, 0, refit.standardError)
        let figures = refit.standardOutput.components(separatedBy: "held-out pairs ").last?.components(separatedBy: " ") ?? []
        XCTAssertEqual(figures.count, 4, refit.standardOutput)
        XCTAssertEqual(figures.first, figures.dropFirst(2).first, "before and now: \(refit.standardOutput)")
        // The baseline: the same network untrained, compared by plain distance (its head every weight −1).
        let untrainedPath = root.appendingPathComponent("untrained.safetensors").path
        let untrained = try SiameseNetwork(architecture: .convBlocks(.conv4Omniglot), factory: .glorotUniform(seed: 1))
        untrained.classifier.weight.data = [Float](repeating: -1, count: untrained.classifier.weight.count)
        try untrained.save(to: URL(fileURLWithPath: untrainedPath))
        let (accuracy, baseline) = try oneShotAccuracies(model: data + "/model.safetensors", untrained: untrainedPath,
                                                         classes: classes, data: data)
        print("episodes: 10-way one-shot on held-out classes \(accuracy) trained, \(baseline) untrained (chance 0.1)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.5, "10-way one-shot on classes never seen in training (chance 0.1)")
        XCTAssertGreaterThan(accuracy, baseline + 0.15, "training, not the architecture alone, makes the difference")
    }
}
