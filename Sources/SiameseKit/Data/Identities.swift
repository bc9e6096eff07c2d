// Identities.swift — a folder of identities for `train --identities DIR`, as Koch et al. train: one
// subfolder an identity (an LFW tree `images/Name/…`, Omniglot's `Alphabet/characterNN/…`, ORL's `sN/…`);
// a photo's identity is the folder that holds it. Pairs are drawn within identities (same) and across them
// (different) in equal numbers, split **by identity**: no held-out identity has a photo in training, so the
// held-out pairs measure verification of people (or characters) the network never saw.
//
// Each side: `pairsPerClass` same and as many different pairs, 70/30 (or `testFraction`) between the
// sides, drawn by a seeded generator without repeats while they last: same pairs from identities with two
// or more photos, different pairs from two distinct identities. With triplet batches the training side
// is drawn as triplets: each same pair (a, p) is followed by a different pair (a, n) for the same anchor.
import Foundation
import Tensor

public enum Identities {
    /// Every photo below `folder` with its path relative to it, sorted.
    public static func files(in folder: URL) throws -> [(url: URL, relativePath: String)] {
        let root = folder.standardizedFileURL.pathComponents
        return try DataLayout.imageFilesRecursively(in: folder).map { url in
            (url, url.standardizedFileURL.pathComponents.dropFirst(root.count).joined(separator: "/"))
        }
    }

    /// The identity of a photo: the folder part of its relative path (`Greek/character01` for
    /// `Greek/character01/0394_01.png`); photos directly in the folder are each their own identity.
    public static func identity(of relativePath: String) -> String {
        guard let slash = relativePath.lastIndex(of: "/") else { return relativePath }
        return String(relativePath[..<slash])
    }

    /// The dataset's photos (relative paths, in the dataset's order) by identity.
    public static func photosByIdentity(_ dataset: FaceDataset) -> [String: [String]] {
        var byIdentity: [String: [String]] = [:]
        for photo in dataset.photos { byIdentity[identity(of: photo.relativePath), default: []].append(photo.relativePath) }
        return byIdentity
    }

    /// The identities a split holds out, from its `testSources` ("identity:NAME").
    public static func heldOut(_ testSources: [String]) -> Set<String> {
        Set(testSources.compactMap { $0.hasPrefix(sourcePrefix) ? String($0.dropFirst(sourcePrefix.count)) : nil })
    }

    /// How a split names a held-out identity among its test sources.
    static let sourcePrefix = "identity:"

    public static func split(dataset: FaceDataset, pairsPerClass: Int, testFraction: Double, seed: UInt64,
                             batches: BatchComposition) throws -> PairSplit {
        let byIdentity = photosByIdentity(dataset)
        var names = byIdentity.keys.sorted()
        var generator = RandomGenerator(seed: seed)
        names.shuffle(using: &generator)
        let testCount = testFraction > 0 ? max(2, Int((Double(names.count) * testFraction).rounded())) : 0
        let test = Array(names.prefix(testCount)), train = Array(names.dropFirst(testCount))
        for (side, members) in [("training", train), ("held-out", test)] where side == "training" || testCount > 0 {
            guard members.count >= 2, members.contains(where: { byIdentity[$0]!.count >= 2 }) else {
                throw InputError(path: nil, problem: "the \(side) identities need at least two identities, one of them with two photos "
                                 + "(\(byIdentity.count) identities in all)", nextStep: "add identities, or lower --test-fraction")
            }
        }
        let testPairs = testCount > 0 ? max(1, Int((Double(pairsPerClass) * testFraction).rounded())) : 0
        let heldOut = testCount > 0 ? draw(testPairs, from: test, byIdentity, triplets: false, using: &generator) : []
        let training = draw(pairsPerClass - testPairs, from: train, byIdentity, triplets: batches == .triplets, using: &generator)
        return PairSplit(train: training, test: heldOut, testSources: test.map { sourcePrefix + $0 })
    }

    /// `count` same and `count` different pairs among `identities` (fewer when they run out), shuffled;
    /// as triplets, each same pair followed by a different pair for its anchor.
    static func draw(_ count: Int, from identities: [String], _ byIdentity: [String: [String]], triplets: Bool,
                     using generator: inout RandomGenerator) -> [LabelledPair] {
        let withTwo = identities.filter { byIdentity[$0]!.count >= 2 }
        var seen = Set<String>()
        func fresh(_ pair: LabelledPair) -> Bool {
            let key = pair.anchor < pair.other ? "\(pair.anchor)|\(pair.other)" : "\(pair.other)|\(pair.anchor)"
            return seen.insert(key).inserted
        }
        func pick(_ list: [String]) -> String { list[Int(generator.next() % UInt64(list.count))] }
        var pairs: [LabelledPair] = []
        var same = 0, attempts = 0
        while same < count && attempts < 20 * count + 100 {
            attempts += 1
            let identity = pick(withTwo), photos = byIdentity[identity]!
            let a = pick(photos), p = pick(photos)
            guard a != p, fresh(LabelledPair(anchor: a, other: p, label: 1)) else { continue }
            let positive = LabelledPair(anchor: a, other: p, label: 1)
            if triplets {
                // The anchor's different pair, from another identity.
                var negative: LabelledPair?
                for _ in 0..<50 {
                    let other = pick(identities)
                    guard other != identity else { continue }
                    let candidate = LabelledPair(anchor: a, other: pick(byIdentity[other]!), label: 0)
                    if fresh(candidate) { negative = candidate; break }
                }
                guard let negative else { continue }
                pairs += [positive, negative]
            } else {
                pairs.append(positive)
            }
            same += 1
        }
        if !triplets {
            var different = 0
            attempts = 0
            while different < same && attempts < 20 * count + 100 {
                attempts += 1
                let first = pick(identities), second = pick(identities)
                guard first != second else { continue }
                let pair = LabelledPair(anchor: pick(byIdentity[first]!), other: pick(byIdentity[second]!), label: 0)
                guard fresh(pair) else { continue }
                pairs.append(pair)
                different += 1
            }
            pairs.shuffle(using: &generator)
        } else {
            // Shuffle whole triplets, keeping each (same, different) couple together.
            var units = stride(from: 0, to: pairs.count, by: 2).map { [pairs[$0], pairs[$0 + 1]] }
            units.shuffle(using: &generator)
            pairs = units.flatMap { $0 }
        }
        return pairs
    }
}
