// GalleryCache.swift — gallery embeddings kept on disk between verify runs.
//
// The caches are safetensors files beside the gallery folder, one per key (`verification/` →
// `verification.embeddings.TAG.safetensors`, TAG a fingerprint of the key), so that verifying with one model
// and then another (a trained one and dlib's, float32 and bfloat16) never throws either's embeddings away. In
// each: one tensor [E] per photo, named by the hash of the photo's bytes, and in the metadata the key it was
// computed under: the digest of the weights actually loaded, the precision, the embedding size and how photos
// are cropped (a raw photo's embedding depends on it: PhotoCropper.recipe). The `keptPerGallery` most recently
// used caches of a gallery are kept; older ones, and those named as facever named them before the key was in
// the name, are deleted when a cache is written.
//
// The cache is an optimisation that must never change a verdict. It is used only when its key equals
// the running model's and every entry is well formed (a 16-hex-digit name, shape [E], finite values);
// anything else (a missing, unreadable, foreign, damaged or edited file) means the whole gallery is
// embedded again, and the reason is reported. A changed, added or removed photo changes only its entry.
import Foundation
import Tensor

public struct GalleryCache {
    /// What the embeddings depend on: the weights, the products' precision, the embedding's length and
    /// how photos that are not stored crops are cropped.
    public struct Key: Equatable, Sendable {
        public var weights: WeightsDigest
        public var precision: MatrixPrecision
        public var embeddingSize: Int
        /// The cropper's recipe: "face", "centre" or "fixed" with the default cascades.
        public var crop: String

        public init(weights: WeightsDigest, precision: MatrixPrecision, embeddingSize: Int, crop: String) {
            self.weights = weights
            self.precision = precision
            self.embeddingSize = embeddingSize
            self.crop = crop
        }

        var metadata: [String: String] {
            [Keys.format: GalleryCache.formatName, Keys.weights: weights.text, Keys.precision: precision.rawValue,
             Keys.embeddingSize: String(embeddingSize), Keys.crop: crop]
        }

        /// The key in a cache's file name: a fingerprint of everything the key holds.
        var tag: String {
            ContentHash(metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")).hex
        }
    }

    static let formatName = "facever-gallery-cache-3"

    /// The metadata keys of a cache file.
    enum Keys {
        static let format = ModelKeys.format
        static let weights = "weights"
        static let precision = "precision"
        static let embeddingSize = "embedding_size"
        static let crop = "crop"
    }

    public let url: URL
    public let key: Key
    public private(set) var embeddings: [ContentHash: [Float]]
    /// Why an existing file was not used (nil when it was, or when there was none).
    public let discardedBecause: String?

    /// The cache of `gallery`'s embeddings under `key`, beside the gallery folder.
    public static func url(forGallery gallery: URL, key: Key) -> URL {
        let folder = gallery.standardizedFileURL
        return folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent)\(nameInfix)\(key.tag).safetensors")
    }

    private static let nameInfix = ".embeddings."

    /// How many caches of one gallery are kept: the most recently used (read or written).
    public static let keptPerGallery = 4

    /// The cache at `url` when it was made under `key` and every entry is well formed; otherwise an
    /// empty cache that says why the file was not used. A cache that is used is marked as used now (its
    /// modification time), so that pruning keeps it.
    public static func open(url: URL, key: Key) -> GalleryCache {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return GalleryCache(url: url, key: key, embeddings: [:], discardedBecause: nil)
        }
        switch validEmbeddings(at: url, key: key) {
        case .success(let embeddings):
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
            return GalleryCache(url: url, key: key, embeddings: embeddings, discardedBecause: nil)
        case .failure(let problem):
            return GalleryCache(url: url, key: key, embeddings: [:], discardedBecause: problem.description)
        }
    }

    private struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private static func validEmbeddings(at url: URL, key: Key) -> Result<[ContentHash: [Float]], Problem> {
        do {
            return validEmbeddings(in: try SafetensorsArchive.read(contentsOf: url), key: key)
        } catch {
            return .failure(Problem(description: "unreadable (\((error as? SafetensorsError)?.problem ?? "\(error)"))"))
        }
    }

    /// The embeddings of a cache file's bytes when it was made under `key` and every entry is well
    /// formed, or why not (the reader the fuzzer drives).
    public static func embeddings(decoding data: Data, key: Key) -> Result<[ContentHash: [Float]], Error> {
        do {
            return validEmbeddings(in: try SafetensorsArchive.decode(data, path: "<gallery cache>"), key: key).mapError { $0 }
        } catch {
            return .failure(error)
        }
    }

    private static func validEmbeddings(in archive: SafetensorsArchive, key: Key) -> Result<[ContentHash: [Float]], Problem> {
        guard archive.metadata == key.metadata else {
            return .failure(Problem(description: "made by another model, precision, crop mode or format"))
        }
        var embeddings: [ContentHash: [Float]] = [:]
        for (name, tensor) in archive.tensors {
            guard let hash = ContentHash(hex: name) else {
                return .failure(Problem(description: "an entry named '\(name)' is not a photo's hash"))
            }
            guard tensor.shape == [key.embeddingSize] else {
                return .failure(Problem(description: "entry \(name) has shape \(tensor.shape), not [\(key.embeddingSize)]"))
            }
            guard tensor.values.allSatisfy(\.isFinite) else {
                return .failure(Problem(description: "entry \(name) holds a NaN or an infinity"))
            }
            embeddings[hash] = tensor.values
        }
        return .success(embeddings)
    }

    public subscript(hash: ContentHash) -> [Float]? {
        get { embeddings[hash] }
        set {
            precondition(newValue.map { $0.count == key.embeddingSize && $0.allSatisfy(\.isFinite) } ?? true,
                         "GalleryCache: an embedding must have \(key.embeddingSize) finite values")
            embeddings[hash] = newValue
        }
    }

    /// Keeps only the entries in `hashes` (photos still in the gallery).
    public mutating func keep(only hashes: Set<ContentHash>) {
        embeddings = embeddings.filter { hashes.contains($0.key) }
    }

    /// Writes the cache (atomically), then prunes the gallery's other caches.
    public func save() throws {
        var tensors: [String: StoredTensor] = [:]
        for (hash, values) in embeddings {
            tensors[hash.hex] = StoredTensor(shape: [values.count], values: values)
        }
        try SafetensorsArchive(tensors: tensors, metadata: key.metadata).write(to: url)
        Self.prune(keeping: url)
    }

    /// Deletes the caches of `url`'s gallery beyond the `keptPerGallery` most recently used (`url` always
    /// kept) and those named as facever named them before the key was in the name, which it no longer reads.
    /// Only regular files with names of exactly those forms are touched (a folder so named is someone's, not
    /// a cache); a file that cannot be deleted is left. Returns the deleted files.
    @discardableResult
    static func prune(keeping url: URL) -> [URL] {
        let name = url.lastPathComponent
        guard let infix = name.range(of: nameInfix, options: .backwards) else { return [] }
        let gallery = String(name[..<infix.lowerBound])
        let folder = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        let legacy: Set<String> = ["\(gallery).embeddings.safetensors", "\(gallery).embeddings.bfloat16.safetensors"]
        let prefix = gallery + nameInfix, suffix = ".safetensors"
        var current: [(url: URL, used: Date)] = []
        var deleted: [URL] = []
        // The names first, from the listing alone: the folder may be a big one (a gallery beside other photos).
        for other in names where other != name {
            let isLegacy = legacy.contains(other)
            guard isLegacy || (other.hasPrefix(prefix) && other.hasSuffix(suffix)
                               && ContentHash(hex: String(other.dropFirst(prefix.count).dropLast(suffix.count))) != nil) else { continue }
            let otherURL = folder.appendingPathComponent(other)
            let attributes = try? FileManager.default.attributesOfItem(atPath: otherURL.path)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            if isLegacy {
                if (try? FileManager.default.removeItem(at: otherURL)) != nil { deleted.append(otherURL) }
            } else {
                current.append((otherURL, attributes?[.modificationDate] as? Date ?? .distantPast))
            }
        }
        for old in current.sorted(by: { $0.used > $1.used }).dropFirst(keptPerGallery - 1) {
            if (try? FileManager.default.removeItem(at: old.url)) != nil { deleted.append(old.url) }
        }
        return deleted
    }
}
