// TextFile.swift — reading a small text file a user names (a pairs list, a run's class labels): a regular
// file, at most `maximumBytes`, UTF-8; anything else is a one-line error, never an unbounded read. `lines`
// takes the file as a spreadsheet or a Windows editor saves it too: CRLF or CR line ends, a leading
// byte-order mark.
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

    /// The file's non-empty lines with their numbers from 1 (blank lines count, so an error can name the
    /// line a text editor shows): LF, CRLF or CR ends them. (A UTF-8 byte-order mark never reaches them:
    /// Foundation's decoding in `read` drops it.)
    public static func lines(_ url: URL, maximumBytes: Int = TextFile.maximumBytes) throws -> [(number: Int, text: Substring)] {
        let text = try read(url, maximumBytes: maximumBytes)
        // Character.isNewline holds for "\r\n" (one Character in Swift), "\n" and "\r" alike.
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .filter { !$0.element.isEmpty }.map { (number: $0.offset + 1, text: $0.element) }
    }
}
