// CalibrationTests.swift — verify's rule on held-out probes: TAR and FAR counted by hand on a tiny case,
// and calibration on synthetic score distributions reaching the requested FAR.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class CalibrationTests: XCTestCase {
    func testTheRuleIsCountedAsVerifyCountsIt() {
        // 4 gallery photos; shares above 0.5: 3/4, 1/4 (genuine), 2/4, 0/4 (impostors).
        let genuine: [[Float]] = [[0.9, 0.8, 0.7, 0.1], [0.6, 0.2, 0.1, 0.0]]
        let impostors: [[Float]] = [[0.9, 0.6, 0.3, 0.2], [0.1, 0.1, 0.2, 0.4]]
        let point = Calibration.operatingPoint(genuine: genuine, impostors: impostors, thresholds: Thresholds(detection: 0.5, verification: 0.4))
        XCTAssertEqual([point.acceptedGenuine, point.acceptedImpostors], [1, 1], "3/4 and 2/4 exceed 0.4")
        XCTAssertEqual(point.tar, 0.5)
        XCTAssertEqual(point.far, 0.5)
    }

    func testASharePreciselyAtTheThresholdIsNotAcceptedAfterTheFloatRounding() throws {
        // 50 gallery photos: 48/50 = 0.96, which Float(0.96) rounds down to 0.9599999785.
        func probe(matches: Int) -> [Float] { [Float](repeating: 0.9, count: matches) + [Float](repeating: 0.1, count: 50 - matches) }
        let impostors = [probe(matches: 48), probe(matches: 48), probe(matches: 48), probe(matches: 10)]
        let genuine = [probe(matches: 50), probe(matches: 49)]
        let point = try XCTUnwrap(Calibration.calibrated(genuine: genuine, impostors: impostors, targetFAR: 0.25))
        XCTAssertLessThanOrEqual(point.far, 0.25, "at most one impostor of four")
        XCTAssertEqual(point.acceptedGenuine, 2)
        XCTAssertEqual(Calibration.floatNotBelow(0.96), Float(0.96).nextUp)
        XCTAssertEqual(Calibration.floatNotBelow(0.5), 0.5)
    }

    func testCalibrationReachesTheRequestedFAROnSyntheticScores() throws {
        var random = RandomGenerator(seed: 31)
        func probe(mean: Float) -> [Float] { (0..<20).map { _ in min(1, max(0, mean + random.uniform(-0.35, 0.35))) } }
        let genuine = (0..<200).map { _ in probe(mean: 0.7) }
        let impostors = (0..<400).map { _ in probe(mean: 0.35) }
        var previousTAR = 1.0
        for target in [0.2, 0.05, 0.01, 0.0025] {
            let point = try XCTUnwrap(Calibration.calibrated(genuine: genuine, impostors: impostors, targetFAR: target))
            XCTAssertLessThanOrEqual(point.far, target, "FAR at the calibrated thresholds")
            XCTAssertLessThanOrEqual(point.tar, previousTAR, "a stricter FAR never buys more TAR")
            // Recounting at the returned thresholds gives the same figures.
            XCTAssertEqual(Calibration.operatingPoint(genuine: genuine, impostors: impostors, thresholds: point.thresholds), point)
            previousTAR = point.tar
        }
        XCTAssertGreaterThan(try XCTUnwrap(Calibration.calibrated(genuine: genuine, impostors: impostors, targetFAR: 0.05)).tar, 0.8,
                             "well-separated scores keep most of the user at FAR 5 %")
        XCTAssertEqual(Calibration.impostorsNeeded(toMeasure: 0.001), 1000)
        XCTAssertNil(Calibration.calibrated(genuine: [], impostors: impostors, targetFAR: 0.01))
    }

    func testTheVerificationThresholdSitsMidwayBetweenTheImpostorsAndTheUser() throws {
        // At detection 0.5: impostor shares 0.0 and 0.1, the user's 0.8 and 0.9 (galleries of 10 photos).
        func probe(_ matches: Int) -> [Float] { [Float](repeating: 0.9, count: matches) + [Float](repeating: 0.1, count: 10 - matches) }
        let point = try XCTUnwrap(Calibration.calibrated(genuine: [probe(8), probe(9)], impostors: [probe(0), probe(1)], targetFAR: 0))
        XCTAssertEqual(point.thresholds.detection, 0.5)
        // Any v in [0.1, 0.8) separates them; the one chosen leaves room on both sides (not 0.1, where a
        // stranger with two matches would pass).
        XCTAssertEqual(point.thresholds.verification, 0.45, accuracy: 1e-6)
        XCTAssertEqual([point.tar, point.far], [1, 0])
    }

    func testSavedThresholdsAreReadBackWithTheirSourceAndTheSameWeights() throws {
        let folder = try TestPaths.temporaryFolder("saved-thresholds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try SiameseNetwork(architecture: .tiny, seed: 1).save(to: url)
        let before = try TrainedModel.load(from: url)
        XCTAssertEqual(before.thresholds, .standard)
        XCTAssertEqual(before.thresholdsSource, "the tutorial's defaults, stored at training")
        try before.savingThresholds(Thresholds(detection: 0.25, verification: 0.75), source: "calibrated in a test")
        let after = try TrainedModel.load(from: url)
        XCTAssertEqual(after.thresholds, Thresholds(detection: 0.25, verification: 0.75))
        XCTAssertEqual(after.thresholdsSource, "calibrated in a test")
        XCTAssertEqual(after.weightsDigest, before.weightsDigest)
        XCTAssertEqual(after.modelID, before.modelID)
        // Another model saved over the file meanwhile: the calibration of the first is not written into it.
        try SiameseNetwork(architecture: .tiny, seed: 2).save(to: url)
        XCTAssertThrowsError(try after.savingThresholds(Thresholds(detection: 0.1, verification: 0.1), source: "stale")) { error in
            XCTAssertTrue("\(error)".contains("the file now holds another model"), "\(error)")
        }
        XCTAssertEqual(try TrainedModel.load(from: url).thresholds, .standard)
    }
}
