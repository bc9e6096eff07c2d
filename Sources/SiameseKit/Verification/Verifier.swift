// Verifier.swift — the tutorial's verification rule against a gallery of stored positives.
//
//   matches = #{gallery photos g : score(probe, g) > detection threshold}
//   share   = matches / gallery size;   verified ⇔ share > verification threshold
// Gallery embeddings come from the GalleryCache when it has them, so a verify computes one new
// embedding per probe; the cache is kept per model and precision. Unreadable gallery photos are skipped and listed; an empty gallery is an error.
import Foundation
import Tensor

public struct VerificationResult: Sendable {
    public var share: Double
    public var matches: Int
    public var gallerySize: Int
    public var verified: Bool
    public var scores: [Float]
}

public struct GalleryLoadReport: Sendable {
    public var cached = 0
    public var computed = 0
    public var skipped: [ImageError] = []
}

public final class Verifier {
    public let model: TrainedModel
    public let thresholds: Thresholds
    /// [G, E]: one embedding per readable gallery photo.
    public let gallery: Tensor
    public let galleryPaths: [URL]
    public let report: GalleryLoadReport

    /// Embeddings depend on the model and on the precision they were computed in (float32 keeps
    /// the bare model id, so caches written before bfloat16 existed stay valid).
    static func cacheKey(for model: TrainedModel) -> String {
        MatrixPrecision.current == .float32 ? model.modelID : "\(model.modelID)@\(MatrixPrecision.current.rawValue)"
    }

    public init(model: TrainedModel, galleryFolder: URL, thresholds: Thresholds, cacheURL: URL? = nil) throws {
        self.model = model
        self.thresholds = thresholds
        let files = try DataLayout.imageFiles(in: galleryFolder)
        let architecture = model.network.architecture
        var cache = GalleryCache.open(url: cacheURL ?? GalleryCache.url(forGallery: galleryFolder, precision: MatrixPrecision.current),
                                     modelID: Self.cacheKey(for: model))
        var report = GalleryLoadReport()
        var embeddings: [[Float]] = [], paths: [URL] = [], hashes = Set<ContentHash>()
        var pending: [(url: URL, hash: ContentHash, values: [Float])] = []
        for file in files {
            guard let data = try? Data(contentsOf: file) else {
                report.skipped.append(ImageError(path: file.path, problem: "cannot read the file"))
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
            do {
                let image = try RGBImage.decode(data, path: file.path)
                pending.append((file, hash, ImageBatch.values(of: image, for: architecture)))
            } catch let error as ImageError {
                report.skipped.append(error)
            }
        }
        for start in stride(from: 0, to: pending.count, by: 32) {
            let chunk = pending[start..<min(pending.count, start + 32)]
            let computed = model.network.embedding(ImageBatch.tensor(stacking: chunk.map(\.values), architecture: architecture))
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
            throw ImageError(path: galleryFolder.path, problem: files.isEmpty ? "the gallery has no photos" : "no gallery photo could be read")
        }
        let before = cache.embeddings.count
        cache.keep(only: hashes)
        if report.computed > 0 || cache.embeddings.count != before {
            try cache.save()
        }
        self.gallery = Tensor(shape: [embeddings.count, architecture.embeddingSize], data: embeddings.flatMap { $0 })
        self.galleryPaths = paths
        self.report = report
    }

    /// Verifies one decoded probe photo.
    public func verify(_ probe: RGBImage) -> VerificationResult {
        let architecture = model.network.architecture
        let probeEmbedding = model.network.embedding(ImageBatch.tensor(stacking: [ImageBatch.values(of: probe, for: architecture)], architecture: architecture))
        let count = gallery.shape[0]
        var repeated = [Float]()
        repeated.reserveCapacity(count * architecture.embeddingSize)
        for _ in 0..<count { repeated += probeEmbedding.data }
        let logits = model.network.logits(anchorEmbeddings: Tensor(shape: gallery.shape, data: repeated), otherEmbeddings: gallery)
        let scores = logits.data.map(logistic)
        let matches = scores.filter { $0 > thresholds.detection }.count
        let share = Double(matches) / Double(count)
        return VerificationResult(share: share, matches: matches, gallerySize: count,
                                  verified: share > Double(thresholds.verification), scores: scores)
    }
}
