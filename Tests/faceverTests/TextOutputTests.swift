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

    func testImportSaysWhichPhotosItCannotReadAndAFolderOfOnlyThoseIsAnError() throws {
        let phone = root.appendingPathComponent("phone")
        try FileManager.default.createDirectory(at: phone, withIntermediateDirectories: true)
        try Data([0, 0, 0, 0x18] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 16)).write(to: phone.appendingPathComponent("IMG_0001.HEIC"))
        let none = try Facever.run(["import", "phone", "--into", "anchor", "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(none.status, 2, none.standardOutput)
        XCTAssertEqual(none.standardError, "facever: \(phone.path): no photo here in a format facever reads, only 1 .heic file; convert them to JPEG or PNG\n")
        try Facever.stage([(1, 1)], in: phone)
        let some = try Facever.run(["import", "phone", "--into", "anchor", "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(some.status, 0, some.standardError)
        XCTAssertTrue(some.standardOutput.hasPrefix("imported 1 photo into "), some.standardOutput)
        XCTAssertTrue(some.standardError.contains("skipped 1 .heic file below phone: formats facever does not read; convert them to JPEG or PNG"),
                      some.standardError)
    }

    func testAnImportThatTakesNoneOfItsPhotosIsAnError() throws {
        // A plain frame (no face) and a file that is no photo: examined, none taken, nothing there before: exit 2, with why.
        let cards = root.appendingPathComponent("cards")
        try FileManager.default.createDirectory(at: cards, withIntermediateDirectories: true)
        try SyntheticFrames.frame().pngData().write(to: cards.appendingPathComponent("card.png"))
        let none = try Facever.run(["import", "cards", "--into", "negative", "--data", data], in: root)
        XCTAssertEqual(none.status, 2, none.standardOutput)
        XCTAssertTrue(none.standardOutput.hasPrefix("imported 0 photos into "), none.standardOutput)
        XCTAssertTrue(none.standardError.hasSuffix("\(cards.path): its one photo could not be imported (0 unreadable, 1 without a face); "
                                                   + "for photos that are face crops already, import with --crop centre\n"), none.standardError)
        try Data("not a photo".utf8).write(to: cards.appendingPathComponent("notes.jpg"))
        let unreadable = try Facever.run(["import", "cards", "--into", "negative", "--data", data], in: root)
        XCTAssertEqual(unreadable.status, 2, unreadable.standardOutput)
        XCTAssertTrue(unreadable.standardError.contains("none of its 2 photos could be imported (1 unreadable, 1 without a face); see why in the warnings above"),
                      unreadable.standardError)
        // Photos taken before count as done: importing the same folder again is no error.
        try Facever.stage([(1, 1)], in: cards)
        XCTAssertEqual(try Facever.run(["import", "cards", "--into", "negative", "--data", data], in: root).status, 0)
        XCTAssertEqual(try Facever.run(["import", "cards", "--into", "negative", "--data", data], in: root).status, 0, "duplicates only")
    }

    func testAugmentWithNothingToAugmentSaysWhereThePhotosComeFrom() throws {
        let missing = try Facever.run(["augment", "--data", data], in: root)
        XCTAssertEqual(missing.status, 2, missing.standardOutput)
        XCTAssertEqual(missing.standardError, "facever: \(data)/anchor: no such folder; bring photos in with `facever import DIR --into anchor`\n")
        for faceClass in ["anchor", "positive"] {
            try FileManager.default.createDirectory(atPath: data + "/" + faceClass, withIntermediateDirectories: true)
        }
        let empty = try Facever.run(["augment", "--data", data], in: root)
        XCTAssertEqual(empty.status, 2, empty.standardOutput)
        XCTAssertTrue(empty.standardOutput.contains("augmented 0 photos"), empty.standardOutput)
        XCTAssertEqual(empty.standardError, "facever: \(data): no photos to augment in anchor or positive; "
                       + "bring photos in with `facever import DIR --into anchor`\n")
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

    func testVerifyReadsFoldersOfProbesAndStillAnswersEachFileGiven() throws {
        let gallery = root.appendingPathComponent("gallery")
        try TestPaths.copySampleFaces([(1, 7), (1, 8)], into: gallery)
        try TestPaths.copySampleFaces([(1, 9)], into: root.appendingPathComponent("probes"))
        try TestPaths.copySampleFaces([(1, 10)], into: root.appendingPathComponent("probes/later"))
        try Data("GIF89a".utf8).write(to: root.appendingPathComponent("probes/wave.gif"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let verify = ["--gallery", gallery.path, "--detection-threshold", "0", "--verification-threshold", "0", "--data", data]
        let result = try Facever.run(["verify", "probes", "missing.jpg"] + verify, in: root)
        XCTAssertEqual(result.status, 2, "the missing file is still an error: \(result.standardError)")
        XCTAssertEqual(result.lines.count, 3, result.standardOutput)
        // The folder's photos in the order of their paths.
        XCTAssertTrue(result.lines[0].contains("/probes/later/s1_10.pgm verified share=1.00 (2/2)"), result.lines[0])
        XCTAssertTrue(result.lines[1].contains("/probes/s1_9.pgm verified share=1.00 (2/2)"), result.lines[1])
        XCTAssertTrue(result.lines[2].hasPrefix("2 verified, 0 not verified, 1 unreadable;"), result.lines[2])
        XCTAssertTrue(result.standardError.contains("missing.jpg: cannot read the file"), result.standardError)
        XCTAssertTrue(result.standardError.contains("skipped 1 .gif file below probes: formats facever does not read"), result.standardError)
        // A folder with no photo in it is an error of its own, before any verdict.
        let empty = try Facever.run(["verify", "empty"] + verify, in: root)
        XCTAssertEqual(empty.status, 2)
        XCTAssertEqual(empty.standardOutput, "")
        XCTAssertTrue(empty.standardError.contains("empty: no photos here"), empty.standardError)
    }

    func testEmbedAnswersEachPhotoAndAnUnreadableOneIsAnError() throws {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let network = SiameseNetwork(architecture: .tiny, seed: 1)
        try network.save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        try TestPaths.copySampleFaces([(2, 1)], into: root.appendingPathComponent("photos"))
        try Data("not a photo".utf8).write(to: root.appendingPathComponent("photos/broken.jpg"))
        let result = try Facever.run(["embed", "photos", "--data", data], in: root)
        XCTAssertEqual(result.status, 2, result.standardError)
        let lines = try result.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(lines.count, 2, result.standardOutput)
        XCTAssertTrue((lines[0]["image"] as? String)?.hasSuffix("photos/broken.jpg") == true)
        XCTAssertNotNil(lines[0]["error"] as? String)
        XCTAssertEqual((lines[1]["embedding"] as? [Double])?.count, network.architecture.embeddingSize)
        XCTAssertTrue(result.standardError.contains("embedded 1 face of 2 photos (0 without a face, 1 unreadable)"), result.standardError)
        // With the lines going to a pipe and stderr on a terminal, a count shows how far it is, then goes.
        let seen = try Facever.runWithStandardErrorOnATerminal(["embed", "photos", "--data", data], in: root)
        XCTAssertTrue(seen.standardError.contains("\rembedding 2/2 photos\u{1B}[K"), seen.standardError.debugDescription)
        XCTAssertEqual(seen.lines.count, 2)
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

    func testLongStepsCountOnATerminalAndStayQuietInScripts() throws {
        try Facever.stage((1...6).map { (1, $0) }, in: root.appendingPathComponent("staging"))
        let seen = try Facever.runWithStandardErrorOnATerminal(["import", "staging", "--into", "anchor", "--crop", "centre", "--data", data],
                                                               in: root)
        XCTAssertEqual(seen.status, 0, seen.standardError)
        XCTAssertTrue(seen.standardError.contains("\rimporting 6/6 photos\u{1B}[K"), seen.standardError.debugDescription)
        XCTAssertTrue(seen.standardError.hasSuffix("\r\u{1B}[K"), "the count is cleared at the end: \(seen.standardError.debugDescription)")
        XCTAssertTrue(seen.standardOutput.hasPrefix("imported 6 photos"), seen.standardOutput)
        let augmented = try Facever.runWithStandardErrorOnATerminal(["augment", "--copies", "1", "--data", data], in: root)
        XCTAssertTrue(augmented.standardError.contains("\raugmenting anchor: 6/6 photos\u{1B}[K"), augmented.standardError.debugDescription)

        try Facever.stage((1...6).map { (2, $0) }, in: root.appendingPathComponent("more"))
        let scripted = try Facever.run(["import", "more", "--into", "positive", "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(scripted.status, 0, scripted.standardError)
        XCTAssertEqual(scripted.standardError, "", "nothing but the summary when stderr is not a terminal")
        XCTAssertTrue(scripted.standardOutput.hasPrefix("imported 6 photos"), scripted.standardOutput)

        // A gallery embedded for the first time: its photos read, then embedded; the second time all are cached.
        let layout = DataLayout(root: URL(fileURLWithPath: data))
        try Facever.stage([(1, 7), (1, 8), (1, 9)], in: root.appendingPathComponent("gallery"))
        _ = try ImageImporter.run(source: root.appendingPathComponent("gallery"), into: layout.folder(.verification))
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: layout.defaultModel)
        let probe = Facever.sampleFaces.appendingPathComponent("s1/10.pgm").path
        let first = try Facever.runWithStandardErrorOnATerminal(["verify", probe, "--crop", "centre", "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(first.status), first.standardError)
        for step in ["reading", "embedding"] {
            XCTAssertTrue(first.standardError.contains("\rgallery: \(step) 3/3 photos\u{1B}[K"), first.standardError.debugDescription)
        }
        XCTAssertTrue(first.standardOutput.contains("(0 cached, 3 embedded now)"), first.standardOutput)

        // Training decodes its photos first: 12 anchors (6 and their copies), 6 positives, 6 negatives.
        try Facever.stage([(3, 1), (3, 2), (4, 1), (4, 2), (5, 1), (5, 2)], in: root.appendingPathComponent("strangers"))
        XCTAssertEqual(try Facever.run(["import", "strangers", "--into", "negative", "--crop", "centre", "--data", data], in: root).status, 0)
        let trained = try Facever.runWithStandardErrorOnATerminal(["train", "--architecture", "tiny", "--epochs", "1", "--pairs", "8",
                                                                   "--batch", "4", "--overwrite", "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(trained.status, 0, trained.standardError)
        XCTAssertTrue(trained.standardError.contains("\rdecoding 24/24 photos\u{1B}[K"), trained.standardError.debugDescription)
        let evaluated = try Facever.runWithStandardErrorOnATerminal(["evaluate", "--data", data], in: root)
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        for step in ["decoding", "embedding"] {
            XCTAssertTrue(evaluated.standardError.contains("\rheld-out photos: \(step) "), evaluated.standardError.debugDescription)
        }
    }
}

final class CalibrationCommandTests: XCTestCase {
    func testEvaluateCalibratesAndSavesAndVerifyFollowsTheStoredThresholds() throws {
        let root = try TestPaths.temporaryFolder("calibrate")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data").path
        let staging = root.appendingPathComponent("staging")
        for (faceClass, photos) in [("anchor", (1...4).map { (1, $0) }), ("positive", (5...8).map { (1, $0) }),
                                    ("verification", [(1, 9), (1, 10)]), ("negative", (2...9).flatMap { s in (1...4).map { (s, $0) } })] {
            try TestPaths.copySampleFaces(photos.map { (subject: $0.0, number: $0.1) }, into: staging.appendingPathComponent(faceClass))
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", data], in: root).status, 0)
        }
        let train = try Facever.run(["train", "--architecture", "tiny", "--epochs", "2", "--pairs", "40", "--batch", "8",
                                     "--learning-rate", "0.001", "--test-fraction", "0.5", "--data", data], in: root)
        XCTAssertEqual(train.status, 0, train.standardError)

        let evaluate = try Facever.run(["evaluate", "--json", "--target-far", "0.5", "--save", "--data", data], in: root)
        XCTAssertEqual(evaluate.status, 0, evaluate.standardError)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluate.lines[0].utf8)) as? [String: Any])
        let probes = try XCTUnwrap(report["probes"] as? [String: Any])
        XCTAssertEqual(probes["gallery"] as? Int, 2)
        XCTAssertGreaterThan(try XCTUnwrap(probes["genuine"] as? Int), 0)
        XCTAssertGreaterThan(try XCTUnwrap(probes["impostors"] as? Int), 0)
        let calibrated = try XCTUnwrap(report["calibrated"] as? [String: Any])
        XCTAssertLessThanOrEqual(try XCTUnwrap(calibrated["far"] as? Double), 0.5)
        XCTAssertTrue(report["tar_at_far_0.001"] is NSNull, "too few impostors for FAR 0.1 %")
        XCTAssertTrue((report["notes"] as? [String])?.contains { $0.hasPrefix("FAR 0.1 % cannot be measured") } == true)
        XCTAssertTrue((report["notes"] as? [String])?.contains { $0.hasPrefix("the held-out impostors are only") } == true,
                      "ORL s2–s9: fewer than 10 people among the impostors")

        let model = try TrainedModel.load(from: URL(fileURLWithPath: data + "/model.safetensors"))
        XCTAssertEqual(Double(model.thresholds.detection), try XCTUnwrap(calibrated["detection_threshold"] as? Double), accuracy: 1e-6)
        XCTAssertTrue(model.thresholdsSource.hasPrefix("calibrated by evaluate at FAR ≤ 50 %"), model.thresholdsSource)
        let probe = TestPaths.sampleFace(subject: 1, number: 1).path
        let verify = try Facever.run(["verify", probe, "--json", "--data", data], in: root)
        XCTAssertTrue(verify.standardOutput.contains("\"thresholds_source\":\"calibrated by evaluate"), verify.standardOutput)

        // Stored thresholds decide the verdict: nothing passes a verification threshold of 1, everything passes 0/0.
        try model.savingThresholds(Thresholds(detection: 0, verification: 0), source: "test: everyone")
        XCTAssertEqual(try Facever.run(["verify", probe, "--data", data], in: root).status, 0)
        try model.savingThresholds(Thresholds(detection: 0, verification: 1), source: "test: no one")
        let nobody = try Facever.run(["verify", probe, "--data", data], in: root)
        XCTAssertEqual(nobody.status, 1)
        XCTAssertTrue(nobody.standardOutput.contains("thresholds 0.000/1.000 (test: no one)"), nobody.standardOutput)
    }
}
