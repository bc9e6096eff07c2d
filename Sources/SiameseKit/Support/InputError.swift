// InputError.swift — the one error a user can cause: which file or folder, what is wrong with it, and,
// where facever knows it, what to do next. One line, `PATH: PROBLEM; NEXT STEP` (no path when the
// problem is not one file's, such as a training run that diverged).
//
// Every command turns an InputError into that line on stderr and exit status 2 (Sources/facever,
// `reportingInputErrors`). Errors that are not about the user's input (a programming mistake, the
// engine's own invariants) are not InputErrors: they stay typed where they happen, or trap.
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

    /// A model, checkpoint or cache file that the engine's reader refused.
    public init(_ error: SafetensorsError, nextStep: String? = nil) {
        self.init(path: error.path, problem: error.problem, nextStep: nextStep)
    }
}
