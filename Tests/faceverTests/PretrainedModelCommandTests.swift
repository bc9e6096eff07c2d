// PretrainedModelCommandTests.swift — dlib's ResNet, imported by Scripts/setup.sh, through the real binary:
// with no training it verifies a bundled person it never saw against three of their photos and turns a
// stranger away, from photos and live from a video; compare scores pairs and says the descriptors' distance;
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
}
