// Checkpoint.swift — everything a training run needs to continue exactly where it stopped.
//
// One safetensors file: the parameters, the optimizer's state (Adam's moments `adam.m.<name>`, `adam.v.<name>`,
// or Koch's SGD's velocities `sgd.v.<name>`), and metadata with the architecture, settings, progress (epoch,
// step, shuffle state), the optimizer's step (under `adam_step`, the name from when Adam was the only one),
// the data fingerprint and the train/test split. Written atomically after every epoch and on Ctrl-C.
import Foundation
import Tensor

/// The metadata keys of a checkpoint file (those it shares with a model file are ModelKeys').
public enum CheckpointKeys {
    public static let formatName = ModelKeys.checkpointFormat
    public static let progress = "progress"
    public static let adamStep = "adam_step"
}

public struct Checkpoint {
    public var architecture: NetworkArchitecture
    public var settings: TrainingSettings
    public var progress: TrainingProgress
    public var adamStep: Int
    public var dataFingerprint: ContentHash
    public var split: PairSplit
    public var archive: SafetensorsArchive

    /// The checkpoint that belongs with a model file: `model.safetensors` → `model.checkpoint.safetensors`.
    public static func url(forModel model: URL) -> URL {
        model.deletingPathExtension().appendingPathExtension("checkpoint.safetensors")
    }

    public static func write(session: TrainingSession, to url: URL) throws {
        var tensors = session.network.storedParameters()
        for (name, state) in session.optimizer.stateTensors() {
            tensors[name] = StoredTensor(shape: state.shape, values: state.values)
        }
        for (name, values) in session.bestWeights ?? [:] {
            tensors[TrainingSession.bestPrefix + name] = StoredTensor(shape: [values.count], values: values)
        }
        let metadata = [
            ModelKeys.format: CheckpointKeys.formatName,
            ModelKeys.formatVersion: SiameseNetwork.formatVersion,
            ModelKeys.architecture: session.network.architecture.jsonString(),
            ModelKeys.settings: session.settings.jsonString(),
            CheckpointKeys.progress: session.progress.jsonString(),
            CheckpointKeys.adamStep: String(session.optimizer.step),
            ModelKeys.dataFingerprint: session.dataset.fingerprint.hex,
            ModelKeys.split: session.split.jsonString(),
        ]
        try SafetensorsArchive(tensors: tensors, metadata: metadata).write(to: url)
    }

    public static func read(from url: URL) throws -> Checkpoint {
        do {
            return try checked(SafetensorsArchive.read(contentsOf: url), path: url.path)
        } catch let error as SafetensorsError {
            throw InputError(error, nextStep: "train without --resume to start over")
        }
    }

    /// A checkpoint from a file's bytes; `path` only names it in errors.
    public static func decode(_ data: Data, path: String) throws -> Checkpoint {
        try checked(SafetensorsArchive.decode(data, path: path), path: path)
    }

    /// The checkpoint in `archive`, its metadata checked (what can be checked without the data folder:
    /// TrainingSession.resume checks the rest).
    private static func checked(_ archive: SafetensorsArchive, path: String) throws -> Checkpoint {
        func field(_ key: String) throws -> String {
            guard let value = archive.metadata[key] else {
                throw InputError(path: path, problem: "not a facever checkpoint (metadata '\(key)' is missing)")
            }
            return value
        }
        guard try field(ModelKeys.format) == CheckpointKeys.formatName else {
            throw InputError(path: path, problem: "not a facever checkpoint")
        }
        let architecture = try NetworkArchitecture.stored(in: try field(ModelKeys.architecture), path: path)
        guard let settings = TrainingSettings.fromJSON(try field(ModelKeys.settings)), settings.problem == nil,
              let progress = TrainingProgress.fromJSON(try field(CheckpointKeys.progress)),
              let adamStep = Int(try field(CheckpointKeys.adamStep)), (0...(1 << 40)).contains(adamStep),
              let fingerprint = ContentHash(hex: try field(ModelKeys.dataFingerprint)),
              let split = PairSplit.fromJSON(try field(ModelKeys.split))
        else {
            throw InputError(path: path, problem: "damaged checkpoint metadata", nextStep: "train without --resume to start over")
        }
        return Checkpoint(architecture: architecture, settings: settings, progress: progress, adamStep: adamStep,
                          dataFingerprint: fingerprint, split: split, archive: archive)
    }

    /// The optimizer's state as saved by its `stateTensors()`: every tensor named for an optimizer (Adam's
    /// `adam.…`, Koch's SGD's `sgd.…`), whichever the run uses, so that the other's is found and refused.
    var optimizerState: [String: (shape: [Int], values: [Float])] {
        var state: [String: (shape: [Int], values: [Float])] = [:]
        for (name, tensor) in archive.tensors where name.hasPrefix("adam.") || name.hasPrefix("sgd.") {
            state[name] = (tensor.shape, tensor.values)
        }
        return state
    }
}
