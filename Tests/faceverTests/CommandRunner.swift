// CommandRunner.swift — runs the built `facever` binary as a user would, capturing output and status.
import Foundation
import TestSupport
import XCTest

struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String

    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

enum Facever {
    /// The `facever` executable next to the test bundle (`swift test` builds it: the test target depends on it).
    static let executable: URL = {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for folder in candidates {
            let url = folder.appendingPathComponent("facever")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        fatalError("facever binary not found near \(candidates.map(\.path))")
    }()

    static let sampleFaces = TestPaths.sampleFaces

    @discardableResult
    /// `binary`: another facever than the one built beside the tests (an installed copy).
    static func run(_ arguments: [String], in folder: URL, environment: [String: String]? = nil,
                    binary: URL = executable) throws -> CommandResult {
        let process = try start(arguments, in: folder, environment: environment, binary: binary)
        let outputData = process.output.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        return CommandResult(status: process.process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: process.errorText())
    }

    /// A running facever: stdout through a pipe, stderr into a file (so neither can block the process).
    struct Running {
        let process: Process
        let output: Pipe
        let errorFile: URL

        func errorText() -> String {
            defer { try? FileManager.default.removeItem(at: errorFile) }
            return (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        }
    }

    static func start(_ arguments: [String], in folder: URL, environment: [String: String]? = nil,
                      binary: URL = executable) throws -> Running {
        let process = Process()
        if let environment { process.environment = environment }
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("facever-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        return Running(process: process, output: output, errorFile: errorFile)
    }

    /// Runs facever with its stderr on a pseudo-terminal (as a person at a terminal sees it) and stdout through
    /// a pipe; returns what each received. Skips the test where no pseudo-terminal can be opened.
    static func runWithStandardErrorOnATerminal(_ arguments: [String], in folder: URL) throws -> CommandResult {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw XCTSkip("no pseudo-terminals here") }
        defer { close(master) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        try process.run()
        close(slave)  // the child has its own copy: reading the master ends when the child's closes
        // The terminal's side is read while the process runs, so that it never blocks on a full buffer.
        final class Received: @unchecked Sendable { var bytes = Data() }  // written by the reader, read after it ends
        let received = Received(), terminal = master
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue(label: "pty").async {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(terminal, &buffer, buffer.count)
                if count <= 0 { break }  // EIO once the last writer is gone
                received.bytes.append(contentsOf: buffer[0..<count])
            }
            finished.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.wait()
        return CommandResult(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: received.bytes, as: UTF8.self))
    }

    /// Copies ORL photos `s<subject>/<number>.pgm` into `folder` as `s<subject>_<number>.pgm`.
    static func stage(_ photos: [(Int, Int)], in folder: URL) throws {
        try TestPaths.copySampleFaces(photos.map { (subject: $0.0, number: $0.1) }, into: folder)
    }
}
