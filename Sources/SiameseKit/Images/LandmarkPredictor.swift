// LandmarkPredictor.swift — face landmarks from a face box by a cascade of regression trees over
// pixel-difference features (Kazemi & Sullivan 2014; the model is dlib's public-domain 5-point
// predictor, imported by DlibLandmarksReader and stored in the model file under "landmarks.").
//
// Shapes are in box-normalised coordinates: (0, 0) is the box's top-left pixel, (1, 1) its bottom-right.
//   shape = initial
//   for each of L levels:
//     M = the 2×2 part of the least-squares similarity from `initial` to `shape`
//     feature f = intensity (R+G+B)/3 at the pixel nearest to box(M·delta[f] + shape[anchor[f]]), 0 outside
//     for each of T trees: walk S split nodes (go left, 2n+1, when v[a] − v[b] > threshold, else 2n+2),
//                          shape += the leaf's offset vector
//   landmarks = box(shape), rounded to whole pixels (as dlib returns them)
// Arithmetic follows dlib's (float for shapes and features), so on the same picture and box the
// landmarks agree with dlib's to the pixel (LandmarkParityTests).
import Foundation
import Tensor

public final class LandmarkPredictor: @unchecked Sendable {
    public let pointCount: Int
    let levels: Int, trees: Int, splits: Int, features: Int
    /// [2P]: x0, y0, x1, y1, …
    let initialShape: [Float]
    /// The same as points, for the similarity fit each level makes.
    let initialPoints: [Point]
    /// [L, T, S, 2] feature indices of each split, and [L, T, S] its threshold.
    let splitFeatures: [Int32]
    let thresholds: [Float]
    /// [L, T, S + 1, 2P]
    let leafValues: [Float]
    /// [L, F] the shape point each feature pixel is placed relative to, and [L, F, 2] its offset.
    let anchors: [Int32]
    let deltas: [Float]

    /// Checks every index and size; an error naming `path` when anything is off.
    public init(initialShape: [Float], levels: Int, trees: Int, splits: Int, features: Int, splitFeatures: [Int32],
                thresholds: [Float], leafValues: [Float], anchors: [Int32], deltas: [Float], path: String) throws {
        func damaged(_ what: String) -> InputError {
            InputError(path: path, problem: "the landmark model is damaged (\(what))", nextStep: "import dlib's models again (Scripts/setup.sh)")
        }
        let points = initialShape.count / 2
        let sizesFit = (1...64).contains(levels) && (1...2000).contains(trees) && (1...1023).contains(splits)
            && (splits + 1) & splits == 0 && (2...4096).contains(features)
        guard points >= 2, initialShape.count == 2 * points, sizesFit else {
            throw damaged("\(points) points, \(levels) levels of \(trees) trees of \(splits) splits, \(features) features")
        }
        let nodes = levels * trees * splits, leaves = levels * trees * (splits + 1) * 2 * points
        guard splitFeatures.count == 2 * nodes, thresholds.count == nodes, leafValues.count == leaves,
              anchors.count == levels * features, deltas.count == 2 * levels * features else { throw damaged("tensor sizes") }
        guard splitFeatures.allSatisfy({ (0..<Int32(features)).contains($0) }), anchors.allSatisfy({ (0..<Int32(points)).contains($0) }) else {
            throw damaged("an index out of range")
        }
        // Bounds far above any trained model's (dlib's: shapes and offsets within ±0.8 of the box, leaves within
        // ±0.03, thresholds within ±64 levels) and low enough that no sum of leaves can leave the range of
        // pixel coordinates: a crafted file cannot make a landmark that traps when it becomes a pixel index.
        for (values, bound, what) in [(initialShape, Float(4), "the initial shape"), (deltas, 4, "a feature offset"),
                                      (leafValues, 1, "a leaf value"), (thresholds, 512, "a split threshold")]
            where !values.allSatisfy({ $0.isFinite && abs($0) <= bound }) {
            throw damaged("\(what) outside ±\(Int(bound)) or not a number")
        }
        // The features are placed by the similarity from the initial shape to the current one: points that
        // (nearly) coincide would make its scale astronomic. dlib's lie about 0.2 of the box from their centroid.
        let initialPoints = (0..<points).map { Point(x: Double(initialShape[2 * $0]), y: Double(initialShape[2 * $0 + 1])) }
        guard initialPoints.rmsRadius >= 1e-3 else { throw damaged("the initial shape's points coincide") }
        self.initialPoints = initialPoints
        (self.pointCount, self.levels, self.trees, self.splits, self.features) = (points, levels, trees, splits, features)
        (self.initialShape, self.splitFeatures, self.thresholds, self.leafValues, self.anchors, self.deltas) =
            (initialShape, splitFeatures, thresholds, leafValues, anchors, deltas)
    }

    /// A face box in whole pixels, inclusive corners as dlib's rectangles have them.
    public struct Box: Equatable, Sendable {
        public var left: Int, top: Int, right: Int, bottom: Int
        public init(left: Int, top: Int, right: Int, bottom: Int) {
            (self.left, self.top, self.right, self.bottom) = (left, top, right, bottom)
        }

        /// Box coordinates (0…1) → image pixels.
        @inline(__always)
        func pixel(_ x: Float, _ y: Float) -> (x: Double, y: Double) {
            (Double(left) + Double(x) * Double(right - left), Double(top) + Double(y) * Double(bottom - top))
        }
    }

    /// A picture as the features see it: each pixel's intensity (R+G+B)/3, rounded down as dlib's
    /// conversion to grey does. A third of the colour picture's bytes, so the reads scattered over it stay
    /// in cache while the trees' leaves stream past; made once for all the passes over a photo.
    struct Intensities: Sendable {
        let width: Int, height: Int
        /// [height, width]
        let values: [UInt8]

        init(_ image: RGBImage) {
            (width, height) = (image.width, image.height)
            values = image.pixels.withUnsafeBufferPointer { pixels in
                [UInt8](unsafeUninitializedCapacity: image.width * image.height) { grey, count in
                    for pixel in 0..<(image.width * image.height) {
                        let sum = UInt16(pixels[3 &* pixel]) &+ UInt16(pixels[3 &* pixel &+ 1]) &+ UInt16(pixels[3 &* pixel &+ 2])
                        grey[pixel] = UInt8(truncatingIfNeeded: sum / 3)
                    }
                    count = image.width * image.height
                }
            }
        }
    }

    /// The landmarks of the face in `box` of `image`, in whole pixels.
    public func landmarks(in image: RGBImage, box: Box) -> [Point] {
        landmarks(in: Intensities(image), box: box)
    }

    /// The landmarks of the face in `box` of a picture's intensities, in whole pixels.
    func landmarks(in image: Intensities, box: Box) -> [Point] {
        var shape = initialShape
        var values = [Float](repeating: 0, count: features)
        var leaves = [Int](repeating: 0, count: trees)
        let width = 2 * pointCount
        for level in 0..<levels {
            readFeatures(image, box: box, shape: shape, level: level, into: &values)
            // First every tree's leaf, then the sum of their offsets: a level's leaves are scattered over
            // megabytes that the network evicts from cache between faces, and loads issued from a branch-free
            // loop overlap, where each one behind a tree walk's mispredicted branches waited alone. The sum
            // runs in tree order, as before: the same bits.
            splitFeatures.withUnsafeBufferPointer { splitFeatures in
                thresholds.withUnsafeBufferPointer { thresholds in
                    values.withUnsafeBufferPointer { values in
                        for tree in 0..<trees {
                            let first = level &* trees &+ tree
                            let leaf = Self.leaf(splits: splits, firstNode: first &* splits, values: values, splitFeatures: splitFeatures,
                                                 thresholds: thresholds)
                            leaves[tree] = (first &* (splits &+ 1) &+ leaf) &* width
                        }
                    }
                }
            }
            leafValues.withUnsafeBufferPointer { leafValues in
                shape.withUnsafeMutableBufferPointer { shape in
                    for base in leaves {
                        for index in 0..<width { shape[index] += leafValues[base &+ index] }
                    }
                }
            }
        }
        return (0..<pointCount).map { point in
            let p = box.pixel(shape[2 * point], shape[2 * point + 1])
            return Point(x: (p.x + 0.5).rounded(.down), y: (p.y + 0.5).rounded(.down))
        }
    }

    /// The leaf (0…S) that the tree whose split nodes start at `firstNode` sends `values` to. Every index was
    /// checked when the model was loaded: the arithmetic wraps and the reads go unchecked. The step to the
    /// next node is arithmetic, not a branch: a split goes either way as often as not, so a branch there is
    /// mispredicted about half the time and stalls the walk; without it the walks of successive trees overlap
    /// (the README has what each change saved).
    @inline(__always)
    private static func leaf(splits: Int, firstNode: Int, values: UnsafeBufferPointer<Float>, splitFeatures: UnsafeBufferPointer<Int32>,
                             thresholds: UnsafeBufferPointer<Float>) -> Int {
        var node = 0
        while node < splits {
            let split = firstNode &+ node
            let (a, b) = (Int(splitFeatures[2 &* split]), Int(splitFeatures[2 &* split &+ 1]))
            let left = values[a] - values[b] > thresholds[split]
            // Left: 2n + 1; right: 2n + 2.
            node = 2 &* node &+ 2 &- Int(unsafeBitCast(left, to: UInt8.self))
        }
        return node &- splits
    }

    /// Every feature pixel's intensity for `level`, placed by the current `shape` (dlib's arithmetic). The
    /// reads go without bounds checks: every index was checked when the model was loaded, and each pixel's
    /// against the picture just before it is read.
    private func readFeatures(_ image: Intensities, box: Box, shape: [Float], level: Int, into values: inout [Float]) {
        let current = (0..<pointCount).map { Point(x: Double(shape[2 * $0]), y: Double(shape[2 * $0 + 1])) }
        let fit = SimilarityTransform(fitting: initialPoints, to: current)
        let (c, s) = (Float(fit.scale * cos(fit.angle)), Float(fit.scale * sin(fit.angle)))
        let (imageWidth, imageHeight) = (image.width, image.height)
        anchors.withUnsafeBufferPointer { anchors in
        deltas.withUnsafeBufferPointer { deltas in
        shape.withUnsafeBufferPointer { shape in
        image.values.withUnsafeBufferPointer { intensities in
        values.withUnsafeMutableBufferPointer { values in
            for feature in 0..<features {
                let index = level &* features &+ feature
                let anchor = Int(anchors[index])
                let (dx, dy) = (deltas[2 &* index], deltas[2 &* index &+ 1])
                let x = c * dx - s * dy + shape[2 &* anchor], y = s * dx + c * dy + shape[2 &* anchor &+ 1]
                let p = box.pixel(x, y)
                guard let column = Self.nearestPixel(p.x), let row = Self.nearestPixel(p.y),
                      column >= 0, row >= 0, column < imageWidth, row < imageHeight else {
                    values[feature] = 0
                    continue
                }
                values[feature] = Float(intensities[row &* imageWidth &+ column])
            }
        }
        }
        }
        }
        }
    }

    /// ⌊v + 0.5⌋, the pixel nearest to coordinate v; nil when v is not a number or too far out to be one.
    /// (Without a call to floor, which the baseline x86-64 target has no instruction for.)
    @inline(__always)
    private static func nearestPixel(_ v: Double) -> Int? {
        let shifted = v + 0.5
        guard shifted.magnitude < 1e15 else { return nil }
        let truncated = Int(shifted)
        return Double(truncated) > shifted ? truncated &- 1 : truncated
    }

    // MARK: Model files

    public func storedTensors() -> [String: StoredTensor] {
        let (l, t, s, f, p) = (levels, trees, splits, features, pointCount)
        return [
            Self.markerTensor: StoredTensor(shape: [2 * p], values: initialShape),
            "landmarks.split_features": StoredTensor(shape: [l, t, s, 2], values: splitFeatures.map(Float.init)),
            "landmarks.thresholds": StoredTensor(shape: [l, t, s], values: thresholds),
            "landmarks.leaf_values": StoredTensor(shape: [l, t, s + 1, 2 * p], values: leafValues),
            "landmarks.anchors": StoredTensor(shape: [l, f], values: anchors.map(Float.init)),
            "landmarks.deltas": StoredTensor(shape: [l, f, 2], values: deltas),
        ]
    }

    /// The tensor whose presence in a model file means the model has a landmark predictor.
    public static let markerTensor = "landmarks.initial_shape"

    /// The predictor stored in a model file's tensors, or nil when the file has none.
    public static func stored(in tensors: [String: StoredTensor], path: String) throws -> LandmarkPredictor? {
        guard let initial = tensors[markerTensor] else { return nil }
        func tensor(_ name: String) throws -> StoredTensor {
            guard let tensor = tensors["landmarks." + name] else {
                throw InputError(path: path, problem: "the landmark model lacks 'landmarks.\(name)'", nextStep: "import dlib's models again")
            }
            return tensor
        }
        let splitFeatures = try tensor("split_features"), leaves = try tensor("leaf_values"), anchors = try tensor("anchors")
        guard splitFeatures.shape.count == 4, anchors.shape.count == 2, leaves.shape.count == 4 else {
            throw InputError(path: path, problem: "the landmark model's tensors have the wrong ranks", nextStep: "import dlib's models again")
        }
        func indices(_ values: [Float]) -> [Int32] { values.map { $0.isFinite && abs($0) < 1e9 && $0 == $0.rounded() ? Int32($0) : -1 } }
        return try LandmarkPredictor(
            initialShape: initial.values, levels: splitFeatures.shape[0], trees: splitFeatures.shape[1], splits: splitFeatures.shape[2],
            features: anchors.shape[1], splitFeatures: indices(splitFeatures.values), thresholds: try tensor("thresholds").values,
            leafValues: leaves.values, anchors: indices(anchors.values), deltas: try tensor("deltas").values, path: path)
    }
}
