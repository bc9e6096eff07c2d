// CropsAheadTests.swift — photos cropped ahead on a thread of their own: every item is what cropping the
// file directly gives (a crop, no face, an error), in the order given; no more than `lookahead` wait
// unclaimed; dropping the CropsAhead waits for the crop under way and ends its thread; a model's cropping
// record read from the header alone
// is the one the loaded model has.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class CropsAheadTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("crops-ahead") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// How many pictures a CountingFinder was shown, and how many it is looking at now.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var shown = 0, looking = 0
        var count: Int { lock.lock(); defer { lock.unlock() }; return shown }
        var inside: Int { lock.lock(); defer { lock.unlock() }; return looking }

        func start() { lock.lock(); (shown, looking) = (shown + 1, looking + 1); lock.unlock() }
        func end() { lock.lock(); looking -= 1; lock.unlock() }
    }

    /// Finds "a face" in pictures wider than 40 pixels (its crop: the centre square), none in narrower
    /// ones, taking `delay` seconds a look, and counts the pictures it is shown.
    final class CountingFinder: FaceFinder, @unchecked Sendable {
        let tally: Tally
        private let delay: Double
        var count: Int { tally.count }

        init(tally: Tally = Tally(), delay: Double = 0) { (self.tally, self.delay) = (tally, delay) }

        func canonicalFaces(in image: RGBImage, most: Int) -> [FoundFace] {
            tally.start()
            defer { tally.end() }
            if delay > 0 { usleep(UInt32(delay * 1e6)) }
            guard image.width > 40 else { return [] }
            return [FoundFace(photo: image.storedFace(), face: FaceBox(x: 1, y: 2, width: 30, height: 30), eyes: nil, rotationDegrees: 0)]
        }
    }

    private func picture(width: Int, shade: UInt8) -> RGBImage {
        RGBImage(width: width, height: 48, pixels: (0..<(width * 48 * 3)).map { UInt8(truncatingIfNeeded: $0) &+ shade })
    }

    /// `count` JPEG files of pictures 64 pixels wide (a face, for CountingFinder).
    private func photos(_ count: Int) throws -> [URL] {
        try (0..<count).map { index in
            let url = root.appendingPathComponent("p\(index).jpg")
            try picture(width: 64, shade: UInt8(index)).jpegData().write(to: url)
            return url
        }
    }

    private func waitUntil(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !condition() && Date() < deadline { usleep(1_000) }
    }

    func testEveryItemIsWhatCroppingTheFileGivesInTheOrderGiven() throws {
        let face = try photos(1)[0]
        let noFace = root.appendingPathComponent("narrow.jpg")
        try picture(width: 32, shade: 9).jpegData().write(to: noFace)
        let unreadable = root.appendingPathComponent("broken.jpg")
        try Data("not a picture".utf8).write(to: unreadable)
        let missing = root.appendingPathComponent("absent.jpg")
        let files = [noFace, face, unreadable, missing, face]
        let cropper = PhotoCropper(mode: .face, faceFinder: { CountingFinder() })

        let crops = CropsAhead(files: files, cropper: cropper, decoder: .ownFormats, lookahead: 2)
        for file in files {
            let item = try XCTUnwrap(crops.next())
            XCTAssertEqual(item.file, file)
            XCTAssertGreaterThanOrEqual(item.seconds, 0)
            switch (item.crop, Result { try cropper.crop(contentsOf: file, decoder: .ownFormats) }) {
            case (.success(let ahead), .success(let direct)):
                XCTAssertEqual(ahead?.photo, direct?.photo, file.lastPathComponent)
                XCTAssertEqual(ahead?.face, direct?.face)
                XCTAssertEqual(ahead?.origin, direct?.origin)
            case (.failure(let ahead), .failure(let direct)):
                XCTAssertEqual("\(ahead)", "\(direct)")
            case (let ahead, let direct):
                XCTFail("\(file.lastPathComponent): ahead \(ahead), directly \(direct)")
            }
        }
        XCTAssertNil(crops.next())
        XCTAssertNil(try XCTUnwrap(CropsAhead(files: [noFace], cropper: cropper, decoder: .ownFormats).next()).crop.get())
        XCTAssertNil(CropsAhead(files: [], cropper: cropper, decoder: .ownFormats).next())
    }

    func testNoMoreThanTheLookaheadWaitsUnclaimed() throws {
        let finder = CountingFinder()
        let crops = CropsAhead(files: try photos(6), cropper: PhotoCropper(mode: .face, faceFinder: { finder }),
                               decoder: .ownFormats, lookahead: 2)
        waitUntil { finder.count >= 2 }
        usleep(100_000)
        XCTAssertEqual(finder.count, 2, "two cropped ahead, then the thread waits")
        _ = crops.next()
        waitUntil { finder.count >= 3 }
        usleep(100_000)
        XCTAssertEqual(finder.count, 3, "one claimed, one more cropped")
        for _ in 0..<5 { XCTAssertNotNil(crops.next()) }
        XCTAssertNil(crops.next())
        XCTAssertEqual(finder.count, 6)
    }

    func testDroppingItWaitsForTheCropUnderWayStartsNoOtherAndEndsTheThread() throws {
        let tally = Tally()
        weak var released: CountingFinder?
        var crops: CropsAhead? = try {
            let finder = CountingFinder(tally: tally, delay: 0.2)
            released = finder
            return CropsAhead(files: try photos(20), cropper: PhotoCropper(mode: .face, faceFinder: { finder }),
                              decoder: .ownFormats, lookahead: 1)
        }()
        XCTAssertNotNil(crops?.next())
        waitUntil { tally.count >= 2 }
        XCTAssertEqual(tally.inside, 1, "the second photo is being cropped")
        crops = nil
        XCTAssertEqual(tally.inside, 0, "dropping it waited for that crop")
        usleep(300_000)
        XCTAssertEqual(tally.count, 2, "and no other crop started")
        // The thread held the cropper and its finder until it ended.
        waitUntil { released == nil }
        XCTAssertNil(released, "the thread ended, releasing the cropper")
    }

    func testTheCroppingRecordFromTheHeaderIsTheLoadedModels() throws {
        let trained = root.appendingPathComponent("trained.safetensors"), imported = root.appendingPathComponent("imported.safetensors")
        var settings = TrainingSettings.standard
        settings.crop = .centre
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: trained, metadata: [ModelKeys.settings: settings.jsonString()])
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: imported, metadata: [ModelKeys.crop: CropMode.fixed.rawValue])
        for (url, expected) in [(trained, ModelCropping(trained: .centre, mode: .centre)), (imported, ModelCropping(trained: nil, mode: .fixed))] {
            XCTAssertEqual(ModelCropping.recorded(inModelAt: url), expected)
            XCTAssertEqual(try TrainedModel.load(from: url).cropping, expected)
        }
        // A model with a landmark predictor says so in its header: its input is aligned by the landmarks.
        let landmarked = root.appendingPathComponent("landmarked.safetensors")
        try TinyLandmarkModel.network()
            .save(to: landmarked, metadata: [ModelKeys.crop: CropMode.face.rawValue])
        let expected = ModelCropping(trained: nil, mode: .face, alignsByLandmarks: true)
        XCTAssertEqual(ModelCropping.recorded(inModelAt: landmarked), expected)
        XCTAssertEqual(try TrainedModel.load(from: landmarked).cropping, expected)
        let damaged = root.appendingPathComponent("damaged.safetensors")
        try Data([9, 0, 0, 0, 0, 0, 0, 0, 0x7B]).write(to: damaged)
        XCTAssertNil(ModelCropping.recorded(inModelAt: damaged))
        XCTAssertNil(ModelCropping.recorded(inModelAt: root.appendingPathComponent("absent.safetensors")))
    }
}
