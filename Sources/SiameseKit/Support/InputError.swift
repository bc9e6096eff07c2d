// InputError.swift — the one error a user can cause: which file or folder, what is wrong with it, and,
// where facever knows it, what to do next. One line, `PATH: PROBLEM; NEXT STEP` (no path when the
// problem is not one file's, such as a training run that diverged).
//
// Every command turns an InputError into that line on stderr and exit status 2 (Sources/facever,
// `reportingInputErrors`). Errors that are not about the user's input (a programming mistake, the
// engine's own invariants) are not InputErrors: they stay typed where they happen, or trap.
import Foundation
import Tensor

public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder at fault (or what stands for it, such as "--precision bfloat16").
    public let path: String?
    public let problem: String
    /// What the user can do about it, when facever knows ("run `facever train` first").
    public let nextStep: String?

    public init(path: String?, problem: String, nextStep: String? = nil) {
        self.path = path
        self.problem = problem
        self.nextStep = nextStep
    }

    public var description: String { (path.map { "\($0): " } ?? "") + problem + (nextStep.map { "; \($0)" } ?? "") }

    /// A file or folder that could not be opened or read: the reason in words (FileErrorWords) and what to do
    /// about it ("cannot read the file (no such file); check the path"), or `nextStep` where the caller knows
    /// better. `code` is the errno of the call that failed; without it, the path is opened again to learn why.
    public static func cannotOpen(_ path: String, errno code: Int32? = nil, what: String = "file",
                                  nextStep: String? = nil) -> InputError {
        let code = code ?? FileErrorWords.openErrno(path)
        let advice: String
        switch code {
        case ENOENT, ENOTDIR: advice = "check the path"
        case EACCES, EPERM: advice = "give your user read access to it, or copy it where you can read it"
        case ELOOP: advice = "check the links on the path"
        default: advice = "check the path and the \(what)"
        }
        return InputError(path: path, problem: "cannot read the \(what) (\(FileErrorWords.reason(errno: code, what: what)))",
                          nextStep: nextStep ?? advice)
    }

    /// A Foundation error about a path (a file read or a folder listed) as the one-line error, nil for any
    /// other error: the last net under the commands, so that a call not wrapped where it is made still tells
    /// the user the path and the reason rather than Foundation's dictionary.
    public init?(fileError error: Error) {
        let error = error as NSError
        guard error.domain == NSCocoaErrorDomain, let path = error.userInfo[NSFilePathErrorKey] as? String else { return nil }
        let code: Int32? = if let cause = error.userInfo[NSUnderlyingErrorKey] as? NSError, cause.domain == NSPOSIXErrorDomain {
            Int32(cause.code)
        } else {
            switch CocoaError.Code(rawValue: error.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: ENOENT
            case .fileReadNoPermission, .fileWriteNoPermission: EACCES
            default: nil
            }
        }
        if let code {
            self = .cannotOpen(path, errno: code, what: "file or folder")
        } else {
            self.init(path: path, problem: "cannot use the file or folder (\(error.localizedDescription))", nextStep: "check the path")
        }
    }

    /// A model, checkpoint or cache file that the engine's reader refused.
    public init(_ error: SafetensorsError, nextStep: String? = nil) {
        self.init(path: error.path, problem: error.problem, nextStep: nextStep)
    }
}
