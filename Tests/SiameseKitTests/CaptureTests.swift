// CaptureTests.swift — video in and out, the Haar cascade on real faces, and the crop following the face.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class CaptureTests: XCTestCase {
    func testCascadeFindsTheFaceOnARealPhoto() throws {
        let detector = try FaceDetector()
        for (subject, number) in [(1, 1), (2, 3), (7, 5), (12, 2)] {
            let face = try SyntheticFrames.face(subject: subject, number: number)
            let frame = SyntheticFrames.frame(face: face, left: 300, top: 150)
            let box = try XCTUnwrap(detector.largestFace(in: frame), "no face found in s\(subject)/\(number)")
            // The box lies on the pasted photo (give or take the cascade's own margin) and covers the face.
            XCTAssertGreaterThanOrEqual(box.x, 300 - 25)
            XCTAssertLessThanOrEqual(box.x + box.width, 300 + SyntheticFrames.faceWidth + 25)
            XCTAssertGreaterThanOrEqual(box.y, 150 - 25)
            XCTAssertLessThanOrEqual(box.y + box.height, 150 + SyntheticFrames.faceHeight + 25)
            XCTAssertGreaterThan(box.width, SyntheticFrames.faceWidth / 3, "s\(subject)/\(number): \(box)")
            XCTAssertEqual(box.centreX, 300 + Double(SyntheticFrames.faceWidth) / 2, accuracy: 40)
        }
        XCTAssertNil(detector.largestFace(in: SyntheticFrames.frame()), "a plain frame has no face")
    }

    func testAMissingOrInvalidCascadeIsAClearError() throws {
        XCTAssertThrowsError(try FaceDetector(cascadePath: "/nowhere/cascade.xml")) { error in
            XCTAssertEqual("\(error)", "/nowhere/cascade.xml: no such cascade file (install opencv-data, or pass --cascade)")
        }
        let folder = try TestPaths.temporaryFolder("cascade")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bogus = folder.appendingPathComponent("bogus.xml")
        try Data("<opencv_storage><nothing/></opencv_storage>".utf8).write(to: bogus)
        XCTAssertThrowsError(try FaceDetector(cascadePath: bogus.path)) { error in
            XCTAssertEqual("\(error)", "\(bogus.path): not an OpenCV cascade file")
        }
    }

    func testVideoRoundTripAndTheCropFollowsTheFace() throws {
        let folder = try TestPaths.temporaryFolder("video")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("faces.avi")
        let lefts = try SyntheticFrames.writeVideo(to: url, faceFrames: 12, emptyFrames: 5)
        let source = try VideoSource.file(url.path)
        XCTAssertEqual(source.framesPerSecond, 10, accuracy: 0.01)
        let cropper = PhotoCropper.detecting(.face)
        var frames = 0, withoutFace = 0
        while let frame = try source.next() {
            XCTAssertEqual([frame.image.width, frame.image.height], [640, 480])
            guard let crop = try cropper.crop(frame.image) else {
                withoutFace += 1
                XCTAssertGreaterThanOrEqual(frames, 12, "frame \(frames) has a face but none was found")
                frames += 1
                continue
            }
            XCTAssertEqual([crop.photo.width, crop.photo.height], [250, 250])
            let faceCentre = Double(lefts[frames]) + Double(SyntheticFrames.faceWidth) / 2
            XCTAssertEqual(crop.face!.centreX, faceCentre, accuracy: 40, "frame \(frames): the crop follows the face")
            frames += 1
        }
        XCTAssertEqual(frames, 17)
        XCTAssertEqual(withoutFace, 5)
    }

    func testFixedCropIsTheTutorialsWindow() throws {
        var pixels = [UInt8](repeating: 0, count: 640 * 480 * 3)
        for row in 120..<370 { for column in 200..<450 { pixels[(row * 640 + column) * 3] = 255 } }
        let crop = try PhotoCropper(mode: .fixed).crop(RGBImage(width: 640, height: 480, pixels: pixels))!
        XCTAssertEqual([crop.photo.width, crop.photo.height], [250, 250])
        XCTAssertTrue(stride(from: 0, to: crop.photo.pixels.count, by: 3).allSatisfy { crop.photo.pixels[$0] == 255 },
                      "exactly rows 120–370, columns 200–450")
        // A smaller frame is clamped rather than failing.
        let small = try PhotoCropper(mode: .fixed).crop(RGBImage(width: 320, height: 240, pixels: [UInt8](repeating: 9, count: 320 * 240 * 3)))
        XCTAssertEqual(small?.photo.width, 250)
    }

    func testMissingCameraAndVideoAreClearErrors() {
        XCTAssertThrowsError(try VideoSource.camera(7)) { error in
            XCTAssertTrue("\(error)".hasPrefix("/dev/video7: no camera at /dev/video7"), "\(error)")
        }
        XCTAssertThrowsError(try VideoSource.file("/nowhere/clip.avi")) { error in
            XCTAssertEqual("\(error)", "/nowhere/clip.avi: no such file; check the path, or convert the video to MP4 or AVI")
        }
    }
}
