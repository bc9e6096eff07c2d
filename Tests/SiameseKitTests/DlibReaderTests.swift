// DlibReaderTests.swift — the dlib serialisation reader and the landmark cascade on a tiny hand-made
// shape predictor file: its numbers decoded exactly, its prediction worked out by hand, and every
// truncation and single-byte change of the file an InputError or a checked model, never a crash.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

/// Writes dlib's format (dlib/serialize.h) for the tests.
struct DlibWriter {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude, body: [UInt8] = []
        repeat { body.append(UInt8(magnitude & 0xFF)); magnitude >>= 8 } while magnitude != 0
        bytes.append(UInt8(body.count) | (value < 0 ? 0x80 : 0))
        bytes += body
    }

    /// mantissa · 2^exponent with the mantissa a whole number (exact for any Float).
    mutating func real(_ value: Float) {
        guard value != 0 else { integer(0); integer(0); return }
        let exponent = Int(value.exponent) - 23
        integer(Int64((Double(value) * pow(2, Double(-exponent))).rounded()))
        integer(Int64(exponent))
    }

    mutating func columnMatrix(_ values: [Float]) {
        integer(-Int64(values.count)); integer(-1)
        for value in values { real(value) }
    }
}

final class DlibReaderTests: XCTestCase {
    /// Two points; one level with one depth-1 tree: when pixel(feature 0) − pixel(feature 1) > 10 the left
    /// leaf moves point 0 right by 0.1 of the box, else the right leaf moves it left by 0.1.
    private func tinyPredictor() -> [UInt8] {
        var w = DlibWriter()
        w.integer(1)                                   // version
        w.columnMatrix([0.25, 0.5, 0.75, 0.5])         // initial shape
        w.integer(1); w.integer(1)                     // 1 level of 1 tree
        w.integer(1); w.integer(0); w.integer(1); w.real(10)   // 1 split: features 0, 1, threshold 10
        w.integer(2); w.columnMatrix([0.1, 0, 0, 0]); w.columnMatrix([-0.1, 0, 0, 0])
        w.integer(1); w.integer(2); w.integer(0); w.integer(1)  // anchors: feature 0 at point 0, feature 1 at point 1
        w.integer(1); w.integer(2); for value: Float in [0, 0, 0, 0] { w.real(value) }  // deltas: none
        return w.bytes
    }

    private func read(_ bytes: [UInt8]) throws -> LandmarkPredictor {
        let folder = try TestPaths.temporaryFolder("dlib")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("shape.dat")
        try Data(bytes).write(to: url)
        return try DlibLandmarksReader.read(contentsOf: url)
    }

    func testIntegersAndRealsDecodeExactly() throws {
        var w = DlibWriter()
        for value: Int64 in [0, 1, -1, 255, 256, -70000, Int64.max] { w.integer(value) }
        for value: Float in [0.6, -122.782, 1e-30, 3.4e38] { w.real(value) }
        var stream = DlibStream(bytes: w.bytes, path: "test", kind: "test")
        for value: Int64 in [0, 1, -1, 255, 256, -70000, Int64.max] { XCTAssertEqual(try stream.integer(), value) }
        for value: Float in [0.6, -122.782, 1e-30, 3.4e38] { XCTAssertEqual(Float(try stream.real()), value) }
        XCTAssertTrue(stream.isAtEnd)
    }

    func testTheTinyCascadeMovesThePointAsWorkedOutByHand() throws {
        let predictor = try read(tinyPredictor())
        XCTAssertEqual(predictor.pointCount, 2)
        var pixels = [UInt8](repeating: 0, count: 101 * 101 * 3)
        let box = LandmarkPredictor.Box(left: 0, top: 0, right: 100, bottom: 100)
        // Point 0 sits at pixel (25, 50): bright there → feature 0 − feature 1 = 200 > 10 → left leaf.
        for channel in 0..<3 { pixels[3 * (50 * 101 + 25) + channel] = 200 }
        let bright = predictor.landmarks(in: RGBImage(width: 101, height: 101, pixels: pixels), box: box)
        XCTAssertEqual(bright, [Point(x: 35, y: 50), Point(x: 75, y: 50)])
        let dark = predictor.landmarks(in: RGBImage(width: 101, height: 101, pixels: [UInt8](repeating: 0, count: 101 * 101 * 3)), box: box)
        XCTAssertEqual(dark, [Point(x: 15, y: 50), Point(x: 75, y: 50)])
    }

    func testEveryTruncationIsAnErrorNamingTheFile() throws {
        let bytes = tinyPredictor()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try read(Array(bytes.prefix(length))), "prefix of \(length) bytes") { error in
                XCTAssertTrue("\(error)".contains("shape.dat"), "\(error)")
            }
        }
        XCTAssertThrowsError(try read(bytes + [0]), "a byte after the end")
    }

    func testEverySingleByteChangeIsRefusedOrChecked() throws {
        let bytes = tinyPredictor()
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x08, 0x0F, 0x7F, 0x80, 0x88, 0xFF] where replacement != bytes[index] {
                var changed = bytes
                changed[index] = replacement
                // Either an InputError or a predictor whose indices all passed LandmarkPredictor's checks.
                if let predictor = try? read(changed) {
                    _ = predictor.landmarks(in: RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 9, count: 192)),
                                            box: LandmarkPredictor.Box(left: -3, top: -3, right: 10, bottom: 10))
                }
            }
        }
    }

    func testHostileSizesAndValuesAreRefused() {
        var huge = DlibWriter(); huge.integer(1); huge.integer(-Int64(1) << 40); huge.integer(-1)
        XCTAssertThrowsError(try read(huge.bytes)) { XCTAssertTrue("\($0)".contains("matrix's rows"), "\($0)") }
        var nan = DlibWriter(); nan.integer(1); nan.integer(-2); nan.integer(-1); nan.integer(0); nan.integer(32002)
        XCTAssertThrowsError(try read(nan.bytes)) { XCTAssertTrue("\($0)".contains("not finite"), "\($0)") }
        var version = DlibWriter(); version.integer(2)
        XCTAssertThrowsError(try read(version.bytes)) { XCTAssertTrue("\($0)".contains("version 2, expected 1"), "\($0)") }
    }

    func testTheResNetReaderRefusesAnotherKindOfFile() throws {
        let folder = try TestPaths.temporaryFolder("dlib")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("resnet.dat")
        try Data(tinyPredictor()).write(to: url)
        XCTAssertThrowsError(try DlibResNetReader.read(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("resnet.dat") && "\(error)".contains("not the dlib face recognition ResNet file"), "\(error)")
        }
    }

    func testAFolderAPipeOrAMissingFileIsAnErrorWithTheNextStep() throws {
        let folder = try TestPaths.temporaryFolder("dlib-special")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("resnet.dat"), missing = folder.appendingPathComponent("gone.dat")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        let setup = "run Scripts/setup.sh, which fetches dlib's models, or name the file"
        for (url, problem) in [(folder, "not a regular file (a folder, device or pipe)"), (pipe, "not a regular file (a folder, device or pipe)"),
                               (missing, "cannot read the file (no such file)")] {
            XCTAssertThrowsError(try DlibResNetReader.read(contentsOf: url)) { error in
                XCTAssertEqual("\(error)", "\(url.path): \(problem); \(setup)")
            }
        }
    }

    func testTheDlibArchitectureHasDlibsShapes() {
        let architecture = ResNetArchitecture.dlibFaceRecognition
        XCTAssertNil(architecture.problem)
        // 150 → 7×7/2: 72 → pool 3/2: 35; halvings 17, 8, then max(3, 4) = 4 and max(1, 2) = 2.
        XCTAssertEqual(architecture.featureSides.stem, 35)
        XCTAssertEqual(architecture.featureSides.blocks, [35, 35, 35, 17, 17, 17, 17, 8, 8, 8, 4, 4, 4, 2])
        let network = try! ResNetEmbedding(architecture: architecture, factory: .glorotUniform(seed: 1))
        XCTAssertEqual(network.parameters.filter { $0.name!.hasSuffix(".weight") && $0.rank == 4 }.count, 29, "29 convolutions")
        XCTAssertEqual(network.parameterCount, 5_614_592)
        let output = network(Tensor(zeros: [1, 150, 150, 3]))
        XCTAssertEqual(output.shape, [1, 128])
    }
}
