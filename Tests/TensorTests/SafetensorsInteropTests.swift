// SafetensorsInteropTests.swift — files written here load in Python's reference `safetensors`, and
// files written by it load here (Scripts/check_safetensors_interop.py does the Python side).
import Foundation
import Tensor
import TestSupport
import XCTest

final class SafetensorsInteropTests: XCTestCase {
    private let script = TestPaths.scripts.appendingPathComponent("check_safetensors_interop.py")

    private func python(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    private func requirePythonSafetensors() throws {
        let probe = try python(["-c", "import safetensors, numpy"])
        try XCTSkipUnless(probe.status == 0, "python3 with safetensors and numpy is not installed (python3 -m pip install safetensors numpy)")
    }

    func testPythonReadsWhatFaceverWrites() throws {
        try requirePythonSafetensors()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let weight: [Float] = [0.1, -2.5, 3e-8, 1e30, -0.0, 7]
        try SafetensorsArchive(
            tensors: ["embedding.conv1.weight": StoredTensor(shape: [1, 2, 3, 1], values: weight),
                      "classifier.bias": StoredTensor(shape: [1], values: [0.25])],
            metadata: ["format_version": "1", "architecture": "{\"inputHeight\":100}"]
        ).write(to: url)

        let result = try python([script.path, "read", url.path])
        XCTAssertEqual(result.status, 0)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: result.output) as? [String: Any])
        XCTAssertEqual(json["metadata"] as? [String: String], ["format_version": "1", "architecture": "{\"inputHeight\":100}"])
        let tensors = try XCTUnwrap(json["tensors"] as? [String: [String: Any]])
        let conv = try XCTUnwrap(tensors["embedding.conv1.weight"])
        XCTAssertEqual(conv["shape"] as? [Int], [1, 2, 3, 1])
        XCTAssertEqual(conv["dtype"] as? String, "float32")
        XCTAssertEqual((conv["values"] as? [Double])?.map(Float.init), weight)
        XCTAssertEqual((tensors["classifier.bias"]?["values"] as? [Double]), [0.25])
    }

    func testFaceverReadsWhatPythonWrites() throws {
        try requirePythonSafetensors()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try python([script.path, "write", url.path]).status, 0)
        let archive = try SafetensorsArchive.read(contentsOf: url)
        XCTAssertEqual(archive.metadata, ["writer": "python-safetensors"])
        XCTAssertEqual(archive.tensors["a.weight"], StoredTensor(shape: [2, 3, 4], values: (0..<24).map { Float($0) / 8 - 1 }))
        XCTAssertEqual(archive.tensors["b.bias"], StoredTensor(shape: [3], values: [0.5, -0.25, 3e-8]))
    }
}
