// CollectorTests.swift — saving crops from a video: headless counts and intervals, the keys of
// interactive capture (through a scripted key source), and output folders that cannot be written.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class CollectorTests: XCTestCase {
    private var root: URL!
    private var video: URL!

    override func setUpWithError() throws {
        root = try TestPaths.temporaryFolder("collect")
        video = root.appendingPathComponent("faces.avi")
        // 5 frames without a face first, then 12 with one.
        let writer = try VideoWriter(path: video.path, width: 640, height: 480, framesPerSecond: 10)
        for _ in 0..<5 { try writer.write(SyntheticFrames.frame()) }
        for index in 0..<12 {
            try writer.write(SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 1, number: 1 + index % 10), left: 100 + 20 * index, top: 120))
        }
        writer.close()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func collector(_ layout: DataLayout) throws -> Collector {
        Collector(source: try VideoSource.file(video.path), cropper: .detecting(.face), layout: layout)
    }

    func testAutomaticCaptureSavesCountFaceCropsAndSkipsFacelessFrames() throws {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        var savedFrames: [Int] = []
        let report = try collector(layout).runAutomatic(into: .anchor, count: 4, intervalSeconds: 0, onSaved: { _, frame in savedFrames.append(frame.index) })
        XCTAssertEqual(report.ending, .countReached)
        XCTAssertEqual(report.saved[.anchor], 4)
        XCTAssertEqual(report.framesWithoutFace, 5)
        XCTAssertEqual(savedFrames, [6, 7, 8, 9])
        let files = try DataLayout.imageFiles(in: layout.folder(.anchor))
        XCTAssertEqual(files.count, 4)
        for file in files {
            XCTAssertTrue(file.lastPathComponent.hasPrefix("capture-"))
            let photo = try RGBImage.read(contentsOf: file)
            XCTAssertEqual([photo.width, photo.height], [250, 250])
            XCTAssertEqual(CanonicalMark.mode(of: try Data(contentsOf: file)), .face, "marked: train never crops a capture again")
        }
    }

    func testIntervalIsMeasuredInStreamTime() throws {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        var savedFrames: [Int] = []
        // 10 fps: 0.25 s between saves means every third face frame.
        _ = try collector(layout).runAutomatic(into: .positive, count: 3, intervalSeconds: 0.25, onSaved: { _, frame in savedFrames.append(frame.index) })
        XCTAssertEqual(savedFrames, [6, 9, 12])
    }

    func testAVideoThatEndsEarlyKeepsWhatWasSaved() throws {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        let report = try collector(layout).runAutomatic(into: .anchor, count: 50, intervalSeconds: 0)
        XCTAssertEqual(report.ending, .endOfStream)
        XCTAssertEqual(report.saved[.anchor], 12)
        XCTAssertEqual(try DataLayout.imageFiles(in: layout.folder(.anchor)).count, 12)
    }

    private final class ScriptedKeys: KeySource {
        var script: [Int: [UInt8]]
        var call = 0
        init(_ script: [Int: [UInt8]]) { self.script = script }
        func pendingKeys() -> [UInt8] {
            call += 1
            return script[call] ?? []
        }
    }

    func testInteractiveKeysSaveTheFaceInViewIgnoreOthersAndQuit() throws {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        // Frame 2 has no face; frames 6… do.
        let keys = ScriptedKeys([2: Array("a".utf8), 6: Array("ax".utf8), 7: Array("pv".utf8), 8: Array("q".utf8), 9: Array("a".utf8)])
        var statuses: [CollectStatus] = []
        let report = try collector(layout).runInteractive(keys: keys, pace: false, status: { statuses.append($0) })
        XCTAssertEqual(report.ending, .quit)
        XCTAssertEqual(report.saved, [.anchor: 1, .positive: 1, .verification: 1])
        XCTAssertEqual(report.keysWithoutFace, 1)
        XCTAssertEqual(report.ignoredKeys, 1)
        XCTAssertEqual(report.framesRead, 8, "q stops at once; the a after it is never read")
        XCTAssertEqual(statuses[1].message, "no face in view: nothing saved")
        XCTAssertFalse(statuses[1].faceInView)
        XCTAssertTrue(statuses[5].faceInView)
        for faceClass in [FaceClass.anchor, .positive, .verification] {
            XCTAssertEqual(try DataLayout.imageFiles(in: layout.folder(faceClass)).count, 1)
        }
    }

    func testFramesWithSeveralFacesAreNeverSaved() throws {
        // 3 frames with someone beside the user, then 3 with the user alone.
        let group = root.appendingPathComponent("group.avi")
        let writer = try VideoWriter(path: group.path, width: 640, height: 480, framesPerSecond: 10)
        for index in 0..<6 {
            let user = (try SyntheticFrames.face(subject: 1, number: 1 + index), 380, 120)
            let other = (try SyntheticFrames.face(subject: 20, number: 1 + index, scale: 1.6), 40, 150)
            try writer.write(SyntheticFrames.frame(faces: index < 3 ? [user, other] : [user]))
        }
        writer.close()
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        var savedFrames: [Int] = []
        let automatic = try Collector(source: try VideoSource.file(group.path), cropper: .detecting(.face), layout: layout)
            .runAutomatic(into: .anchor, count: 2, intervalSeconds: 0, onSaved: { _, frame in savedFrames.append(frame.index) })
        XCTAssertEqual(automatic.framesWithSeveralFaces, 3)
        XCTAssertEqual(savedFrames, [4, 5])
        // Interactive: a key while two faces are in view saves nothing and says why.
        let keys = ScriptedKeys([1: Array("a".utf8), 4: Array("p".utf8)])
        var statuses: [CollectStatus] = []
        let interactive = try Collector(source: try VideoSource.file(group.path), cropper: .detecting(.face), layout: layout)
            .runInteractive(keys: keys, pace: false, status: { statuses.append($0) })
        XCTAssertEqual(interactive.saved, [.positive: 1])
        XCTAssertEqual(interactive.keysWithSeveralFaces, 1)
        XCTAssertEqual(statuses[0].message, "2 faces in view: nothing saved (only yours should be)")
        XCTAssertEqual(try DataLayout.imageFiles(in: layout.folder(.anchor)).count, 2)
    }

    func testInteractiveCaptureStopsWhenAskedAndAtTheEndOfTheStream() throws {
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        var frames = 0
        let stopped = try collector(layout).runInteractive(keys: ScriptedKeys([:]), shouldStop: { frames += 1; return frames > 3 },
                                                           pace: false, status: { _ in })
        XCTAssertEqual(stopped.ending, .interrupted)
        XCTAssertEqual(stopped.framesRead, 3)
        let ended = try collector(layout).runInteractive(keys: ScriptedKeys([:]), pace: false, status: { _ in })
        XCTAssertEqual(ended.ending, .endOfStream)
        XCTAssertEqual(ended.framesRead, 17)
    }

    func testAnOutputFolderThatCannotBeWrittenFailsBeforeAnyFrame() throws {
        let blocker = root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let layout = DataLayout(root: blocker.appendingPathComponent("data"))
        XCTAssertThrowsError(try collector(layout).runAutomatic(into: .anchor, count: 1, intervalSeconds: 0)) { error in
            XCTAssertTrue("\(error)".hasPrefix(blocker.appendingPathComponent("data/anchor").path + ": cannot create the folder"), "\(error)")
        }
    }
}
