// TrainingHistoryTests.swift — a model's training history as stored in its metadata: the same history
// always gives the same text (keys sorted, not in a hash table's order, which changes from run to run),
// and the text reads back to the same records.
@testable import SiameseKit
import XCTest

final class TrainingHistoryTests: XCTestCase {
    func testTheStoredHistoryHasSortedKeysAndReadsBack() throws {
        let history = [
            EpochRecord(epoch: 1, trainingLoss: 0.5, heldOutLoss: 0.25, heldOutAccuracy: 0.75, pairsPerSecond: 30),
            EpochRecord(epoch: 2, trainingLoss: 0.125, heldOutLoss: nil, heldOutAccuracy: nil, pairsPerSecond: 31, heldOutOneShot: 0.5),
        ]
        let text = TrainingHistory.json(history)
        XCTAssertEqual(text, #"[{"epoch":1,"heldOutAccuracy":0.75,"heldOutLoss":0.25,"pairsPerSecond":30,"trainingLoss":0.5},"#
                       + #"{"epoch":2,"heldOutOneShot":0.5,"pairsPerSecond":31,"trainingLoss":0.125}]"#)
        XCTAssertEqual(TrainingHistory.decode(text), history)
    }
}
