// FacePipelineTests.swift — the canonical face crop: the similarity transform maps its points exactly, a
// face in a camera-like frame comes out as a StoredPhoto square in which the detector finds the face again,
// centred, a tilted face is turned level, a frame without a face gives no crop, and the second face cascade
// searches only where the first finds nothing.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class FacePipelineTests: XCTestCase {
    func testTheSimilarityTransformMapsBothPointsExactly() {
        let from = (Point(x: 10, y: 20), Point(x: 50, y: 35)), to = (Point(x: 89, y: 103), Point(x: 161, y: 103))
        let transform = SimilarityTransform(mapping: from, to: to)
        for (source, target) in [(from.0, to.0), (from.1, to.1)] {
            let mapped = transform.apply(source)
            XCTAssertEqual(mapped.x, target.x, accuracy: 1e-9)
            XCTAssertEqual(mapped.y, target.y, accuracy: 1e-9)
        }
        XCTAssertEqual(transform.angle * 180 / .pi, -atan2(15, 40) * 180 / .pi, accuracy: 1e-9, "levels the tilted line")
        // Warping by a pure shift moves the pixels by whole pixels, unchanged.
        let image = SyntheticFrames.frame(face: try! SyntheticFrames.face(subject: 2, number: 1), left: 10, top: 10)
        let shifted = image.warped(by: SimilarityTransform(mapping: (Point(x: 0, y: 0), Point(x: 1, y: 0)),
                                                           to: (Point(x: -5, y: -7), Point(x: -4, y: -7))), width: 100, height: 100)
        XCTAssertEqual(Array(shifted.pixels[0..<300]), Array(image.cropped(left: 5, top: 7, width: 100, height: 1).pixels))
    }

    private func pipeline() throws -> FacePipeline { try FacePipeline() }

    func testAFaceInAFrameBecomesACentredCanonicalCrop() throws {
        let pipeline = try pipeline()
        var aligned = 0
        for subject in [1, 3, 5, 7] {
            let frame = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: subject, number: 1), left: 230, top: 120)
            let result = try XCTUnwrap(pipeline.canonicalFace(in: frame), "s\(subject)")
            XCTAssertEqual([result.photo.width, result.photo.height], [StoredPhoto.side, StoredPhoto.side])
            let again = try XCTUnwrap(pipeline.faces.largestFace(in: result.photo), "the face is found again in its crop (s\(subject))")
            XCTAssertEqual(again.centreX, Double(StoredPhoto.side) / 2, accuracy: 0.15 * Double(StoredPhoto.side), "s\(subject)")
            XCTAssertEqual(again.centreY, Double(StoredPhoto.side) / 2, accuracy: 0.15 * Double(StoredPhoto.side), "s\(subject)")
            XCTAssertGreaterThan(Double(again.width), 0.4 * Double(StoredPhoto.side))
            if result.eyes != nil { aligned += 1 }
        }
        XCTAssertGreaterThanOrEqual(aligned, 3, "the eyes are found in most upright faces")
        XCTAssertNil(pipeline.canonicalFace(in: SyntheticFrames.frame()), "no face, no crop")
    }

    func testATiltedFaceIsTurnedLevel() throws {
        let pipeline = try pipeline()
        var measured = 0
        for subject in [1, 3, 5, 7] {
            let frame = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: subject, number: 1), left: 230, top: 120)
            let centre = Point(x: 230 + Double(SyntheticFrames.faceWidth) / 2, y: 120 + Double(SyntheticFrames.faceHeight) / 2)
            // Turn the frame's content 12° clockwise on screen about the face's centre.
            let turn = 12 * Double.pi / 180
            let offset = Point(x: centre.x + 10 * cos(turn), y: centre.y + 10 * sin(turn))
            let tilted = frame.warped(by: SimilarityTransform(mapping: (centre, Point(x: centre.x + 10, y: centre.y)), to: (centre, offset)),
                                      width: frame.width, height: frame.height)
            guard let result = pipeline.canonicalFace(in: tilted), result.eyes != nil else { continue }
            measured += 1
            XCTAssertEqual(result.rotationDegrees, -12, accuracy: 6, "s\(subject): turned back about 12°")
        }
        XCTAssertGreaterThanOrEqual(measured, 2, "eyes found in at least two tilted faces")
    }

    func testTheSecondCascadeSearchesOnlyWhereTheFirstFindsNoFace() throws {
        let frame = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 1, number: 1), left: 230, top: 120)
        let catCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalcatface.xml"  // finds no person's face
        let alone = try FacePipeline(faceCascade: catCascade, secondCascade: nil)
        XCTAssertNil(alone.canonicalFace(in: frame), "the first cascade alone finds nothing here")
        let backed = try FacePipeline(faceCascade: catCascade, secondCascade: FaceDetector.defaultCascade)
        XCTAssertFalse(backed.hasLoadedSecondCascade, "loaded when a picture needs it, not before")
        let found = try XCTUnwrap(backed.canonicalFace(in: frame), "the second cascade finds the face")
        XCTAssertTrue(backed.hasLoadedSecondCascade)
        XCTAssertEqual(found.photo, try XCTUnwrap(try FacePipeline(secondCascade: nil).canonicalFace(in: frame)).photo,
                       "the same crop as the second cascade makes as the first")
        XCTAssertNil(backed.canonicalFace(in: SyntheticFrames.frame()), "no face for either: no crop")

        // A face the first cascade finds never loads the second, and is cropped as without it.
        let standard = try FacePipeline(secondCascade: "/nonexistent/second.xml")
        XCTAssertEqual(try XCTUnwrap(standard.canonicalFace(in: frame)).photo, found.photo)
        XCTAssertFalse(standard.hasLoadedSecondCascade)
        // A second cascade that cannot be loaded leaves the first's answer: no face.
        let broken = try FacePipeline(faceCascade: catCascade, secondCascade: "/nonexistent/second.xml")
        XCTAssertNil(broken.canonicalFace(in: frame))
    }

    func testEveryFaceOfAGroupPictureIsCroppedLargestFirst() throws {
        // Two bundled people side by side, the one on the right larger.
        let frame = SyntheticFrames.frame(faces: [(try SyntheticFrames.face(subject: 3, number: 1, scale: 1.6), 40, 140),
                                                  (try SyntheticFrames.face(subject: 1, number: 1), 380, 120)])
        let pipeline = try pipeline()
        let faces = pipeline.canonicalFaces(in: frame, most: .max)
        guard faces.count == 2 else { return XCTFail("\(faces.count) faces found, not 2") }
        XCTAssertEqual(faces.map(\.facesInPicture), [2, 2])
        XCTAssertGreaterThan(faces[0].face.centreX, 380, "the larger face first")
        XCTAssertLessThan(faces[1].face.centreX, 40 + 148)
        for found in faces {
            let again = try XCTUnwrap(pipeline.faces.largestFace(in: found.photo), "each crop holds its face")
            XCTAssertEqual(again.centreX, Double(StoredPhoto.side) / 2, accuracy: 0.15 * Double(StoredPhoto.side))
        }
        // The largest alone, knowing there were two; the cropper gives the others only when asked.
        let largest = try XCTUnwrap(pipeline.canonicalFace(in: frame))
        XCTAssertEqual(largest.photo, faces[0].photo)
        XCTAssertEqual(largest.facesInPicture, 2)
        let cropper = PhotoCropper(mode: .face, faceFinder: { pipeline })
        let alone = try XCTUnwrap(try cropper.crop(frame))
        XCTAssertEqual([alone.facesInPicture, alone.otherFaces.count], [2, 0])
        let every = try XCTUnwrap(try cropper.crop(frame, everyFace: true))
        XCTAssertEqual(every.photo, faces[0].photo)
        XCTAssertEqual(every.otherFaces.map(\.photo), [faces[1].photo])
        XCTAssertEqual(every.otherFaces.map(\.face), [faces[1].face])
        // One face: a count of one.
        let single = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 1, number: 1), left: 230, top: 120)
        XCTAssertEqual(pipeline.canonicalFaces(in: single, most: .max).map(\.facesInPicture), [1])
    }

    func testStrayAndRepeatedBoxesAreNotCountedAsFaces() {
        let face = FaceBox(x: 100, y: 100, width: 100, height: 100)
        let beside = FaceBox(x: 300, y: 100, width: 50, height: 50)       // half as wide: a face
        let stray = FaceBox(x: 10, y: 10, width: 30, height: 30)          // under half: not counted
        let inside = FaceBox(x: 120, y: 120, width: 60, height: 60)       // its centre within the face: the same face
        let overlapping = FaceBox(x: 180, y: 20, width: 70, height: 70)   // overlaps, centre outside: a face
        XCTAssertEqual(FacePipeline.distinctFaces([face, overlapping, inside, beside, stray]), [face, overlapping, beside])
        XCTAssertEqual(FacePipeline.distinctFaces([]), [])
    }

    func testSmallFacesInALargePictureAreFound() throws {
        // A 2400×1800 photo of three people whose faces are 147 pixels wide, a twelfth of its shorter side:
        // under the search picture's smallest face (a tenth of 2,700 pixels), found by the finer search.
        let people = [1, 20, 3]
        let photo = SyntheticFrames.frame(faces: try people.enumerated().map { index, subject in
            (try SyntheticFrames.face(subject: subject, number: 1, scale: 1.6), 300 + 700 * index, 800)
        }, width: 2400, height: 1800)
        let pipeline = try pipeline()
        XCTAssertEqual(pipeline.faces.faces(in: photo, minimumSide: 270).count, 0, "none as wide as the search picture's smallest")
        let found = pipeline.canonicalFaces(in: photo, most: .max)
        XCTAssertEqual(found.count, 3)
        for (index, face) in found.sorted(by: { $0.face.x < $1.face.x }).enumerated() {
            XCTAssertEqual(face.face.centreX, Double(300 + 700 * index) + 73, accuracy: 25, "face \(index) in the input's pixels")
            XCTAssertEqual(face.face.centreY, 800 + 90, accuracy: 30)
            XCTAssertEqual(Double(face.face.width), 147, accuracy: 40)
            let again = try XCTUnwrap(pipeline.faces.largestFace(in: face.photo), "each crop holds its face")
            XCTAssertEqual(again.centreX, Double(StoredPhoto.side) / 2, accuracy: 0.15 * Double(StoredPhoto.side))
        }
        // The finer search keeps only faces the second cascade finds too (a cat-face cascade there finds none);
        // without a second cascade, every face it finds.
        let catCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalcatface.xml"
        XCTAssertEqual(try FacePipeline(secondCascade: catCascade).canonicalFaces(in: photo, most: .max).count, 0)
        XCTAssertEqual(try FacePipeline(secondCascade: nil).canonicalFaces(in: photo, most: .max).count, 3)
        // Smaller than a twenty-fifth of the shorter side (here 72 pixels) is not looked for.
        let tiny = SyntheticFrames.frame(faces: [(try SyntheticFrames.face(subject: 1, number: 1, scale: 0.6), 1000, 800)],
                                         width: 2400, height: 1800)
        XCTAssertNil(pipeline.canonicalFace(in: tiny))
    }

    func testAFaceInADimPictureIsFoundOnceItsLevelsAreStretched() throws {
        // A face photographed in a dim room: every value under 32.
        let bright = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 1, number: 1), left: 230, top: 120)
        let dim = RGBImage(width: bright.width, height: bright.height, pixels: bright.pixels.map { UInt8(Int($0) * 12 / 100) })
        let pipeline = try pipeline()
        XCTAssertTrue(pipeline.facesCropped(in: dim, most: 1).isEmpty, "as it is, no face is found")
        let found = try XCTUnwrap(pipeline.canonicalFace(in: dim))
        XCTAssertEqual(found.face.centreX, 230 + 92, accuracy: 30)
        let stretched = try XCTUnwrap(dim.levelsStretched())
        XCTAssertEqual(found.photo, try XCTUnwrap(pipeline.canonicalFace(in: stretched)).photo, "cut from the stretched picture")
        XCTAssertGreaterThan(found.photo.pixels.max() ?? 0, 200)
        // A dim picture without a face is still none.
        let empty = RGBImage(width: 640, height: 480, pixels: SyntheticFrames.frame().pixels.map { UInt8(Int($0) * 12 / 100) })
        XCTAssertNil(pipeline.canonicalFace(in: empty))
    }

    func testAHeadTiltedPastTheCascadesIsFoundInTheTurnedPicture() throws {
        // A face tilted by 30° (about the frame's centre, where the face is).
        let upright = SyntheticFrames.frame(face: try SyntheticFrames.face(subject: 1, number: 1), left: 228, top: 128)
        let centre = Point(x: 320, y: 240), angle = 30 * Double.pi / 180
        let tilt = SimilarityTransform(mapping: (centre, Point(x: 321, y: 240)), to: (centre, Point(x: 320 + cos(angle), y: 240 + sin(angle))))
        let tilted = upright.warped(by: tilt, width: 640, height: 480)
        let pipeline = try pipeline()
        XCTAssertTrue(pipeline.facesCropped(in: tilted, most: 1).isEmpty, "as it is, no face is found")
        let found = try XCTUnwrap(pipeline.canonicalFace(in: tilted))
        XCTAssertEqual(found.face.centreX, 320, accuracy: 40, "the box in the tilted picture's pixels")
        XCTAssertEqual(found.face.centreY, 240, accuracy: 50)
        XCTAssertEqual(abs(found.rotationDegrees), 25, accuracy: 15, "turned by about the tilt")
        let again = try XCTUnwrap(pipeline.faces.largestFace(in: found.photo), "the crop holds an upright face")
        XCTAssertEqual(again.centreX, Double(StoredPhoto.side) / 2, accuracy: 0.15 * Double(StoredPhoto.side))
        // A turned picture's face counts only when the second cascade finds it too.
        let catCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalcatface.xml"
        XCTAssertNil(try FacePipeline(secondCascade: catCascade).canonicalFace(in: tilted))
    }
}
