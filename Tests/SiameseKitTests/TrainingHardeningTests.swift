// TrainingHardeningTests.swift — training that diverges stops before saving anything, and a crafted or
// damaged checkpoint is refused with a message instead of trapping when the run resumes.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class TrainingHardeningTests: XCTestCase {
    private var fixture: TrainingFixture!
    private var settings: TrainingSettings { fixture.settings }
    private var checkpointURL: URL { fixture.checkpointURL }

    override func setUpWithError() throws { fixture = try TrainingFixture("training-hardening") }
    override func tearDownWithError() throws { fixture.remove() }

    private func dataset() throws -> FaceDataset { try fixture.dataset() }

    func testDivergenceStopsTheRunBeforeAnythingIsSaved() throws {
        var reckless = settings
        reckless.learningRate = 1e30
        reckless.epochs = 50
        let session = try TrainingSession.start(settings: reckless, dataset: try dataset())
        var saved: [[Float]] = []
        XCTAssertThrowsError(try session.run(checkpoint: { saved.append($0.network.parameters.flatMap(\.data)) })) { error in
            XCTAssertTrue("\(error)".hasPrefix("training diverged at epoch "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("try a lower --learning-rate"), "\(error)")
        }
        XCTAssertLessThan(saved.count, 50)
        XCTAssertTrue(saved.allSatisfy { $0.allSatisfy(\.isFinite) }, "every checkpoint that was written holds finite weights")
        XCTAssertNotNil(session.network.firstNonFiniteParameter(), "the run did diverge")
    }

    /// A real checkpoint, interrupted in the middle of the second epoch, as an archive to edit.
    private func checkpointArchive() throws -> SafetensorsArchive {
        let session = try TrainingSession.start(settings: settings, dataset: try dataset())
        var steps = 0
        _ = try session.run(shouldStop: { steps += 1; return steps > session.stepsPerEpoch + 2 },
                            checkpoint: { try Checkpoint.write(session: $0, to: self.checkpointURL) })
        return try SafetensorsArchive.read(contentsOf: checkpointURL)
    }

    private func assertResumeRefuses(_ archive: SafetensorsArchive, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try archive.write(to: checkpointURL)
        XCTAssertThrowsError(try TrainingSession.resume(from: try Checkpoint.read(from: checkpointURL), path: "ck",
                                                        settings: settings, dataset: try dataset()), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    private func editingProgress(_ archive: SafetensorsArchive, _ edit: (inout TrainingProgress) -> Void) -> SafetensorsArchive {
        var archive = archive
        var progress = TrainingProgress.fromJSON(archive.metadata["progress"]!)!
        edit(&progress)
        archive.metadata["progress"] = progress.jsonString()
        return archive
    }

    func testCraftedCheckpointsAreRefusedNotTrapped() throws {
        let archive = try checkpointArchive()
        XCTAssertNoThrow(try TrainingSession.resume(from: try Checkpoint.read(from: checkpointURL), path: "ck",
                                                    settings: settings, dataset: try dataset()))

        try assertResumeRefuses(editingProgress(archive) { $0.stepsDoneInEpoch = 1_000_000 }, "the checkpoint is damaged (step 1000000 of an epoch")
        try assertResumeRefuses(editingProgress(archive) { $0.stepsDoneInEpoch = -3 }, "the checkpoint is damaged (step -3")
        try assertResumeRefuses(editingProgress(archive) { $0.epochShuffleState = [0, 0, 0, 0] }, "the checkpoint is damaged (the shuffle state)")
        try assertResumeRefuses(editingProgress(archive) { $0.epochShuffleState = [1] }, "the checkpoint is damaged (the shuffle state)")
        try assertResumeRefuses(editingProgress(archive) { $0.epochLossSum = -5 }, "the checkpoint is damaged (the epoch's loss so far)")

        var edited = archive
        edited.metadata["adam_step"] = "-1"
        try assertResumeRefuses(edited, "damaged checkpoint metadata")
        edited = archive
        let moment = try XCTUnwrap(edited.tensors.keys.first { $0.hasPrefix("adam.m.") })
        edited.tensors[moment] = StoredTensor(shape: [3], values: [0, 0, 0])
        try assertResumeRefuses(edited, "Adam's first moment of")
        edited = archive
        let second = try XCTUnwrap(edited.tensors.keys.first { $0.hasPrefix("adam.v.") })
        edited.tensors[second]!.values[0] = -1
        try assertResumeRefuses(edited, "Adam's second moment of")
        edited = archive
        edited.tensors["embedding.conv1.weight"]!.values[0] = .nan
        try assertResumeRefuses(edited, "parameter 'embedding.conv1.weight' holds a NaN")

        var split = PairSplit.fromJSON(archive.metadata["split"]!)!
        split.train[0].anchor = "anchor/nobody.jpg"
        edited = archive
        edited.metadata["split"] = split.jsonString()
        try assertResumeRefuses(edited, "name a photo that is not in the data folder")

        var settingsEdited = settings
        settingsEdited.learningRate = -1
        edited = archive
        edited.metadata["settings"] = settingsEdited.jsonString()
        try assertResumeRefuses(edited, "damaged checkpoint metadata")

        edited = archive
        edited.metadata["architecture"] = #"{"channels":3,"convolutions":[],"embeddingSize":8,"inputHeight":32,"inputWidth":32}"#
        try assertResumeRefuses(edited, "the stored architecture cannot be built")
    }
}
