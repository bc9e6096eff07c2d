// ProgressDisplay.swift — training progress: a redrawn bar on a terminal, one line per epoch elsewhere.
import Foundation
import SiameseKit

struct ProgressDisplay {
    let totalEpochs: Int
    let interactive: Bool

    func show(_ event: TrainingEvent) {
        switch event {
        case let .step(epoch, step, stepsInEpoch, loss, pairsPerSecond, secondsLeft):
            guard interactive else { return }
            let width = 24
            let filled = width * step / max(stepsInEpoch, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "epoch %d/%d %@ %d/%d  loss %.4f  %.1f pairs/s  ETA %@",
                              epoch, totalEpochs, bar, step, stepsInEpoch, loss, pairsPerSecond, Self.duration(secondsLeft))
            print("\r" + line + "\u{1B}[K", terminator: "")
            fflush(stdout)
        case let .epochFinished(epoch, meanLoss, seconds, pairsPerSecond):
            let line = String(format: "epoch %d/%d  loss %.4f  %.1f s  %.1f pairs/s", epoch, totalEpochs, meanLoss, seconds, pairsPerSecond)
            print((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : ""))
            fflush(stdout)
        }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
                             : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
