// PretrainedModelCommandTests.swift — dlib's ResNet, imported by Scripts/setup.sh, through the real binary:
// with no training it verifies a bundled person it never saw against three of their photos and turns a
// stranger away, from photos and live from a video; compare scores pairs and says the descriptors' distance;
// identify names each face of a group photo, and verify, compare and enroll say which of its faces they used;
// embed prints descriptors whose distance is compare's; evaluate, report and fit-head say it has no held-out pairs;
// train --from trains the head alone. Skipped, saying so, when setup has not converted the model.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class PretrainedModelCommandTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }
    private let pretrained = TestPaths.models.appendingPathComponent("dlib-resnet-v1.safetensors").path

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: pretrained) else {
            throw XCTSkip("models/dlib-resnet-v1.safetensors is not there: run Scripts/setup.sh")
        }
        root = try TestPaths.temporaryFolder("pretrained-cli")
    }

    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    private func face(_ subject: Int, _ number: Int) -> String { Facever.sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm").path }

    func testVerifiesAnUnseenPersonWithoutTrainingAndTurnsAStrangerAway() throws {
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: root.appendingPathComponent("staging/gallery"))
        XCTAssertEqual(try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data], in: root).status, 0)
        let user = try Facever.run(["verify", face(1, 10), "--model", pretrained, "--json", "--data", data], in: root)
        XCTAssertEqual(user.status, 0, user.standardOutput + user.standardError)
        XCTAssertTrue(user.standardOutput.contains("\"verified\":true"), user.standardOutput)
        let stranger = try Facever.run(["verify", face(20, 1), "--model", pretrained, "--json", "--data", data], in: root)
        XCTAssertEqual(stranger.status, 1, stranger.standardOutput + stranger.standardError)
        XCTAssertTrue(stranger.standardOutput.contains("\"verified\":false"), stranger.standardOutput)
    }

    func testFaceCropsForTheLandmarkModelAreNotLevelledByTheEyes() throws {
        // An eye cascade that cannot be loaded stops a command that levels crops by the eyes; verify with the
        // landmark model never loads it, and its network still sees an aligned chip.
        let noEyes = ["--eye-cascade", root.appendingPathComponent("absent-eyes.xml").path]
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: root.appendingPathComponent("staging/gallery"))
        let imported = try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data] + noEyes, in: root)
        XCTAssertNotEqual(imported.status, 0, imported.standardOutput)
        XCTAssertTrue(imported.standardError.contains("absent-eyes.xml"), imported.standardError)
        XCTAssertEqual(try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data], in: root).status, 0)
        let user = try Facever.run(["verify", face(1, 10), "--model", pretrained, "--json", "--data", data] + noEyes, in: root)
        XCTAssertEqual(user.status, 0, user.standardOutput + user.standardError)
        XCTAssertTrue(user.standardOutput.contains("\"verified\":true"), user.standardOutput)
        XCTAssertTrue(user.standardOutput.contains("\"aligned\":true"), user.standardOutput)
        XCTAssertTrue(user.standardOutput.contains("\"crop\":\"face\""), user.standardOutput)
        // The option it ignores is named, once.
        XCTAssertEqual(user.standardError.components(separatedBy: "--eye-cascade is not used").count, 2, user.standardError)
    }

    func testCompareScoresAndGivesTheDescriptorDistance() throws {
        let same = try Facever.run(["compare", face(5, 3), face(5, 9), "--model", pretrained], in: root)
        XCTAssertEqual(same.status, 0, same.standardError)
        XCTAssertTrue(same.standardOutput.hasSuffix(" same\n"), same.standardOutput)
        // Two people, close enough that the score is not saturated.
        let different = try Facever.run(["compare", face(1, 1), face(2, 1), "--model", pretrained, "--json"], in: root)
        XCTAssertEqual(different.status, 1, different.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(different.standardOutput.utf8)) as? [String: Any])
        let (score, distance) = (try XCTUnwrap(object["score"] as? Double), try XCTUnwrap(object["distance"] as? Double))
        XCTAssertEqual(object["same"] as? Bool, false)
        XCTAssertTrue((0.05...0.5).contains(score), "\(score)")
        // The imported head: score = σ(20 · (t² − d²)), t the distance stored with the model.
        let metadata = try TrainedModel.load(from: URL(fileURLWithPath: pretrained)).metadata
        let t = try XCTUnwrap(Double(try XCTUnwrap(metadata[ModelKeys.descriptorThreshold])))
        XCTAssertEqual(t, 0.6 * DlibImport.mirrorDistanceRatio, accuracy: 1e-3)
        XCTAssertEqual(score, 1 / (1 + exp(-20 * (t * t - distance * distance))), accuracy: 2e-3)
    }

    func testCommandsThatReadHeldOutPairsSayAnImportedModelHasNone() throws {
        // evaluate (held-out figures), report and model fit-head read what training held out; dlib's model
        // was imported, not trained, so each says so and names the ways it can be measured or fitted.
        let expected = "facever: \(pretrained): an imported model has no held-out pairs: it was not trained here; measure it on pairs "
            + "of photos with `facever evaluate --pairs FILE`, or train its head on your photos with `facever train --from` it\n"
        for command in [["evaluate"], ["report", "--output", root.appendingPathComponent("plots").path], ["model", "fit-head"]] {
            let result = try Facever.run(command + ["--model", pretrained, "--data", data], in: root)
            XCTAssertEqual(result.status, 2, "\(command): \(result.standardError)")
            XCTAssertEqual(result.standardError, expected, "\(command): the refusal and nothing else")
        }
    }

    func testTrainFromThePretrainedModelTrainsTheHeadAlone() throws {
        try Facever.stage((1...6).map { (1, $0) }, in: root.appendingPathComponent("staging/anchor"))
        try Facever.stage((1...6).map { (1, $0) }, in: root.appendingPathComponent("staging/positive"))
        try Facever.stage((2...9).flatMap { subject in (1...3).map { (subject, $0) } }, in: root.appendingPathComponent("staging/negative"))
        for (folder, into) in [("anchor", "anchor"), ("positive", "positive"), ("negative", "negative")] {
            XCTAssertEqual(try Facever.run(["import", "staging/\(folder)", "--into", into, "--data", data], in: root).status, 0)
        }
        let trained = try Facever.run(["train", "--from", pretrained, "--epochs", "3", "--pairs", "40", "--data", data], in: root)
        XCTAssertEqual(trained.status, 0, trained.standardOutput + trained.standardError)
        XCTAssertTrue(trained.standardOutput.contains("training the head (129 parameters) only"), trained.standardOutput)
        let model = try TrainedModel.load(from: URL(fileURLWithPath: data + "/model.safetensors"))
        let original = try TrainedModel.load(from: URL(fileURLWithPath: pretrained))
        // The descriptor network is the pretrained one, bit for bit; the head moved.
        for (mine, theirs) in zip(model.network.embedding.parameters, original.network.embedding.parameters) {
            XCTAssertEqual(mine.data, theirs.data, mine.name!)
        }
        XCTAssertNotEqual(model.network.classifier.weight.data, original.network.classifier.weight.data)
        XCTAssertNotNil(model.split)
        let evaluated = try Facever.run(["evaluate", "--data", data], in: root)
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
    }

    func testLiveVerifyFromAVideoWithThePretrainedModel() throws {
        // Video frames of the bundled subject 1 (faces pasted on a background) against three other photos of
        // subject 1: every frame verified; frames of subject 20 against the same gallery: none.
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: root.appendingPathComponent("staging/gallery"))
        XCTAssertEqual(try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data], in: root).status, 0)
        for (subject, expected) in [(1, true), (20, false)] {
            let video = root.appendingPathComponent("s\(subject).avi")
            _ = try SyntheticFrames.writeVideo(to: video, faceFrames: 4, emptyFrames: 0, subject: subject)
            let result = try Facever.run(["verify", "--source", video.path, "--auto", "--count", "3", "--json", "--model", pretrained,
                                          "--data", data], in: root)
            XCTAssertEqual(result.status, expected ? 0 : 1, result.standardOutput + result.standardError)
            XCTAssertEqual(result.lines.count, 3)
            for line in result.lines { XCTAssertTrue(line.contains("\"verified\":\(expected)"), line) }
        }
    }

    func testIdentifyNamesEveryFaceOfAGroupPhotoAndTheOtherCommandsSayTheyTookTheLargest() throws {
        for subject in [1, 20] {
            let files = (1...5).map { face(subject, $0) }
            XCTAssertEqual(try Facever.run(["enroll", "s\(subject)"] + files + ["--data", data], in: root).status, 0)
        }
        // s20 large on the left, s1 smaller on the right; and the other way round.
        func group(_ name: String, large: Int, small: Int) throws -> String {
            let frame = SyntheticFrames.frame(faces: [(try SyntheticFrames.face(subject: large, number: 9), 40, 120),
                                                      (try SyntheticFrames.face(subject: small, number: 10, scale: 1.6), 400, 150)])
            let url = root.appendingPathComponent(name)
            try frame.pngData().write(to: url)
            return url.path
        }
        let (s20First, s1First) = (try group("s20-s1.png", large: 20, small: 1), try group("s1-s20.png", large: 1, small: 20))

        let named = try Facever.run(["identify", s20First, "--model", pretrained, "--data", data], in: root)
        XCTAssertEqual(named.status, 0, named.standardOutput + named.standardError)
        XCTAssertEqual(named.lines.count, 3, named.standardOutput)
        XCTAssertTrue(named.lines[0].hasPrefix("\(s20First) s20 score="), named.lines[0])
        XCTAssertTrue(named.lines[0].contains(" face 1 of 2 at "), named.lines[0])
        XCTAssertTrue(named.lines[1].hasPrefix("\(s20First) s1 score="), named.lines[1])
        XCTAssertTrue(named.lines[1].contains(" face 2 of 2 at "), named.lines[1])
        XCTAssertTrue(named.lines[2].hasPrefix("2 identified, 0 unknown"), named.lines[2])
        let json = try Facever.run(["identify", s1First, "--json", "--model", pretrained, "--data", data], in: root)
        let answers = try json.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(answers.map { $0["name"] as? String }, ["s1", "s20"])
        XCTAssertEqual(answers.map { $0["face_number"] as? Int }, [1, 2])
        XCTAssertEqual(answers.map { $0["faces"] as? Int }, [2, 2])
        let boxes = answers.compactMap { ($0["face"] as? [String: Any])?["x"] as? Int }
        XCTAssertEqual(boxes.count, 2)
        XCTAssertLessThan(boxes[0], 200, "the larger face, on the left, first")
        XCTAssertGreaterThan(boxes[1], 350)

        // verify takes the largest face and says so: s1's gallery turns away the photo where s20 is larger.
        let gallery = ["--gallery", data + "/people/s1", "--model", pretrained, "--data", data]
        let verified = try Facever.run(["verify", s1First, "--json"] + gallery, in: root)
        XCTAssertEqual(verified.status, 0, verified.standardOutput + verified.standardError)
        XCTAssertTrue(verified.standardOutput.contains("\"faces\":2"), verified.standardOutput)
        let refused = try Facever.run(["verify", s20First] + gallery, in: root)
        XCTAssertEqual(refused.status, 1, refused.standardOutput + refused.standardError)
        XCTAssertTrue(refused.standardError.contains("s20-s1.png: 2 faces; verified the largest"), refused.standardError)
        let compared = try Facever.run(["compare", s1First, face(1, 7), "--json", "--model", pretrained], in: root)
        XCTAssertTrue(compared.standardOutput.contains("\"faces_a\":2,\"faces_b\":1"), compared.standardOutput)
        XCTAssertTrue(compared.standardError.contains("s1-s20.png: 2 faces; compared the largest"), compared.standardError)
        // Live from a video of the two of them: each frame's faces are named, largest first (a frame, two answers).
        let video = root.appendingPathComponent("group.avi")
        let writer = try VideoWriter(path: video.path, width: 640, height: 480, framesPerSecond: 10)
        for _ in 0..<3 {
            try writer.write(SyntheticFrames.frame(faces: [(try SyntheticFrames.face(subject: 20, number: 9), 40, 120),
                                                           (try SyntheticFrames.face(subject: 1, number: 10, scale: 1.6), 400, 150)]))
        }
        writer.close()
        let live = try Facever.run(["identify", "--source", video.path, "--auto", "--count", "2", "--json", "--model", pretrained,
                                    "--data", data], in: root)
        XCTAssertEqual(live.status, 0, live.standardOutput + live.standardError)
        let frames = try live.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(frames.map { $0["name"] as? String }, ["s20", "s1"])
        XCTAssertEqual(frames.map { $0["face_number"] as? Int }, [1, 2])
        XCTAssertEqual(Set(frames.map { $0["image"] as? String }).count, 1, "both from one frame")

        // enroll keeps the largest face and names the photo, so that someone else's face is not filed unseen.
        let enrolled = try Facever.run(["enroll", "dana", s20First, face(2, 1), "--data", data], in: root)
        XCTAssertEqual(enrolled.status, 0, enrolled.standardError)
        XCTAssertTrue(enrolled.standardError.contains("s20-s1.png held several faces; its largest was enrolled as dana"), enrolled.standardError)
    }

    func testEmbedPrintsDescriptorsWhoseDistanceIsCompares() throws {
        let (a, b) = (face(5, 3), face(6, 9))
        let embedded = try Facever.run(["embed", a, b, "--model", pretrained], in: root)
        XCTAssertEqual(embedded.status, 0, embedded.standardError)
        let lines = try embedded.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(lines.map { $0["image"] as? String }, [a, b])
        let vectors = try lines.map { try XCTUnwrap($0["embedding"] as? [Double]) }
        XCTAssertEqual(vectors.map(\.count), [128, 128])
        let distance = zip(vectors[0], vectors[1]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let compared = try Facever.run(["compare", a, b, "--json", "--model", pretrained], in: root)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(compared.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(distance, try XCTUnwrap(object["distance"] as? Double), accuracy: 2e-4)
        XCTAssertTrue(embedded.standardError.contains("embedded 2 faces of 2 photos (0 without a face, 0 unreadable); 128 values each"),
                      embedded.standardError)
        // Every face of a group photo, largest first; a picture without a face says so (exit 1).
        let group = root.appendingPathComponent("group.png")
        try SyntheticFrames.frame(faces: [(try SyntheticFrames.face(subject: 1, number: 9), 40, 120),
                                          (try SyntheticFrames.face(subject: 20, number: 9, scale: 1.6), 400, 150)]).pngData().write(to: group)
        let empty = root.appendingPathComponent("empty.png")
        try SyntheticFrames.frame().pngData().write(to: empty)
        let more = try Facever.run(["embed", group.path, empty.path, "--model", pretrained], in: root)
        XCTAssertEqual(more.status, 1, more.standardError)
        let answers = try more.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(answers.map { $0["face_number"] as? Int }, [1, 2, nil])
        XCTAssertEqual(answers.map { $0["faces"] as? Int }, [2, 2, nil])
        XCTAssertEqual(answers[2]["reason"] as? String, "no face")
        XCTAssertTrue(answers[2]["embedding"] is NSNull)
        // The larger face is s1's: its descriptor is nearer s1's other photo than the second face's is.
        let s1 = try XCTUnwrap(try Facever.run(["embed", face(1, 1), "--model", pretrained], in: root).lines.first)
        let reference = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(s1.utf8)) as? [String: Any])?["embedding"] as? [Double])
        func distanceToS1(_ answer: [String: Any]) throws -> Double {
            zip(try XCTUnwrap(answer["embedding"] as? [Double]), reference).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        }
        XCTAssertLessThan(try distanceToS1(answers[0]), 0.5)
        XCTAssertGreaterThan(try distanceToS1(answers[1]), 0.6)
    }
}
