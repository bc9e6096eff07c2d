// GalleryCache.swift — gallery embeddings kept on disk between verify runs.
//
// The cache is a safetensors file beside the gallery folder (`verification/` → `verification.embeddings.safetensors`,
// or `verification.embeddings.bfloat16.safetensors` for embeddings computed with bfloat16 products):
// one tensor per photo, named by the hash of the photo's bytes, and the model's id in the metadata.
// Another model invalidates the whole cache; a changed, added or removed photo changes only its entry.
import Foundation
import Tensor

public struct GalleryCache {
    public let url: URL
    public let modelID: String
    public private(set) var embeddings: [ContentHash: [Float]]

    /// The cache of `gallery`'s embeddings computed with `precision`: one file per precision, so that
    /// verifying in float32 and in bfloat16 in turn never discards the other's cache.
    public static func url(forGallery gallery: URL, precision: MatrixPrecision = .float32) -> URL {
        let folder = gallery.standardizedFileURL
        let suffix = precision == .float32 ? "" : ".\(precision.rawValue)"
        return folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + ".embeddings\(suffix).safetensors")
    }

    /// The cache for `modelID`; empty when the file is missing, unreadable or made by another model.
    public static func open(url: URL, modelID: String) -> GalleryCache {
        guard let archive = try? SafetensorsArchive.read(contentsOf: url), archive.metadata["model_id"] == modelID else {
            return GalleryCache(url: url, modelID: modelID, embeddings: [:])
        }
        var embeddings: [ContentHash: [Float]] = [:]
        for (name, tensor) in archive.tensors {
            if let hash = ContentHash(hex: name) { embeddings[hash] = tensor.values }
        }
        return GalleryCache(url: url, modelID: modelID, embeddings: embeddings)
    }

    public subscript(hash: ContentHash) -> [Float]? {
        get { embeddings[hash] }
        set { embeddings[hash] = newValue }
    }

    /// Keeps only the entries in `hashes` (photos still in the gallery).
    public mutating func keep(only hashes: Set<ContentHash>) {
        embeddings = embeddings.filter { hashes.contains($0.key) }
    }

    public func save() throws {
        var tensors: [String: StoredTensor] = [:]
        for (hash, values) in embeddings {
            tensors[hash.hex] = StoredTensor(shape: [values.count], values: values)
        }
        try SafetensorsArchive(tensors: tensors, metadata: ["model_id": modelID, "format": "facever-gallery-cache"]).write(to: url)
    }
}
