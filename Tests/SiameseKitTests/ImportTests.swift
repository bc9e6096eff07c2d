// ImportTests.swift — `import` on an LFW-style tree: stored size and format, duplicates, bad files,
// and the PNG kinds (alpha, 8- and 16-bit grey) that must import rather than fail.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class ImportTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("import") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ data: Data, _ path: String) throws {
        let url = root.appendingPathComponent("source/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func testImportsAnLFWStyleTreeSkippingDuplicatesAndUnreadableFiles() throws {
        let face = try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s3/1.pgm"))
        try write(face, "Ann_Able/Ann_Able_0001.pgm")
        try write(try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s3/2.pgm")), "Ann_Able/Ann_Able_0002.pgm")
        try write(face, "Copy_Cat/Copy_Cat_0001.pgm")  // the same bytes again: a duplicate
        try write(Data(), "Zero_Byte/Zero_Byte_0001.jpg")
        try write(Data("this is not a photo".utf8), "Text_Only/Text_Only_0001.jpg")
        try write(face.prefix(40), "Cut_Short/Cut_Short_0001.pgm")
        try write(Data("notes".utf8), "README.txt")  // not a photo extension: not examined

        let layout = DataLayout(root: root.appendingPathComponent("data"))
        var skipped: [InputError] = []
        let report = try ImageImporter.run(source: root.appendingPathComponent("source"), into: layout.folder(.negative),
                                           onSkip: { skipped.append($0) })
        XCTAssertEqual(report.imported, 2)
        XCTAssertEqual(report.duplicates, 1)
        XCTAssertEqual(report.unreadable.count, 3)
        XCTAssertEqual(skipped.compactMap(\.path).map { URL(fileURLWithPath: $0).lastPathComponent }.sorted(),
                       ["Cut_Short_0001.pgm", "Text_Only_0001.jpg", "Zero_Byte_0001.jpg"])
        let stored = try DataLayout.imageFiles(in: layout.folder(.negative))
        XCTAssertEqual(stored.count, 2)
        for file in stored {
            XCTAssertEqual(file.pathExtension, "jpg")
            XCTAssertTrue(file.lastPathComponent.hasPrefix("Ann_Able_000"))
            let image = try RGBImage.read(contentsOf: file)
            XCTAssertEqual([image.width, image.height], [250, 250])
        }

        let again = try ImageImporter.run(source: root.appendingPathComponent("source"), into: layout.folder(.negative))
        XCTAssertEqual(again.imported, 0)
        XCTAssertEqual(again.duplicates, 3, "everything readable was imported before")
    }

    func testLimitStopsAfterThatManyNewPhotos() throws {
        for n in 1...5 {
            try write(try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s4/\(n).pgm")), "p\(n).pgm")
        }
        let report = try ImageImporter.run(source: root.appendingPathComponent("source"),
                                           into: root.appendingPathComponent("data/negative"), limit: 3)
        XCTAssertEqual(report.imported, 3)
    }

    func testPNGWithAlphaAndGreyscaleOf8And16BitsImport() throws {
        try write(TestPNG.encode(width: 40, height: 32, kind: .rgba8) { x, y in [UInt8(x * 6), UInt8(y * 8), 100, UInt8(x * 3)] }, "alpha.png")
        try write(TestPNG.encode(width: 32, height: 32, kind: .grey8) { x, _ in [UInt8(x * 7)] }, "grey8.png")
        try write(TestPNG.encode(width: 32, height: 32, kind: .grey16) { _, y in [UInt8(y * 7), 0xFF] }, "grey16.png")
        let report = try ImageImporter.run(source: root.appendingPathComponent("source"), into: root.appendingPathComponent("data/negative"))
        XCTAssertEqual(report.imported, 3, "\(report.unreadable)")
        XCTAssertTrue(report.unreadable.isEmpty)

        // 16-bit samples are scaled to 8 bits: row y holds (8y << 8 | 0xFF) / 257 ≈ 8y.
        let grey16 = try RGBImage.decode(TestPNG.encode(width: 2, height: 20, kind: .grey16) { _, y in [UInt8(y * 8), 0xFF] }, path: "g16", limits: .ownImages)
        XCTAssertEqual(Int(grey16.pixels[(10 * 2) * 3]), 80, accuracy: 1)
        let alpha = try RGBImage.decode(TestPNG.encode(width: 2, height: 2, kind: .rgba8) { _, _ in [10, 20, 30, 0] }, path: "a", limits: .ownImages)
        XCTAssertEqual(Array(alpha.pixels.prefix(3)), [10, 20, 30], "alpha is dropped, colour kept")
    }

    func testPhotosInFormatsFaceverDoesNotReadAreCountedAndAFolderOfNothingElseIsAnError() throws {
        let heic = Data([0, 0, 0, 0x18] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 16))
        for name in ["IMG_0001.HEIC", "IMG_0002.heic", "trip/IMG_0003.HEIC"] { try write(heic, name) }
        try write(Data("GIF89a".utf8), "wave.gif")
        try write(Data("notes".utf8), "README.txt")
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        let source = root.appendingPathComponent("source")
        XCTAssertThrowsError(try ImageImporter.run(source: source, into: layout.folder(.anchor))) { error in
            XCTAssertEqual("\(error)", "\(source.path): no photo here in a format facever reads, only 3 .heic files and 1 .gif file; "
                           + "convert them to JPEG or PNG")
        }
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageImporter.run(source: empty, into: layout.folder(.anchor))) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(empty.path): no photos here (facever reads .bmp, .jpeg, .jpg, "), "\(error)")
        }
        // Beside a photo it reads, they are not examined, and the report lists them.
        try write(try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s3/1.pgm")), "face.pgm")
        let report = try ImageImporter.run(source: source, into: layout.folder(.anchor))
        XCTAssertEqual([report.imported, report.examined, report.unreadable.count], [1, 1, 0])
        XCTAssertEqual(report.inFormatsNotRead.map(\.lastPathComponent), ["IMG_0001.HEIC", "IMG_0002.heic", "IMG_0003.HEIC", "wave.gif"])
        XCTAssertEqual(PhotoListing.summary(of: report.inFormatsNotRead), "3 .heic files and 1 .gif file")
        XCTAssertEqual(PhotoListing.summary(of: [URL(fileURLWithPath: "/a.avif")]), "1 .avif file")
        XCTAssertNil(PhotoListing.summary(of: []))
    }

    func testAMissingSourceFolderIsAnErrorNamingIt() {
        let missing = root.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try ImageImporter.run(source: missing, into: root.appendingPathComponent("data/negative"))) { error in
            XCTAssertEqual("\(error)", "\(missing.path): no such folder; check the path")
        }
    }
}

final class ImportLinkTests: XCTestCase {
    func testSymbolicLinksToPhotosAndFoldersAreFollowedOnce() throws {
        let root = try TestPaths.temporaryFolder("links")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let person = TestPaths.sampleFaces.appendingPathComponent("s5")
        try FileManager.default.createSymbolicLink(at: source.appendingPathComponent("s5"), withDestinationURL: person)
        try FileManager.default.createSymbolicLink(at: source.appendingPathComponent("face.pgm"),
                                                   withDestinationURL: TestPaths.sampleFaces.appendingPathComponent("s6/1.pgm"))
        try FileManager.default.createSymbolicLink(at: source.appendingPathComponent("loop"), withDestinationURL: source)
        let files = try DataLayout.imageFilesRecursively(in: source)
        XCTAssertEqual(files.count, 11, "10 photos through the folder link, 1 through the file link, the loop once")
    }
}

final class ImportOwnPhotosTests: XCTestCase {
    func testImportingIntoNegativeRefusesTheUsersOwnPhotos() throws {
        let root = try TestPaths.temporaryFolder("own-photos")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        try FixtureData.importPhotos([(1, 1), (1, 2)], into: .anchor, layout: layout, staging: root)
        try FixtureData.importPhotos([(1, 7)], into: .verification, layout: layout, staging: root)
        let others = root.appendingPathComponent("others")
        try TestPaths.copySampleFaces([(1, 1), (1, 7), (2, 1), (3, 1)], into: others)
        let report = try ImageImporter.run(source: others, into: layout.folder(.negative),
                                           refusing: ImageImporter.ownPhotoHashes(in: layout))
        XCTAssertEqual(report.refused, 2, "s1/1 is an anchor, s1/7 in the gallery")
        XCTAssertEqual(report.imported, 2)
    }
}
