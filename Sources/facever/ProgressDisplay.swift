// ProgressDisplay.swift — training progress: a redrawn line on a terminal, fitted to its width, and one
// line per epoch elsewhere (scripts and logs see no control characters).
import Foundation
import SiameseKit

struct ProgressDisplay {
    let totalEpochs: Int
    let interactive: Bool
    /// What the rate counts: "pairs", or "photos" for episode training.
    var unit = "pairs"

    func show(_ event: TrainingEvent) {
        switch event {
        case let .step(epoch, step, stepsInEpoch, loss, pairsPerSecond, secondsLeft):
            guard interactive else { return }
            let head = "epoch \(epoch)/\(totalEpochs) "
            let tail = String(format: " %d/%d  loss %.4f  %.1f %@/s  ETA %@", step, stepsInEpoch, loss, pairsPerSecond, unit,
                              Self.duration(secondsLeft))
            print("\r" + Self.fitted(head: head, tail: tail, done: step, of: stepsInEpoch, columns: Console.terminalColumns)
                  + "\u{1B}[K", terminator: "")
            fflush(stdout)
        case let .epochFinished(record, seconds):
            var line = String(format: "epoch %d/%d  loss %.4f  %.1f s  %.1f %@/s", record.epoch, totalEpochs, record.trainingLoss,
                              seconds, record.pairsPerSecond, unit)
            if let loss = record.heldOutLoss, let accuracy = record.heldOutAccuracy {
                line += String(format: "  held-out loss %.4f  accuracy %.3f", loss, accuracy)
            }
            if let oneShot = record.heldOutOneShot { line += String(format: "  held-out one-shot %.3f", oneShot) }
            print((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : ""))
            fflush(stdout)
        }
    }

    /// `head`, a bar of `done`/`of` and `tail` in at most `columns - 1` characters (the last column is
    /// left free, so the terminal never wraps): the bar shrinks first (to nothing), then the tail is cut.
    static func fitted(head: String, tail: String, done: Int, of total: Int, columns: Int) -> String {
        let room = columns - 1 - head.count - tail.count
        let width = min(24, room)
        guard width >= 4 else { return String((head + tail).prefix(max(0, columns - 1))) }
        let filled = width * done / max(total, 1)
        return head + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + tail
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
                             : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
