// DataLock.swift — one writer at a time in a data folder.
//
// `train`, `import`, `augment` and `collect` change the data folder; two of them at once could train on
// photos that are still being written, or save two models over each other with a checkpoint from one
// run beside the model of the other. Each takes an advisory lock (flock) on `DATA/.facever.lock`
// for as long as it runs; a second writer fails at once, naming the holder's pid and command. The
// kernel releases the lock when the holder exits, however it exits, so a crash never leaves the
// folder locked. Readers (`evaluate`, `verify`) take no lock: every file is replaced atomically.
import Foundation
import Tensor

public final class DataLock {
    public static let fileName = ".facever.lock"

    private let descriptor: Int32

    /// Locks `folder` (created, 0700, when missing) for `command`, or throws at once, naming the holder.
    public init(folder: URL, command: String) throws {
        try PrivateFolder.create(folder)
        let path = folder.appendingPathComponent(Self.fileName).path
        // O_NOFOLLOW: a lock "file" that is a link elsewhere is never opened (nor truncated below).
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, AtomicFile.privateMode)
        guard descriptor >= 0 else {
            throw InputError(path: path, problem: "cannot open the lock file (\(String(cString: strerror(errno))))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.contents(of: descriptor)
            close(descriptor)
            throw InputError(path: folder.path, problem: "the data folder is in use by another facever (\(holder.isEmpty ? "pid unknown" : holder))",
                             nextStep: "wait for it to finish or stop it")
        }
        let record = "pid \(getpid()), \(command)"
        ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)  // releases the lock
    }

    private static func contents(of descriptor: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = pread(descriptor, &buffer, buffer.count - 1, 0)
        guard count > 0 else { return "" }
        return String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
