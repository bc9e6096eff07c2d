// GalleryCacheTests.swift — verify embeds only what the cache lacks: reuse on the second run,
// one new embedding for a changed photo, everything again for another model or crop (in a cache of its
// own, so that the first one's is still there); the caches last used are kept, older ones deleted.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class GalleryCacheTests: XCTestCase {
    static let galleryNextStep = "bring your photos in with `facever import DIR --into verification`, or name a gallery with --gallery"

    func testCacheIsReusedAndInvalidatedByPhotoAndModelChanges() throws {
        let root = try TestPaths.temporaryFolder("gallery")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        try FixtureData.importPhotos([(1, 7), (1, 8), (1, 9)], into: .verification, layout: layout, staging: root)
        let gallery = layout.folder(.verification)
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let key = Gallery.cacheKey(for: model, precision: .float32, crop: PhotoCropper.centre.recipe)
        let cacheURL = GalleryCache.url(forGallery: gallery, key: key)
        XCTAssertEqual(cacheURL.lastPathComponent, "verification.embeddings.\(key.tag).safetensors")
        XCTAssertEqual(cacheURL.deletingLastPathComponent().standardizedFileURL.path, layout.root.standardizedFileURL.path)
        let probe = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s1/10.pgm"))

        let first = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds())
        XCTAssertEqual([first.report.computed, first.report.cached], [3, 0])
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheURL.path))

        // A cache that is used counts as used now (pruning keeps the caches last used), though nothing in it changed.
        let longAgo = Date(timeIntervalSinceNow: -86_400)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: cacheURL.path)
        let second = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds())
        XCTAssertEqual([second.report.computed, second.report.cached], [0, 3])
        let used = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: cacheURL.path)[.modificationDate] as? Date)
        XCTAssertGreaterThan(used.timeIntervalSince(longAgo), 3_600)
        XCTAssertEqual(second.gallery.data, first.gallery.data, "cached embeddings equal computed ones")
        XCTAssertEqual(try first.verify(probe).scores, try second.verify(probe).scores)

        // Replace one photo's content: only it is embedded again.
        let files = try DataLayout.imageFiles(in: gallery)
        try Data(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s1/6.pgm")).write(to: files[0])
        let third = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds())
        XCTAssertEqual([third.report.computed, third.report.cached], [1, 2])

        // Another way of cropping raw photos (here: face crops not levelled by the eyes, as for a model with
        // landmarks): a cache of its own, embedded afresh; the default face cropper is named as before.
        let levelled = PhotoCropper.detecting(.face), notLevelled = PhotoCropper.detecting(.face, eyeCascade: nil)
        XCTAssertEqual([levelled.recipe, notLevelled.recipe, PhotoCropper.detecting(.centre, eyeCascade: nil).recipe],
                       ["face", "face not-levelled", "centre"])
        // A cascade named by a relative path is recorded by its absolute one.
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertEqual(PhotoCropper.detecting(.face, faceCascade: "mine.xml", eyeCascade: "../eyes.xml").recipe,
                       "face cascade=\(cwd)/mine.xml eyes=\(URL(fileURLWithPath: cwd).deletingLastPathComponent().path)/eyes.xml")
        for (cropper, expected) in [(levelled, [3, 0]), (levelled, [0, 3]), (notLevelled, [3, 0]), (notLevelled, [0, 3]), (PhotoCropper.centre, [0, 3])] {
            let verifier = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds(), cropper: cropper)
            XCTAssertEqual([verifier.report.computed, verifier.report.cached], expected, cropper.recipe)
            XCTAssertNil(verifier.report.cacheDiscarded, cropper.recipe)
        }

        // Another model: a cache of its own; going back to the first model finds the first one's still there.
        try SiameseNetwork(architecture: .tiny, seed: 2).save(to: modelURL)
        let fourth = try Verifier(model: try TrainedModel.load(from: modelURL), galleryFolder: gallery, thresholds: Thresholds())
        XCTAssertEqual([fourth.report.computed, fourth.report.cached], [3, 0])
        let back = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds())
        XCTAssertEqual([back.report.computed, back.report.cached], [0, 3])
        XCTAssertNil(back.report.cacheDiscarded)
        let caches = try FileManager.default.contentsOfDirectory(atPath: layout.root.path).filter { $0.hasPrefix("verification.embeddings.") }
        XCTAssertEqual(caches.count, 4, "\(caches): two croppers and the centre crop of each model")
    }

    func testPruningKeepsTheCachesLastUsedAndTouchesNothingElse() throws {
        let root = try TestPaths.temporaryFolder("cache-pruning")
        defer { try? FileManager.default.removeItem(at: root) }
        let now = Date()
        func file(_ name: String, usedSecondsAgo age: Double) throws -> URL {
            let url = root.appendingPathComponent(name)
            try Data("x".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: url.path)
            return url
        }
        let tags = (1...6).map { ContentHash(value: UInt64($0) * 0x1111_1111).hex }
        // Six caches of the gallery `verification`, written in turn; the one just saved is the oldest-looking.
        let saved = try file("verification.embeddings.\(tags[0]).safetensors", usedSecondsAgo: 500)
        for (index, tag) in tags.dropFirst().enumerated() { _ = try file("verification.embeddings.\(tag).safetensors", usedSecondsAgo: Double(index * 10)) }
        // What earlier facevers wrote, and what is not a cache of this gallery.
        let others = ["verification.embeddings.safetensors", "verification.embeddings.bfloat16.safetensors",   // the old names: deleted
                      "verification.embeddings.notes.safetensors", "verification.embeddings.\(tags[1]).safetensors.bak",
                      "people.embeddings.\(tags[2]).safetensors", "my-verification.embeddings.txt", "verification"]
        for name in others { _ = try file(name, usedSecondsAgo: 1000) }
        // A folder named like a cache (old or new name) is someone's folder, with their files in it.
        let folders = ["verification.embeddings.\(ContentHash(value: 7).hex).safetensors", "people.embeddings.safetensors"]
        for name in folders {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            try Data("keep".utf8).write(to: root.appendingPathComponent(name).appendingPathComponent("photo.jpg"))
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-2000)],
                                                  ofItemAtPath: root.appendingPathComponent(name).path)
        }

        let deleted = Set(GalleryCache.prune(keeping: saved).map(\.lastPathComponent))
        XCTAssertEqual(deleted, ["verification.embeddings.\(tags[4]).safetensors", "verification.embeddings.\(tags[5]).safetensors",
                                 "verification.embeddings.safetensors", "verification.embeddings.bfloat16.safetensors"])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: root.path))
        XCTAssertEqual(left, Set(["verification.embeddings.\(tags[0]).safetensors", "verification.embeddings.\(tags[1]).safetensors",
                                  "verification.embeddings.\(tags[2]).safetensors", "verification.embeddings.\(tags[3]).safetensors"]
                                 + others.dropFirst(2) + folders))
        // The people cache's pruning finds the old name, a folder here, and leaves it.
        XCTAssertEqual(GalleryCache.prune(keeping: root.appendingPathComponent("people.embeddings.\(tags[2]).safetensors")), [])
        for name in folders {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("photo.jpg").path))
        }
        XCTAssertEqual(GalleryCache.keptPerGallery, 4)
    }

    func testAnEmptyOrMissingGalleryIsAClearError() throws {
        let root = try TestPaths.temporaryFolder("empty-gallery")
        defer { try? FileManager.default.removeItem(at: root) }
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let empty = root.appendingPathComponent("verification")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Verifier(model: model, galleryFolder: empty, thresholds: Thresholds())) { error in
            XCTAssertEqual("\(error)", "\(empty.path): the gallery has no photos; \(Self.galleryNextStep)")
        }
        try Data("junk".utf8).write(to: empty.appendingPathComponent("broken.jpg"))
        XCTAssertThrowsError(try Verifier(model: model, galleryFolder: empty, thresholds: Thresholds())) { error in
            XCTAssertEqual("\(error)", "\(empty.path): no gallery photo could be read; \(Self.galleryNextStep)")
        }
        let missing = root.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try Verifier(model: model, galleryFolder: missing, thresholds: Thresholds())) { error in
            XCTAssertEqual("\(error)", "\(missing.path): no such folder; \(Self.galleryNextStep)")
        }
    }

    func testVerificationRuleCountsMatchesAboveTheDetectionThreshold() throws {
        let root = try TestPaths.temporaryFolder("rule")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        try FixtureData.importPhotos([(1, 7), (1, 8), (2, 9), (3, 1)], into: .verification, layout: layout, staging: root)
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 3).save(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let probe = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s1/10.pgm"))
        let scores = try Verifier(model: model, galleryFolder: layout.folder(.verification), thresholds: Thresholds()).verify(probe).scores
        let sorted = scores.sorted()
        // A detection threshold between the 2nd and 3rd score gives exactly 2 matches of 4.
        let detection = (sorted[1] + sorted[2]) / 2
        for (verification, expected) in [(Float(0.4), true), (0.5, false)] {
            let result = try Verifier(model: model, galleryFolder: layout.folder(.verification),
                                      thresholds: Thresholds(detection: detection, verification: verification)).verify(probe)
            XCTAssertEqual(result.matches, 2)
            XCTAssertEqual(result.share, 0.5)
            XCTAssertEqual(result.verified, expected, "share 0.5 > \(verification)")
        }
    }
}
