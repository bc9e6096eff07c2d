// FaceChip.swift — dlib's aligned face chip: the picture turned, scaled and shifted so that five
// landmarks (eye corners and the base of the nose, LandmarkPredictor) fall on a mean face.
//
//   chip points  t_i = (padding + mean_i) / (1 + 2·padding) · size        (mean_i: dlib's 5-point template)
//   fit          the least-squares similarity T (scale s, angle θ) taking t_i to the landmarks
//   sample       chip pixel (c, r) shows the picture at  T(size/2, size/2) + R(θ)·k·(c − (size−1)/2, r − (size−1)/2)
//                with k = (size·s − 1) / (size − 1): dlib's extraction rectangle, corner to corner
//   pixel        bilinear from the four neighbours, truncated to 8 bits; a neighbour outside the picture is
//                black (`ChipBorder.black`, dlib's: the pixel is left black) or the picture mirrored at its
//                edge (`.mirror`, row −1 shows row 0, −2 row 1, …; beyond the mirror image, its outermost
//                row or column)
// This is dlib's get_face_chip(size 150, padding 0.25) as used by its face recognition model, without
// dlib's image pyramid, which it needs only when the chip shrinks the face more than twofold: never for
// facever's 250-pixel canonical photos (a face would have to fill more than 300 pixels).
import Foundation

/// What a face chip shows where it reaches past the photo's edge: on tight face crops (LFW's) the padded
/// chip loses forehead, chin and ears. Neither border wins everywhere (README, "Accuracy, unseen people"),
/// so dlib's stays the default and the other is a choice made when a model is imported.
public enum ChipBorder: String, Codable, CaseIterable, Sendable {
    /// dlib's: nothing outside the photo.
    case black
    /// The photo reflected at its edges.
    case mirror
}

public struct FaceChipGeometry: Equatable, Sendable {
    public var size: Int
    public var padding: Double
    public var border: ChipBorder

    /// dlib's 5-point mean face (x, y in 0…1): left eye outer, left eye inner, right eye outer, right eye
    /// inner (as dlib's predictor orders them, the picture's right side first), the base of the nose.
    public static let meanFivePointFace: [Point] = [
        Point(x: 0.8595674595992, y: 0.2134981538014), Point(x: 0.6460604764104, y: 0.2289674387677),
        Point(x: 0.1205750620789, y: 0.2137274526848), Point(x: 0.3340850613712, y: 0.2290642403242),
        Point(x: 0.4901123135679, y: 0.6277975316475),
    ]

    /// dlib's face recognition chip: 150 × 150, a quarter of the face's size around it, black beyond the photo.
    public static let dlibFaceRecognition = FaceChipGeometry(size: 150, padding: 0.25)

    public init(size: Int, padding: Double, border: ChipBorder = .black) {
        self.size = size
        self.padding = padding
        self.border = border
    }

    /// The same chip with another border.
    public func with(border: ChipBorder) -> FaceChipGeometry {
        FaceChipGeometry(size: size, padding: padding, border: border)
    }

    /// Where each mean-face point lies in the chip, in pixels.
    var chipPoints: [Point] {
        Self.meanFivePointFace.map { point in
            Point(x: (padding + point.x) / (1 + 2 * padding) * Double(size), y: (padding + point.y) / (1 + 2 * padding) * Double(size))
        }
    }
}

extension RGBImage {
    /// The chip of the face whose five landmarks are `landmarks` (in this picture's pixels).
    public func faceChip(landmarks: [Point], geometry: FaceChipGeometry = .dlibFaceRecognition) -> RGBImage {
        let sampling = ChipSampling(landmarks: landmarks, geometry: geometry)
        let size = geometry.size, mirror = geometry.border == .mirror
        var output = [UInt8](repeating: 0, count: size * size * 3)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for row in 0..<size {
                    for column in 0..<size {
                        let (x, y) = sampling.point(row: row, column: column)
                        guard x.magnitude < 1e9, y.magnitude < 1e9 else { continue }
                        let (left, top) = (Self.floor(x), Self.floor(y))
                        let inside = left >= 0 && top >= 0 && left + 1 < width && top + 1 < height
                        guard inside || mirror else { continue }
                        let (fx, fy) = (x - Double(left), y - Double(top))
                        let (upper, lower) = inside ? (top, top + 1) : (reflected(top, within: height), reflected(top + 1, within: height))
                        let (first, second) = inside ? (left, left + 1) : (reflected(left, within: width), reflected(left + 1, within: width))
                        let (a, b) = (3 * (upper * width + first), 3 * (upper * width + second))
                        let (c, d) = (3 * (lower * width + first), 3 * (lower * width + second))
                        let targetIndex = 3 * (row * size + column)
                        for channel in 0..<3 {
                            // The reference's sum: the same operations in the same order.
                            let value = (1 - fy) * ((1 - fx) * Double(source[a + channel]) + fx * Double(source[b + channel]))
                                + fy * ((1 - fx) * Double(source[c + channel]) + fx * Double(source[d + channel]))
                            target[targetIndex + channel] = UInt8(truncatingIfNeeded: Int32(max(0, min(255, value))))
                        }
                    }
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: output)
    }

    /// The same chip, pixel by pixel and channel by channel as the header defines it: faceChip's test oracle.
    func referenceFaceChip(landmarks: [Point], geometry: FaceChipGeometry = .dlibFaceRecognition) -> RGBImage {
        let sampling = ChipSampling(landmarks: landmarks, geometry: geometry)
        let size = geometry.size
        var output = [UInt8](repeating: 0, count: size * size * 3)
        for row in 0..<size {
            for column in 0..<size {
                let (x, y) = sampling.point(row: row, column: column)
                guard x.magnitude < 1e9, y.magnitude < 1e9 else { continue }
                let (left, top) = (Int(x.rounded(.down)), Int(y.rounded(.down)))
                let inside = left >= 0 && top >= 0 && left + 1 < width && top + 1 < height
                guard inside || geometry.border == .mirror else { continue }
                let (fx, fy) = (x - Double(left), y - Double(top))
                let (rows, columns) = ((reflected(top, within: height), reflected(top + 1, within: height)),
                                       (reflected(left, within: width), reflected(left + 1, within: width)))
                let target = 3 * (row * size + column)
                for channel in 0..<3 {
                    func at(_ r: Int, _ c: Int) -> Double { Double(pixels[3 * (r * width + c) + channel]) }
                    let value = (1 - fy) * ((1 - fx) * at(rows.0, columns.0) + fx * at(rows.0, columns.1))
                        + fy * ((1 - fx) * at(rows.1, columns.0) + fx * at(rows.1, columns.1))
                    output[target + channel] = UInt8(max(0, min(255, value)))
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: output)
    }

    /// ⌊x⌋ for |x| < 1e9, without a call to floor (which the baseline x86-64 target has no instruction for).
    @inline(__always)
    private static func floor(_ x: Double) -> Int {
        let truncated = Int(x)
        return Double(truncated) > x ? truncated - 1 : truncated
    }

    /// Index `i` of a row or column of `count`, mirrored at the edges (−1 → 0, count → count − 1), held
    /// beyond the mirror image at its outermost index: the identity inside the picture.
    private func reflected(_ i: Int, within count: Int) -> Int {
        let mirrored = i < 0 ? -i - 1 : (i >= count ? 2 * count - i - 1 : i)
        return max(0, min(count - 1, mirrored))
    }
}

/// Where chip pixel (column, row) samples the picture (the header's "sample" line).
private struct ChipSampling {
    let centre: Point, step: Double, cosine: Double, sine: Double, half: Double

    init(landmarks: [Point], geometry: FaceChipGeometry) {
        precondition(landmarks.count == FaceChipper.landmarkCount, "faceChip: five landmarks")
        let size = geometry.size
        let fit = SimilarityTransform(fitting: geometry.chipPoints, to: landmarks)
        centre = fit.apply(Point(x: Double(size) / 2, y: Double(size) / 2))
        step = (Double(size) * fit.scale - 1) / Double(size - 1)
        (cosine, sine) = (cos(fit.angle), sin(fit.angle))
        half = Double(size - 1) / 2
    }

    @inline(__always)
    func point(row: Int, column: Int) -> (x: Double, y: Double) {
        let (u, v) = ((Double(column) - half) * step, (Double(row) - half) * step)
        return (centre.x + cosine * u - sine * v, centre.y + sine * u + cosine * v)
    }
}
