// InterruptTests.swift — a real SIGINT (Ctrl-C) during `facever train`: the step finishes, a checkpoint
// is saved, the exit status is 130, and `--resume` then completes the run.
import Foundation
import XCTest

final class InterruptTests: XCTestCase {
    func testCtrlCSavesACheckpointExits130AndResumeFinishes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let staging = root.appendingPathComponent("staging")
        try Facever.stage([1, 2, 3].map { (1, $0) }, in: staging.appendingPathComponent("anchor"))
        try Facever.stage([4, 5, 6].map { (1, $0) }, in: staging.appendingPathComponent("positive"))
        try Facever.stage((2...4).flatMap { s in (1...5).map { (s, $0) } }, in: staging.appendingPathComponent("negative"))
        for faceClass in ["anchor", "positive", "negative"] {
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", "data"], in: root).status, 0)
        }
        let arguments = ["train", "--architecture", "tiny", "--pairs", "30", "--batch", "2", "--seed", "5", "--data", "data"]

        let running = try Facever.start(arguments + ["--epochs", "1000"], in: root)
        var output = Data()
        let deadline = Date().addingTimeInterval(120)
        while !String(decoding: output, as: UTF8.self).contains("epoch 1/1000"), Date() < deadline {
            let chunk = running.output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
        }
        XCTAssertTrue(String(decoding: output, as: UTF8.self).contains("epoch 1/1000"), "training never reported an epoch")
        kill(running.process.processIdentifier, SIGINT)
        output.append(running.output.fileHandleForReading.readDataToEndOfFile())
        running.process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        let errors = running.errorText()  // read (and its file removed) whether or not the assertion fails
        XCTAssertEqual(running.process.terminationStatus, 130, text + errors)
        let marker = try XCTUnwrap(text.range(of: #"at epoch (\d+), step (\d+)"#, options: .regularExpression), text)
        let numbers = text[marker].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("data/model.safetensors").path),
                       "an interrupted run writes a checkpoint, not a model")

        // Resume and finish the interrupted epoch.
        let resumed = try Facever.run(arguments + ["--epochs", String(numbers[0]), "--resume"], in: root)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("resuming at epoch \(numbers[0]), step \(numbers[1] + 1)"), resumed.standardOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("data/model.safetensors").path))
    }
}
