// HeldOutSet.swift — the held-out pairs a model's training recorded, loaded and scored: what evaluate's
// pair figures, its probe figures and report's plots are computed from.
import Foundation
import Tensor

public struct HeldOutSet {
    /// The held-out photos (only those), decoded for the model.
    public let dataset: FaceDataset
    /// The embedding of every held-out photo, by relative path.
    public let embeddings: [String: [Float]]
    public let pairs: [LabelledPair]
    /// The Siamese score of each pair, in `pairs` order.
    public let scores: [Float]
    public var labels: [Float] { pairs.map(\.label) }

    /// Loads and scores the held-out pairs of `model` from the photos under `layout`, cropped by `cropper`.
    /// A missing held-out photo is an error naming it; a model without held-out pairs is an error.
    /// `progress(step, done, total)` follows each photo decoded ("decoding") and each batch embedded ("embedding").
    public init(model: TrainedModel, inference: InferenceModel, layout: DataLayout, cropper: PhotoCropper, decoder: PhotoDecoder,
                progress: (String, Int, Int) -> Void = { _, _, _ in }) throws {
        guard let split = model.split, !split.test.isEmpty else {
            if model.metadata[ModelKeys.provenance] != nil {
                // Imported (dlib's ResNet): it was never trained here, so no photos were held out.
                throw InputError(path: model.url.path, problem: "an imported model has no held-out pairs: it was not trained here",
                                 nextStep: "measure it on pairs of photos with `facever evaluate --pairs FILE`, or train its head on "
                                     + "your photos with `facever train --from` it")
            }
            throw InputError(path: model.url.path, problem: "the model has no held-out test pairs",
                             nextStep: "train with a --test-fraction above 0")
        }
        let heldOut = Set(split.test.flatMap { [$0.anchor, $0.other] })
        if let identities = model.settings?.identities {
            // A model trained on identities: its held-out photos are in that folder.
            let files = try Identities.files(in: URL(fileURLWithPath: identities)).filter { heldOut.contains($0.relativePath) }
            dataset = try FaceDataset(files: files, input: model.network.inputFormat, cropper: cropper, decoder: decoder,
                                      progress: { progress("decoding", $0, $1) })
        } else {
            dataset = try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: model.network.inputFormat,
                                      only: heldOut, cropper: cropper, decoder: decoder, progress: { progress("decoding", $0, $1) })
        }
        // Every held-out photo embedded once, for the pair figures and the probe figures.
        embeddings = try Evaluation.embeddings(model: inference, dataset: dataset, paths: heldOut.sorted(),
                                               progress: { progress("embedding", $0, $1) })
        pairs = split.test
        scores = Evaluation.scores(model: inference, pairs: split.test, embeddings: embeddings)
        guard scores.allSatisfy(\.isFinite) else {
            throw InputError(path: model.url.path, problem: "the model gave a held-out score that is not a finite number",
                             nextStep: "train the model again")
        }
    }
}
