// CanonicalCropTests.swift — one crop for every photo: stored photos carry a mark and are never cropped
// again; the mark survives nothing it should not and its reader cannot be pushed past the bytes; import
// of uncropped pictures makes face crops in which the detector finds the face again, centred; tight face
// crops (ORL's 92×112) are found; pictures without a face are counted, not stored; train and the gallery
// skip them.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class CanonicalCropTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("canonical-crop") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A colour-bar test card: no face anywhere.
    static func testCard(width: Int = 320, height: Int = 240) -> RGBImage {
        let bars: [[UInt8]] = [[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235]]
        var pixels = [UInt8]()
        for _ in 0..<height { for column in 0..<width { pixels += bars[column * bars.count / width] } }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// A face finder that fails the test when asked: stored photos must never reach it.
    final class ForbiddenFinder: FaceFinder {
        func canonicalFaces(in image: RGBImage, most: Int) -> [FoundFace] {
            XCTFail("a stored photo was cropped again")
            return []
        }
    }

    func testTheMarkRoundTripsAndAMarkedPhotoIsUsedAsItIs() throws {
        let face = try SyntheticFrames.face(subject: 3, number: 1).storedFace()
        for mode in CropMode.allCases {
            let marked = try face.storedJPEG(markedAs: mode)
            XCTAssertEqual(CanonicalMark.mode(of: marked), mode)
            let unmarked = try face.jpegData(quality: StoredPhoto.jpegQuality)
            XCTAssertNil(CanonicalMark.mode(of: unmarked))
            XCTAssertEqual(try RGBImage.decode(marked, path: "marked").pixels, try RGBImage.decode(unmarked, path: "unmarked").pixels,
                           "the mark is a comment: decoders see the same picture")
        }
        let cropper = PhotoCropper(mode: .face, faceFinder: { ForbiddenFinder() })
        let marked = try face.storedJPEG(markedAs: .centre)
        let crop = try XCTUnwrap(try cropper.crop(try RGBImage.decode(marked, path: "p"), mark: CanonicalMark.mode(of: marked)))
        XCTAssertEqual(crop.origin, .stored)
        XCTAssertEqual(crop.mode, .centre, "a copy of it keeps the mode it was made in")
        XCTAssertNil(crop.face)
    }

    func testTheMarkReaderNeverReadsPastTheBytesOrTrustsOtherComments() throws {
        let marked = [UInt8](try Self.testCard(width: 40, height: 40).storedJPEG(markedAs: .face))
        let unmarked = [UInt8](try Self.testCard(width: 40, height: 40).jpegData(quality: 90))
        for length in 0..<min(marked.count, 200) {
            let mode = CanonicalMark.mode(of: Data(marked.prefix(length)))
            XCTAssertTrue(mode == nil || mode == .face, "prefix \(length)")
        }
        func comment(_ text: String) -> Data {
            let bytes = Array(text.utf8)
            return Data([0xFF, 0xD8, 0xFF, 0xFE, UInt8((bytes.count + 2) >> 8), UInt8((bytes.count + 2) & 0xFF)] + bytes + unmarked.dropFirst(2))
        }
        XCTAssertNil(CanonicalMark.mode(of: comment("made by a camera")))
        XCTAssertEqual(CanonicalMark.mode(of: comment("facever canonical-crop v1 mode=fixed")), .fixed, "found after other segments too")
        XCTAssertNil(CanonicalMark.mode(of: comment("facever canonical-crop v1 mode=sideways")), "an unknown mode is no mark")
        XCTAssertNil(CanonicalMark.mode(of: Data([0xFF, 0xD8, 0xFF, 0xFE, 0xFF, 0xFF, 0x41])), "a length past the end")
        XCTAssertNil(CanonicalMark.mode(of: Data([0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x01])), "a length shorter than itself")
        XCTAssertNil(CanonicalMark.mode(of: try Self.testCard(width: 40, height: 40).pngData()), "not a JPEG")
    }

    func testImportOfUncroppedPicturesMakesCentredFaceCropsAndCountsThoseWithoutAFace() throws {
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        // Off-centre faces in camera-sized pictures (a centre square would cut them), and a test card.
        for (index, (subject, left)) in [(1, 30), (5, 420), (7, 250)].enumerated() {
            let frame = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: subject, number: 2), left: left, top: 100)
            try frame.pngData().write(to: source.appendingPathComponent("frame\(index).png"))
        }
        try Self.testCard().pngData().write(to: source.appendingPathComponent("card.png"))
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        let report = try ImageImporter.run(source: source, into: layout.folder(.anchor), cropper: .detecting(.face))
        XCTAssertEqual(report.imported, 3)
        XCTAssertEqual(report.withoutFace, 1, "the test card")
        let detector = try FaceDetector()
        for file in try DataLayout.imageFiles(in: layout.folder(.anchor)) {
            let bytes = try Data(contentsOf: file)
            XCTAssertEqual(CanonicalMark.mode(of: bytes), .face, file.lastPathComponent)
            let photo = try RGBImage.decode(bytes, path: file.path)
            XCTAssertEqual([photo.width, photo.height], [StoredPhoto.side, StoredPhoto.side])
            let again = try XCTUnwrap(detector.largestFace(in: photo), "the face is found again in \(file.lastPathComponent)")
            let side = Double(StoredPhoto.side)
            XCTAssertEqual(again.centreX, side / 2, accuracy: 0.15 * side, file.lastPathComponent)
            XCTAssertEqual(again.centreY, side / 2, accuracy: 0.15 * side, file.lastPathComponent)
            XCTAssertGreaterThan(Double(again.width), 0.4 * side, "a face crop, not a wide view")
        }
    }

    func testTightFaceCropsAreFoundAndAligned() throws {
        // ORL's pictures are 92×112 faces with almost no background: the search border makes them findable.
        let pipeline = try FacePipeline()
        var found = 0, aligned = 0, total = 0
        for subject in 1...5 {
            for number in 1...10 {
                let picture = try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm"))
                total += 1
                guard let result = pipeline.canonicalFace(in: picture) else { continue }
                found += 1
                if result.eyes != nil { aligned += 1 }
                XCTAssertGreaterThan(result.face.width, 40, "the box is in the input's pixels")
                XCTAssertLessThanOrEqual(result.face.x + result.face.width / 2, picture.width)
            }
        }
        XCTAssertGreaterThanOrEqual(found, total * 95 / 100, "\(found) of \(total) faces found")
        XCTAssertGreaterThanOrEqual(aligned, total * 85 / 100, "\(aligned) of \(total) aligned by the eyes")
    }

    func testTrainingDataAndTheGallerySkipPhotosWithoutAFace() throws {
        let layout = try FixtureData.makeWorkflowData(in: root)
        try Self.testCard().pngData().write(to: layout.folder(.anchor).appendingPathComponent("card.png"))
        let dataset = try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative],
                                      input: EmbeddingArchitecture.tiny.inputFormat, cropper: .detecting(.face))
        XCTAssertEqual(dataset.withoutFace, ["anchor/card.png"])
        XCTAssertFalse(dataset.photos.contains { $0.relativePath == "anchor/card.png" })
        XCTAssertTrue(dataset.skipped.isEmpty)

        let gallery = layout.folder(.verification)
        try Self.testCard().pngData().write(to: gallery.appendingPathComponent("card.png"))
        let modelURL = root.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let verifier = try Verifier(model: model, galleryFolder: gallery, thresholds: Thresholds(), cropper: .detecting(.face))
        XCTAssertEqual(verifier.report.skipped.map(\.problem), ["no face found"])
        XCTAssertFalse(verifier.galleryPaths.contains { $0.lastPathComponent == "card.png" })
    }
}
