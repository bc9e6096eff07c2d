// HardeningCommandTests.swift — the hostile and careless inputs of issue 9 through the real binary:
// broken models and photos never verify, bad arguments are usage errors, files are private, one writer
// holds a data folder, leftovers are swept, names cannot forge lines, Ctrl-C in import ends cleanly.
import Foundation
import SiameseKit
import Tensor
import XCTest

final class HardeningCommandTests: XCTestCase {
    private var root: URL!
    private var data: String { root.appendingPathComponent("data").path }
    private var modelURL: URL { root.appendingPathComponent("data/model.safetensors") }
    private let stranger = Facever.sampleFaces.appendingPathComponent("s20/1.pgm").path

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A gallery of three s1 photos and an untrained tiny model.
    private func makeGalleryAndModel() throws {
        try Facever.stage([7, 8, 9].map { (1, $0) }, in: root.appendingPathComponent("staging/gallery"))
        XCTAssertEqual(try Facever.run(["import", "staging/gallery", "--into", "verification", "--data", data], in: root).status, 0)
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: modelURL)
    }

    private func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func testAModelWithNonFiniteWeightsOrBadThresholdsNeverVerifies() throws {
        try makeGalleryAndModel()
        var archive = try SafetensorsArchive.read(contentsOf: modelURL)
        archive.tensors["embedding.conv1.weight"]!.values[0] = .infinity
        try archive.write(to: modelURL)
        for arguments in [[stranger], [stranger, "--json"]] {
            let result = try Facever.run(["verify"] + arguments + ["--data", data], in: root)
            XCTAssertEqual(result.status, 2, result.standardOutput)
            XCTAssertFalse(result.standardOutput.contains("verified"), result.standardOutput)
            XCTAssertEqual(result.standardError, "facever: \(modelURL.path): parameter 'embedding.conv1.weight' holds a NaN or an "
                           + "infinity: the file is damaged or comes from a diverged training run; train again\n")
        }
        archive.tensors["embedding.conv1.weight"]!.values[0] = 0.01
        archive.metadata.removeValue(forKey: "model_id")
        archive.metadata["verification_threshold"] = "-inf"
        try archive.write(to: modelURL)
        let thresholds = try Facever.run(["verify", stranger, "--data", data], in: root)
        XCTAssertEqual(thresholds.status, 2)
        XCTAssertTrue(thresholds.standardError.contains("verification_threshold '-inf' is not a number in [0, 1]"), thresholds.standardError)
    }

    func testTrainingThatDivergesExitsTwoAndWritesNoModel() throws {
        let staging = root.appendingPathComponent("staging")
        try Facever.stage([1, 2, 3].map { (1, $0) }, in: staging.appendingPathComponent("anchor"))
        try Facever.stage([4, 5, 6].map { (1, $0) }, in: staging.appendingPathComponent("positive"))
        try Facever.stage((2...4).flatMap { s in (1...4).map { (s, $0) } }, in: staging.appendingPathComponent("negative"))
        for faceClass in ["anchor", "positive", "negative"] {
            XCTAssertEqual(try Facever.run(["import", "staging/\(faceClass)", "--into", faceClass, "--data", data], in: root).status, 0)
        }
        let result = try Facever.run(["train", "--architecture", "tiny", "--epochs", "3", "--pairs", "100", "--learning-rate", "1e30",
                                      "--data", data], in: root)
        XCTAssertEqual(result.status, 2, result.standardOutput)
        let error = try XCTUnwrap(result.standardError.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(error.hasPrefix("facever: training diverged at epoch "), result.standardError)
        XCTAssertTrue(error.hasSuffix("try a lower --learning-rate"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: modelURL.path), "no model from a diverged run")
    }

    func testBrokenPhotosAreErrorsAndAMalformedExifGalleryPhotoCrashesNothing() throws {
        try makeGalleryAndModel()
        // A gallery photo with an EXIF IFD offset of 0xFFFFFFFE (a SIGSEGV before).
        let gallery = root.appendingPathComponent("data/verification")
        let photo = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: gallery.path).sorted().first)
        let jpeg = try Data(contentsOf: gallery.appendingPathComponent(photo))
        let exif: [UInt8] = Array("Exif".utf8) + [0, 0] + Array("II".utf8) + [0x2A, 0, 0xFE, 0xFF, 0xFF, 0xFF]
        let segment: [UInt8] = [0xFF, 0xE1, 0, UInt8(exif.count + 2)] + exif
        try (jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)).write(to: gallery.appendingPathComponent("exif.jpg"))
        let withExif = try Facever.run(["verify", stranger, "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(withExif.status), withExif.standardError)
        XCTAssertTrue(withExif.standardOutput.contains("gallery 4 photos"), withExif.standardOutput)

        // Probes: truncated, too small, declaring 60000×60000.
        try jpeg.prefix(jpeg.count / 2).write(to: root.appendingPathComponent("cut.jpg"))
        try Data("P5\n1 1\n255\n\u{80}".utf8).write(to: root.appendingPathComponent("dot.pgm"))
        try Data("P6\n60000 60000\n255\n".utf8).write(to: root.appendingPathComponent("huge.ppm"))
        for (name, problem) in [("cut.jpg", "not a readable JPEG"), ("dot.pgm", "smaller than the 32×32 minimum"), ("huge.ppm", "over the limit")] {
            let result = try Facever.run(["verify", name, "--json", "--data", data], in: root)
            XCTAssertEqual(result.status, 2, name)
            XCTAssertTrue(result.standardOutput.contains("\"error\""), result.standardOutput)
            XCTAssertFalse(result.standardOutput.contains("\"verified\""), result.standardOutput)
            XCTAssertTrue(result.standardError.contains(problem), result.standardError)
        }
    }

    func testVerifyAnswersWhenTheGalleryCacheCannotBeWritten() throws {
        try makeGalleryAndModel()
        // A first verify writes the cache; a folder in its place can be neither read nor replaced.
        XCTAssertTrue([0, 1].contains(try Facever.run(["verify", stranger, "--data", data], in: root).status))
        let caches = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("verification.embeddings.") }
        XCTAssertEqual(caches.count, 1, "\(caches)")
        let cache = URL(fileURLWithPath: data).appendingPathComponent(caches[0])
        try FileManager.default.removeItem(at: cache)
        try FileManager.default.createDirectory(at: cache.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)
        let result = try Facever.run(["verify", stranger, "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(result.status), "\(result.status) \(result.standardError)")
        XCTAssertTrue(result.standardOutput.contains("share="), result.standardOutput + result.standardError)
        XCTAssertTrue(result.standardError.contains("warning: gallery cache not saved"), result.standardError)
    }

    func testNumericOptionsOutOfRangeAreUsageErrors() throws {
        let cases: [[String]] = [
            ["train", "--learning-rate", "inf"], ["train", "--learning-rate", "nan"], ["train", "--learning-rate", "-1"],
            ["train", "--epochs", "9223372036854775807"], ["train", "--epochs", "99999999999999999999"],
            ["train", "--pairs", "9223372036854775807"], ["train", "--batch", "1000000"], ["train", "--test-fraction", "nan"],
            ["evaluate", "--threshold", "2"], ["evaluate", "--threshold", "-1"], ["evaluate", "--threshold", "nan"],
            ["evaluate", "--threshold", "inf"], ["verify", "x.jpg", "--detection-threshold", "nan"],
            ["collect", "--source", "v.avi", "--auto", "anchor", "--count", "1", "--interval", "inf"],
            ["collect", "--camera", "9223372036854775807"], ["augment", "--copies", "1000"],
            ["train", "--momentum", "0.9"], ["train", "--optimizer", "koch-sgd", "--momentum", "1.5"],
            ["train", "--optimizer", "koch-sgd", "--momentum", "nan"], ["train", "--optimizer", "sgd"],
        ]
        for arguments in cases {
            let result = try Facever.run(arguments + ["--data", data], in: root)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.standardError)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: data), "no usage error wrote anything")
    }

    func testFilesAndFoldersArePrivate() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        try makeGalleryAndModel()
        XCTAssertEqual(try mode(data), 0o700)
        XCTAssertEqual(try mode(data + "/verification"), 0o700)
        for photo in try FileManager.default.contentsOfDirectory(atPath: data + "/verification") {
            XCTAssertEqual(try mode(data + "/verification/" + photo), 0o600, photo)
        }
        XCTAssertTrue([0, 1].contains(try Facever.run(["verify", stranger, "--data", data], in: root).status))
        let caches = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.contains(".embeddings") }
        XCTAssertEqual(caches.count, 1)
        XCTAssertEqual(try mode(data + "/" + caches[0]), 0o600)
    }

    func testOneWriterAtATimeAndNoSilentReplacement() throws {
        try makeGalleryAndModel()
        do {
            let held = try DataLock(folder: URL(fileURLWithPath: data), command: "test")
            let blocked = try Facever.run(["import", "staging/gallery", "--into", "positive", "--data", data], in: root)
            XCTAssertEqual(blocked.status, 2)
            XCTAssertEqual(blocked.standardError, "facever: \(data): the data folder is in use by another facever (pid \(getpid()), test); "
                           + "wait for it to finish or stop it\n")
            withExtendedLifetime(held) {}
        }
        for faceClass in ["anchor", "positive", "negative"] {
            try FileManager.default.createDirectory(atPath: data + "/" + faceClass, withIntermediateDirectories: true)
        }
        let replace = try Facever.run(["train", "--data", data], in: root)
        XCTAssertEqual(replace.status, 2)
        XCTAssertEqual(replace.standardError, "facever: \(modelURL.path): a trained model is already there; train with --overwrite "
                       + "to replace it, or --model PATH to keep both\n")
        try FileManager.default.moveItem(at: modelURL, to: root.appendingPathComponent("data/model.checkpoint.safetensors"))
        let interrupted = try Facever.run(["train", "--data", data], in: root)
        XCTAssertEqual(interrupted.status, 2)
        XCTAssertTrue(interrupted.standardError.contains("an interrupted run can be continued; train with --resume"), interrupted.standardError)
    }

    func testStaleTemporaryFilesAreSweptAndNamesCannotForgeLines() throws {
        try makeGalleryAndModel()
        var deadPid: pid_t = 4_194_000
        while kill(deadPid, 0) == 0 || errno != ESRCH { deadPid -= 1 }
        let stale = root.appendingPathComponent("data/.model.safetensors.\(deadPid).\(UUID().uuidString).tmp")
        try Data(count: 1000).write(to: stale)

        let forged = root.appendingPathComponent("probe\nother.jpg verified share=1.00.pgm")
        try Data(contentsOf: URL(fileURLWithPath: stranger)).write(to: forged)
        let result = try Facever.run(["verify", forged.lastPathComponent, "--data", data], in: root)
        XCTAssertTrue([0, 1].contains(result.status), result.standardError)
        XCTAssertEqual(result.lines.count, 2, "one verdict line and the summary: \(result.standardOutput)")
        XCTAssertTrue(result.lines[0].hasPrefix("probe\\nother.jpg verified share=1.00.pgm "), result.lines[0])
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "the dead process's temporary file is gone")
        XCTAssertTrue(result.standardError.contains("removed 1 temporary file left by an interrupted run"), result.standardError)
    }

    func testCtrlCInImportFinishesTheFilePrintsTheSummaryAndExits130() throws {
        // Many distinct photos (one byte appended to each ORL photo), so the import is still running.
        let source = root.appendingPathComponent("many")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for copy in 0..<6 {
            for subject in 1...20 {
                for number in 1...10 {
                    let bytes = try Data(contentsOf: Facever.sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm"))
                    try (bytes + [UInt8(copy)]).write(to: source.appendingPathComponent("c\(copy)_s\(subject)_\(number).pgm"))
                }
            }
        }
        let running = try Facever.start(["import", "many", "--data", data], in: root)
        let lock = root.appendingPathComponent("data/.facever.lock")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: lock.path), Date() < deadline { usleep(2000) }
        usleep(100_000)
        kill(running.process.processIdentifier, SIGINT)
        let output = String(decoding: running.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        running.process.waitUntilExit()
        let errors = running.errorText()  // read (and its file removed) whether or not the assertion fails
        XCTAssertEqual(running.process.terminationStatus, 130, output + errors)
        XCTAssertTrue(output.hasPrefix("imported "), output)
        XCTAssertTrue(output.contains("; interrupted before the end"), output)
        let imported = try FileManager.default.contentsOfDirectory(atPath: data + "/negative")
        XCTAssertLessThan(imported.count, 1200)
        XCTAssertTrue(imported.allSatisfy { !$0.hasPrefix(".") }, "no temporary file left: \(imported.filter { $0.hasPrefix(".") })")
        XCTAssertTrue(output.contains("imported \(imported.count) photo"), output)
    }

    func testCtrlCInAugmentFinishesThePhotoPrintsTheSummaryAndExits130() throws {
        let anchors = root.appendingPathComponent("data/anchor")
        _ = try ImageImporter.run(source: Facever.sampleFaces, into: anchors, limit: 120)
        let running = try Facever.start(["augment", "--copies", "9", "--classes", "anchor", "--data", data], in: root)
        let deadline = Date().addingTimeInterval(30)
        func copies() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: anchors.path)) ?? []).filter { $0.contains(".aug") } }
        while copies().isEmpty, Date() < deadline { usleep(2000) }
        kill(running.process.processIdentifier, SIGINT)
        let output = String(decoding: running.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        running.process.waitUntilExit()
        let errors = running.errorText()  // read (and its file removed) whether or not the assertion fails
        XCTAssertEqual(running.process.terminationStatus, 130, output + errors)
        XCTAssertTrue(output.contains("; interrupted before the end"), output)
        let written = copies()
        XCTAssertLessThan(written.count, 120 * 9)
        XCTAssertEqual(written.count % 9, 0, "each photo's copies are finished before stopping")
        XCTAssertTrue(output.contains("\(written.count) copies written"), output)
    }
}
