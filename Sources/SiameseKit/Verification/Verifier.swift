// Verifier.swift — the tutorial's verification rule against a gallery of stored positives.
//
//   matches = #{gallery photos g : score(probe, g) > detection threshold}
//   share   = matches / gallery size;   verified ⇔ share > verification threshold
// Gallery embeddings come from the GalleryCache when it has them, so a verify computes one new
// embedding per probe; the cache is kept per model and precision. Gallery photos go through the same
// PhotoCropper as probes (stored crops as they are, raw photos cropped); unreadable photos and photos
// without a face are skipped and listed; an empty gallery is an error. An embedding or score that is not a finite
// number is an error, never a verdict; a cache that cannot be written is reported, and verify answers.
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

public struct GalleryLoadReport: Sendable {
    public var cached = 0
    public var computed = 0
    public var skipped: [InputError] = []
    /// Why the cache file on disk was not used, when it existed and was not.
    public var cacheDiscarded: String?
    /// Why the updated cache could not be written (verify still answers without it).
    public var cacheNotSaved: String?
}

extension InputError {
    /// The network gave a NaN or an infinity: the model is broken in a way its file check did not see.
    static func nonFiniteOutput(model: URL, what: String) -> InputError {
        InputError(path: model.path, problem: "the model gave a \(what) that is not a finite number; no verdict",
                   nextStep: "train the model again")
    }
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

    /// What the gallery's embeddings depend on: the weights as loaded and the precision they run in.
    static func cacheKey(for model: TrainedModel, precision: MatrixPrecision, crop: CropMode) -> GalleryCache.Key {
        GalleryCache.Key(weights: model.weightsDigest, precision: precision, embeddingSize: model.network.architecture.embeddingSize,
                         crop: crop)
    }

    /// Loads the gallery's embeddings (from the cache where it has them) for verifying `probesToCome`
    /// probes (Int.max for a live source) with `model` in `precision` (resolve it with
    /// `model.precision(requested:)`).
    public init(model: TrainedModel, precision: MatrixPrecision = .float32, galleryFolder: URL, thresholds: Thresholds,
                probesToCome: Int = 1, cacheURL: URL? = nil, cropper: PhotoCropper = .centre,
                decoder: PhotoDecoder = .ownFormats) throws {
        self.model = model
        self.thresholds = thresholds
        self.cropper = cropper
        let files = try DataLayout.imageFilesRecursively(in: galleryFolder)
        let architecture = model.network.architecture
        var cache = GalleryCache.open(url: cacheURL ?? GalleryCache.url(forGallery: galleryFolder, precision: precision),
                                      key: Self.cacheKey(for: model, precision: precision, crop: cropper.mode))
        var report = GalleryLoadReport()
        report.cacheDiscarded = cache.discardedBecause
        var embeddings: [[Float]] = [], paths: [URL] = [], hashes = Set<ContentHash>()
        var pending: [(url: URL, hash: ContentHash, values: [Float])] = []
        for file in files {
            let data: Data
            do {
                data = try decoder.limits.contents(of: file)
            } catch let error as InputError {
                report.skipped.append(error)
                continue
            }
            let hash = ContentHash(data)
            hashes.insert(hash)
            if let cached = cache[hash] {
                embeddings.append(cached)
                paths.append(file)
                report.cached += 1
                continue
            }
            let image: RGBImage
            do {
                image = try decoder.decode(data, path: file.path)
            } catch let error as InputError {
                report.skipped.append(error)
                continue
            }
            guard let crop = try cropper.crop(image, mark: CanonicalMark.mode(of: data)) else {
                report.skipped.append(.noFace(path: file.path))
                continue
            }
            pending.append((file, hash, ImageBatch.values(of: crop.photo, for: architecture.inputFormat)))
        }
        var inference = model.prepared(for: precision)
        let imagesToEmbed = pending.count + min(probesToCome, InferenceModel.imagesBeforeDensePackPays)
        if imagesToEmbed >= InferenceModel.imagesBeforeDensePackPays { inference = inference.packingDenseWeight() }
        self.inference = inference
        for start in stride(from: 0, to: pending.count, by: 32) {
            let chunk = pending[start..<min(pending.count, start + 32)]
            let computed = inference.embeddings(ImageBatch.tensor(stacking: chunk.map(\.values), format: architecture.inputFormat))
            guard computed.data.allSatisfy(\.isFinite) else { throw InputError.nonFiniteOutput(model: model.url, what: "gallery embedding") }
            let size = architecture.embeddingSize
            for (offset, item) in chunk.enumerated() {
                let values = Array(computed.data[(offset * size)..<((offset + 1) * size)])
                cache[item.hash] = values
                embeddings.append(values)
                paths.append(item.url)
                report.computed += 1
            }
        }
        guard !embeddings.isEmpty else {
            throw InputError(path: galleryFolder.path, problem: files.isEmpty ? "the gallery has no photos" : "no gallery photo could be read",
                             nextStep: "bring your photos in with `facever import DIR --into verification`, or name a gallery with --gallery")
        }
        let before = cache.embeddings.count
        cache.keep(only: hashes)
        if report.computed > 0 || cache.embeddings.count != before {
            do {
                try cache.save()
            } catch {
                report.cacheNotSaved = "\(error)"
            }
        }
        self.gallery = Tensor(shape: [embeddings.count, architecture.embeddingSize], data: embeddings.flatMap { $0 })
        self.galleryPaths = paths
        self.report = report
    }

    /// Verifies one probe photo: `probe` is the canonical crop (`cropper.crop`), as the gallery's are.
    public func verify(_ probe: RGBImage) throws -> VerificationResult {
        let format = model.network.architecture.inputFormat
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
        let count = gallery.shape[0]
        var repeated = [Float]()
        repeated.reserveCapacity(count * embedding.count)
        for _ in 0..<count { repeated += embedding }
        let logits = inference.logits(anchorEmbeddings: Tensor(shape: gallery.shape, data: repeated), otherEmbeddings: gallery)
        let scores = logits.data.map(logistic)
        guard embedding.allSatisfy(\.isFinite), scores.allSatisfy(\.isFinite) else {
            throw InputError.nonFiniteOutput(model: model.url, what: "probe embedding or score")
        }
        return scores
    }
}
