// ImageTests.swift — decoding, encoding and resizing through the OpenCV shim, and its errors.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class ImageTests: XCTestCase {
    func testDecodesABundledGreyscalePGMAsRGB() throws {
        let image = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s1/1.pgm"))
        XCTAssertEqual(image.width, 92)
        XCTAssertEqual(image.height, 112)
        for index in stride(from: 0, to: image.pixels.count, by: 3) {
            XCTAssertEqual(image.pixels[index], image.pixels[index + 1])
            XCTAssertEqual(image.pixels[index], image.pixels[index + 2])
        }
        // The PGM's bytes after its 14-byte header are the grey values themselves.
        let raw = try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s1/1.pgm"))
        XCTAssertEqual(image.pixels[0], raw[14])
        XCTAssertEqual(image.pixels[3 * 500], raw[14 + 500])
    }

    func testPNGRoundTripIsExactAndJPEGIsClose() throws {
        var pixels: [UInt8] = []
        for y in 0..<20 { for x in 0..<30 { pixels += [UInt8(x * 8), UInt8(y * 12), UInt8((x + y) * 4)] } }
        let image = RGBImage(width: 30, height: 20, pixels: pixels)
        XCTAssertEqual(try RGBImage.decode(image.pngData(), path: "png", limits: .ownImages), image)
        let jpeg = try RGBImage.decode(image.jpegData(quality: 95), path: "jpeg", limits: .ownImages)
        XCTAssertEqual(jpeg.width, 30)
        let meanError = zip(jpeg.pixels, pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / pixels.count
        XCTAssertLessThan(meanError, 4)
    }

    func testResizeAndInputValues() throws {
        let image = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s2/3.pgm"))
        let small = image.resized(width: 100, height: 100)
        XCTAssertEqual(small.pixels.count, 100 * 100 * 3)
        let values = ImageBatch.values(of: image, for: EmbeddingArchitecture.tutorial.inputFormat)
        XCTAssertEqual(values.count, 100 * 100 * 3)
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(ImageBatch.values(of: image, for: EmbeddingArchitecture.omniglot.inputFormat).count, 105 * 105)
    }

    func testFormatsBeyondJPEGPNGAndPNMAreReadThroughTheCaptureLibrary() throws {
        // A 3 × 2 24-bit BMP (bottom-up rows of BGR, each padded to 4 bytes), written by hand (BMPFile).
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]
        let (width, height) = (3, 2)
        let bmp = BMPFile.data(of: RGBImage(width: width, height: height, pixels: rgb))
        let image = try PhotoDecoder(limits: .ownImages, otherFormats: PhotoDecoder.withCaptureFormats.otherFormats).decode(bmp, path: "tiny.bmp")
        XCTAssertEqual(image, RGBImage(width: width, height: height, pixels: rgb))
    }

    func testFormatsFaceverCannotReadAreNamedWithTheNextStep() throws {
        let heic = Data([0, 0, 0, 0x18] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 40))
        let cases: [(String, Data, String)] = [
            ("photo.gif", Data("GIF89a".utf8 + [UInt8](repeating: 0, count: 40)), "a GIF image"),
            ("IMG_0001.HEIC", heic, "a HEIC image"),
            ("photo.avif", Data([0, 0, 0, 0x1C] + Array("ftypavif".utf8) + [UInt8](repeating: 0, count: 40)), "an AVIF image"),
            ("photo.jxl", Data([0xFF, 0x0A, 0, 0]), "a JPEG XL image"),
            ("notes.mp4", Data([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [UInt8](repeating: 0, count: 40)),
             "not a readable image (corrupt, truncated or unknown format)"),
        ]
        // With and without OpenCV's decoder for other formats (which reads none of these either).
        for decoder in [PhotoDecoder.ownFormats, PhotoDecoder.withCaptureFormats] {
            for (path, bytes, problem) in cases {
                XCTAssertThrowsError(try decoder.decode(bytes, path: path)) { error in
                    XCTAssertEqual("\(error)", "\(path): \(problem)\(problem.hasPrefix("not") ? "" : ", a format facever does not read"); convert it to JPEG or PNG")
                }
            }
        }
    }

    func testUnreadableInputsFailWithTheirPath() throws {
        XCTAssertThrowsError(try RGBImage.decode(Data(), path: "empty.jpg")) { error in
            XCTAssertEqual("\(error)", "empty.jpg: empty file; copy the photo again, or save it again as JPEG or PNG")
        }
        XCTAssertThrowsError(try RGBImage.decode(Data("not an image".utf8), path: "notes.jpg")) { error in
            XCTAssertEqual("\(error)", "notes.jpg: not a readable image (corrupt, truncated or unknown format); convert it to JPEG or PNG")
        }
        let jpeg = try RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 200, count: 192)).jpegData()
        XCTAssertThrowsError(try RGBImage.decode(jpeg.prefix(20), path: "cut.jpg")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cut.jpg: "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("; copy the photo again, or save it again as JPEG or PNG"), "\(error)")
        }
        XCTAssertThrowsError(try RGBImage.decode(RGBImage(width: 20, height: 40, pixels: [UInt8](repeating: 90, count: 2_400)).pngData(),
                                                 path: "tiny.png")) { error in
            XCTAssertEqual("\(error)", "tiny.png: the image is 20×40 pixels, smaller than the 32×32 minimum for a face photo; "
                           + "use a larger photo of the face")
        }
        XCTAssertThrowsError(try ImageLimits.photos.contents(of: TestPaths.sampleFaces)) { error in
            XCTAssertEqual("\(error)", "\(TestPaths.sampleFaces.path): not a regular file (a folder, device or pipe); name a photo file")
        }
        XCTAssertThrowsError(try RGBImage.read(contentsOf: URL(fileURLWithPath: "/nonexistent/face.jpg"))) { error in
            XCTAssertEqual("\(error)", "/nonexistent/face.jpg: cannot read the file (no such file); check the path")
        }
    }
}
