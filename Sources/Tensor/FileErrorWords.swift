// FileErrorWords.swift — why a file or folder could not be opened, in words a person reads in a one-line
// error ("no such file", "permission denied"), from the errno of the call that failed. The engine's readers
// (SafetensorsArchive) and SiameseKit's InputError use these same words, so a missing model and a missing
// photo read alike.
import Foundation

public enum FileErrorWords {
    /// The reason for `code`, naming `what` where it helps ("no such folder"); strerror's for the rare rest.
    public static func reason(errno code: Int32, what: String = "file") -> String {
        switch code {
        case ENOENT: return "no such \(what)"
        case ENOTDIR: return "a part of the path is not a folder"
        case EACCES, EPERM: return "permission denied"
        case ELOOP: return "a loop of symbolic links"
        default: return String(cString: strerror(code))
        }
    }

    /// The errno that opening `path` for reading gives now (EIO when it opens: the earlier failure was a read's).
    /// Non-blocking, so that a pipe put where a file was never stalls the error.
    public static func openErrno(_ path: String) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { return errno }
        close(descriptor)
        return EIO
    }
}
