// FacePipelineCommandTests.swift — the face pipeline through the real binary: a picture without a face is
// a verdict (no-face, exit 1), never a guess; verify's JSON says where the face was and how the probe was
// cropped; import counts photos without a face; the model records its crop mode and verify follows it,
// warning when told otherwise; train and a gallery skip photos without a face.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class FacePipelineCommandTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }
    private let stranger = Facever.sampleFaces.appendingPathComponent("s20/1.pgm").path

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("face-pipeline-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A colour-bar test card (no face) written as PNG at `name` under the root.
    private func testCard(_ name: String) throws -> String {
        let bars: [[UInt8]] = [[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235]]
        var pixels = [UInt8]()
        for _ in 0..<240 { for column in 0..<320 { pixels += bars[column * bars.count / 320] } }
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try RGBImage(width: 320, height: 240, pixels: pixels).pngData().write(to: url)
        return url.path
    }

    private func json(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    /// s1 photos 7–9 imported (face crops) as the gallery, and an untrained tiny model.
    private func makeGalleryAndModel() throws {
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: root.appendingPathComponent("staging/gallery"))
        let imported = try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data], in: root)
        XCTAssertEqual(imported.status, 0, imported.standardError)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
    }

    func testAPictureWithoutAFaceIsNotVerifiedAndJSONSaysWhereTheFaceWas() throws {
        try makeGalleryAndModel()
        let card = try testCard("card.png")
        let text = try Facever.run(["verify", card, "--data", data], in: root)
        XCTAssertEqual(text.status, 1, "no face: not verified\n" + text.standardOutput + text.standardError)
        XCTAssertEqual(text.lines.first, "\(card) no-face")
        XCTAssertTrue(text.standardOutput.contains("0 verified, 1 not verified (1 without a face), 0 unreadable"), text.standardOutput)

        // Even thresholds that let every face through never let a picture without one through.
        let lenient = try Facever.run(["verify", card, stranger, "--json", "--detection-threshold", "0", "--verification-threshold", "0",
                                       "--data", data], in: root)
        XCTAssertEqual(lenient.status, 1, lenient.standardError)
        XCTAssertEqual(lenient.lines.count, 2, lenient.standardOutput)
        let noFace = try json(lenient.lines[0])
        XCTAssertEqual(noFace["verified"] as? Bool, false)
        XCTAssertEqual(noFace["reason"] as? String, "no face")
        XCTAssertTrue(noFace["face"] is NSNull)
        XCTAssertEqual(noFace["image"] as? String, card)

        let face = try json(lenient.lines[1])
        XCTAssertEqual(face["verified"] as? Bool, true)
        XCTAssertEqual(face["crop"] as? String, "face")
        XCTAssertNotNil(face["aligned"] as? Bool)
        let box = try XCTUnwrap(face["face"] as? [String: Any], "the detected face")
        for key in ["x", "y", "w", "h"] { XCTAssertNotNil(box[key] as? Int, "face.\(key) is an integer") }
        XCTAssertGreaterThan(try XCTUnwrap(box["w"] as? Int), 40, "in the probe's pixels (92×112)")
        XCTAssertLessThanOrEqual(try XCTUnwrap(box["x"] as? Int), 92)
        for key in ["score_mean", "score_max", "share"] { XCTAssertNotNil(face[key] as? Double, key) }

        // A photo facever stored is a canonical crop already: used as it is.
        let stored = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: data + "/verification").sorted().first)
        let again = try Facever.run(["verify", data + "/verification/" + stored, "--json", "--data", data], in: root)
        XCTAssertEqual(try json(again.lines[0])["crop"] as? String, "stored")
        XCTAssertTrue(try json(again.lines[0])["face"] is NSNull)

        // A forged mark does not make a picture without a face a stored crop: a probe's mark is checked.
        let forged = root.appendingPathComponent("forged.jpg")
        var pixels = [UInt8]()
        for row in 0..<250 { for column in 0..<250 { pixels += [UInt8(column), UInt8(row), 128] } }
        try RGBImage(width: 250, height: 250, pixels: pixels).storedJPEG(markedAs: .face).write(to: forged)
        let refused = try Facever.run(["verify", forged.path, "--json", "--detection-threshold", "0", "--verification-threshold", "0",
                                       "--data", data], in: root)
        XCTAssertEqual(refused.status, 1, refused.standardError)
        XCTAssertEqual(try json(refused.lines[0])["reason"] as? String, "no face")
    }

    func testCompareAndVerifyAnswerForEachPhotoInTurnThoughTheyCropAhead() throws {
        try makeGalleryAndModel()
        let card = try testCard("card.png")
        let broken = root.appendingPathComponent("broken.jpg").path
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: broken))
        let first = try Facever.run(["compare", card, stranger, "--data", data], in: root)
        XCTAssertEqual(first.status, 1, first.standardError)
        XCTAssertEqual(first.lines, ["\(card) no-face"])
        let second = try Facever.run(["compare", stranger, card, "--json", "--data", data], in: root)
        XCTAssertEqual(second.status, 1, second.standardError)
        XCTAssertEqual(try json(second.lines[0])["reason"] as? String, "no face")
        let unreadable = try Facever.run(["compare", broken, stranger, "--data", data], in: root)
        XCTAssertEqual(unreadable.status, 2)
        XCTAssertTrue(unreadable.standardError.contains(broken), unreadable.standardError)

        // verify: one answer a photo, in the order given, whatever each crop came to.
        let mixed = try Facever.run(["verify", card, broken, stranger, "--json", "--data", data], in: root)
        XCTAssertEqual(mixed.status, 2, "an unreadable photo: exit 2")
        XCTAssertEqual(try mixed.lines.map { try json($0)["image"] as? String }, [card, broken, stranger])
        XCTAssertEqual(try json(mixed.lines[0])["reason"] as? String, "no face")
        XCTAssertNotNil(try json(mixed.lines[1])["error"] as? String)
        XCTAssertNotNil(try json(mixed.lines[2])["share"] as? Double)

        // A model that cannot be read is the error, as before, while the photos were being cropped.
        let missing = try Facever.run(["verify", card, stranger, "--model", "absent.safetensors", "--data", data], in: root)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.standardError.contains("absent.safetensors"), missing.standardError)
    }

    func testImportCountsPhotosWithoutAFaceAndAGallerySkipsThemWithAWarning() throws {
        try Facever.stage([(1, 7), (1, 8)], in: root.appendingPathComponent("staging"))
        _ = try testCard("staging/card.png")
        let imported = try Facever.run(["import", "staging", "--into", "verification", "--data", data], in: root)
        XCTAssertEqual(imported.status, 0, imported.standardError)
        XCTAssertTrue(imported.standardOutput.contains("imported 2 photos"), imported.standardOutput)
        XCTAssertTrue(imported.standardOutput.contains("1 without a face skipped"), imported.standardOutput)

        // A picture put in the gallery by hand goes through the pipeline too; without a face it is skipped.
        _ = try testCard("data/verification/card.png")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let verify = try Facever.run(["verify", stranger, "--data", data], in: root)
        XCTAssertEqual(verify.status, 1, verify.standardError)
        XCTAssertTrue(verify.standardError.contains("warning: gallery photo skipped: \(data)/verification/card.png: no face found"),
                      verify.standardError)
        XCTAssertTrue(verify.standardOutput.contains("gallery 2 photos"), verify.standardOutput)
    }

    func testTheModelRecordsItsCropModeVerifyFollowsItAndTrainSkipsPhotosWithoutAFace() throws {
        let staging = root.appendingPathComponent("staging")
        for (faceClass, photos) in [("anchor", [(1, 1), (1, 2), (1, 3)]), ("positive", [(1, 4), (1, 5), (1, 6)]),
                                    ("verification", [(1, 7), (1, 8)]), ("negative", (2...4).flatMap { s in (1...3).map { (s, $0) } })] {
            try Facever.stage(photos, in: staging.appendingPathComponent(faceClass))
            let imported = try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--crop", "centre", "--data", data], in: root)
            XCTAssertEqual(imported.status, 0, imported.standardError)
        }
        _ = try testCard("data/anchor/card.png")  // put in by hand, unmarked: train crops it (face) and finds no face
        let train = try Facever.run(["train", "--architecture", "tiny", "--epochs", "1", "--pairs", "20", "--batch", "4",
                                     "--crop", "face", "--data", data], in: root)
        XCTAssertEqual(train.status, 0, train.standardError)
        XCTAssertTrue(train.standardOutput.contains("1 without a face skipped"), train.standardOutput)
        XCTAssertTrue(train.standardError.contains("skipped anchor/card.png: no face found"), train.standardError)
        let model = try TrainedModel.load(from: URL(fileURLWithPath: data + "/model.safetensors"))
        XCTAssertEqual(model.settings?.crop, .face)

        let follows = try Facever.run(["verify", stranger, "--json", "--data", data], in: root)
        XCTAssertEqual(try json(follows.lines[0])["crop"] as? String, "face", "verify crops as training did")
        XCTAssertFalse(follows.standardError.contains("warning"), follows.standardError)
        let other = try Facever.run(["verify", stranger, "--json", "--crop", "centre", "--data", data], in: root)
        XCTAssertEqual(try json(other.lines[0])["crop"] as? String, "centre")
        XCTAssertTrue(other.standardError.contains("warning: the model was trained on face crops; --crop centre crops photos differently"),
                      other.standardError)
    }

    func testEvaluatePairsScoresEveryPairAndSaysWhichImagesHadNoFace() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        _ = try testCard("pairs/card.png")
        var lines = ["fold\timage_a\timage_b\tsame"]
        for (fold, subjects) in [(1, [1, 2, 3]), (2, [4, 5, 6])] {
            for s in subjects {
                lines.append("\(fold)\t\(Facever.sampleFaces.path)/s\(s)/1.pgm\t\(Facever.sampleFaces.path)/s\(s)/2.pgm\t1")
                lines.append("\(fold)\t\(Facever.sampleFaces.path)/s\(s)/1.pgm\t\(Facever.sampleFaces.path)/s\(s + 10)/1.pgm\t0")
            }
        }
        lines.append("2\tcard.png\t\(Facever.sampleFaces.path)/s7/1.pgm\t0")
        try (lines.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("pairs/pairs.tsv"), atomically: true, encoding: .utf8)
        let result = try Facever.run(["evaluate", "--pairs", "pairs/pairs.tsv", "--json", "--plot", "plots", "--data", data], in: root)
        XCTAssertEqual(result.status, 0, result.standardError)
        for name in ["roc", "scores"] {  // --plot draws the pairs' ROC and histograms
            XCTAssertEqual(try RGBImage.read(contentsOf: root.appendingPathComponent("plots/\(name).png")).width, 800, name)
        }
        let report = try json(result.lines[0])
        XCTAssertEqual(report["pairs"] as? Int, 13)
        XCTAssertEqual(report["same"] as? Int, 6)
        XCTAssertEqual(report["folds"] as? Int, 2)
        XCTAssertEqual(report["images_without_face"] as? Int, 1, "the test card")
        XCTAssertEqual((report["fold_accuracies"] as? [Double])?.count, 2)
        for key in ["accuracy", "accuracy_std", "roc_auc", "equal_error_rate"] { XCTAssertNotNil(report[key] as? Double, key) }
        XCTAssertTrue(report["tar_at_far_0.001"] is NSNull, "7 different pairs cannot measure it")
        XCTAssertTrue(report["tar_at_far_0.01"] is NSNull, "nor FAR 1e-2")
        XCTAssertEqual(report["auc"] as? Double, report["roc_auc"] as? Double)
        XCTAssertNotNil(report["accuracy_at_threshold"] as? Double)
        let missing = try Facever.run(["evaluate", "--pairs", "nowhere.tsv", "--data", data], in: root)
        XCTAssertEqual(missing.status, 2)
        let folder = try Facever.run(["evaluate", "--pairs", "pairs", "--data", data], in: root)
        XCTAssertEqual(folder.status, 2)
        XCTAssertTrue(folder.standardError.contains("pairs: not a regular file"), folder.standardError)
    }

    func testScoresWrittenFoldByFoldReportAsTheWholeListWould() throws {
        // One model per fold, as the LFW experiment has: each fold's pairs scored alone with --write-scores, then
        // --scored-pairs reads them as one list. With one model for both here, that must give exactly the figures
        // of the whole list scored at once (each fold's threshold chosen on the other fold's scores).
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pairs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 4).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        var all = ["fold\timage_a\timage_b\tsame"]
        var byFold: [Int: [String]] = [1: [all[0]], 2: [all[0]]]
        for (fold, subjects) in [(1, [1, 2, 3, 4]), (2, [5, 6, 7, 8])] {
            for s in subjects {
                for line in ["\(fold)\t\(Facever.sampleFaces.path)/s\(s)/1.pgm\t\(Facever.sampleFaces.path)/s\(s)/2.pgm\t1",
                             "\(fold)\t\(Facever.sampleFaces.path)/s\(s)/3.pgm\t\(Facever.sampleFaces.path)/s\(s + 10)/1.pgm\t0"] {
                    all.append(line)
                    byFold[fold]!.append(line)
                }
            }
        }
        for (name, lines) in [("all", all), ("fold1", byFold[1]!), ("fold2", byFold[2]!)] {
            try (lines.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("pairs/\(name).tsv"), atomically: true, encoding: .utf8)
        }
        let whole = try Facever.run(["evaluate", "--pairs", "pairs/all.tsv", "--json", "--data", data], in: root)
        XCTAssertEqual(whole.status, 0, whole.standardError)
        for fold in [1, 2] {
            let scored = try Facever.run(["evaluate", "--pairs", "pairs/fold\(fold).tsv", "--write-scores", "pairs/fold\(fold).scores.tsv",
                                          "--data", data], in: root)
            XCTAssertEqual(scored.status, 0, scored.standardError)
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("pairs/fold\(fold).scores.tsv").path)
            XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o600)
        }
        let combined = try Facever.run(["evaluate", "--scored-pairs", "pairs/fold1.scores.tsv", "--scored-pairs", "pairs/fold2.scores.tsv",
                                        "--json"], in: root)
        XCTAssertEqual(combined.status, 0, combined.standardError)
        let (one, two) = (try json(whole.lines[0]), try json(combined.lines[0]))
        XCTAssertEqual(two["pairs"] as? Int, 16)
        XCTAssertEqual(two["folds"] as? Int, 2)
        for key in ["accuracy", "accuracy_std", "roc_auc", "equal_error_rate"] {
            XCTAssertEqual(try XCTUnwrap(two[key] as? Double), try XCTUnwrap(one[key] as? Double), accuracy: 1e-9, key)
        }
        XCTAssertEqual(two["fold_accuracies"] as? [Double], one["fold_accuracies"] as? [Double])

        let text = try Facever.run(["evaluate", "--scored-pairs", "pairs/fold1.scores.tsv", "--scored-pairs", "pairs/fold2.scores.tsv"], in: root)
        XCTAssertTrue(text.standardOutput.contains("16 pairs (8 same) in 2 folds; scores from 2 files"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("(threshold chosen on the other folds; per fold: "), text.standardOutput)
        // One fold has no others: the text says where its threshold came from, and the note why that flatters.
        let oneFold = try Facever.run(["evaluate", "--scored-pairs", "pairs/fold1.scores.tsv"], in: root)
        XCTAssertTrue(oneFold.standardOutput.contains("(threshold chosen on these pairs; per fold: "), oneFold.standardOutput)
        XCTAssertTrue(oneFold.standardError.contains("one fold: the threshold was chosen on the pairs it is measured on"), oneFold.standardError)
        // A pairs file without scores, a score that is not a number, and --write-scores without --pairs are refused.
        let unscored = try Facever.run(["evaluate", "--scored-pairs", "pairs/fold1.tsv"], in: root)
        XCTAssertEqual(unscored.status, 2)
        XCTAssertTrue(unscored.standardError.contains("fold1.tsv: line 1 is not `fold<TAB>image_a<TAB>image_b<TAB>same<TAB>score`"),
                      unscored.standardError)
        try "fold\timage_a\timage_b\tsame\tscore\n1\t/a.pgm\t/b.pgm\t1\tnan\n1\t/a.pgm\t/c.pgm\t0\t0.25\n"
            .write(to: root.appendingPathComponent("pairs/nan.tsv"), atomically: true, encoding: .utf8)
        let notANumber = try Facever.run(["evaluate", "--scored-pairs", "pairs/nan.tsv"], in: root)
        XCTAssertEqual(notANumber.status, 2)
        XCTAssertTrue(notANumber.standardError.contains("nan.tsv: line 2 is not"), notANumber.standardError)
        let alone = try Facever.run(["evaluate", "--write-scores", "out.tsv", "--data", data], in: root)
        XCTAssertNotEqual(alone.status, 0)
        XCTAssertTrue(alone.standardError.contains("--write-scores writes the scores of --pairs FILE"), alone.standardError)
    }

    func testEvaluateOneShotReportsEachRunAndTheMean() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try SiameseNetwork(architecture: .tiny, seed: 2).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let runs = root.appendingPathComponent("runs")
        for (run, subjects) in [("run01", [1, 2, 3]), ("run02", [4, 5, 6])] {
            var lines: [String] = []
            for (index, subject) in subjects.enumerated() {
                let folder = runs.appendingPathComponent(run)
                for (sub, number, name) in [("training", 1, "class\(index + 1)"), ("test", 2, "item\(index + 1)")] {
                    try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: Facever.sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm"),
                                                     to: folder.appendingPathComponent("\(sub)/\(name).pgm"))
                }
                lines.append("\(run)/test/item\(index + 1).pgm \(run)/training/class\(index + 1).pgm")
            }
            try lines.joined(separator: "\n").write(to: runs.appendingPathComponent("\(run)/class_labels.txt"), atomically: true, encoding: .utf8)
        }
        let result = try Facever.run(["evaluate", "--one-shot", "runs", "--json", "--data", data], in: root)
        XCTAssertEqual(result.status, 0, result.standardError)
        let report = try json(result.lines[0])
        let perRun = try XCTUnwrap(report["runs"] as? [[String: Any]])
        XCTAssertEqual(perRun.map { $0["run"] as? String }, ["run01", "run02"])
        let accuracies = perRun.compactMap { $0["accuracy"] as? Double }
        XCTAssertEqual(try XCTUnwrap(report["accuracy"] as? Double), accuracies.reduce(0, +) / 2, accuracy: 1e-12)
        for accuracy in accuracies {
            let right = accuracy * 3
            XCTAssertEqual(right, right.rounded(), accuracy: 1e-9, "a share of 3 trials")
        }
        XCTAssertEqual(report["trials"] as? Int, 6)
        let text = try Facever.run(["evaluate", "--one-shot", "runs", "--data", data], in: root)
        XCTAssertTrue(text.lines.last?.hasPrefix("3-way one-shot accuracy ") == true, text.standardOutput)
        let plotted = try Facever.run(["evaluate", "--one-shot", "runs", "--plot", "plots", "--data", data], in: root)
        XCTAssertEqual(plotted.status, 64, "no plot of one-shot runs: refused, not silently skipped")
    }
}
