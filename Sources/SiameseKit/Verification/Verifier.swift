// Verifier.swift — the tutorial's verification rule against a gallery of stored positives.
//
//   matches = #{gallery photos g : score(probe, g) > detection threshold}
//   share   = matches / gallery size;   verified ⇔ share > verification threshold
// The gallery (Gallery.swift) is embedded once and cached, so a verify computes one new embedding per
// probe. An embedding or score that is not a finite number is an error, never a verdict.
import Foundation
import Tensor

public struct VerificationResult: Sendable {
    public var share: Double
    public var matches: Int
    public var gallerySize: Int
    public var verified: Bool
    /// The Siamese score against each gallery photo, in `Verifier.galleryPaths` order.
    public var scores: [Float]

    /// The mean score over the gallery: how much the probe looks like the user on average.
    public var scoreMean: Double { scores.isEmpty ? 0 : scores.reduce(0) { $0 + Double($1) } / Double(scores.count) }
    /// The best single match.
    public var scoreMax: Double { Double(scores.max() ?? 0) }
}

public final class Verifier {
    public let model: TrainedModel
    /// The network as it runs here: the precision chosen for this verify, weights packed for it.
    public let inference: InferenceModel
    public let thresholds: Thresholds
    /// How gallery photos (and, through the caller, probes) are cropped.
    public let cropper: PhotoCropper
    /// [G, E]: one embedding per readable gallery photo.
    public let gallery: Tensor
    public let galleryPaths: [URL]
    public let report: GalleryLoadReport

    /// Loads the gallery's embeddings (from the cache where it has them) for verifying `probesToCome`
    /// probes (Int.max for a live source) with `model` in `precision` (resolve it with
    /// `model.precision(requested:)`); `progress` as Gallery's.
    public init(model: TrainedModel, precision: MatrixPrecision = .float32, galleryFolder: URL, thresholds: Thresholds,
                probesToCome: Int = 1, cacheURL: URL? = nil, cropper: PhotoCropper = .centre,
                decoder: PhotoDecoder = .ownFormats, progress: (String, Int, Int) -> Void = { _, _, _ in }) throws {
        self.model = model
        self.thresholds = thresholds
        self.cropper = cropper
        let loaded = try Gallery(folder: galleryFolder, model: model, precision: precision, probesToCome: probesToCome,
                                 cacheURL: cacheURL, cropper: cropper, decoder: decoder, progress: progress)
        self.inference = loaded.inference
        self.gallery = loaded.embeddings
        self.galleryPaths = loaded.paths
        self.report = loaded.report
    }

    /// Verifies one probe photo: `probe` is the canonical crop (`cropper.crop`), as the gallery's are.
    public func verify(_ probe: RGBImage) throws -> VerificationResult {
        let format = model.network.inputFormat
        let embedding = inference.embeddings(ImageBatch.tensor(stacking: [ImageBatch.values(of: probe, for: format)], format: format))
        let scores = try scores(of: embedding.data)
        let count = scores.count
        let matches = scores.filter { $0 > thresholds.detection }.count
        let share = Double(matches) / Double(count)
        return VerificationResult(share: share, matches: matches, gallerySize: count,
                                  verified: share > Double(thresholds.verification), scores: scores)
    }

    /// One probe embedding [E] (from `inference`, or another InferenceModel of the same model and
    /// precision: evaluate's) against the gallery [G, E]: G scores.
    public func scores(of embedding: [Float]) throws -> [Float] {
        try Gallery.scores(of: embedding, against: gallery, inference: inference, model: model)
    }
}
