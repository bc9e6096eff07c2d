// SimilarityTransform.swift — rotation, uniform scale and shift of a picture (no shear), and warping an
// image through one. The face pipeline uses it to level the eyes and bring them to fixed places.
//
//   [x']   [ s·cos θ   −s·sin θ ] [x]   [tx]
//   [y'] = [ s·sin θ    s·cos θ ] [y] + [ty]
import COpenCVShim
import Foundation

public struct Point: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

extension Array where Element == Point {
    /// The points' mean (at least one point).
    var centroid: Point {
        let count = Double(self.count)
        return Point(x: map(\.x).reduce(0, +) / count, y: map(\.y).reduce(0, +) / count)
    }

    /// The root-mean-square distance of the points to their centroid: how far they spread.
    var rmsRadius: Double {
        let centre = centroid
        return (map { ($0.x - centre.x) * ($0.x - centre.x) + ($0.y - centre.y) * ($0.y - centre.y) }.reduce(0, +) / Double(count))
            .squareRoot()
    }
}

public struct SimilarityTransform: Equatable, Sendable {
    public var scale: Double
    /// Counter-clockwise in image coordinates (y down): positive turns the picture's content clockwise on screen.
    public var angle: Double
    public var shift: Point

    /// The transform that takes `from.0` to `to.0` and `from.1` to `to.1` (two distinct points).
    public init(mapping from: (Point, Point), to: (Point, Point)) {
        let (dx, dy) = (from.1.x - from.0.x, from.1.y - from.0.y)
        let (tx, ty) = (to.1.x - to.0.x, to.1.y - to.0.y)
        scale = (tx * tx + ty * ty).squareRoot() / max((dx * dx + dy * dy).squareRoot(), 1e-9)
        angle = atan2(ty, tx) - atan2(dy, dx)
        let (c, s) = (scale * cos(angle), scale * sin(angle))
        shift = Point(x: to.0.x - (c * from.0.x - s * from.0.y), y: to.0.y - (s * from.0.x + c * from.0.y))
    }

    /// The least-squares similarity taking `from` onto `to` (at least two points, not all equal):
    /// with both sets centred, cR = [[a, −b], [b, a]] / Σ|f|², a = Σ f·t, b = Σ f × t; the shift maps
    /// the centroids. (Umeyama's solution restricted to rotations, in closed form for the plane.)
    public init(fitting from: [Point], to: [Point]) {
        precondition(from.count == to.count && from.count >= 2, "SimilarityTransform: two or more point pairs")
        let (fromMean, toMean) = (from.centroid, to.centroid)
        var (dot, cross, spread) = (0.0, 0.0, 0.0)
        for (f, t) in zip(from, to) {
            let (fx, fy, tx, ty) = (f.x - fromMean.x, f.y - fromMean.y, t.x - toMean.x, t.y - toMean.y)
            dot += fx * tx + fy * ty
            cross += fx * ty - fy * tx
            spread += fx * fx + fy * fy
        }
        let (a, b) = spread > 0 ? (dot / spread, cross / spread) : (1, 0)
        scale = (a * a + b * b).squareRoot()
        angle = atan2(b, a)
        shift = Point(x: toMean.x - (a * fromMean.x - b * fromMean.y), y: toMean.y - (b * fromMean.x + a * fromMean.y))
    }

    public func apply(_ point: Point) -> Point {
        let (c, s) = (scale * cos(angle), scale * sin(angle))
        return Point(x: c * point.x - s * point.y + shift.x, y: s * point.x + c * point.y + shift.y)
    }

    /// Row-major [a, b, tx, c, d, ty].
    var matrix: [Double] {
        let (c, s) = (scale * cos(angle), scale * sin(angle))
        return [c, -s, shift.x, s, c, shift.y]
    }
}

extension RGBImage {
    /// The width × height picture whose pixel p shows this image at `transform`⁻¹(p) (bilinear, the border
    /// replicated outside the image).
    public func warped(by transform: SimilarityTransform, width newWidth: Int, height newHeight: Int) -> RGBImage {
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let matrix = transform.matrix
        let problem = ShimCall.run { error, capacity in
            output.withUnsafeMutableBufferPointer { target in
                fv_warp_affine_rgb(pixels, Int32(width), Int32(height), matrix, target.baseAddress, Int32(newWidth),
                                   Int32(newHeight), error, capacity)
            }
        }
        precondition(problem == nil, "warp failed on a valid image: \(problem ?? "")")
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }
}
