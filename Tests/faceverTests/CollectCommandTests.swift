// CollectCommandTests.swift — `facever collect` and live `verify` through the binary: headless capture
// from a video, keys through a real pseudo-terminal (with the terminal restored after q and after
// Ctrl-C), a missing camera, a bad cascade, an unwritable folder, and a video that ends early.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class CollectCommandTests: XCTestCase {
    private var root: URL!
    private var video: URL { root.appendingPathComponent("faces.avi") }
    private var data: String { root.appendingPathComponent("data").path }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("collect-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try SyntheticFrames.writeVideo(to: video, faceFrames: 30, emptyFrames: 6)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func photos(_ faceClass: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(data)/\(faceClass)")) ?? []).filter { $0.hasSuffix(".jpg") }
    }

    func testHeadlessCaptureFromAVideo() throws {
        let result = try Facever.run(["collect", "--source", video.path, "--auto", "positive", "--count", "5", "--data", data], in: root)
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.lines.filter { $0.hasPrefix("saved positive/capture-") }.count, 5)
        XCTAssertEqual(result.lines.last, "saved 0 anchor, 5 positive, 0 verification; 0 of 5 frames had no face (skipped)")
        XCTAssertEqual(photos("positive").count, 5)

        let fixed = try Facever.run(["collect", "--source", video.path, "--auto", "anchor", "--count", "3", "--crop", "fixed", "--data", data], in: root)
        XCTAssertEqual(fixed.status, 0, fixed.standardError)
        XCTAssertEqual(photos("anchor").count, 3)
    }

    func testImageSequenceSourceAndPreviewWithoutADisplay() throws {
        let frames = root.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for index in 1...4 {
            let frame = index == 2 ? SyntheticFrames.frame() : SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 3, number: index), left: 200, top: 100)
            try frame.jpegData(quality: 90).write(to: frames.appendingPathComponent(String(format: "%04d.jpg", index)))
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = nil
        environment["WAYLAND_DISPLAY"] = nil
        let result = try Facever.run(["collect", "--source", frames.path + "/%04d.jpg", "--auto", "verification", "--count", "3",
                                      "--preview", "--data", data], in: root, environment: environment)
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(photos("verification").count, 3)
        XCTAssertTrue(result.standardOutput.contains("1 of 4 frames had no face"), result.standardOutput)
        XCTAssertEqual(result.standardError, "facever: warning: --preview: no display (DISPLAY and WAYLAND_DISPLAY are unset); continuing without a window\n")
    }

    func testADeviceThatIsNotACameraIsAClearError() throws {
        let result = try Facever.run(["collect", "--device", "/etc/hostname", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("facever: /etc/hostname: no camera at /etc/hostname (it exists but V4L2 could not open it"),
                      result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data))
    }

    func testAFileThatIsNotAVideoIsOneLineWithTheWayOn() throws {
        // Bytes that are no video, named .mp4: FFmpeg, under OpenCV, would print its own lines before facever's.
        let junk = root.appendingPathComponent("holiday.mp4")
        try Data((0..<5_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }).write(to: junk)
        let result = try Facever.run(["collect", "--source", junk.path, "--auto", "anchor", "--count", "1", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: \(junk.path): not a video OpenCV can read; check the path, or convert the video to MP4 or AVI\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: data), "nothing written")
    }

    func testAVideoThatEndsEarlyIsAnErrorButKeepsThePhotos() throws {
        let result = try Facever.run(["collect", "--source", video.path, "--auto", "anchor", "--count", "100", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasSuffix("faces.avi: the video ended after 36 frames: saved 30 of 100\n"), result.standardError)
        XCTAssertTrue(result.standardOutput.contains("6 of 36 frames had no face"), result.standardOutput)
        XCTAssertEqual(photos("anchor").count, 30)
    }

    /// What `ldd` lists for `binary`: the libraries the loader maps with it.
    private func sharedLibraries(of binary: URL) throws -> String {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [binary.path]
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        defer { ldd.waitUntilExit() }
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func testFaceverStartsWithoutTheCaptureModulesAndLoadsThemOnlyForCapture() throws {
        // The binary itself must not need OpenCV's video, GUI, cascade or codec modules (and their
        // ~250 libraries): `ldd` lists what the loader maps at every start.
        let libraries = try sharedLibraries(of: Facever.executable)
        XCTAssertTrue(libraries.contains("libopencv_core"), libraries)
        for module in ["videoio", "highgui", "objdetect", "imgcodecs"] {
            XCTAssertFalse(libraries.contains("libopencv_\(module)"), "facever links libopencv_\(module)")
        }
        XCTAssertLessThan(libraries.split(separator: "\n").count, 80, libraries)

        // Capture without the library: one clear line, exit 2, nothing written.
        var environment = ProcessInfo.processInfo.environment
        environment["FACEVER_CAPTURE_LIBRARY"] = root.appendingPathComponent("missing.so").path
        let result = try Facever.run(["collect", "--source", video.path, "--auto", "anchor", "--count", "1", "--data", data],
                                     in: root, environment: environment)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("need libFaceverCapture.so beside the facever binary"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data), "nothing written")
    }

    func testFaceDetectionLoadsOnlyTheDetectorLibrary() throws {
        // libFaceverDetect.so needs objdetect, not the video, GUI and codec modules, and far fewer libraries.
        let libraries = try sharedLibraries(of: Facever.executable.deletingLastPathComponent().appendingPathComponent("libFaceverDetect.so"))
        XCTAssertTrue(libraries.contains("libopencv_objdetect"), libraries)
        for module in ["videoio", "highgui", "imgcodecs"] {
            XCTAssertFalse(libraries.contains("libopencv_\(module)"), "libFaceverDetect.so links libopencv_\(module)")
        }
        XCTAssertLessThan(libraries.split(separator: "\n").count, 50, libraries)

        // A face-mode command without the detector library (and with the capture library gone too, which
        // face detection must not need): one clear line, exit 2.
        var environment = ProcessInfo.processInfo.environment
        environment["FACEVER_DETECT_LIBRARY"] = root.appendingPathComponent("missing.so").path
        let staging = root.appendingPathComponent("staging")
        try Facever.stage([(1, 1)], in: staging)
        let missing = try Facever.run(["import", staging.path, "--into", "negative", "--data", data], in: root, environment: environment)
        XCTAssertEqual(missing.status, 2, missing.standardOutput)
        XCTAssertTrue(missing.standardError.contains("face detection needs libFaceverDetect.so beside the facever binary"),
                      missing.standardError)
        environment["FACEVER_DETECT_LIBRARY"] = nil
        environment["FACEVER_CAPTURE_LIBRARY"] = root.appendingPathComponent("missing.so").path
        let found = try Facever.run(["import", staging.path, "--into", "negative", "--data", data], in: root, environment: environment)
        XCTAssertEqual(found.status, 0, found.standardError)
        XCTAssertTrue(found.standardOutput.contains("imported 1 photo"), found.standardOutput)
    }

    func testNoCameraMeansOneClearMessageExitTwoAndNothingWritten() throws {
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/video0"), "this machine has a camera at /dev/video0")
        let result = try Facever.run(["collect", "--camera", "0", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: /dev/video0: no camera at /dev/video0 (the device does not exist); "
                       + "see the cameras with `ls /dev/video*`, or read a video with --source FILE\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: data), "nothing written")
    }

    func testBadCascadeAndUnwritableFolderAreClearErrors() throws {
        var result = try Facever.run(["collect", "--source", video.path, "--auto", "anchor", "--count", "1",
                                      "--cascade", "/nowhere/face.xml", "--data", data], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.standardError, "facever: /nowhere/face.xml: no such cascade file (install opencv-data, or pass --cascade)\n")

        try Data("x".utf8).write(to: root.appendingPathComponent("file"))
        result = try Facever.run(["collect", "--source", video.path, "--auto", "anchor", "--count", "1",
                                  "--data", root.appendingPathComponent("file/data").path], in: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("file/data: cannot create the folder"), "the lock comes first: \(result.standardError)")
    }

    // MARK: Keys through a pseudo-terminal

    private struct Terminal {
        var master: Int32 = -1
        var slave: Int32 = -1

        static func open() throws -> Terminal {
            var terminal = Terminal()
            guard openpty(&terminal.master, &terminal.slave, nil, nil, nil) == 0 else { throw XCTSkip("no pseudo-terminals here") }
            return terminal
        }

        var localFlags: tcflag_t {
            var settings = termios()
            tcgetattr(slave, &settings)
            return settings.c_lflag
        }

        func type(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, text.utf8.count) } }

        func close() {
            Glibc.close(master)
            Glibc.close(slave)
        }
    }

    private func startInteractive(_ arguments: [String], terminal: Terminal) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = Facever.executable
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.standardInput = FileHandle(fileDescriptor: terminal.slave, closeOnDealloc: false)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    func testInteractiveKeysSaveQuitAndRestoreTheTerminal() throws {
        let terminal = try Terminal.open()
        defer { terminal.close() }
        let before = terminal.localFlags
        XCTAssertNotEqual(before & tcflag_t(ICANON), 0, "a fresh pseudo-terminal is in canonical mode")
        // Typed ahead: the first frame (a face) gets anchor, an unknown key, positive, then quit.
        terminal.type("axpq")
        let (process, output) = try startInteractive(["collect", "--source", video.path, "--data", data], terminal: terminal)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertEqual(photos("anchor").count, 1)
        XCTAssertEqual(photos("positive").count, 1)
        XCTAssertTrue(text.contains("saved 1 anchor, 1 positive, 0 verification; 0 of 1 frame had no face (skipped); 1 unknown key ignored"), text)
        XCTAssertEqual(terminal.localFlags, before, "terminal settings restored after q")
    }

    func testCtrlCDuringInteractiveCaptureExits130AndRestoresTheTerminal() throws {
        let terminal = try Terminal.open()
        defer { terminal.close() }
        let before = terminal.localFlags
        let (process, output) = try startInteractive(["collect", "--source", video.path, "--data", data], terminal: terminal)
        // Wait for the status line (the loop is running, the terminal is in raw mode), then interrupt.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("no face") && !String(decoding: seen, as: UTF8.self).contains("face in view") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        XCTAssertEqual(terminal.localFlags & tcflag_t(ICANON | ECHO), 0, "raw mode while capturing")
        kill(process.processIdentifier, SIGINT)
        _ = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(terminal.localFlags, before, "terminal settings restored after Ctrl-C")
    }

    // MARK: Live verify

    func testLiveVerifyFromAVideoPrintsOneVerdictPerFaceFrame() throws {
        let layout = DataLayout(root: URL(fileURLWithPath: data))
        let staging = root.appendingPathComponent("gallery")
        try Facever.stage([(1, 7), (1, 8)], in: staging)
        _ = try ImageImporter.run(source: staging, into: layout.folder(.verification))
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: layout.defaultModel)

        let result = try Facever.run(["verify", "--source", video.path, "--auto", "--count", "3", "--json", "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(result.status), result.standardError)
        XCTAssertEqual(result.lines.count, 3)
        for (index, line) in result.lines.enumerated() {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["image"] as? String, "\(video.path)#\(index + 1)")
            XCTAssertEqual(object["gallery_size"] as? Int, 2)
        }
        let early = try Facever.run(["verify", "--source", video.path, "--auto", "--count", "99", "--data", data], in: root)
        XCTAssertEqual(early.status, 2)
        XCTAssertTrue(early.standardError.contains("the video ended after 30 verdicts of 99"), early.standardError)
    }
}
