// PairSplitTests.swift — pairs are labelled right, balanced, distinct, reproducible, and no source photo
// (a photo with all its augmented copies) ever lands on both sides of the split.
import Foundation
import Tensor
@testable import SiameseKit
import TestSupport
import XCTest

final class PairSplitTests: XCTestCase {
    // One augmented data folder for all tests of this class (building it is the slow part).
    private static var root: URL!
    private static var dataset: FaceDataset!
    private var root: URL { Self.root }
    private var dataset: FaceDataset { Self.dataset }

    override class func setUp() {
        root = try! TestPaths.temporaryFolder("split")
        let layout = try! FixtureData.makeWorkflowData(in: root)
        for faceClass in [FaceClass.anchor, .positive, .negative] {
            _ = try! Augmenter.run(folder: layout.folder(faceClass), copies: 3, seed: 5)
        }
        dataset = try! FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: EmbeddingArchitecture.tiny.inputFormat)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    func testNoSourcePhotoIsOnBothSides() throws {
        let split = try PairSplit.make(dataset: dataset, pairsPerClass: 500, testFraction: 0.3, seed: 11)
        func sources(_ pairs: [LabelledPair]) -> Set<String> {
            Set(pairs.flatMap { [$0.anchor, $0.other] }.map { dataset.photos[dataset.index(of: $0)!].source })
        }
        let trainSources = sources(split.train), testSources = sources(split.test)
        XCTAssertFalse(trainSources.isEmpty)
        XCTAssertFalse(testSources.isEmpty)
        XCTAssertTrue(trainSources.isDisjoint(with: testSources), "shared: \(trainSources.intersection(testSources))")
        let keys = PhotoGroups.keys(for: dataset)
        let testGroups = Set(split.test.flatMap { [$0.anchor, $0.other] }.map { keys[dataset.index(of: $0)!] })
        XCTAssertTrue(testGroups.isSubset(of: Set(split.testSources)), "the held-out groups are recorded")
        // Augmented copies exist and travel with their source.
        XCTAssertTrue(split.train.contains { $0.anchor.contains(".aug") })
    }

    func testPairsAreLabelledBalancedAndDistinct() throws {
        let split = try PairSplit.make(dataset: dataset, pairsPerClass: 40, testFraction: 0.3, seed: 12)
        for side in [split.train, split.test] {
            XCTAssertEqual(side.filter { $0.label == 1 }.count, side.filter { $0.label == 0 }.count)
            for pair in side {
                XCTAssertTrue(pair.anchor.hasPrefix("anchor/"))
                XCTAssertTrue(pair.other.hasPrefix(pair.label == 1 ? "positive/" : "negative/"), "\(pair)")
            }
            XCTAssertEqual(Set(side.map { "\($0.anchor)|\($0.other)" }).count, side.count, "no pair twice")
        }
        XCTAssertEqual(split.train.count / 2, 28)  // 40 − round(40 · 0.3) per class
        XCTAssertEqual(split.test.count / 2, 12)
    }

    func testTripletsPairEachPositiveWithANegativeForTheSameAnchorAndKeepTheTestSide() throws {
        let pairs = try PairSplit.make(dataset: dataset, pairsPerClass: 40, testFraction: 0.3, seed: 12)
        let triplets = try PairSplit.make(dataset: dataset, pairsPerClass: 40, testFraction: 0.3, seed: 12, batches: .triplets)
        XCTAssertEqual(triplets.test, pairs.test, "both compositions are evaluated on the same held-out pairs")
        XCTAssertEqual(triplets.testSources, pairs.testSources)
        XCTAssertEqual(triplets.train.count, pairs.train.count)
        for k in 0..<(triplets.train.count / 2) {
            let (positive, negative) = (triplets.train[2 * k], triplets.train[2 * k + 1])
            XCTAssertEqual(positive.label, 1)
            XCTAssertEqual(negative.label, 0)
            XCTAssertEqual(positive.anchor, negative.anchor, "triplet \(k) shares its anchor")
            XCTAssertTrue(negative.other.hasPrefix("negative/"))
        }
        XCTAssertEqual(Set(triplets.train.map { "\($0.anchor)|\($0.other)" }).count, triplets.train.count, "no pair twice")
        let testPhotos = Set(triplets.test.flatMap { [$0.anchor, $0.other] }.map { dataset.photos[dataset.index(of: $0)!].source })
        let trainPhotos = Set(triplets.train.flatMap { [$0.anchor, $0.other] }.map { dataset.photos[dataset.index(of: $0)!].source })
        XCTAssertTrue(testPhotos.isDisjoint(with: trainPhotos))
    }

    func testADatasetCanDecodeJustTheNamedPhotos() throws {
        let split = try PairSplit.make(dataset: dataset, pairsPerClass: 40, testFraction: 0.3, seed: 12)
        let needed = Set(split.test.flatMap { [$0.anchor, $0.other] })
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        let subset = try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: EmbeddingArchitecture.tiny.inputFormat, only: needed)
        XCTAssertEqual(Set(subset.photos.map(\.relativePath)), needed)
        XCTAssertLessThan(subset.photos.count, dataset.photos.count)
        let path = try XCTUnwrap(needed.first)
        XCTAssertEqual(subset.batch([subset.index(of: path)!]).data, dataset.batch([dataset.index(of: path)!]).data)
    }

    func testTheSameSeedGivesTheSameSplit() throws {
        let a = try PairSplit.make(dataset: dataset, pairsPerClass: 80, testFraction: 0.3, seed: 3)
        let b = try PairSplit.make(dataset: dataset, pairsPerClass: 80, testFraction: 0.3, seed: 3)
        let c = try PairSplit.make(dataset: dataset, pairsPerClass: 80, testFraction: 0.3, seed: 4)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testASideWithoutPhotosOfAClassIsAClearError() throws {
        let layout = DataLayout(root: root.appendingPathComponent("lonely"))
        try FixtureData.importPhotos([(1, 1)], into: .anchor, layout: layout, staging: root.appendingPathComponent("st2"))
        try FixtureData.importPhotos([(1, 2)], into: .positive, layout: layout, staging: root.appendingPathComponent("st2"))
        try FixtureData.importPhotos([(2, 1)], into: .negative, layout: layout, staging: root.appendingPathComponent("st2"))
        let small = try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: EmbeddingArchitecture.tiny.inputFormat)
        XCTAssertThrowsError(try PairSplit.make(dataset: small, pairsPerClass: 10, testFraction: 0.3, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("has no anchor photos"), "\(error)")
        }
        XCTAssertNoThrow(try PairSplit.make(dataset: small, pairsPerClass: 10, testFraction: 0, seed: 1))
    }
}

final class PhotoGroupTests: XCTestCase {
    func testNamesSayWhichPhotosBelongTogether() {
        XCTAssertEqual(PhotoGroups.personName("Aaron_Peirsol_0001-0123456789abcdef"), "Aaron_Peirsol")
        XCTAssertEqual(PhotoGroups.personName("s2_1-0123456789abcdef"), "s2")
        XCTAssertNil(PhotoGroups.personName("holiday-0123456789abcdef"), "no numbered name: no person")
        XCTAssertNil(PhotoGroups.personName("_0001"))
        XCTAssertEqual(PhotoGroups.captureSession("capture-1a2b3c4d-0007"), "1a2b3c4d")
        XCTAssertNil(PhotoGroups.captureSession("capture-1a2b3c4d"))
    }

    func testNearDuplicatesAndPeopleNeverStraddleTheSplit() throws {
        let root = try TestPaths.temporaryFolder("groups")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = try FixtureData.makeWorkflowData(in: root)
        // A near-twin of anchor s1/1 under another name: the same photo resized and re-encoded, as a positive.
        let twin = try RGBImage.read(contentsOf: TestPaths.sampleFace(subject: 1, number: 1)).storedFace(side: 240)
        try AtomicFile.write(try twin.jpegData(quality: 80), to: layout.folder(.positive).appendingPathComponent("other-name.jpg"))
        let dataset = try FaceDataset(layout: layout, classes: [.anchor, .positive, .negative], input: EmbeddingArchitecture.tiny.inputFormat)
        let keys = PhotoGroups.keys(for: dataset)
        func key(_ path: String) -> String { keys[dataset.index(of: path)!] }
        let anchor = try XCTUnwrap(dataset.photos.first { $0.relativePath.hasPrefix("anchor/s1_1-") }).relativePath
        XCTAssertEqual(key(anchor), key("positive/other-name.jpg"), "a re-encoded, resized copy is one group with its original")
        let negatives = dataset.photos.filter { $0.faceClass == .negative }
        for person in ["s2", "s3", "s4", "s5"] {
            XCTAssertEqual(Set(negatives.filter { $0.source.hasPrefix(person + "_") }.map { key($0.relativePath) }), ["person:\(person)"])
        }
        for seed in UInt64(1)...5 {
            let split = try PairSplit.make(dataset: dataset, pairsPerClass: 60, testFraction: 0.5, seed: seed)
            let train = Set(split.train.flatMap { [$0.anchor, $0.other] }.map(key))
            let test = Set(split.test.flatMap { [$0.anchor, $0.other] }.map(key))
            XCTAssertTrue(train.isDisjoint(with: test), "seed \(seed): \(train.intersection(test))")
        }
    }
}
