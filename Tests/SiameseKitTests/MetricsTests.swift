// MetricsTests.swift — precision, recall, accuracy, ROC AUC and EER on examples worked out by hand.
@testable import SiameseKit
import XCTest

final class MetricsTests: XCTestCase {
    func testMetricsOnAHandWorkedExample() {
        // Same pairs score 0.9, 0.8, 0.3; different pairs 0.6, 0.2, 0.1. Threshold 0.5:
        // TP 2 (0.9, 0.8), FN 1 (0.3), FP 1 (0.6), TN 2.
        let metrics = BinaryMetrics(scores: [0.9, 0.8, 0.3, 0.6, 0.2, 0.1], labels: [1, 1, 1, 0, 0, 0], threshold: 0.5)
        XCTAssertEqual(metrics.confusion, ConfusionMatrix(truePositives: 2, falsePositives: 1, trueNegatives: 2, falseNegatives: 1))
        XCTAssertEqual(metrics.precision, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.accuracy, 4.0 / 6, accuracy: 1e-12)
        // Of the 9 (same, different) score pairs, 8 are ordered correctly: 0.3 < 0.6 is the only miss.
        XCTAssertEqual(metrics.rocAUC, 8.0 / 9, accuracy: 1e-12)
        // "same when score > 0.3": FRR 1/3 (0.3 rejected), FAR 1/3 (0.6 accepted).
        XCTAssertEqual(metrics.equalErrorRate, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.equalErrorThreshold, 0.3)
    }

    func testTiesAndDegenerateCases() {
        XCTAssertEqual(BinaryMetrics(scores: [0.5, 0.5, 0.5, 0.5], labels: [1, 0, 1, 0], threshold: 0.5).rocAUC, 0.5)
        let perfect = BinaryMetrics(scores: [0.99, 0.98, 0.01], labels: [1, 1, 0], threshold: 0.5)
        XCTAssertEqual(perfect.rocAUC, 1)
        XCTAssertEqual(perfect.equalErrorRate, 0)
        XCTAssertEqual(perfect.accuracy, 1)
        XCTAssertTrue(perfect.separatesPerfectly, "evaluate then says the held-out set is too easy")
        XCTAssertFalse(BinaryMetrics(scores: [0.9, 0.8, 0.3, 0.6, 0.2, 0.1], labels: [1, 1, 1, 0, 0, 0], threshold: 0.5).separatesPerfectly)
        XCTAssertFalse(BinaryMetrics(scores: [0.9, 0.4, 0.45], labels: [1, 1, 0], threshold: 0.42).separatesPerfectly)
        let nothingPredicted = BinaryMetrics(scores: [0.1, 0.2], labels: [1, 0], threshold: 0.5)
        XCTAssertEqual(nothingPredicted.precision, 0, "precision is 0 when nothing is predicted same")
        XCTAssertEqual(nothingPredicted.recall, 0)
        XCTAssertEqual(BinaryMetrics(scores: [0.7, 0.6], labels: [1, 1], threshold: 0.5).rocAUC, 0.5, "one class only")
    }
}
