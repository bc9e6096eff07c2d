// GalleryCacheHardeningTests.swift — the gallery cache can never change a verdict: entries of the wrong
// length, split differently, not finite, or made by other weights are discarded and the gallery embedded
// again (the verdict equals a fresh run's), and a cache that cannot be written leaves verify answering.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class GalleryCacheHardeningTests: XCTestCase {
    private var root: URL!
    private var gallery: URL!
    private var model: TrainedModel!
    private var probe: RGBImage!
    private var cacheURL: URL {
        GalleryCache.url(forGallery: gallery, key: Gallery.cacheKey(for: model, precision: .float32, crop: PhotoCropper.centre.recipe))
    }

    override func setUpWithError() throws {
        root = try TestPaths.temporaryFolder("cache-hardening")
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        try FixtureData.importPhotos([(1, 7), (1, 8), (1, 9)], into: .verification, layout: layout, staging: root)
        gallery = layout.folder(.verification)
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: modelURL)
        model = try TrainedModel.load(from: modelURL)
        probe = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s20/1.pgm"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func verifier() throws -> Verifier { try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds()) }

    /// Edits the cache written by a first verify, then checks the next verify ignores it entirely.
    private func assertEditedCacheIsDiscarded(_ reason: String, edit: (inout SafetensorsArchive) -> Void,
                                              file: StaticString = #filePath, line: UInt = #line) throws {
        try? FileManager.default.removeItem(at: cacheURL)
        let fresh = try verifier()
        var archive = try SafetensorsArchive.read(contentsOf: cacheURL)
        edit(&archive)
        try archive.write(to: cacheURL)
        let next = try verifier()
        XCTAssertEqual([next.report.computed, next.report.cached], [3, 0], file: file, line: line)
        XCTAssertTrue(next.report.cacheDiscarded?.contains(reason) == true, "\(next.report.cacheDiscarded ?? "used")", file: file, line: line)
        XCTAssertEqual(try next.verify(probe).scores, try fresh.verify(probe).scores, file: file, line: line)
    }

    func testMalformedOrForeignEntriesAreDiscardedAndTheGalleryEmbeddedAgain() throws {
        let size = model.network.architecture.embeddingSize
        try assertEditedCacheIsDiscarded("has shape [127], not [128]") { archive in
            let name = archive.tensors.keys.sorted()[0]
            archive.tensors[name] = StoredTensor(shape: [size - 1], values: Array(archive.tensors[name]!.values.dropLast()))
        }
        // The same bytes in all, split differently: one entry twice as long, another empty.
        try assertEditedCacheIsDiscarded("not [128]") { archive in
            let names = archive.tensors.keys.sorted()
            let joined = archive.tensors[names[0]]!.values + archive.tensors[names[1]]!.values
            archive.tensors[names[0]] = StoredTensor(shape: [2 * size], values: joined)
            archive.tensors[names[1]] = StoredTensor(shape: [0], values: [])
        }
        try assertEditedCacheIsDiscarded("holds a NaN or an infinity") { archive in
            let name = archive.tensors.keys.sorted()[1]
            archive.tensors[name]!.values[3] = .infinity
        }
        try assertEditedCacheIsDiscarded("is not a photo's hash") { archive in
            archive.tensors["extra"] = StoredTensor(shape: [size], values: [Float](repeating: 0.5, count: size))
        }
        // Embeddings computed by other weights (a cache copied from another model), keyed as today's
        // main keyed them, by the model id written in its metadata.
        try assertEditedCacheIsDiscarded("made by another model") { archive in
            archive.metadata["weights"] = SiameseNetwork(architecture: .tiny, seed: 2).weightsDigest().text
        }
        try assertEditedCacheIsDiscarded("made by another model") { archive in
            archive.metadata = ["model_id": model.modelID, "format": "facever-gallery-cache"]
        }
        try assertEditedCacheIsDiscarded("made by another model, precision, crop mode or format") { archive in
            archive.metadata["format"] = nil
        }
        // Garbage bytes on disk.
        try Data(repeating: 0xFF, count: 64).write(to: cacheURL)
        let afterGarbage = try verifier()
        XCTAssertEqual(afterGarbage.report.computed, 3)
        XCTAssertNotNil(afterGarbage.report.cacheDiscarded)
    }

    func testACacheThatCannotBeWrittenLeavesVerifyAnswering() throws {
        // A folder where the cache file should be: rename over it fails, as on a read-only or full disk.
        try FileManager.default.createDirectory(at: cacheURL.appendingPathComponent("occupied"), withIntermediateDirectories: true)
        let unsaved = try verifier()
        XCTAssertNotNil(unsaved.report.cacheNotSaved)
        XCTAssertEqual(unsaved.report.computed, 3)
        XCTAssertEqual(try unsaved.verify(probe).gallerySize, 3)
    }
}
