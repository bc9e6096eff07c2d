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
}

extension FaceClass: ExpressibleByArgument {}

enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("facever: \(message)\n".utf8))
    }

    /// A hint for the person at the keyboard, on stderr so that stdout stays machine-readable.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("facever: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("facever: warning: \(message)\n".utf8))
    }

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// Runs a command's work; the errors a user can cause become one line on stderr and exit status 2.
func reportingInputErrors<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as ExitCode {
        throw error
    } catch let error as ImageError {
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
