// NativeLibrary.swift — loading one of facever's own shared libraries (libFaceverCapture.so,
// libFaceverDetect.so) with dlopen, and the table of entry points its one exported symbol returns.
//
// Where a library is looked for: $<ENVIRONMENT VARIABLE> when set (only there), otherwise the folder of the
// running executable (`swift build` puts facever, the test runner and the libraries side by side).
import Foundation

enum NativeLibrary {
    struct LoadFailure: Error, CustomStringConvertible {
        let description: String
    }

    static func candidatePaths(fileName: String, environmentVariable: String) -> [String] {
        if let chosen = ProcessInfo.processInfo.environment[environmentVariable], !chosen.isEmpty {
            return [chosen]
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return [executable.deletingLastPathComponent().appendingPathComponent(fileName).path]
    }

    /// The table `table` reads from the library's `symbol` (nil: another version), from the first candidate
    /// path that has it; otherwise a failure saying what `purpose` needs and why each path failed.
    static func load<Table>(fileName: String, environmentVariable: String, symbol: String, purpose: String,
                            table: (UnsafeMutableRawPointer) -> Table?) -> Result<Table, LoadFailure> {
        var problems: [String] = []
        for path in candidatePaths(fileName: fileName, environmentVariable: environmentVariable) {
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("no \(path)")
                continue
            }
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                problems.append(dlerror().map { String(cString: $0) } ?? "dlopen failed for \(path)")
                continue
            }
            guard let entry = dlsym(handle, symbol) else {
                problems.append("\(path) has no \(symbol)")
                continue
            }
            guard let loaded = table(entry) else {
                problems.append("\(path) is another version of the library")
                continue
            }
            return .success(loaded)
        }
        return .failure(LoadFailure(description: "\(purpose) need\(purpose.hasSuffix("s") ? "" : "s") \(fileName) beside the facever "
            + "binary (`swift build -c release` builds it): " + problems.joined(separator: "; ")))
    }
}
