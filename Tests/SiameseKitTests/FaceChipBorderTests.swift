// FaceChipBorderTests.swift — what a face chip shows past the photo's edge: black (dlib's) leaves those
// pixels at 0; mirror shows the photo reflected at its edge, exactly what a black-bordered chip of the
// photo padded by reflection shows. Inside the photo both borders give the same chip, and the border is
// part of a ResNet model's architecture (its JSON, its digest, the chipper a loaded model cuts with).
import Foundation
@testable import SiameseKit
import Tensor
import XCTest

final class FaceChipBorderTests: XCTestCase {
    /// A picture whose values never reach 0: 3 channels of a smooth pattern with noise.
    private func picture(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var generator = RandomGenerator(seed: seed)
        let pixels = (0..<(width * height * 3)).map { i -> UInt8 in
            let (row, column) = (i / 3 / width, i / 3 % width)
            return UInt8(20 + (row * 3 + column * 5 + i % 3 * 40) % 200 + Int.random(in: 0..<30, using: &generator))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The picture reflected by `margin` pixels on every side (row −1 shows row 0): the naive reference.
    private func reflectPadded(_ image: RGBImage, margin: Int) -> RGBImage {
        func source(_ i: Int, _ count: Int) -> Int { i < 0 ? -i - 1 : (i >= count ? 2 * count - i - 1 : i) }
        let (width, height) = (image.width + 2 * margin, image.height + 2 * margin)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            for column in 0..<width {
                let (r, c) = (source(row - margin, image.height), source(column - margin, image.width))
                for channel in 0..<3 { pixels[3 * (row * width + column) + channel] = image.pixels[3 * (r * image.width + c) + channel] }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Landmarks that put a face of `scale` times the chip's size, turned by `angle`, at `centre`.
    private func landmarks(geometry: FaceChipGeometry, scale: Double, angle: Double, centre: Point) -> [Point] {
        let middle = Double(geometry.size) / 2
        return geometry.chipPoints.map { point in
            let (x, y) = ((point.x - middle) * scale, (point.y - middle) * scale)
            return Point(x: centre.x + cos(angle) * x - sin(angle) * y, y: centre.y + sin(angle) * x + cos(angle) * y)
        }
    }

    func testTheChipHasTheReferenceImplementationsBits() {
        // Faces inside the photo, off its edges (negative coordinates too), turned both ways, shrunk and enlarged,
        // with both borders: the chip (raw buffers, no floor call, three channels per pixel) and the reference
        // (the header's formula value by value) give the same bytes.
        let photo = picture(width: 90, height: 110, seed: 7)
        for geometry in [FaceChipGeometry.dlibFaceRecognition, FaceChipGeometry.dlibFaceRecognition.with(border: .mirror),
                         FaceChipGeometry(size: 40, padding: 0.1)] {
            for (scale, angle, centre) in [(0.3, 0.0, Point(x: 45, y: 55)), (0.8, 0.2, Point(x: 40, y: 60)),
                                           (0.5, -0.7, Point(x: -5, y: 100)), (1.7, 3.0, Point(x: 95.5, y: -3.25))] {
                let points = landmarks(geometry: geometry, scale: scale, angle: angle, centre: centre)
                let chip = photo.faceChip(landmarks: points, geometry: geometry)
                XCTAssertEqual(chip.pixels, photo.referenceFaceChip(landmarks: points, geometry: geometry).pixels,
                               "\(geometry), scale \(scale), angle \(angle)")
                XCTAssertGreaterThan(Set(chip.pixels).count, 50, "a chip with content")
            }
        }
    }

    func testAMirroredChipIsTheBlackChipOfThePhotoPaddedByReflection() {
        // A 90 × 110 photo, the face turned 0.2 rad and larger than the photo: the chip runs off every side.
        let photo = picture(width: 90, height: 110, seed: 5)
        let geometry = FaceChipGeometry.dlibFaceRecognition
        let points = landmarks(geometry: geometry, scale: 0.8, angle: 0.2, centre: Point(x: 40, y: 60))
        let mirrored = photo.faceChip(landmarks: points, geometry: geometry.with(border: .mirror))
        let black = photo.faceChip(landmarks: points, geometry: geometry)
        let margin = 80
        let padded = reflectPadded(photo, margin: margin)
        let reference = padded.faceChip(landmarks: points.map { Point(x: $0.x + Double(margin), y: $0.y + Double(margin)) },
                                        geometry: geometry)
        XCTAssertEqual(reference.pixels.filter { $0 == 0 }.count, 0, "the padded photo holds the whole chip")
        // The same samples a shifted transform takes: equal but for the last bit of a coordinate.
        let differences = zip(mirrored.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(differences.max() ?? 0, 1)
        XCTAssertLessThan(differences.filter { $0 > 0 }.count, mirrored.pixels.count / 1000)
        // The black chip is 0 exactly where the sample left the photo, and the mirrored one equals it elsewhere.
        let outside = black.pixels.indices.filter { black.pixels[$0] == 0 }
        XCTAssertGreaterThan(outside.count, mirrored.pixels.count / 10, "the chip runs off the photo")
        XCTAssertFalse(outside.contains { mirrored.pixels[$0] == 0 })
        XCTAssertTrue(black.pixels.indices.allSatisfy { black.pixels[$0] == 0 || black.pixels[$0] == mirrored.pixels[$0] })
    }

    func testBothBordersCutTheSameChipInsideThePhoto() {
        let photo = picture(width: 300, height: 300, seed: 9)
        let geometry = FaceChipGeometry.dlibFaceRecognition
        let points = landmarks(geometry: geometry, scale: 1.1, angle: -0.1, centre: Point(x: 150, y: 150))
        XCTAssertEqual(photo.faceChip(landmarks: points, geometry: geometry).pixels,
                       photo.faceChip(landmarks: points, geometry: geometry.with(border: .mirror)).pixels)
    }

    func testAChipBeyondTheMirrorImageHoldsItsOuterEdge() {
        // Landmarks far to the right of a 40 × 40 photo (x 485…515): past the photo and past its mirror image
        // (x 40…79), where the chip holds the mirror image's outermost column, the photo's column 0 (255; the
        // nearest column, 39, is 1).
        var pixels = picture(width: 40, height: 40, seed: 2).pixels
        for row in 0..<40 {
            for channel in 0..<3 { (pixels[3 * (row * 40) + channel], pixels[3 * (row * 40 + 39) + channel]) = (255, 1) }
        }
        let photo = RGBImage(width: 40, height: 40, pixels: pixels)
        let geometry = FaceChipGeometry.dlibFaceRecognition.with(border: .mirror)
        let chip = photo.faceChip(landmarks: landmarks(geometry: geometry, scale: 0.2, angle: 0, centre: Point(x: 500, y: 20)),
                                  geometry: geometry)
        XCTAssertEqual(Set(chip.pixels), [255])
        // Landmarks that are not numbers: nothing to sample, the chip left black, no trap.
        let nan = photo.faceChip(landmarks: [Point](repeating: Point(x: .nan, y: .nan), count: 5), geometry: geometry)
        XCTAssertEqual(nan.pixels.count, 150 * 150 * 3)
    }

    func testTheBorderIsPartOfAResNetsArchitecture() throws {
        var architecture = ResNetArchitecture.dlibFaceRecognition
        XCTAssertEqual(architecture.chipGeometry.border, .black, "nil, as in files from before the border existed: dlib's")
        XCTAssertFalse(architecture.jsonString().contains("chipBorder"))
        architecture.chipBorder = .mirror
        XCTAssertEqual(architecture.chipGeometry, FaceChipGeometry.dlibFaceRecognition.with(border: .mirror))
        let stored = try NetworkArchitecture.stored(in: NetworkArchitecture.resnet(architecture).jsonString(), path: "m")
        XCTAssertEqual(stored.chipGeometry.border, .mirror)
        XCTAssertEqual(NetworkArchitecture.koch(.tutorial).chipGeometry, .dlibFaceRecognition)
    }
}
