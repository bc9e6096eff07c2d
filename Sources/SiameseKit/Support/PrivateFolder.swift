// PrivateFolder.swift — folders facever creates are private: 0700, whatever the umask.
//
// Face photos, models and gallery caches are biometric data. Files are created 0600 by AtomicFile;
// the folders that hold them are created here, each missing component 0700. A folder that already
// exists keeps the mode its owner gave it.
import Foundation

public enum PrivateFolder {
    public static let mode: mode_t = 0o700

    /// Creates `url` and any missing parent, each 0700; an error names `url` and why.
    public static func create(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw InputError(path: url.path, problem: "a file, not a folder", nextStep: "name a folder, or move the file away")
        }
        var missing: [URL] = []
        var current = url.standardizedFileURL
        while !FileManager.default.fileExists(atPath: current.path), current.path != "/" {
            missing.append(current)
            current = current.deletingLastPathComponent()
        }
        for folder in missing.reversed() {
            if mkdir(folder.path, mode) == 0 {
                chmod(folder.path, mode)  // mkdir's mode passes through the umask
            } else if errno != EEXIST {
                throw InputError(path: url.path, problem: "cannot create the folder (\(String(cString: strerror(errno))))",
                                 nextStep: "check the path and that you may write there")
            }
        }
    }
}
