// AtomicFile.swift — write a whole file or nothing: a temporary file in the same folder, flushed
// to disk, then renamed over the target. A crash or a full disk leaves the old file as it was.
//
// Files hold faces and models of faces, so they are private: a new file is created 0600 (owner read
// and write, whatever the umask), and a file that already exists keeps its mode when that is stricter
// (a file the user set to 0400 stays 0400; one left 0644 by an older version becomes 0600).
//
// The temporary file is named `.NAME.PID.UUID.tmp`: a process killed mid-write (kill -9, a second
// Ctrl-C) leaves it behind, and `sweepStaleTemporaries(in:)` removes those whose process is gone.
//
// `write(to:streaming:)` hands the body a sink to write piece by piece, so a large file (a model
// with Adam's state is ~470 MB) never has to exist in memory as one buffer.
import Foundation

public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// The mode of files facever creates: read and write for the owner only.
    public static let privateMode: mode_t = 0o600

    /// Receives the file's bytes in order.
    public struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let path: String

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }

        public func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try sink.write(data) }
    }

    public static func write(to url: URL, streaming body: (Sink) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        var existing = stat()
        let mode = stat(url.path, &existing) == 0 ? existing.st_mode & privateMode : privateMode
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw WriteError(path: url.path, reason: String(cString: strerror(errno)))
        }
        var failure: Error?
        if fchmod(descriptor, mode) != 0 {  // the umask may have removed bits; set exactly `mode`
            failure = WriteError(path: url.path, reason: String(cString: strerror(errno)))
        }
        if failure == nil {
            do {
                try body(Sink(descriptor: descriptor, path: url.path))
            } catch {
                failure = error
            }
        }
        if failure == nil && fsync(descriptor) != 0 {
            failure = WriteError(path: url.path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        if failure == nil && rename(temporary.path, url.path) != 0 {
            failure = WriteError(path: url.path, reason: String(cString: strerror(errno)))
        }
        if let failure {
            unlink(temporary.path)
            throw failure
        }
    }

    /// Removes the temporary files in `folder` left by facever processes that no longer run; returns
    /// their names. A temporary file of a live process is left alone, so this is safe at any time.
    @discardableResult
    public static func sweepStaleTemporaries(in folder: URL) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            guard let pid = writerProcess(ofTemporary: name), pid != getpid(), !isRunning(pid) else { continue }
            if unlink(folder.appendingPathComponent(name).path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// The pid in `.NAME.PID.UUID.tmp`, or nil for a name not of that form.
    static func writerProcess(ofTemporary name: String) -> pid_t? {
        let parts = name.dropLast(".tmp".count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4, UUID(uuidString: String(parts[parts.count - 1])) != nil,
              let pid = pid_t(parts[parts.count - 2]), pid > 0 else { return nil }
        return pid
    }

    private static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
