// PeopleCommandTests.swift — several people through the real binary: enroll (photos and folders, face
// crops, duplicates and face-less pictures counted), people (list, JSON, remove with and without asking),
// identify (names, unknown, no face, JSON fields and exit codes), evaluate --identify, and report's PNGs
// after a training run that recorded its history.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class PeopleCommandTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("people-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func json(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    private func testCard(_ path: String) throws -> String {
        var pixels = [UInt8]()
        for _ in 0..<200 { for column in 0..<300 { pixels += column < 150 ? [230, 230, 20] : [20, 20, 230] } }
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try RGBImage(width: 300, height: 200, pixels: pixels).pngData().write(to: url)
        return url.path
    }

    /// s1, s2 and s3 enrolled with photos 1–5 each (s1 from a folder, the others file by file); a tiny model.
    private func enrollThree() throws {
        try Facever.stage((1...5).map { (1, $0) }, in: root.appendingPathComponent("staging/s1"))
        let folder = try Facever.run(["enroll", "ann", "staging/s1", "--data", data], in: root)
        XCTAssertEqual(folder.status, 0, folder.standardError)
        XCTAssertTrue(folder.standardOutput.contains("enrolled ann: 5 photos added"), folder.standardOutput)
        for (subject, name) in [(2, "bob"), (3, "cy")] {
            let files = (1...5).map { Facever.sampleFaces.appendingPathComponent("s\(subject)/\($0).pgm").path }
            let enrolled = try Facever.run(["enroll", name] + files + ["--data", data], in: root)
            XCTAssertEqual(enrolled.status, 0, enrolled.standardError)
        }
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
    }

    func testEnrollNamesPhotosItCannotReadAndRefusesAFolderOfOnlyThose() throws {
        let phone = root.appendingPathComponent("phone")
        try FileManager.default.createDirectory(at: phone, withIntermediateDirectories: true)
        try Data("GIF89a".utf8).write(to: phone.appendingPathComponent("wave.gif"))
        let none = try Facever.run(["enroll", "ann", "phone", "--data", data], in: root)
        XCTAssertEqual(none.status, 2, none.standardOutput)
        XCTAssertEqual(none.standardError, "facever: \(phone.path): no photo here in a format facever reads, only 1 .gif file; convert them to JPEG or PNG\n")
        // A photo that cannot be read: skipped with its reason, and with nothing enrolled, an error that points there.
        try Data("not a photo".utf8).write(to: phone.appendingPathComponent("cut.jpg"))
        let unreadable = try Facever.run(["enroll", "ann", "phone", "--data", data], in: root)
        XCTAssertEqual(unreadable.status, 2, unreadable.standardOutput)
        XCTAssertTrue(unreadable.standardError.contains("skipped \(phone.path)/cut.jpg: not a readable image"), unreadable.standardError)
        XCTAssertTrue(unreadable.standardError.hasSuffix("no photo of ann could be used, so ann is not enrolled; give photos with the "
                                                         + "face in view (the warnings above say why each was skipped)\n"), unreadable.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data + "/people/ann"), "no empty folder left for ann")
        XCTAssertTrue(try Facever.run(["people", "--data", data], in: root).standardOutput.hasPrefix("0 people enrolled"), "people lists nobody")
        try FileManager.default.removeItem(at: phone.appendingPathComponent("cut.jpg"))
        try Facever.stage([(1, 1)], in: root.appendingPathComponent("staging"))
        let some = try Facever.run(["enroll", "ann", "staging", "phone", "--data", data], in: root)
        XCTAssertEqual(some.status, 0, some.standardError)
        XCTAssertTrue(some.standardOutput.contains("enrolled ann: 1 photo added"), some.standardOutput)
        XCTAssertTrue(some.standardError.contains("skipped 1 .gif file below staging, phone: formats facever does not read"), some.standardError)
    }

    func testEnrollPeopleAndRemove() throws {
        try enrollThree()
        let again = try Facever.run(["enroll", "ann", "staging/s1", try testCard("staging/card.png"), "--data", data], in: root)
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("0 photos added (5 duplicates, 0 unreadable and 1 without a face skipped)"),
                      again.standardOutput)
        for file in try FileManager.default.contentsOfDirectory(atPath: data + "/people/ann") {
            XCTAssertEqual(CanonicalMark.mode(of: try Data(contentsOf: URL(fileURLWithPath: data + "/people/ann/" + file))), .face)
        }
        let list = try Facever.run(["people", "--data", data], in: root)
        XCTAssertEqual(list.lines, ["ann   5 photos", "bob   5 photos", "cy    5 photos", "3 people enrolled in \(data)/people"])
        let listed = try Facever.run(["people", "--json", "--data", data], in: root).lines.map(json)
        XCTAssertEqual(listed.map { $0["name"] as? String }, ["ann", "bob", "cy"])
        XCTAssertEqual(listed.map { $0["photos"] as? Int }, [5, 5, 5])

        XCTAssertEqual(try Facever.run(["enroll", "../evil", "staging/s1", "--data", data], in: root).status, 64, "a name that is a path")
        let unasked = try Facever.run(["people", "--remove", "cy", "--data", data], in: root)
        XCTAssertEqual(unasked.status, 2, "not a terminal, no --yes: nothing removed")
        XCTAssertTrue(unasked.standardError.contains("give --yes to remove without asking"), unasked.standardError)
        let removed = try Facever.run(["people", "--remove", "cy", "--yes", "--data", data], in: root)
        XCTAssertEqual(removed.status, 0, removed.standardError)
        XCTAssertEqual(removed.lines, ["removed cy (5 photos)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: data + "/people/cy"))
        XCTAssertEqual(try Facever.run(["people", "--remove", "nobody", "--yes", "--data", data], in: root).status, 2)
    }

    func testIdentifyNamesUnknownAndNoFaceWithTheirExitCodes() throws {
        try enrollThree()
        let probe = Facever.sampleFaces.appendingPathComponent("s2/9.pgm").path
        let named = try Facever.run(["identify", probe, "--threshold", "0", "--top", "3", "--json", "--data", data], in: root)
        XCTAssertEqual(named.status, 0, named.standardError)
        let answer = try json(named.lines[0])
        let name = try XCTUnwrap(answer["name"] as? String)
        XCTAssertTrue(["ann", "bob", "cy"].contains(name))
        XCTAssertNotNil(answer["score"] as? Double)
        XCTAssertNotNil(answer["runner_up"] as? String)
        XCTAssertNotNil(answer["runner_up_score"] as? Double)
        XCTAssertNotNil(answer["time_ms"] as? Double)
        let box = try XCTUnwrap(answer["face"] as? [String: Any])
        for key in ["x", "y", "w", "h"] { XCTAssertNotNil(box[key] as? Int, key) }
        let top = try XCTUnwrap(answer["top"] as? [[String: Any]])
        XCTAssertEqual(top.count, 3)
        XCTAssertEqual(top.first?["name"] as? String, name)

        // Nobody scores above 1; a picture without a face has no name; a folder is searched.
        let unknown = try Facever.run(["identify", probe, "--threshold", "1", "--data", data], in: root)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.lines[0].hasPrefix("\(probe) unknown score="), unknown.standardOutput)
        _ = try testCard("probes/card.png")
        try FileManager.default.copyItem(atPath: probe, toPath: root.appendingPathComponent("probes/s2_9.pgm").path)
        let folder = try Facever.run(["identify", "probes", "--threshold", "0", "--data", data], in: root)
        XCTAssertEqual(folder.status, 1, "one photo without a face")
        XCTAssertTrue(folder.lines.contains { $0.hasSuffix("probes/card.png no-face") }, folder.standardOutput)
        XCTAssertTrue(folder.standardOutput.contains("1 identified, 0 unknown, 1 without a face, 0 unreadable; 3 people enrolled (15 photos)"),
                      folder.standardOutput)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: data).filter {
            $0.range(of: #"^people\.embeddings\.[0-9a-f]{16}\.safetensors$"#, options: .regularExpression) != nil
        }.count, 1, "everyone's embeddings cached")
        // A folder of photos in a format facever does not read is an error that names them, not "0 identified".
        try FileManager.default.createDirectory(at: root.appendingPathComponent("phone"), withIntermediateDirectories: true)
        try Data("GIF89a".utf8).write(to: root.appendingPathComponent("phone/wave.gif"))
        let phone = try Facever.run(["identify", "phone", "--data", data], in: root)
        XCTAssertEqual(phone.status, 2, phone.standardOutput)
        XCTAssertTrue(phone.standardError.hasSuffix("phone: no photo here in a format facever reads, only 1 .gif file; convert them to JPEG or PNG\n"),
                      phone.standardError)

        // evaluate --identify: a labelled folder, with strangers under unknown/.
        try Facever.stage([(1, 6), (1, 7)], in: root.appendingPathComponent("labelled/ann"))
        try Facever.stage([(2, 6)], in: root.appendingPathComponent("labelled/bob"))
        try Facever.stage([(20, 1), (20, 2)], in: root.appendingPathComponent("labelled/unknown"))
        let evaluated = try Facever.run(["evaluate", "--identify", "labelled", "--json", "--plot", "plots", "--data", data], in: root)
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        let report = try json(evaluated.lines[0])
        XCTAssertEqual(report["known_photos"] as? Int, 3)
        XCTAssertEqual(report["unknown_photos"] as? Int, 2)
        let rank1 = try XCTUnwrap(report["rank1_accuracy"] as? Double)
        XCTAssertTrue((0...1).contains(rank1))
        XCTAssertNotNil(report["unknown_rejection_rate"] as? Double)
        let picture = try RGBImage.read(contentsOf: root.appendingPathComponent("plots/identify.png"))
        XCTAssertGreaterThan(picture.width, 300)

        // A labelled folder that is missing, or a file, is a one-line error with the next step.
        for (path, problem) in [("nowhere", "no such folder; check the path"),
                                (probe, "a file, not a folder; name the folder that holds the photos")] {
            let refused = try Facever.run(["evaluate", "--identify", path, "--data", data], in: root)
            XCTAssertEqual(refused.status, 2)
            let shown = path.hasPrefix("/") ? path : root.appendingPathComponent(path).path
            XCTAssertEqual(refused.standardError, "facever: \(shown): \(problem)\n")
        }
    }

    func testTrainingRecordsItsHistoryAndReportDrawsIt() throws {
        let staging = root.appendingPathComponent("staging")
        for (faceClass, photos) in [("anchor", (1...3).map { (1, $0) }), ("positive", (4...6).map { (1, $0) }),
                                    ("verification", [(1, 7), (1, 8)]), ("negative", (2...5).flatMap { s in (1...3).map { (s, $0) } })] {
            try Facever.stage(photos, in: staging.appendingPathComponent(faceClass))
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", data], in: root).status, 0)
        }
        let train = try Facever.run(["train", "--architecture", "tiny", "--epochs", "3", "--pairs", "30", "--batch", "4", "--data", data], in: root)
        XCTAssertEqual(train.status, 0, train.standardError)
        XCTAssertTrue(train.standardOutput.contains("held-out loss"), train.standardOutput)
        let model = try TrainedModel.load(from: URL(fileURLWithPath: data + "/model.safetensors"))
        let history = try XCTUnwrap(model.history)
        XCTAssertEqual(history.map(\.epoch), [1, 2, 3])
        XCTAssertTrue(history.allSatisfy { $0.heldOutLoss != nil && (0...1).contains($0.heldOutAccuracy ?? -1) })
        let csv = try String(contentsOfFile: data + "/model.history.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "epoch,training_loss,held_out_loss,held_out_accuracy,pairs_per_second")
        XCTAssertEqual(csv.count, 4)

        let report = try Facever.run(["report", "--output", "plots", "--data", data], in: root)
        XCTAssertEqual(report.status, 0, report.standardError)
        for name in ["history", "roc", "scores"] {
            let url = root.appendingPathComponent("plots/\(name).png")
            let picture = try RGBImage.read(contentsOf: url)
            XCTAssertEqual([picture.width, picture.height], [800, 560], name)
            XCTAssertGreaterThan(Set(picture.pixels).count, 30, "\(name) is drawn, not blank")
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int, 0o600)
        }
    }

    func testEnrollAndIdentifyFromAVideo() throws {
        let video = root.appendingPathComponent("clip.avi")
        try SyntheticFrames.writeVideo(to: video, faceFrames: 8, emptyFrames: 3, subject: 4)
        let enrolled = try Facever.run(["enroll", "dee", "--source", video.path, "--count", "3", "--data", data], in: root)
        XCTAssertEqual(enrolled.status, 0, enrolled.standardError)
        XCTAssertTrue(enrolled.standardOutput.contains("enrolled dee: 3 photos saved"), enrolled.standardOutput)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: data + "/people/dee").filter { $0.hasPrefix("capture-") }.count, 3)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let live = try Facever.run(["identify", "--source", video.path, "--auto", "--count", "2", "--threshold", "0", "--json",
                                    "--data", data], in: root)
        XCTAssertEqual(live.status, 0, live.standardError)
        XCTAssertEqual(try live.lines.map(json).map { $0["name"] as? String }, ["dee", "dee"], "the only person enrolled, threshold 0")
        XCTAssertTrue(try json(live.lines[0])["image"].map { "\($0)".hasPrefix(video.path + "#") } == true)
    }
}
