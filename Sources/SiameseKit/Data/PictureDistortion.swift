// PictureDistortion.swift — the picture-level augmentations of few-shot training, on decoded network inputs.
//
//   quarter turns: the picture turned by k·90° (Omniglot's trick: each turn of a character is a new class)
//   mirror:        left ↔ right
//   affine:        Koch et al.'s distortions, each drawn with probability ½: rotation θ ∈ [−10°, 10°], shear
//                  ρx, ρy ∈ [−0.3, 0.3], scale sx, sy ∈ [0.8, 1.2], translation tx, ty ∈ [−2, 2] pixels
//   lighting:      v ↦ clamp((v − m)·k + m + b, 0, 1), m the picture's mean, contrast k ∈ [0.6, 1.4], brightness
//                  b ∈ [−0.15, 0.15]: two photos of a face differ in light more than in shape
// The affine map is taken about the picture's centre and sampled bilinearly; a point that falls outside takes
// the nearest border pixel (white around a character, the crop's own edge around a face).
//   picture: [S, S, C] values (one image of a batch tensor), changed in place.
import Foundation
import Tensor

public struct AffineDistortion: Equatable, Sendable {
    /// Maps an output pixel's offset from the centre to the source's: the inverse of rotation · shear · scale.
    var matrix: (Float, Float, Float, Float)
    var translation: (x: Float, y: Float)

    public static let identity = AffineDistortion(matrix: (1, 0, 0, 1), translation: (0, 0))

    public static func == (a: AffineDistortion, b: AffineDistortion) -> Bool {
        a.matrix == b.matrix && a.translation == b.translation
    }

    /// Koch's distortion: each of its four parts drawn with probability ½.
    public static func random(using generator: inout RandomGenerator) -> AffineDistortion {
        func maybe(_ lower: Float, _ upper: Float, otherwise: Float) -> Float {
            generator.next() % 2 == 0 ? generator.uniform(lower, upper) : otherwise
        }
        let angle = maybe(-10, 10, otherwise: 0) * .pi / 180
        let (shearX, shearY) = (maybe(-0.3, 0.3, otherwise: 0), maybe(-0.3, 0.3, otherwise: 0))
        let (scaleX, scaleY) = (maybe(0.8, 1.2, otherwise: 1), maybe(0.8, 1.2, otherwise: 1))
        let (shiftX, shiftY) = (maybe(-2, 2, otherwise: 0), maybe(-2, 2, otherwise: 0))
        // Forward map F = R(θ) · [[1, ρx], [ρy, 1]] · diag(sx, sy).
        let (c, s) = (cos(angle), sin(angle))
        let shear = (Float(1), shearX, shearY, Float(1))
        let rs = (c * shear.0 - s * shear.2, c * shear.1 - s * shear.3, s * shear.0 + c * shear.2, s * shear.1 + c * shear.3)
        let forward = (rs.0 * scaleX, rs.1 * scaleY, rs.2 * scaleX, rs.3 * scaleY)
        let determinant = forward.0 * forward.3 - forward.1 * forward.2
        let inverse = (forward.3 / determinant, -forward.1 / determinant, -forward.2 / determinant, forward.0 / determinant)
        return AffineDistortion(matrix: inverse, translation: (shiftX, shiftY))
    }
}

public enum PictureDistortion {
    /// Turns a square picture by `quarterTurns` × 90° clockwise.
    public static func turn(_ picture: inout ArraySlice<Float>, side: Int, channels: Int, quarterTurns: Int) {
        let turns = ((quarterTurns % 4) + 4) % 4
        guard turns != 0 else { return }
        let source = Array(picture), base = picture.startIndex
        for y in 0..<side {
            for x in 0..<side {
                // The source pixel that lands on (x, y).
                let (sx, sy): (Int, Int)
                switch turns {
                case 1: (sx, sy) = (y, side - 1 - x)
                case 2: (sx, sy) = (side - 1 - x, side - 1 - y)
                default: (sx, sy) = (side - 1 - y, x)
                }
                for c in 0..<channels { picture[base + (y * side + x) * channels + c] = source[(sy * side + sx) * channels + c] }
            }
        }
    }

    /// Flips a picture left to right.
    public static func mirror(_ picture: inout ArraySlice<Float>, height: Int, width: Int, channels: Int) {
        let base = picture.startIndex
        for y in 0..<height {
            for x in 0..<(width / 2) {
                for c in 0..<channels {
                    picture.swapAt(base + (y * width + x) * channels + c, base + (y * width + width - 1 - x) * channels + c)
                }
            }
        }
    }

    /// Changes a picture's contrast by `contrast` about its mean value and its brightness by `brightness`,
    /// within [0, 1].
    public static func light(_ picture: inout ArraySlice<Float>, contrast: Float, brightness: Float) {
        guard !picture.isEmpty else { return }
        let mean = picture.reduce(0, +) / Float(picture.count)
        for index in picture.indices { picture[index] = min(max((picture[index] - mean) * contrast + mean + brightness, 0), 1) }
    }

    /// A random contrast and brightness (the header's ranges).
    public static func randomLight(using generator: inout RandomGenerator) -> (contrast: Float, brightness: Float) {
        (generator.uniform(0.6, 1.4), generator.uniform(-0.15, 0.15))
    }

    /// Applies `distortion` about the picture's centre, bilinearly, clamping to the border.
    public static func apply(_ distortion: AffineDistortion, to picture: inout ArraySlice<Float>, height: Int, width: Int, channels: Int) {
        guard distortion != .identity else { return }
        let source = Array(picture), base = picture.startIndex
        let (cx, cy) = (Float(width - 1) / 2, Float(height - 1) / 2)
        let m = distortion.matrix
        func value(_ x: Int, _ y: Int, _ c: Int) -> Float {
            source[((min(max(y, 0), height - 1)) * width + min(max(x, 0), width - 1)) * channels + c]
        }
        for y in 0..<height {
            for x in 0..<width {
                let (dx, dy) = (Float(x) - cx - distortion.translation.x, Float(y) - cy - distortion.translation.y)
                let (sx, sy) = (m.0 * dx + m.1 * dy + cx, m.2 * dx + m.3 * dy + cy)
                let (x0, y0) = (Int(sx.rounded(.down)), Int(sy.rounded(.down)))
                let (fx, fy) = (sx - Float(x0), sy - Float(y0))
                for c in 0..<channels {
                    let top = value(x0, y0, c) * (1 - fx) + value(x0 + 1, y0, c) * fx
                    let bottom = value(x0, y0 + 1, c) * (1 - fx) + value(x0 + 1, y0 + 1, c) * fx
                    picture[base + (y * width + x) * channels + c] = top * (1 - fy) + bottom * fy
                }
            }
        }
    }
}
