// TrainingHistory.swift — one record per epoch of a training run: what `report` draws and
// MODEL.history.csv lists. Stored in checkpoints (so a resumed run keeps its history) and in the model.
import Foundation

public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Mean binary cross-entropy over the epoch's training pairs.
    public var trainingLoss: Double
    /// Binary cross-entropy and accuracy (score > 0.5) on held-out pairs after the epoch (nil without any).
    public var heldOutLoss: Double?
    public var heldOutAccuracy: Double?
    /// Training pairs per second over the epoch (this run's part of it, when resumed mid-epoch); photos per
    /// second for an episode run.
    public var pairsPerSecond: Double
    /// An episode run's N-way one-shot accuracy on held-out identities after the epoch (nil otherwise).
    public var heldOutOneShot: Double?

    public init(epoch: Int, trainingLoss: Double, heldOutLoss: Double?, heldOutAccuracy: Double?, pairsPerSecond: Double,
                heldOutOneShot: Double? = nil) {
        self.epoch = epoch
        self.trainingLoss = trainingLoss
        self.heldOutLoss = heldOutLoss
        self.heldOutAccuracy = heldOutAccuracy
        self.pairsPerSecond = pairsPerSecond
        self.heldOutOneShot = heldOutOneShot
    }
}

public enum TrainingHistory {
    /// The CSV beside a model: `model.safetensors` → `model.history.csv`.
    public static func csvURL(forModel model: URL) -> URL {
        model.deletingPathExtension().appendingPathExtension("history.csv")
    }

    /// `epoch,training_loss,held_out_loss,held_out_accuracy,pairs_per_second`, one line per epoch (an
    /// empty field where there is no held-out figure), and `held_out_one_shot` after them for an episode run.
    public static func csv(_ records: [EpochRecord]) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "" }
        let oneShot = records.contains { $0.heldOutOneShot != nil }
        return (["epoch,training_loss,held_out_loss,held_out_accuracy,pairs_per_second" + (oneShot ? ",held_out_one_shot" : "")] + records.map {
            "\($0.epoch),\(number($0.trainingLoss)),\(number($0.heldOutLoss)),\(number($0.heldOutAccuracy)),\(number($0.pairsPerSecond))"
                + (oneShot ? ",\(number($0.heldOutOneShot))" : "")
        }).joined(separator: "\n") + "\n"
    }

    /// With MetadataJSON's encoder (sorted keys: equal histories give equal text); "[]" for a history JSON
    /// cannot hold (a loss that is not a number).
    static func json(_ records: [EpochRecord]) -> String {
        String(decoding: (try? metadataJSONEncoder().encode(records)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The history stored in a model's metadata (nil: none, or a model from before histories).
    static func decode(_ text: String?) -> [EpochRecord]? {
        text.flatMap { try? JSONDecoder().decode([EpochRecord].self, from: Data($0.utf8)) }
    }
}
