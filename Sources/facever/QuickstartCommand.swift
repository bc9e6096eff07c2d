// QuickstartCommand.swift — `facever quickstart`: a short training run on bundled faces, printing the loss.
import ArgumentParser
import Foundation
import SiameseKit

struct QuickstartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Train the Siamese network for a few steps on a folder of people and print the falling loss.",
        discussion: """
            The first person folder (in name order) plays the user; the others are negatives.
            Example:
              facever quickstart --samples data/samples/orl --steps 12
            """
    )

    @Option(help: "A folder with one subfolder of photos per person.")
    var samples: String = "data/samples/orl"

    @Option(help: "Training steps.")
    var steps: Int = 12

    @Option(help: "Pairs per batch (even; half same-person, half different).")
    var batch: Int = 16

    @Option(help: "Seed for weights and pair sampling.")
    var seed: UInt64 = 1

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard batch >= 2 && batch % 2 == 0 else { throw ValidationError("--batch must be even and at least 2") }
    }

    func run() throws {
        do {
            let report = try Quickstart.run(
                folder: URL(fileURLWithPath: samples), steps: steps, batchSize: batch, seed: seed
            ) { step, loss in
                print(String(format: "step %3d/%d  loss %.4f", step, steps, loss))
            }
            print(String(format: "fixed batch loss: %.4f before → %.4f after %d steps (%.1f s, %.2f pairs/s)",
                         report.fixedBatchLossBefore, report.fixedBatchLossAfter, steps, report.seconds,
                         report.pairsPerSecond))
        } catch let error as ImageError {
            FileHandle.standardError.write(Data("facever: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
