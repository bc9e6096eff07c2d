// TextOutputTests.swift — what people and scripts read: options only where they do something, one
// gallery at a time, galleries in nested folders, JSON with readable paths, notes where a request
// could not be met in full.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class TextOutputTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("text-output") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testOptionsAreOfferedOnlyWhereTheyWork() throws {
        for arguments in [["import", "x", "--model", "m"], ["augment", "--model", "m"], ["collect", "--model", "m"],
                          ["collect", "--source", "v.avi", "--auto", "negative", "--count", "1"],
                          ["verify", "p.jpg", "--gallery", "a", "--gallery", "b"]] {
            let result = try Facever.run(arguments + ["--data", data], in: root)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.standardError)")
        }
        let twice = try Facever.run(["verify", "p.jpg", "--gallery", "a", "--gallery", "b"], in: root)
        XCTAssertTrue(twice.standardError.contains("--gallery was given 2 times"), twice.standardError)
    }

    func testAGalleryInNestedFoldersIsReadWholeAndJSONKeepsSlashes() throws {
        let gallery = root.appendingPathComponent("gallery")
        try TestPaths.copySampleFaces([(1, 7)], into: gallery.appendingPathComponent("2024"))
        try TestPaths.copySampleFaces([(1, 8), (1, 9)], into: gallery.appendingPathComponent("2025/summer"))
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let probe = TestPaths.sampleFace(subject: 1, number: 10).path
        let result = try Facever.run(["verify", probe, "--gallery", gallery.path, "--json", "--scores", "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(result.status), result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.lines[0].utf8)) as? [String: Any])
        let mean = try XCTUnwrap(object["score_mean"] as? Double), best = try XCTUnwrap(object["score_max"] as? Double)
        let scores = try XCTUnwrap(object["scores"] as? [[String: Any]])
        XCTAssertEqual(scores.count, 3)
        let values = try scores.map { try XCTUnwrap($0["score"] as? Double) }
        XCTAssertTrue(scores.allSatisfy { ($0["photo"] as? String)?.hasPrefix(gallery.path) == true }, "\(scores)")
        XCTAssertEqual(mean, values.reduce(0, +) / 3, accuracy: 1e-3)
        XCTAssertEqual(best, values.max()!, accuracy: 1e-4)
        XCTAssertTrue((0...1).contains(mean) && best >= mean)
        XCTAssertTrue(result.standardOutput.contains("\"gallery_size\":3"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("\"image\":\"\(probe)\""), "paths unescaped: \(result.standardOutput)")
        XCTAssertFalse(result.standardOutput.contains("\\/"), result.standardOutput)
    }

    func testTrainSaysWhenThePhotosGiveFewerPairsThanAsked() throws {
        let staging = root.appendingPathComponent("staging")
        for (faceClass, photos) in [("anchor", [(1, 1), (1, 2), (1, 3)]), ("positive", [(1, 4), (1, 5), (1, 6)]),
                                    ("negative", (2...4).flatMap { s in (1...3).map { (s, $0) } })] {
            try TestPaths.copySampleFaces(photos.map { (subject: $0.0, number: $0.1) }, into: staging.appendingPathComponent(faceClass))
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", data], in: root).status, 0)
        }
        let result = try Facever.run(["train", "--architecture", "tiny", "--epochs", "1", "--pairs", "500", "--batch", "2",
                                      "--data", data], in: root)
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardError.contains("--pairs 500 asks for more than these photos give"), result.standardError)
        XCTAssertTrue(result.standardOutput.contains("trained 1 epoch in"), "one epoch, not 1 epochs: \(result.standardOutput)")
        XCTAssertTrue(result.standardOutput.contains("batches of 2 pairs as 1 triplet,"), result.standardOutput)
    }
}
