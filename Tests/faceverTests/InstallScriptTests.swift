// InstallScriptTests.swift — Scripts/install.sh's layout, run on the binaries this test run built
// (FACEVER_INSTALL_FROM skips the release build): the installed facever, reached through PREFIX/bin's link
// from another folder, finds both of its libraries (a BMP needs the capture library's decoder, a face
// crop the detector's) and the Swift runtime is beside it. That it then runs with no toolchain at all was
// checked by hand (README, "Installing").
import Foundation
import SiameseKit
import TestSupport
import XCTest

final class InstallScriptTests: XCTestCase {
    func testTheInstalledBinaryRunsThroughItsLinkWithItsLibrariesAndRuntimeBesideIt() throws {
        let root = try TestPaths.temporaryFolder("install")
        defer { try? FileManager.default.removeItem(at: root) }
        let prefix = root.appendingPathComponent("prefix")
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/bin/bash")
        install.arguments = [TestPaths.scripts.appendingPathComponent("install.sh").path, prefix.path]
        install.environment = ProcessInfo.processInfo.environment.merging(
            ["FACEVER_INSTALL_FROM": Facever.executable.deletingLastPathComponent().path]) { $1 }
        install.standardOutput = FileHandle.nullDevice
        try install.run()
        install.waitUntilExit()
        XCTAssertEqual(install.terminationStatus, 0)

        let folder = prefix.appendingPathComponent("lib/facever")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for name in ["facever", "libFaceverCapture.so", "libFaceverDetect.so", "libswiftCore.so", "libFoundation.so"] {
            XCTAssertTrue(files.contains(name), "\(name) in \(files)")
        }
        for completion in ["bash-completion/completions/facever", "zsh/site-functions/_facever", "fish/vendor_completions.d/facever.fish"] {
            let text = try String(contentsOf: prefix.appendingPathComponent("share/" + completion), encoding: .utf8)
            XCTAssertTrue(text.contains("import") && text.contains("verify"), completion)
        }
        let link = prefix.appendingPathComponent("bin/facever")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "../lib/facever/facever")

        // Run through the link, from elsewhere, with nothing pointing at the build's libraries.
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("staging"), withIntermediateDirectories: true)
        let face = try RGBImage.read(contentsOf: TestPaths.sampleFace(subject: 1, number: 1))
        try BMPFile.data(of: face).write(to: work.appendingPathComponent("staging/s1.bmp"))
        var environment = ProcessInfo.processInfo.environment
        environment["FACEVER_CAPTURE_LIBRARY"] = nil
        environment["FACEVER_DETECT_LIBRARY"] = nil
        let result = try Facever.run(["import", "staging", "--into", "anchor", "--crop", "face", "--data", "data"], in: work,
                                     environment: environment, binary: link)
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.hasPrefix("imported 1 photo into "), result.standardOutput + result.standardError)
    }
}
