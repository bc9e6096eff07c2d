// DlibLandmarksReader.swift — reads dlib's shape predictor file (shape_predictor_5_face_landmarks.dat)
// into a LandmarkPredictor.
//
//   version 1; initial shape (a column matrix: rows, columns, then floats);
//   forests: L levels × T trees, each tree its S splits (feature a, feature b, threshold) and S + 1
//   leaf vectors (column matrices of 2P floats); anchors: L × F point indices; deltas: L × F (x, y).
// facever stores trees as dense arrays, so every tree must be complete (S = 2^depth − 1) and every level
// must have the same numbers of trees and features; dlib's trainer writes them so.
import Foundation

enum DlibLandmarksReader {
    static func read(contentsOf url: URL) throws -> LandmarkPredictor {
        var stream = try DlibStream(contentsOf: url, kind: "dlib shape predictor")
        try stream.integer(in: 1...1, "the shape predictor's version")
        let initialShape = try columnMatrix(&stream, maximumRows: 2 * 200)
        let points = initialShape.count / 2
        guard points >= 2, initialShape.count == 2 * points else { throw stream.failure("an initial shape of \(initialShape.count) values") }

        let levels = try stream.integer(in: 1...64, "the number of cascade levels")
        var trees = 0, splits = 0
        var splitFeatures: [Int32] = [], thresholds: [Float] = [], leafValues: [Float] = []
        for level in 0..<levels {
            let count = try stream.integer(in: 1...2000, "the number of trees")
            if level == 0 { trees = count } else if count != trees { throw stream.failure("\(count) trees after \(trees)") }
            for _ in 0..<trees {
                let splitCount = try stream.integer(in: 1...1023, "the number of splits")
                if splits == 0 { splits = splitCount } else if splitCount != splits { throw stream.failure("\(splitCount) splits after \(splits)") }
                for _ in 0..<splits {
                    splitFeatures.append(Int32(try stream.integer(in: 0...4095, "a split's first feature")))
                    splitFeatures.append(Int32(try stream.integer(in: 0...4095, "a split's second feature")))
                    thresholds.append(Float(try stream.real()))
                }
                try stream.integer(in: (splits + 1)...(splits + 1), "the number of leaves")
                for _ in 0...splits {
                    let leaf = try columnMatrix(&stream, maximumRows: 2 * points)
                    guard leaf.count == 2 * points else { throw stream.failure("a leaf of \(leaf.count) values") }
                    leafValues += leaf
                }
            }
        }
        try stream.integer(in: levels...levels, "the number of anchor lists")
        var anchors: [Int32] = [], features = 0
        for level in 0..<levels {
            let count = try stream.integer(in: 2...4096, "the number of feature pixels")
            if level == 0 { features = count } else if count != features { throw stream.failure("\(count) feature pixels after \(features)") }
            for _ in 0..<features { anchors.append(Int32(try stream.integer(in: 0...(points - 1), "an anchor point"))) }
        }
        try stream.integer(in: levels...levels, "the number of delta lists")
        var deltas: [Float] = []
        for _ in 0..<levels {
            try stream.integer(in: features...features, "the number of deltas")
            for _ in 0..<(2 * features) { deltas.append(Float(try stream.real())) }
        }
        guard stream.isAtEnd else { throw stream.failure("bytes after the shape predictor") }
        return try LandmarkPredictor(initialShape: initialShape, levels: levels, trees: trees, splits: splits, features: features,
                                     splitFeatures: splitFeatures, thresholds: thresholds, leafValues: leafValues,
                                     anchors: anchors, deltas: deltas, path: url.path)
    }

    /// A dlib column matrix of floats (rows, then columns = 1, possibly both negated by the newer format).
    private static func columnMatrix(_ stream: inout DlibStream, maximumRows: Int) throws -> [Float] {
        let rows = abs(try stream.integer(in: -maximumRows...maximumRows, "a matrix's rows"))
        try stream.integer(in: -1...1, "a column matrix's columns")
        return try (0..<rows).map { _ in Float(try stream.real()) }
    }
}
