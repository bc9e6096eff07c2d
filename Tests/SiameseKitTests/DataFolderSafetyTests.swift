// DataFolderSafetyTests.swift — folders facever creates are private, one writer at a time holds a data
// folder, and file names are escaped before they reach a line of text output.
import Foundation
import Tensor
@testable import SiameseKit
import TestSupport
import XCTest

final class DataFolderSafetyTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("folder-safety") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func mode(_ url: URL) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    func testCreatedFoldersArePrivateAndExistingOnesKeepTheirMode() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        chmod(root.path, 0o755)
        let nested = root.appendingPathComponent("data/anchor")
        try PrivateFolder.create(nested)
        XCTAssertEqual(try mode(root.appendingPathComponent("data")), 0o700)
        XCTAssertEqual(try mode(nested), 0o700)
        XCTAssertEqual(try mode(root), 0o755, "a folder that existed keeps its mode")

        // Import makes its class folder and every photo private.
        let report = try ImageImporter.run(source: TestPaths.sampleFaces.appendingPathComponent("s3"),
                                           into: root.appendingPathComponent("other/negative"))
        XCTAssertEqual(report.imported, 10)
        XCTAssertEqual(try mode(root.appendingPathComponent("other")), 0o700)
        for file in try DataLayout.imageFiles(in: root.appendingPathComponent("other/negative")) {
            XCTAssertEqual(try mode(file), 0o600, file.lastPathComponent)
        }
    }

    func testAFileWhereTheDataFolderBelongsIsRefusedBeforeTheLock() throws {
        let file = root.appendingPathComponent("photo.pgm")
        try Data("not a folder".utf8).write(to: file)
        XCTAssertThrowsError(try DataLock(folder: file, command: "import")) { error in
            XCTAssertEqual("\(error)", "\(file.path): a file, not a folder; name a folder, or move the file away")
        }
        XCTAssertThrowsError(try SafetensorsArchive.read(contentsOf: file.appendingPathComponent("model.safetensors"))) { error in
            XCTAssertEqual("\(error)", "\(file.path)/model.safetensors: cannot read the file (a part of the path is not a folder)",
                           "the words InputError uses for the same errno")
        }
    }

    func testASecondWriterIsRefusedAtOnceAndNamesTheHolder() throws {
        let data = root.appendingPathComponent("data")
        var first: DataLock? = try DataLock(folder: data, command: "train")
        XCTAssertThrowsError(try DataLock(folder: data, command: "import")) { error in
            XCTAssertEqual("\(error)", "\(data.path): the data folder is in use by another facever (pid \(getpid()), train); "
                           + "wait for it to finish or stop it")
        }
        XCTAssertEqual(try mode(data.appendingPathComponent(DataLock.fileName)), 0o600)
        first = nil
        XCTAssertNoThrow(try DataLock(folder: data, command: "import"), "released when the holder ends")
        _ = first

        // A lock file that is a link elsewhere is refused, and its target left untouched.
        let other = root.appendingPathComponent("other")
        let target = root.appendingPathComponent("important.txt")
        try Data("keep me".utf8).write(to: target)
        try PrivateFolder.create(other)
        try FileManager.default.createSymbolicLink(at: other.appendingPathComponent(DataLock.fileName), withDestinationURL: target)
        XCTAssertThrowsError(try DataLock(folder: other, command: "train"))
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "keep me")
    }

    func testControlCharactersInNamesAreEscaped() {
        XCTAssertEqual(TerminalText.escaped("a/b c.jpg"), "a/b c.jpg")
        XCTAssertEqual(TerminalText.escaped("x\nimposter.jpg verified share=1.00"), "x\\nimposter.jpg verified share=1.00")
        XCTAssertEqual(TerminalText.escaped("\u{1B}[2K\r\tback\\slash\u{7F}\u{202E}"), "\\e[2K\\r\\tback\\\\slash\\u{7f}\\u{202e}")
        XCTAssertEqual(TerminalText.escaped("Zoë_Ünlü.jpg"), "Zoë_Ünlü.jpg", "letters of any script are kept")
    }
}
