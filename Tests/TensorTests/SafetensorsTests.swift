// SafetensorsTests.swift — the safetensors reader and writer: round trips, bytes laid out by hand,
// every kind of broken file, and loading into parameters with the wrong shapes.
@testable import Tensor
import XCTest

final class SafetensorsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A file laid out byte by byte as the format describes: header length, JSON, little-endian data.
    private func handMadeFile(header: String, data: [Float], declaredLength: UInt64? = nil) -> Data {
        var file = Data()
        let json = Data(header.utf8)
        var length = (declaredLength ?? UInt64(json.count)).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(json)
        for value in data {
            var bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { file.append(contentsOf: $0) }
        }
        return file
    }

    func testRoundTripPreservesEveryBitAndTheMetadata() throws {
        let values: [Float] = [0, -0, 1.5, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e-30, 3.14159]
        let archive = SafetensorsArchive(
            tensors: ["x.weight": StoredTensor(shape: [2, 4], values: values), "y": StoredTensor(shape: [0], values: [])],
            metadata: ["architecture": "{\"a\":1}", "format_version": "1"])
        let url = folder.appendingPathComponent("m.safetensors")
        try archive.write(to: url)
        let loaded = try SafetensorsArchive.read(contentsOf: url)
        XCTAssertEqual(loaded.metadata, archive.metadata)
        XCTAssertEqual(loaded.tensors["x.weight"]!.shape, [2, 4])
        XCTAssertEqual(loaded.tensors["x.weight"]!.values.map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(loaded.tensors["y"]!.shape, [0])
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual(headerLength % 8, 0, "header padded to 8 bytes")
    }

    func testReadsAFileLaidOutByHand() throws {
        let header = #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#
        let archive = try SafetensorsArchive.decode(handMadeFile(header: header, data: [1.25, -2, 7]), path: "hand")
        XCTAssertEqual(archive.tensors["w"], StoredTensor(shape: [2], values: [1.25, -2]))
        XCTAssertEqual(archive.tensors["b"], StoredTensor(shape: [], values: [7]))
        XCTAssertEqual(archive.metadata, ["k": "v"])
    }

    private func assertRejected(_ data: Data, containing expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsArchive.decode(data, path: "/models/bad.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("/models/bad.safetensors: "), message, file: file, line: line)
            XCTAssertTrue(message.contains(expected), "\(message) should mention \(expected)", file: file, line: line)
        }
    }

    func testBrokenFilesGiveClearErrorsNamingTheFile() {
        let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        assertRejected(Data([1, 2, 3]), containing: "truncated")
        assertRejected(handMadeFile(header: good, data: [1]), containing: "outside")
        assertRejected(handMadeFile(header: good, data: [1, 2], declaredLength: 5_000), containing: "truncated")
        assertRejected(handMadeFile(header: good, data: [1, 2], declaredLength: 200_000_000), containing: "exceeds")
        assertRejected(handMadeFile(header: "[1, 2]   ", data: []), containing: "not a safetensors file")
        assertRejected(handMadeFile(header: "{\"w\": nonsense", data: []), containing: "not a JSON object")
        assertRejected(handMadeFile(header: #"{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#, data: [1, 2]),
                       containing: "dtype F16")
        assertRejected(handMadeFile(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [1, 2]),
                       containing: "shape [3]")
        assertRejected(handMadeFile(header: #"{"w":{"dtype":"F32","shape":[2]}}"#, data: [1, 2]), containing: "lacks")
        assertRejected(
            handMadeFile(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                         data: [1, 2]), containing: "overlaps")
        assertRejected(handMadeFile(header: good, data: [1, 2, 3]), containing: "cover")
    }

    func testAFileOfAnotherKindIsToldApartFromADamagedOne() {
        // A photo's first bytes (a PNG's signature, then its IHDR chunk): the header byte is not "{".
        let photo = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        func kind(_ data: Data) -> Bool? {
            do { _ = try SafetensorsArchive.decode(data, path: "f"); return nil } catch { return (error as? SafetensorsError)?.isOtherFormat }
        }
        XCTAssertEqual(kind(photo), true)
        XCTAssertEqual(kind(Data("name,score\nalice,0.9\n".utf8)), true)
        // Damaged safetensors files: the header still opens with "{".
        XCTAssertEqual(kind(handMadeFile(header: good, data: [1, 2], declaredLength: 200_000_000)), false)
        XCTAssertEqual(kind(handMadeFile(header: good, data: [1, 2], declaredLength: 5_000)), false)
        XCTAssertEqual(kind(handMadeFile(header: good, data: [1])), false)
        XCTAssertEqual(kind(Data([1, 2, 3])), false)
        XCTAssertEqual(kind(handMadeFile(header: good, data: [1, 2])), nil)
    }

    func testTheHeaderAloneGivesMetadataAndTensorNamesWithTheHeadersChecks() throws {
        let url = folder.appendingPathComponent("m.safetensors")
        let header = #"{"__metadata__":{"crop":"centre"},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        // The data buffer is two values short: `read` refuses the file, the header alone is whole.
        try handMadeFile(header: header, data: [1, 2]).write(to: url)
        XCTAssertEqual(try SafetensorsArchive.readHeader(contentsOf: url), SafetensorsHeader(metadata: ["crop": "centre"], tensorNames: ["w"]))
        XCTAssertThrowsError(try SafetensorsArchive.read(contentsOf: url))
        try handMadeFile(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [1]).write(to: url)
        XCTAssertEqual(try SafetensorsArchive.readHeader(contentsOf: url), SafetensorsHeader(metadata: [:], tensorNames: ["w"]))
        // A broken header is refused with the words `read` uses.
        for broken in [Data([1, 2, 3]), handMadeFile(header: header, data: [], declaredLength: 5_000),
                       handMadeFile(header: "[1, 2]   ", data: []), handMadeFile(header: #"{"__metadata__":{"k":1}}"#, data: [])] {
            try broken.write(to: url)
            var metadataError: (any Error)?, readError: (any Error)?
            XCTAssertThrowsError(try SafetensorsArchive.readHeader(contentsOf: url)) { metadataError = $0 }
            XCTAssertThrowsError(try SafetensorsArchive.read(contentsOf: url)) { readError = $0 }
            XCTAssertEqual(metadataError.map { "\($0)" }, readError.map { "\($0)" })
        }
        XCTAssertThrowsError(try SafetensorsArchive.readHeader(contentsOf: folder)) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    func testMissingFileIsReportedWithItsPath() {
        let url = folder.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try SafetensorsArchive.read(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix(url.path + ": cannot read"), "\(error)")
        }
    }

    private final class TwoLayers: ParameterContainer {
        let first: DenseLayer
        let second: DenseLayer
        init(factory: ParameterFactory) throws {
            first = try DenseLayer(name: "net.first", inputs: 3, outputs: 2, factory: factory)
            second = try DenseLayer(name: "net.second", inputs: 2, outputs: 1, factory: factory)
        }
        convenience init(seed: UInt64) { try! self.init(factory: .glorotUniform(seed: seed)) }
        var parameters: [Tensor] { first.parameters + second.parameters }
    }

    func testLoadingParametersChecksNamesAndShapesAndChangesNothingOnError() throws {
        let source = TwoLayers(seed: 1), target = TwoLayers(seed: 2)
        var archive = SafetensorsArchive(tensors: source.storedParameters())
        try target.loadParameters(from: archive, path: "ok")
        XCTAssertEqual(target.parameters.map(\.data), source.parameters.map(\.data))

        let before = TwoLayers(seed: 3)
        let snapshot = before.parameters.map(\.data)
        archive.tensors["net.second.weight"] = StoredTensor(shape: [1, 2], values: [0, 0])
        XCTAssertThrowsError(try before.loadParameters(from: archive, path: "m.safetensors")) { error in
            XCTAssertEqual("\(error)", "m.safetensors: tensor 'net.second.weight' has shape [1, 2] but the model expects [2, 1]")
        }
        archive.tensors["net.second.weight"] = nil
        XCTAssertThrowsError(try before.loadParameters(from: archive, path: "m.safetensors")) { error in
            XCTAssertEqual("\(error)", "m.safetensors: tensor 'net.second.weight' is missing")
        }
        XCTAssertEqual(before.parameters.map(\.data), snapshot)
        XCTAssertThrowsError(try TwoLayers(factory: .stored(in: archive, path: "m.safetensors")))
    }

    func testWritingOverAnExistingFileIsAtomic() throws {
        let url = folder.appendingPathComponent("m.safetensors")
        try SafetensorsArchive(tensors: ["a": StoredTensor(shape: [1], values: [1])]).write(to: url)
        try SafetensorsArchive(tensors: ["a": StoredTensor(shape: [1], values: [2])]).write(to: url)
        XCTAssertEqual(try SafetensorsArchive.read(contentsOf: url).tensors["a"]!.values, [2])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
        let unwritable = URL(fileURLWithPath: "/proc/facever-cannot-write-here.safetensors")
        XCTAssertThrowsError(try SafetensorsArchive().write(to: unwritable)) { error in
            XCTAssertTrue("\(error)".hasPrefix(unwritable.path), "\(error)")
        }
    }
}
