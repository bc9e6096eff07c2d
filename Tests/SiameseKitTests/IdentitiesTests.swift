// IdentitiesTests.swift — `train --identities`: photos grouped by the folder that holds them, pairs drawn
// within and across identities in equal numbers, and the split made by identity (no held-out identity
// has a photo in any training pair); triplets keep a same pair and a different pair on one anchor.
import Foundation
@testable import SiameseKit
import TestSupport
import XCTest

final class IdentitiesTests: XCTestCase {
    private func dataset() throws -> FaceDataset {
        let files = try Identities.files(in: TestPaths.sampleFaces).filter { !$0.relativePath.hasPrefix("README") }
        return try FaceDataset(files: files, input: EmbeddingArchitecture.tiny.inputFormat)
    }

    func testPhotosAreGroupedByTheirFolder() throws {
        XCTAssertEqual(Identities.identity(of: "Greek/character01/0394_01.png"), "Greek/character01")
        XCTAssertEqual(Identities.identity(of: "s3/4.pgm"), "s3")
        let data = try dataset()
        XCTAssertEqual(Set(data.photos.map { Identities.identity(of: $0.relativePath) }).count, 20, "20 ORL subjects")
    }

    func testTheSplitIsByIdentityWithSameAndDifferentPairsInEqualNumbers() throws {
        let data = try dataset()
        for batches in [BatchComposition.pairs, .triplets] {
            let split = try Identities.split(dataset: data, pairsPerClass: 300, testFraction: 0.3, seed: 5, batches: batches)
            let heldOut = Set(split.testSources.map { String($0.dropFirst("identity:".count)) })
            XCTAssertEqual(heldOut.count, 6, "30 % of 20 identities")
            for pair in split.train {
                XCTAssertFalse(heldOut.contains(Identities.identity(of: pair.anchor)), "\(pair.anchor) is held out")
                XCTAssertFalse(heldOut.contains(Identities.identity(of: pair.other)), "\(pair.other) is held out")
            }
            for pair in split.test {
                XCTAssertTrue(heldOut.contains(Identities.identity(of: pair.anchor)) && heldOut.contains(Identities.identity(of: pair.other)))
            }
            for pair in split.train + split.test {
                XCTAssertEqual(pair.label == 1, Identities.identity(of: pair.anchor) == Identities.identity(of: pair.other), "\(pair)")
                XCTAssertNotEqual(pair.anchor, pair.other)
            }
            for side in [split.train, split.test] {
                XCTAssertEqual(side.filter { $0.label == 1 }.count, side.filter { $0.label == 0 }.count, "same and different in equal numbers")
            }
            XCTAssertEqual(split.test.count, 180, "30 % of 300 pairs of each kind")
            if batches == .triplets {
                for k in stride(from: 0, to: split.train.count, by: 2) {
                    XCTAssertEqual(split.train[k].label, 1)
                    XCTAssertEqual(split.train[k + 1].label, 0)
                    XCTAssertEqual(split.train[k].anchor, split.train[k + 1].anchor, "a triplet shares its anchor")
                }
            }
            XCTAssertEqual(try Identities.split(dataset: data, pairsPerClass: 300, testFraction: 0.3, seed: 5, batches: batches), split,
                           "the seed decides")
        }
    }
}
