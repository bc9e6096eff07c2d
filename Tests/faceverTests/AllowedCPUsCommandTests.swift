// AllowedCPUsCommandTests.swift — facever runs as many threads as the CPUs it may run on: under
// `taskset -c N` (one CPU of the machine's), `model info` says 1 thread, not one per processor online.
import Foundation
import SiameseKit
import Tensor
import TestSupport
import XCTest

final class AllowedCPUsCommandTests: XCTestCase {
    func testTasksetNarrowsTheThreadsToTheCPUsAllowed() throws {
        let taskset = URL(fileURLWithPath: "/usr/bin/taskset")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: taskset.path), "no taskset (util-linux) here")
        let root = try TestPaths.temporaryFolder("allowed-cpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: model)

        func threads(_ arguments: [String], binary: URL) throws -> Int? {
            let result = try Facever.run(arguments + ["model", "info", "--json", "--model", model.path], in: root, binary: binary)
            XCTAssertEqual(result.status, 0, result.standardError)
            let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            return (object?["runs_here"] as? [String: Any])?["threads"] as? Int
        }
        // Every CPU this test may use: as many threads as the engine counts here.
        XCTAssertEqual(try threads([], binary: Facever.executable), Compute.availableThreads)
        // One of them, the first in this process's own mask (CI may pin it away from CPU 0).
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let allowed = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let first = try XCTUnwrap(allowed.split(separator: ":")[1].split(whereSeparator: { ",- \t".contains($0) }).first)
        XCTAssertEqual(try threads(["-c", String(first), Facever.executable.path], binary: taskset), 1)
    }
}
