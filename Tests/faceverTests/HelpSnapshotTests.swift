// HelpSnapshotTests.swift — every command's --help, exactly, wrapped at 80 columns: a change to what a user reads
// shows up as a diff of Tests/faceverTests/HelpSnapshots/*.txt. After an intended change, run the suite
// with FACEVER_RECORD_HELP=1 to write the new texts, and read the diff before committing it.
import Foundation
import TestSupport
import XCTest

final class HelpSnapshotTests: XCTestCase {
    private static let folder = TestPaths.repository.appendingPathComponent("Tests/faceverTests/HelpSnapshots")
    private static let commands = ["", "collect", "import", "augment", "train", "evaluate", "verify", "enroll", "people", "identify", "report",
                                          "compare", "embed", "model", "model import-dlib", "model info", "model fit-head"]

    func testEveryCommandsHelpMatchesItsSnapshot() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        let recording = environment["FACEVER_RECORD_HELP"] == "1"
        let root = try TestPaths.temporaryFolder("help")
        defer { try? FileManager.default.removeItem(at: root) }
        for command in Self.commands {
            let arguments = command.split(separator: " ").map(String.init) + ["--help"]
            let result = try Facever.run(arguments, in: root, environment: environment)
            XCTAssertEqual(result.status, 0, command)
            let snapshot = Self.folder.appendingPathComponent((command.isEmpty ? "facever" : command.replacingOccurrences(of: " ", with: "-")) + ".txt")
            if recording {
                try Data(result.standardOutput.utf8).write(to: snapshot)
                continue
            }
            let expected = try String(contentsOf: snapshot, encoding: .utf8)
            XCTAssertEqual(result.standardOutput, expected, "facever \(command) --help changed (FACEVER_RECORD_HELP=1 records it)")
            // Prose wraps at 80 columns; the usage line (argument-parser never wraps it) and a lone long
            // word (the cascade's path) cannot.
            for line in result.standardOutput.split(separator: "\n") where !line.hasPrefix("USAGE:") {
                let words = line.split(separator: " ")
                XCTAssertTrue(line.count <= 80 || words.count == 1, "wider than 80 columns: \(line)")
            }
            // Lines laid out by hand (the examples and the root's table of commands, indented in the
            // overview) must reach an 80-column terminal whole: wrapped, their columns fall apart.
            var wide = environment
            wide["COLUMNS"] = "300"
            let unwrapped = try Facever.run(arguments, in: root, environment: wide).standardOutput
            let shown = Set(result.standardOutput.split(separator: "\n"))
            for line in unwrapped.split(separator: "\n").prefix(while: { !$0.hasPrefix("USAGE:") }) where line.hasPrefix("  ") {
                XCTAssertTrue(shown.contains(line), "facever \(command) --help wraps a line laid out by hand at 80 columns: \(line)")
            }
        }
    }
}
