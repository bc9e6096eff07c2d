// PairSplit.swift — labelled pairs, split into train and test *by group of photos*.
//
// 1. Every group (PhotoGroups: a photo and its augmented copies, one collect session, one negative
//    person, near-duplicates) is assigned to one side: test with probability `testFraction`, in equal
//    shares per class (anchor, then positive, then negative groups not yet assigned), by a seeded
//    shuffle. No group ever has photos on both sides.
// 2. On each side, (anchor, positive, 1) and (anchor, negative, 0) pairs are drawn without repeats,
//    in equal numbers: up to `pairsPerClass` (the tutorial takes 3,000) split 70/30 by the same fraction.
//    With `.triplets` batches the training side is drawn as triplets instead: each positive pair is
//    followed by a negative pair for the same anchor (train[2k], train[2k + 1]), the negatives of an
//    anchor taken in a shuffled order without repeats while they last. The test side is drawn as
//    pairs either way, first, so both compositions are evaluated on the same held-out pairs.
// The split is stored with the model (by relative path), so `evaluate` tests exactly the held-out pairs.
import Foundation
import Tensor

public struct LabelledPair: Codable, Equatable, Sendable {
    public var anchor: String
    public var other: String
    public var label: Float

    public init(anchor: String, other: String, label: Float) {
        self.anchor = anchor
        self.other = other
        self.label = label
    }
}

public struct PairSplit: MetadataJSON, Equatable, Sendable {
    public var train: [LabelledPair]
    public var test: [LabelledPair]
    /// The groups held out (PhotoGroups keys; files from before groups: source names).
    public var testSources: [String]

    public static func make(dataset: FaceDataset, pairsPerClass: Int, testFraction: Double, seed: UInt64,
                            batches: BatchComposition = .pairs) throws -> PairSplit {
        var generator = RandomGenerator(seed: seed)
        let groups = PhotoGroups.keys(for: dataset)
        var testSources = Set<String>(), assigned = Set<String>()
        for faceClass in [FaceClass.anchor, .positive, .negative] {
            let sources = Set(dataset.indices(of: faceClass).map { groups[$0] }).subtracting(assigned).sorted()
            guard !sources.isEmpty else { continue }
            var shuffled = sources
            shuffled.shuffle(using: &generator)
            var testCount = Int((Double(sources.count) * testFraction).rounded())
            if testFraction > 0 && sources.count >= 2 { testCount = min(max(testCount, 1), sources.count - 1) }
            testSources.formUnion(shuffled.prefix(testCount))
            assigned.formUnion(sources)
        }

        func side(_ isTest: Bool, target: Int, composition: BatchComposition) throws -> [LabelledPair] {
            func members(_ faceClass: FaceClass) -> [Int] {
                dataset.indices(of: faceClass).filter { testSources.contains(groups[$0]) == isTest }
            }
            let anchors = members(.anchor), positives = members(.positive), negatives = members(.negative)
            let name = isTest ? "test" : "training"
            for (list, faceClass) in [(anchors, "anchor"), (positives, "positive"), (negatives, "negative")] where list.isEmpty {
                throw InputError(path: nil, problem: "the \(name) side has no \(faceClass) photos", nextStep: "add more \(faceClass) photos (each side needs photos of every class)")
            }
            let count = min(target, anchors.count * positives.count, anchors.count * negatives.count)
            func pair(_ anchor: Int, _ other: Int, _ label: Float) -> LabelledPair {
                LabelledPair(anchor: dataset.photos[anchor].relativePath, other: dataset.photos[other].relativePath, label: label)
            }
            if composition == .triplets {
                var negativeOrder: [Int: [Int]] = [:], negativesUsed: [Int: Int] = [:]
                var triplets: [LabelledPair] = []
                for (a, p) in distinctPairs(anchors.count, positives.count, count: count, using: &generator) {
                    if negativeOrder[a] == nil {
                        var order = Array(negatives.indices)
                        order.shuffle(using: &generator)
                        negativeOrder[a] = order
                    }
                    let used = negativesUsed[a, default: 0]
                    negativesUsed[a] = used + 1
                    let negative = negativeOrder[a]![used % negatives.count]
                    triplets.append(pair(anchors[a], positives[p], 1))
                    triplets.append(pair(anchors[a], negatives[negative], 0))
                }
                return triplets
            }
            var pairs: [LabelledPair] = []
            for (partners, label) in [(positives, Float(1)), (negatives, Float(0))] {
                for (a, b) in distinctPairs(anchors.count, partners.count, count: count, using: &generator) {
                    pairs.append(LabelledPair(anchor: dataset.photos[anchors[a]].relativePath,
                                              other: dataset.photos[partners[b]].relativePath, label: label))
                }
            }
            pairs.shuffle(using: &generator)
            return pairs
        }

        let testTarget = Int((Double(pairsPerClass) * testFraction).rounded())
        let test = testFraction > 0 ? try side(true, target: max(testTarget, 1), composition: .pairs) : []
        let train = try side(false, target: max(pairsPerClass - testTarget, 1), composition: batches)
        return PairSplit(train: train, test: test, testSources: testSources.sorted())
    }

    /// `count` distinct (i, j) with i < rows, j < columns, in random order.
    static func distinctPairs(_ rows: Int, _ columns: Int, count: Int, using generator: inout RandomGenerator) -> [(Int, Int)] {
        let total = rows * columns
        precondition(count <= total, "distinctPairs: \(count) of \(total)")
        if count * 2 > total {
            var all = (0..<total).map { ($0 / columns, $0 % columns) }
            all.shuffle(using: &generator)
            return Array(all.prefix(count))
        }
        var chosen = Set<Int>(), pairs: [(Int, Int)] = []
        while pairs.count < count {
            let flat = Int(generator.next() % UInt64(total))
            if chosen.insert(flat).inserted { pairs.append((flat / columns, flat % columns)) }
        }
        return pairs
    }
}
