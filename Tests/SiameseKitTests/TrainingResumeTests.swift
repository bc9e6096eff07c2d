// TrainingResumeTests.swift — an interrupted and resumed run ends with exactly the weights of an
// uninterrupted run with the same seed; checkpoints refuse changed data or settings.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class TrainingResumeTests: XCTestCase {
    private var fixture: TrainingFixture!
    private var root: URL { fixture.root }
    private var layout: DataLayout { fixture.layout }
    private var settings: TrainingSettings { fixture.settings }

    override func setUpWithError() throws { fixture = try TrainingFixture("resume") }
    override func tearDownWithError() throws { fixture.remove() }

    private func dataset() throws -> FaceDataset { try fixture.dataset() }

    func testInterruptedThenResumedRunMatchesAnUninterruptedRunBitForBit() throws {
        try assertResumedRunMatchesUninterruptedRun(settings: settings)
    }

    func testResumeIsBitExactWithTripletBatchesAndBFloat16Products() throws {
        try XCTSkipUnless(MatrixPrecision.isBFloat16Available, "this CPU has no AVX512_BF16")
        var triplets = settings
        triplets.batchSize = 2  // one triplet per step
        triplets.batches = .triplets
        triplets.precision = .bfloat16
        try assertResumedRunMatchesUninterruptedRun(settings: triplets)
    }

    private func assertResumedRunMatchesUninterruptedRun(settings: TrainingSettings) throws {
        let straight = try TrainingSession.start(settings: settings, dataset: try dataset())
        var checkpoints = 0
        XCTAssertEqual(try straight.run(checkpoint: { _ in checkpoints += 1 }), .completed)
        XCTAssertEqual(checkpoints, 3, "one checkpoint per epoch")
        XCTAssertGreaterThan(straight.stepsPerEpoch, 2)

        // Stop in the middle of the second epoch, as Ctrl-C would, and resume from the file.
        let checkpointURL = root.appendingPathComponent("model.checkpoint.safetensors")
        let interrupted = try TrainingSession.start(settings: settings, dataset: try dataset())
        let stopAfter = interrupted.stepsPerEpoch + 2
        var steps = 0
        let outcome = try interrupted.run(
            shouldStop: { steps >= stopAfter },
            checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) },
            events: { if case .step = $0 { steps += 1 } })
        XCTAssertEqual(outcome, .interrupted)
        XCTAssertEqual(interrupted.progress.epochsDone, 1)
        XCTAssertEqual(interrupted.progress.stepsDoneInEpoch, 2)

        let resumed = try TrainingSession.resume(from: try Checkpoint.read(from: checkpointURL), path: checkpointURL.path,
                                                 settings: settings, dataset: try dataset())
        XCTAssertEqual(try resumed.run(checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) }), .completed)
        XCTAssertEqual(resumed.optimizer.step, straight.optimizer.step)
        for (a, b) in zip(resumed.network.parameters, straight.network.parameters) {
            let differing = zip(a.data, b.data).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            XCTAssertEqual(differing, 0, "\(a.name!): \(differing) of \(a.count) values differ")
        }
        XCTAssertEqual(resumed.progress.lastEpochLoss, straight.progress.lastEpochLoss)
    }

    func testResumeRefusesChangedPhotosOrSettings() throws {
        let checkpointURL = root.appendingPathComponent("model.checkpoint.safetensors")
        let session = try TrainingSession.start(settings: settings, dataset: try dataset())
        var calls = 0
        _ = try session.run(shouldStop: { calls += 1; return calls > 1 }, checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) })
        let checkpoint = try Checkpoint.read(from: checkpointURL)

        var other = settings
        other.learningRate = 5e-4
        XCTAssertThrowsError(try TrainingSession.resume(from: checkpoint, path: "ck", settings: other, dataset: try dataset())) { error in
            XCTAssertTrue("\(error)".hasPrefix("ck: the checkpoint was made with other settings"), "\(error)")
        }
        var longer = settings
        longer.epochs = 10
        XCTAssertNoThrow(try TrainingSession.resume(from: checkpoint, path: "ck", settings: longer, dataset: try dataset()))

        try FixtureData.importPhotos([(9, 1)], into: .negative, layout: layout, staging: root.appendingPathComponent("more"))
        XCTAssertThrowsError(try TrainingSession.resume(from: checkpoint, path: "ck", settings: settings, dataset: try dataset())) { error in
            XCTAssertEqual("\(error)", "ck: the photos changed since this checkpoint; train without --resume to start over")
        }
    }

    func testADamagedCheckpointIsAClearError() throws {
        let url = root.appendingPathComponent("broken.checkpoint.safetensors")
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(from: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)")
        }
    }
}
