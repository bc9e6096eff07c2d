// DecoderHardeningTests.swift — the image decoders on hostile and damaged files: malformed EXIF never
// crashes, a declared size over the pixel limit is refused from the header, truncated data is an
// error rather than a picture filled with grey, and images too small to hold a face are refused.
import Foundation
import Tensor
@testable import SiameseKit
import TestSupport
import XCTest

final class DecoderHardeningTests: XCTestCase {
    /// A 64×64 JPEG of a smooth gradient with fine noise (so that its entropy-coded data is long).
    private func sampleJPEG(side: Int = 64) throws -> Data {
        var pixels: [UInt8] = []
        for y in 0..<side { for x in 0..<side { pixels += [UInt8(x * 4 % 256), UInt8(y * 4 % 256), UInt8((x * 7 + y * 13) % 256)] } }
        return try RGBImage(width: side, height: side, pixels: pixels).jpegData(quality: 95)
    }

    /// `jpeg` with an APP1 "Exif" segment, holding `tiff` (the TIFF header and IFD), right after SOI.
    private func withExif(_ tiff: [UInt8], in jpeg: Data) -> Data {
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return jpeg.prefix(2) + Data([0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload) + jpeg.dropFirst(2)
    }

    private func littleEndian32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    func testMalformedExifOffsetsNeverCrashAndLeaveThePhotoUpright() throws {
        let jpeg = try sampleJPEG()
        let plain = try RGBImage.decode(jpeg, path: "plain.jpg")
        // IFD offsets that wrap a 32-bit bound check (0xFFFFFFFE + 2 == 0), point past the end, or
        // promise more entries than the segment holds.
        for offset: UInt32 in [0xFFFF_FFFE, 0xFFFF_FFFF, 0xFFFF_FFF4, 0x8000_0000, 9, 100] {
            let tiff: [UInt8] = Array("II".utf8) + [0x2A, 0] + littleEndian32(offset) + [0xFF, 0xFF]
            let image = try RGBImage.decode(withExif(tiff, in: jpeg), path: "exif-\(offset).jpg")
            XCTAssertEqual(image, plain, "a malformed EXIF block means orientation 1 (offset \(offset))")
        }
        // A well-formed EXIF block still rotates: orientation 6 (90° clockwise) on a 64×32 photo.
        let wide = try RGBImage(width: 64, height: 32, pixels: [UInt8](repeating: 90, count: 64 * 32 * 3)).jpegData()
        let entry: [UInt8] = [0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]
        let tiff: [UInt8] = Array("II".utf8) + [0x2A, 0] + littleEndian32(8) + [1, 0] + entry + [0, 0, 0, 0]
        let rotated = try RGBImage.decode(withExif(tiff, in: wide), path: "rotated.jpg")
        XCTAssertEqual([rotated.width, rotated.height], [32, 64])
    }

    func testDeclaredSizesOverThePixelLimitAreRefusedFromTheHeader() throws {
        // JPEG: the SOF0 frame header (FF C0, length, precision, height, width) patched to 16000×16000.
        var jpeg = try sampleJPEG()
        let sof = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0x3E, 0x80, 0x3E, 0x80])
        // PNG: a 40×40 file whose header declares 16000×16000 (a 249 KB file did this to 1.5 GB before).
        let png = TestPNG.declaring(width: 16000, height: 16000,
                                    in: TestPNG.encode(width: 40, height: 40, kind: .grey8) { x, _ in [UInt8(x)] })
        // PNM: a header and nothing else.
        let pnm = Data("P6\n60000 60000\n255\n".utf8)
        for (name, bytes, side) in [("huge.jpg", jpeg, 16000), ("huge.png", png, 16000), ("huge.ppm", pnm, 60000)] {
            XCTAssertThrowsError(try RGBImage.decode(bytes, path: name)) { error in
                // A photo too large, not a damaged one: the way on is to shrink it or raise the limit.
                XCTAssertEqual("\(error)", "\(name): the image declares \(side)x\(side) pixels, over the limit of 40000000; "
                               + "shrink it, or raise the limit for one run with FACEVER_MAX_MEGAPIXELS=MEGAPIXELS")
            }
        }
        // The limit is a parameter: a 64×64 photo is refused under a 4000-pixel limit, read under 4096.
        let small = try sampleJPEG()
        XCTAssertThrowsError(try RGBImage.decode(small, path: "a.jpg", limits: ImageLimits(maximumPixels: 4000)))
        XCTAssertEqual(try RGBImage.decode(small, path: "a.jpg", limits: ImageLimits(maximumPixels: 4096)).width, 64)
    }

    func testTheEnvironmentVariableSetsThePixelLimit() {
        XCTAssertEqual(ImageLimits.maximumPixels(from: [:]), 40_000_000)
        XCTAssertEqual(ImageLimits.maximumPixels(from: ["FACEVER_MAX_MEGAPIXELS": "100"]), 100_000_000)
        XCTAssertEqual(ImageLimits.maximumPixels(from: ["FACEVER_MAX_MEGAPIXELS": "0.5"]), 500_000)
        for bad in ["", "-3", "0", "nan", "inf", "lots", "1e300"] {
            XCTAssertEqual(ImageLimits.maximumPixels(from: ["FACEVER_MAX_MEGAPIXELS": bad]), 40_000_000, bad)
        }
    }

    func testTruncatedFilesAreErrorsNotGreyPictures() throws {
        let jpeg = try sampleJPEG(side: 128)
        XCTAssertNoThrow(try RGBImage.decode(jpeg, path: "whole.jpg"))
        for fraction in [0.3, 0.6, 0.9] {
            let cut = jpeg.prefix(Int(Double(jpeg.count) * fraction))
            XCTAssertThrowsError(try RGBImage.decode(cut, path: "cut.jpg"), "\(fraction) of the file") { error in
                XCTAssertTrue("\(error)".hasPrefix("cut.jpg: not a readable JPEG"), "\(error)")
            }
        }
        // Corrupt entropy-coded data: a marker byte in the middle of the scan.
        var corrupt = jpeg
        corrupt.replaceSubrange((jpeg.count / 2)..<(jpeg.count / 2 + 2), with: [0xFF, 0xD0])
        XCTAssertThrowsError(try RGBImage.decode(corrupt, path: "corrupt.jpg"))

        let png = TestPNG.encode(width: 64, height: 64, kind: .grey8) { x, y in [UInt8((x * y) % 256)] }
        XCTAssertThrowsError(try RGBImage.decode(png.prefix(png.count - 40), path: "cut.png"))
        let pgm = Data("P5\n64 64\n255\n".utf8) + Data(repeating: 100, count: 64 * 63)
        XCTAssertThrowsError(try RGBImage.decode(pgm, path: "cut.pgm")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
    }

    func testImagesTooSmallForAFaceAreRefused() throws {
        for (width, height) in [(1, 1), (31, 40), (40, 31)] {
            let png = TestPNG.encode(width: width, height: height, kind: .grey8) { _, _ in [128] }
            XCTAssertThrowsError(try RGBImage.decode(png, path: "small.png")) { error in
                XCTAssertTrue("\(error)".contains("smaller than the 32×32 minimum"), "\(error)")
            }
        }
        let smallest = TestPNG.encode(width: 32, height: 32, kind: .grey8) { _, _ in [128] }
        XCTAssertEqual(try RGBImage.decode(smallest, path: "ok.png").width, 32)
    }

    func testOnlyRegularFilesOfBoundedSizeAreRead() throws {
        let folder = try TestPaths.temporaryFolder("special-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe.jpg"), zero = folder.appendingPathComponent("zero.jpg")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        try FileManager.default.createSymbolicLink(atPath: zero.path, withDestinationPath: "/dev/zero")
        for url in [pipe, zero, folder] {
            XCTAssertThrowsError(try PhotoDecoder.ownFormats.read(contentsOf: url)) { error in
                XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
            }
        }
        let large = folder.appendingPathComponent("large.ppm")
        XCTAssertTrue(FileManager.default.createFile(atPath: large.path, contents: nil))
        XCTAssertEqual(truncate(large.path, off_t(ImageLimits.maximumFileBytes + 1)), 0)  // sparse: no disk used
        XCTAssertThrowsError(try RGBImage.read(contentsOf: large)) { error in
            XCTAssertEqual("\(error)", "\(large.path): the file has \(ImageLimits.maximumFileBytes + 1) bytes, more than any photo "
                           + "facever reads (\(ImageLimits.maximumFileBytes)); save the photo as JPEG or PNG")
        }
        XCTAssertThrowsError(try SafetensorsArchive.read(contentsOf: pipe)) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    func testAFileThatCannotBeOpenedSaysWhyAndWhatToDo() throws {
        let folder = try TestPaths.temporaryFolder("unopenable")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = folder.appendingPathComponent("face.pgm")
        try Data("P5\n32 32\n255\n".utf8 + [UInt8](repeating: 128, count: 1024)).write(to: photo)
        let missing = folder.appendingPathComponent("gone.jpg"), underAFile = photo.appendingPathComponent("x.jpg")
        let loop = folder.appendingPathComponent("loop.jpg")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: loop.path)
        for (url, expected) in [(missing, "cannot read the file (no such file); check the path"),
                                (underAFile, "cannot read the file (a part of the path is not a folder); check the path"),
                                (loop, "cannot read the file (a loop of symbolic links); check the links on the path")] {
            XCTAssertThrowsError(try PhotoDecoder.ownFormats.read(contentsOf: url)) { error in
                XCTAssertEqual("\(error)", "\(url.path): \(expected)")
            }
            XCTAssertThrowsError(try TextFile.read(url)) { error in XCTAssertEqual("\(error)", "\(url.path): \(expected)") }
        }
        // Tests run as root, whom no permission stops: the words for EACCES are checked directly.
        XCTAssertEqual("\(InputError.cannotOpen("/p/face.jpg", errno: EACCES))",
                       "/p/face.jpg: cannot read the file (permission denied); give your user read access to it, or copy it where you can read it")
        XCTAssertEqual("\(InputError.cannotOpen("/p", errno: EIO, what: "folder"))",
                       "/p: cannot read the folder (\(String(cString: strerror(EIO)))); check the path and the folder")
        // Opened again to learn why: a file that opens now is an I/O error, one that does not gives its reason.
        XCTAssertEqual(InputError.cannotOpen(photo.path).problem, "cannot read the file (\(String(cString: strerror(EIO))))")
        XCTAssertEqual(InputError.cannotOpen(missing.path).problem, "cannot read the file (no such file)")
        // A pipe put where the file was is opened without blocking (a blocking open would wait for a writer).
        let pipe = folder.appendingPathComponent("pipe.jpg")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        XCTAssertEqual(InputError.cannotOpen(pipe.path).problem, "cannot read the file (\(String(cString: strerror(EIO))))")
        XCTAssertEqual(InputError.cannotOpen(pipe.path, errno: ENOENT, nextStep: "run setup").nextStep, "run setup")

        XCTAssertThrowsError(try DataLayout.imageFiles(in: photo)) { error in
            XCTAssertEqual("\(error)", "\(photo.path): a file, not a folder; name the folder that holds the photos")
        }
        XCTAssertThrowsError(try DataLayout.imageFilesRecursively(in: missing, ifMissing: "import some")) { error in
            XCTAssertEqual("\(error)", "\(missing.path): no such folder; import some")
        }
        XCTAssertThrowsError(try TextFile.read(folder)) { error in
            XCTAssertEqual("\(error)", "\(folder.path): not a regular file (a folder, device or pipe); name the list's file")
        }
        let latin1 = folder.appendingPathComponent("pairs.tsv")
        try Data([0x66, 0x6F, 0x6C, 0x64, 0xE9, 0x0A]).write(to: latin1)
        XCTAssertThrowsError(try TextFile.read(latin1)) { error in
            XCTAssertEqual("\(error)", "\(latin1.path): not UTF-8 text; save the list as UTF-8 text")
        }
    }

    func testFoundationsFileErrorsBecomeTheOneLineError() throws {
        let missing = "/nonexistent-\(UUID().uuidString)"
        XCTAssertThrowsError(try FileManager.default.contentsOfDirectory(atPath: missing)) { error in
            XCTAssertEqual(InputError(fileError: error).map { "\($0)" },
                           "\(missing): cannot read the file or folder (no such file or folder); check the path")
        }
        XCTAssertNil(InputError(fileError: CocoaError(.fileReadUnknown)), "no path: not a file error to rewrite")
        XCTAssertNil(InputError(fileError: InputError(path: "p", problem: "q")))
    }
}
