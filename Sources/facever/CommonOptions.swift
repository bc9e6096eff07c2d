// CommonOptions.swift — the options every command shares, and how commands report failure.
import ArgumentParser
import Foundation
import SiameseKit

struct DataOptions: ParsableArguments {
    @Option(help: "The data folder (anchor/, positive/, negative/, verification/).")
    var data: String = "data"

    var layout: DataLayout { DataLayout(root: URL(fileURLWithPath: data)) }

    /// Removes what killed facever processes left half-written (temporary files of dead processes)
    /// in the data folder, its class folders and `others`.
    func sweepLeftovers(alsoIn others: [URL] = []) {
        Console.noteSwept(layout.sweepStaleTemporaries(alsoIn: others))
    }

    /// Takes the data folder for a command that writes to it (sweeping leftovers first); held until released.
    func lockForWriting(_ command: String, alsoSweeping others: [URL] = []) throws -> DataLock {
        let lock = try DataLock(folder: layout.root, command: command)
        sweepLeftovers(alsoIn: others)
        return lock
    }
}

/// `--model`, for the commands that use a model (train writes it; evaluate and verify read it).
struct ModelOptions: ParsableArguments {
    @Option(help: "The model file (default: DATA/model.safetensors).")
    var model: String?

    func url(in data: DataOptions) -> URL { model.map { URL(fileURLWithPath: $0) } ?? data.layout.defaultModel }
}

extension FaceClass: ExpressibleByArgument {}
extension BatchComposition: ExpressibleByArgument {}
extension PrecisionChoice: ExpressibleByArgument {}
extension ArchitectureName: ExpressibleByArgument {}
extension OptimizerName: ExpressibleByArgument {}
extension ChipBorder: ExpressibleByArgument {}

/// `--precision`: the arithmetic of the network's matrix products (resolved by SiameseKit's PrecisionChoice).
struct PrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Matrix products: auto (bfloat16 where the CPU has AVX512-BF16 and multiplies faster with it, measured at first use; float32 elsewhere), float32, or bfloat16 (about twice as fast where auto takes it). train: default auto, stored with the model; evaluate and verify: default the model's training precision, float32 where bfloat16 is missing or no faster.",
        valueName: "precision"))
    var precision: PrecisionChoice?

    /// The precision `model` runs in here.
    func resolved(for model: TrainedModel) throws -> MatrixPrecision {
        try model.precision(requested: precision)
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

    /// Warns that these photos held several faces each, of which the largest was `kept` ("imported").
    static func warnOfSeveralFaces(in files: [URL], kept: String) {
        guard !files.isEmpty else { return }
        let check = "(check that it is the person meant, or crop such photos to one face)"
        guard files.count > 1 else { return warning("\(files[0].lastPathComponent) held several faces; its largest was \(kept) \(check)") }
        let names = files.prefix(5).map(\.lastPathComponent).joined(separator: ", ") + (files.count > 5 ? " and \(files.count - 5) more" : "")
        warning("\(files.count) photos held several faces; the largest of each was \(kept): \(names) \(check)")
    }

    /// Warns that a photo holds several faces of which the command `used` the largest.
    static func warnOfOtherFaces(in name: String, faces: Int, used: String) {
        guard faces > 1 else { return }
        warning("\(name): \(faces) faces; \(used) the largest (crop the photo to one face, or name each with facever identify)")
    }

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The width of the terminal on stdout (80 when it cannot be asked).
    static var terminalColumns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static func noteSwept(_ removed: Int) {
        if removed > 0 { note("removed \(count(removed, "temporary file")) left by an interrupted run") }
    }

    /// "1 epoch", "2 epochs".
    static func count(_ number: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(number) \(number == 1 ? singular : plural ?? singular + "s")"
    }

    /// One JSON object on one line, keys sorted, slashes not escaped (paths stay readable).
    static func jsonLine(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
               as: UTF8.self)
    }

    /// A face's box as JSON (`{"x", "y", "w", "h"}`, the input's pixels), null when there is none.
    static func json(_ box: FaceBox?) -> Any {
        box.map { ["x": $0.x, "y": $0.y, "w": $0.width, "h": $0.height] as Any } ?? NSNull()
    }
}

/// Runs a command's work; the errors a user can cause become one line on stderr and exit status 2
/// (ExitCode and argument-parser's own errors pass through: 64 for usage, 130 for an interrupt).
func reportingInputErrors<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as ExitCode {
        throw error
    } catch {
        Console.error("\(InputError(fileError: error) ?? error)")
    }
    throw ExitCode(2)
}
