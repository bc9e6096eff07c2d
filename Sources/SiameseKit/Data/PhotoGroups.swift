// PhotoGroups.swift — which photos must land on the same side of the train/test split.
//
// A held-out figure means something only if no held-out photo has a near-twin in training. Photos are
// grouped, and PairSplit assigns whole groups:
//   - a photo and its augmented copies (one source photo: `face.jpg`, `face.aug3.jpg`);
//   - the captures of one `collect` session (`capture-<session>-<n>.jpg`: consecutive frames);
//   - negatives of one person, when the name says who (LFW's `Name_0001`, ORL's `s2_1`, imported as
//     `<name>-<hash>.jpg`): every held-out impostor is then a stranger to the model;
//   - photos whose perceptual hashes differ in at most `nearDuplicateDistance` of 64 bits (the same
//     photo re-encoded or resized, frames a moment apart), whatever their names and classes.
import Foundation

public enum PhotoGroups {
    /// Bits of dHash within which two photos count as one. Distinct photos of one ORL subject, taken
    /// minutes apart against the same background, differ in 4 or more; other people in 7 or more.
    public static let nearDuplicateDistance = 3

    /// A group key for every photo of `dataset`, in `photos` order.
    public static func keys(for dataset: FaceDataset) -> [String] {
        var keys = dataset.photos.map(baseKey)
        // Union-find over near-duplicates; a merged group takes its smallest key, so keys are reproducible.
        var parent = Array(keys.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        let hashes = dataset.perceptualHashes
        for i in hashes.indices {
            for j in (i + 1)..<hashes.count where hashes[i].distance(to: hashes[j]) <= nearDuplicateDistance {
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        // Photos sharing a base key belong together too: join each to the first photo with its key.
        var firstWithKey: [String: Int] = [:]
        for index in keys.indices {
            if let first = firstWithKey[keys[index]] {
                let (a, b) = (root(first), root(index))
                if a != b { parent[max(a, b)] = min(a, b) }
            } else {
                firstWithKey[keys[index]] = index
            }
        }
        var smallestKey: [Int: String] = [:]
        for index in keys.indices {
            let group = root(index)
            smallestKey[group] = min(smallestKey[group] ?? keys[index], keys[index])
        }
        for index in keys.indices { keys[index] = smallestKey[root(index)]! }
        return keys
    }

    /// How many different people `photos` (negatives) show: one per person the names say (`Name_0001`),
    /// and one per photo whose name says nobody.
    public static func peopleCount(among photos: [FacePhoto]) -> Int {
        Set(photos.map { personName($0.source).map { "person:\($0)" } ?? "photo:\($0.relativePath)" }).count
    }

    /// The key from a photo's name alone.
    static func baseKey(_ photo: FacePhoto) -> String {
        if let session = captureSession(photo.source) { return "session:\(session)" }
        if photo.faceClass == .negative, let person = personName(photo.source) { return "person:\(person)" }
        return "source:\(photo.faceClass.rawValue)/\(photo.source)"
    }

    /// `capture-<session>-<n>` → session.
    static func captureSession(_ source: String) -> String? {
        let parts = source.split(separator: "-")
        guard parts.count == 3, parts[0] == "capture", parts[2].allSatisfy(\.isNumber) else { return nil }
        return String(parts[1])
    }

    /// `Name_Surname_0001-<16 hex>` → `Name_Surname`; `s2_1-<hash>` → `s2`; nil without a numbered name.
    static func personName(_ source: String) -> String? {
        var stem = Substring(source)
        if let dash = stem.lastIndex(of: "-"), ContentHash(hex: String(stem[stem.index(after: dash)...])) != nil {
            stem = stem[..<dash]
        }
        guard let underscore = stem.lastIndex(of: "_"), underscore > stem.startIndex else { return nil }
        let number = stem[stem.index(after: underscore)...]
        guard !number.isEmpty, number.allSatisfy(\.isNumber) else { return nil }
        return String(stem[..<underscore])
    }
}
