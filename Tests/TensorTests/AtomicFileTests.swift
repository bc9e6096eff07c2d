// AtomicFileTests.swift — files are written whole and private: 0600 under any umask, a stricter mode
// kept on rewrite; temporary files carry their writer's pid and are swept only when it is gone.
import Foundation
import Tensor
import XCTest

final class AtomicFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func mode(_ url: URL) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    func testNewFilesArePrivateAndStricterModesAreKept() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let url = folder.appendingPathComponent("face.jpg")
        try AtomicFile.write(Data("one".utf8), to: url)
        XCTAssertEqual(try mode(url), 0o600)

        chmod(url.path, 0o400)
        try AtomicFile.write(Data("two".utf8), to: url)
        XCTAssertEqual(try mode(url), 0o400, "a stricter mode the user chose is kept")
        XCTAssertEqual(try Data(contentsOf: url), Data("two".utf8))

        chmod(url.path, 0o644)
        try AtomicFile.write(Data("three".utf8), to: url)
        XCTAssertEqual(try mode(url), 0o600, "a file left world-readable becomes private")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["face.jpg"], "no temporary file left")
    }

    func testOnlyTemporaryFilesOfDeadProcessesAreSwept() throws {
        // A pid that runs no process: the highest pid the kernel can give, or near it.
        var deadPid: pid_t = 4_194_000
        while kill(deadPid, 0) == 0 || errno != ESRCH { deadPid -= 1 }
        let uuid = UUID().uuidString
        let names = [
            ".model.safetensors.\(deadPid).\(uuid).tmp",  // a killed writer: swept
            ".model.safetensors.\(getpid()).\(uuid).tmp",  // this process: kept
            ".model.safetensors.1.\(uuid).tmp",  // a live process (init): kept
            ".notes.tmp",  // not facever's: kept
            "model.safetensors",  // kept
        ]
        for name in names { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
        XCTAssertEqual(AtomicFile.sweepStaleTemporaries(in: folder), [names[0]])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), Set(names.dropFirst()))
    }

    func testAFailedWriteLeavesTheOldFileAndNoTemporary() throws {
        let url = folder.appendingPathComponent("model.safetensors")
        try AtomicFile.write(Data("good".utf8), to: url)
        struct Stop: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: url) { sink in
            try sink.write(Data("half".utf8))
            throw Stop()
        })
        XCTAssertEqual(try Data(contentsOf: url), Data("good".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }
}
