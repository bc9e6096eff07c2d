// AtomicFile.swift — write a whole file or nothing: a temporary file in the same folder, flushed
// to disk, then renamed over the target. A crash or a full disk leaves the old file as it was.
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
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw WriteError(path: url.path, reason: String(cString: strerror(errno)))
        }
        var failure: Error?
        do {
            try body(Sink(descriptor: descriptor, path: url.path))
        } catch {
            failure = error
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
}
