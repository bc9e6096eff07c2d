// FaceDataset.swift — the photos of the anchor, positive and negative folders, decoded once.
//
// Every photo is decoded, made the canonical crop (photos facever stored are marked as such and used as
// they are; one put in a folder by hand goes through the PhotoCropper, and is skipped and counted when
// face mode finds no face in it), resized to the network's input size and kept in memory as 8-bit values
// (H·W·C bytes each), so an epoch never reads a file. Unreadable photos are skipped and listed.
// `fingerprint` hashes every photo's folder, name and content: it changes when the data does.
import Dispatch
import Foundation
import Tensor

public struct FacePhoto: Sendable {
    /// Path relative to the data folder: `anchor/face.aug3.jpg`.
    public let relativePath: String
    public let faceClass: FaceClass
    /// The photo it was made from (`face` for `face.aug3.jpg`): copies share it.
    public let source: String
}

public final class FaceDataset {
    /// The network input every photo is decoded to.
    public let input: InputFormat
    public let photos: [FacePhoto]
    public let skipped: [InputError]
    /// Photos in which face mode found no face (relative paths), skipped.
    public let withoutFace: [String]
    public let fingerprint: ContentHash
    /// One [H, W, C] block of bytes per photo, in `photos` order.
    private let pixels: [[UInt8]]
    /// Each photo's difference hash, in `photos` order (for keeping near-duplicates together).
    public let perceptualHashes: [PerceptualHash]
    private let indexByPath: [String: Int]

    public var imageByteCount: Int { input.valueCount }

    /// Loads the photos of `classes` under `layout`; a missing folder is an error, an empty one is not.
    /// With `only`, just the photos with those relative paths are decoded (evaluate needs only the
    /// held-out ones); the fingerprint then covers just them. `progress(done, total)` follows each photo decoded.
    public convenience init(layout: DataLayout, classes: [FaceClass], input: InputFormat,
                            only: Set<String>? = nil, cropper: PhotoCropper = .centre, decoder: PhotoDecoder = .ownFormats,
                            progress: (Int, Int) -> Void = { _, _ in }) throws {
        var files: [(URL, FaceClass)] = []
        for faceClass in classes {
            files += try DataLayout.imageFiles(in: layout.folder(faceClass),
                                               ifMissing: "bring photos in with `facever import DIR --into \(faceClass.rawValue)`")
                .map { ($0, faceClass) }
        }
        var entries = files.map { (url: $0.0, relativePath: "\($0.1.rawValue)/\($0.0.lastPathComponent)", faceClass: $0.1) }
        if let only { entries = entries.filter { only.contains($0.relativePath) } }
        try self.init(entries: entries, input: input, cropper: cropper, decoder: decoder, progress: progress)
    }

    /// Photos named one by one, each with the relative path that names it in splits (`train --identities`:
    /// `Identity/photo.jpg` under the identities folder, class .negative: people, none of them the user).
    public convenience init(files: [(url: URL, relativePath: String)], input: InputFormat, cropper: PhotoCropper = .centre,
                            decoder: PhotoDecoder = .ownFormats, progress: (Int, Int) -> Void = { _, _ in }) throws {
        try self.init(entries: files.map { ($0.url, $0.relativePath, FaceClass.negative) }, input: input, cropper: cropper, decoder: decoder,
                      progress: progress)
    }

    private init(entries: [(url: URL, relativePath: String, faceClass: FaceClass)], input: InputFormat, cropper: PhotoCropper,
                 decoder: PhotoDecoder, progress: (Int, Int) -> Void) throws {
        self.input = input
        let loaded = try FaceDataset.decodeInParallel(entries.map(\.url), input: input, cropper: cropper, decoder: decoder,
                                                      progress: progress)

        var photos: [FacePhoto] = [], pixels: [[UInt8]] = [], skipped: [InputError] = [], withoutFace: [String] = []
        var hasher = ContentHash.Hasher64()
        for (entry, outcome) in zip(entries, loaded) {
            let relativePath = entry.relativePath
            switch outcome {
            case .photo(let bytes, let contentHash):
                photos.append(FacePhoto(relativePath: relativePath, faceClass: entry.faceClass, source: DataLayout.sourceName(of: entry.url)))
                pixels.append(bytes)
                hasher.combine("\(relativePath):\(contentHash.hex)\n")
            case .unreadable(let error):
                skipped.append(error)
            case .noFace:
                withoutFace.append(relativePath)
            }
        }
        self.photos = photos
        self.pixels = pixels
        self.withoutFace = withoutFace
        self.perceptualHashes = pixels.map { PerceptualHash(bytes: $0, format: input) }
        self.skipped = skipped
        self.fingerprint = hasher.finalize()
        self.indexByPath = Dictionary(uniqueKeysWithValues: photos.enumerated().map { ($1.relativePath, $0) })
    }

    enum LoadOutcome {
        case photo([UInt8], ContentHash)
        case unreadable(InputError)
        case noFace
    }

    /// Decodes, crops and resizes photos on all cores; a photo is its input bytes and its file's hash.
    /// Throws when the cropper's face finder cannot be made. `progress(done, total)` follows each photo, one
    /// call at a time.
    static func decodeInParallel(_ urls: [URL], input: InputFormat, cropper: PhotoCropper, decoder: PhotoDecoder,
                                 progress: (Int, Int) -> Void = { _, _ in }) throws -> [LoadOutcome] {
        var outcomes = [LoadOutcome?](repeating: nil, count: urls.count)
        var done = 0
        var finderProblem: Error?
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: urls.count) { index in
            var outcome: LoadOutcome?
            var problem: Error?
            do {
                let data = try decoder.limits.contents(of: urls[index])
                switch try cropper.crop(bytes: data, path: urls[index].path, decoder: decoder) {
                case .photo(let crop): outcome = .photo(ImageBatch.inputBytes(of: crop.photo, for: input), ContentHash(data))
                case .noFace: outcome = .noFace
                case .unreadable(let error): outcome = .unreadable(error)
                }
            } catch let error as InputError where error.path == urls[index].path {
                outcome = .unreadable(error)   // the file could not be read
            } catch {
                problem = error                // the face finder could not be made
            }
            lock.lock()
            outcomes[index] = outcome
            if let problem, finderProblem == nil { finderProblem = problem }
            done += 1
            progress(done, urls.count)
            lock.unlock()
        }
        if let finderProblem { throw finderProblem }
        return outcomes.map { $0! }
    }

    public func index(of relativePath: String) -> Int? { indexByPath[relativePath] }

    public func indices(of faceClass: FaceClass) -> [Int] {
        photos.indices.filter { photos[$0].faceClass == faceClass }
    }

    /// [N, H, W, C] in [0, 1] for the photos at `indices`.
    public func batch(_ indices: [Int]) -> Tensor {
        let size = imageByteCount
        var values = [Float](repeating: 0, count: indices.count * size)
        for (slot, index) in indices.enumerated() {
            let bytes = pixels[index]
            for offset in 0..<size {
                values[slot * size + offset] = Float(bytes[offset]) * (1 / 255)
            }
        }
        return Tensor(shape: [indices.count] + input.shape, data: values)
    }
}
