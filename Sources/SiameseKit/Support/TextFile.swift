// TextFile.swift — reading a small text file a user names (a pairs list, a run's class labels): a regular
// file, at most `maximumBytes`, UTF-8; anything else is a one-line error, never an unbounded read.
import Foundation

public enum TextFile {
    /// 64 MiB: LFW's pairs file is 200 KB, a run's labels a few hundred bytes.
    public static let maximumBytes = 64 << 20

    public static func read(_ url: URL, maximumBytes: Int = TextFile.maximumBytes) throws -> String {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw InputError.cannotOpen(url.path, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw InputError(path: url.path, problem: "not a regular file (a folder, device or pipe)", nextStep: "name the list's file")
        }
        guard status.st_size <= maximumBytes else {
            throw InputError(path: url.path, problem: "the file has \(status.st_size) bytes, more than the \(maximumBytes) a list may have")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw InputError.cannotOpen(url.path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(path: url.path, problem: "not UTF-8 text", nextStep: "save the list as UTF-8 text")
        }
        return text
    }
}
