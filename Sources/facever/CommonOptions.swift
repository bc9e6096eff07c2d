// CommonOptions.swift — the options every command shares, and how commands report failure.
import ArgumentParser
import Foundation
import SiameseKit
import Tensor

struct DataOptions: ParsableArguments {
    @Option(help: "The data folder (anchor/, positive/, negative/, verification/).")
    var data: String = "data"

    @Option(help: "The model file (default: DATA/model.safetensors).")
    var model: String?

    var layout: DataLayout { DataLayout(root: URL(fileURLWithPath: data)) }
    var modelURL: URL { model.map { URL(fileURLWithPath: $0) } ?? layout.defaultModel }

    /// Removes what killed facever processes left half-written (temporary files of dead processes).
    func sweepLeftovers() {
        let removed = layout.sweepStaleTemporaries(alsoIn: [modelURL.deletingLastPathComponent()])
        if removed > 0 { Console.note("removed \(removed) temporary file\(removed == 1 ? "" : "s") left by an interrupted run") }
    }

    /// Takes the data folder for a command that writes to it (sweeping leftovers first); held until released.
    func lockForWriting(_ command: String) throws -> DataLock {
        let lock = try DataLock(folder: layout.root, command: command)
        sweepLeftovers()
        return lock
    }
}

extension FaceClass: ExpressibleByArgument {}
extension MatrixPrecision: ExpressibleByArgument {}
extension BatchComposition: ExpressibleByArgument {}

/// `--precision`: a precision, or `auto` (bfloat16 where the CPU has AVX512-BF16, float32 elsewhere).
enum PrecisionChoice: String, ExpressibleByArgument, CaseIterable {
    case auto
    case float32
    case bfloat16

    var resolved: MatrixPrecision {
        switch self {
        case .auto: return MatrixPrecision.isBFloat16Available ? .bfloat16 : .float32
        case .float32: return .float32
        case .bfloat16: return .bfloat16
        }
    }
}

/// The arithmetic of the network's matrix products when a command runs a trained model.
struct PrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Matrix products: auto, float32, or bfloat16 (AVX512-BF16 CPUs; about twice as fast). Default: the model's training precision where this CPU runs it, float32 otherwise.",
        valueName: "precision"))
    var precision: PrecisionChoice?

    /// Sets the engine's precision for `model` and readies the model for it; an error when the CPU cannot run it.
    func apply(for model: TrainedModel) throws {
        let trained = model.settings?.precision ?? .float32
        let chosen = precision?.resolved ?? (trained == .bfloat16 && !MatrixPrecision.isBFloat16Available ? .float32 : trained)
        guard MatrixPrecision.configure(chosen) else {
            throw TrainingError("bfloat16 products need a CPU with AVX512_BF16, which this one lacks; use --precision float32")
        }
        model.prepareForInference()
    }
}

/// Messages for people, on stderr so that stdout stays machine-readable; one line each, with control
/// characters (from file names) escaped.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("facever: \(TerminalText.escaped(message))\n".utf8))
    }

    /// A hint for the person at the keyboard.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("facever: \(TerminalText.escaped(message))\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("facever: warning: \(TerminalText.escaped(message))\n".utf8))
    }

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// Runs a command's work; the errors a user can cause become one line on stderr and exit status 2.
func reportingInputErrors<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as ExitCode {
        throw error
    } catch let error as InputError {
        Console.error(error.description)
    } catch let error as SafetensorsError {
        Console.error(error.description)
    } catch let error as TrainingError {
        Console.error(error.description)
    } catch let error as PairSplit.Failure {
        Console.error(error.description)
    } catch let error as AtomicFile.WriteError {
        Console.error(error.description)
    } catch {
        Console.error("\(error)")
    }
    throw ExitCode(2)
}
