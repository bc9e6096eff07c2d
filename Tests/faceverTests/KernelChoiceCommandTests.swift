// KernelChoiceCommandTests.swift — FACEVER_KERNEL through the real binary: every float32 path gives the same
// scores (to summation order), a path below AVX-512 makes bfloat16 unavailable with a message that names
// the variable, and a path the CPU lacks is ignored.
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class KernelChoiceCommandTests: XCTestCase {
    func testEveryFloat32PathGivesTheSameScoresAndBFloat16NeedsTheAVX512Path() throws {
        let root = try TestPaths.temporaryFolder("kernel-choice")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data").path
        try Facever.stage([(1, 7), (1, 8), (1, 9)], in: root.appendingPathComponent("staging"))
        XCTAssertEqual(try Facever.run(["import", "staging", "--into", "verification", "--data", data], in: root).status, 0)
        try SiameseNetwork(architecture: .tiny, seed: 4).save(to: URL(fileURLWithPath: data + "/model.safetensors"))
        let probe = Facever.sampleFaces.appendingPathComponent("s2/1.pgm").path

        func scores(_ kernel: String?) throws -> [Double] {
            var environment = ProcessInfo.processInfo.environment
            environment["FACEVER_KERNEL"] = kernel
            let result = try Facever.run(["verify", probe, "--json", "--scores", "--precision", "float32", "--data", data], in: root,
                                         environment: environment)
            XCTAssertTrue([0, 1].contains(result.status), result.standardError)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.lines[0].utf8)) as? [String: Any])
            return try XCTUnwrap(object["scores"] as? [[String: Any]]).compactMap { $0["score"] as? Double }
        }
        let reference = try scores("openblas")
        XCTAssertEqual(reference.count, 3)
        for kernel in [nil, "avx512", "avx2", "scalar", "sse9"] {
            let other = try scores(kernel)
            for (a, b) in zip(reference, other) { XCTAssertEqual(a, b, accuracy: 2e-4, "FACEVER_KERNEL=\(kernel ?? "unset")") }
        }

        try XCTSkipUnless(MatrixPrecision.isBFloat16Available, "this CPU has no AVX512_BF16")
        var environment = ProcessInfo.processInfo.environment
        environment["FACEVER_KERNEL"] = "avx2"
        let refused = try Facever.run(["verify", probe, "--precision", "bfloat16", "--data", data], in: root, environment: environment)
        XCTAssertEqual(refused.status, 2, refused.standardOutput)
        XCTAssertTrue(refused.standardError.contains("FACEVER_KERNEL=avx2 chose a kernel path below AVX-512"), refused.standardError)
    }
}
