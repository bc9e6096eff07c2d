// Gallery.swift — a folder of reference photos (searched recursively) as embeddings [G, E], for verify
// (one user's gallery) and identify (DATA/people, one subfolder a person).
//
// Embeddings come from the GalleryCache when it has them, so only new or changed photos are embedded;
// the caches are kept per model, precision and crop mode. Photos go through the same PhotoCropper as
// probes (stored crops as they are, raw photos cropped); unreadable photos and photos without a face
// are skipped and listed; a gallery with no usable photo is an error. A cache that cannot be written is
// reported, and the caller answers without it.
import Foundation
import Tensor

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

public struct Gallery {
    /// [G, E]: one embedding per usable photo.
    public let embeddings: Tensor
    /// The photo behind each row of `embeddings`.
    public let paths: [URL]
    public let report: GalleryLoadReport
    /// The network as it runs here, weights packed for the work to come.
    public let inference: InferenceModel

    /// What the embeddings depend on: the weights as loaded, the precision they run in, the cropper's recipe.
    static func cacheKey(for model: TrainedModel, precision: MatrixPrecision, crop: String) -> GalleryCache.Key {
        GalleryCache.Key(weights: model.weightsDigest, precision: precision, embeddingSize: model.network.architecture.embeddingSize,
                         crop: crop)
    }

    /// Embeds the photos below `folder` (cached ones read from the cache) with `model` in `precision`,
    /// preparing the network for `probesToCome` more images (Int.max for a live source). `emptyNextStep`
    /// is what the error says to do when the folder is missing or no photo in it is usable. `progress(step,
    /// done, total)` follows each file read ("reading") and each batch embedded ("embedding").
    public init(folder: URL, model: TrainedModel, precision: MatrixPrecision, probesToCome: Int = 1, cacheURL: URL? = nil,
                cropper: PhotoCropper, decoder: PhotoDecoder,
                emptyNextStep: String = "bring your photos in with `facever import DIR --into verification`, or name a gallery with --gallery",
                progress: (String, Int, Int) -> Void = { _, _, _ in }) throws {
        let files = try DataLayout.imageFilesRecursively(in: folder, ifMissing: emptyNextStep)
        let architecture = model.network.architecture
        let key = Self.cacheKey(for: model, precision: precision, crop: cropper.recipe)
        var cache = GalleryCache.open(url: cacheURL ?? GalleryCache.url(forGallery: folder, key: key), key: key)
        var report = GalleryLoadReport()
        report.cacheDiscarded = cache.discardedBecause
        var embeddings: [[Float]] = [], paths: [URL] = [], hashes = Set<ContentHash>()
        var pending: [(url: URL, hash: ContentHash, values: [Float])] = []
        for (index, file) in files.enumerated() {
            defer { progress("reading", index + 1, files.count) }
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
            switch try cropper.crop(bytes: data, path: file.path, decoder: decoder) {
            case .photo(let crop): pending.append((file, hash, ImageBatch.values(of: crop.photo, for: model.network.inputFormat)))
            case .noFace: report.skipped.append(.noFace(path: file.path))
            case .unreadable(let error): report.skipped.append(error)
            }
        }
        var inference = model.prepared(for: precision)
        let imagesToEmbed = pending.count + min(probesToCome, InferenceModel.imagesBeforeDensePackPays)
        if imagesToEmbed >= InferenceModel.imagesBeforeDensePackPays {
            inference = inference.packingDenseWeight(forBatchesOf: max(1, min(InferenceModel.embeddingBatch, pending.count)))
        }
        for start in stride(from: 0, to: pending.count, by: InferenceModel.embeddingBatch) {
            let chunk = pending[start..<min(pending.count, start + InferenceModel.embeddingBatch)]
            let computed = inference.embeddings(ImageBatch.tensor(stacking: chunk.map(\.values), format: model.network.inputFormat))
            guard computed.data.allSatisfy(\.isFinite) else { throw InputError.nonFiniteOutput(model: model.url, what: "gallery embedding") }
            let size = architecture.embeddingSize
            for (offset, item) in chunk.enumerated() {
                let values = Array(computed.data[(offset * size)..<((offset + 1) * size)])
                cache[item.hash] = values
                embeddings.append(values)
                paths.append(item.url)
                report.computed += 1
            }
            progress("embedding", report.computed, pending.count)
        }
        guard !embeddings.isEmpty else {
            throw InputError(path: folder.path, problem: files.isEmpty ? "the gallery has no photos" : "no gallery photo could be read",
                             nextStep: emptyNextStep)
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
        self.embeddings = Tensor(shape: [embeddings.count, architecture.embeddingSize], data: embeddings.flatMap { $0 })
        self.paths = paths
        self.report = report
        self.inference = inference
    }

    /// One probe embedding [E] against the gallery rows [G, E]: G Siamese scores in [0, 1]. A NaN or an
    /// infinity is an error, never a score.
    static func scores(of embedding: [Float], against gallery: Tensor, inference: InferenceModel, model: TrainedModel) throws -> [Float] {
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
