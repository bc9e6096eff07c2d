// Augmentation.swift — the tutorial's five random image operations, applied in its order.
//
//   1. brightness: every value + δ, δ ~ U(−0.02, 0.02)                (tf.image.random_brightness)
//   2. contrast:   (x − mean_c) · f + mean_c per channel, f ~ U(0.6, 1)  (tf.image.random_contrast)
//   3. flip:       left ↔ right with probability ½                     (tf.image.random_flip_left_right)
//   4. JPEG:       encode and decode at quality q ~ U{90 … 100}        (tf.image.random_jpeg_quality)
//   5. saturation: HSV saturation × s, s ~ U(0.9, 1), hue and value kept (tf.image.random_saturation)
// Values are in [0, 1] and clipped after each step. The draws come from a RandomGenerator, so a seed
// reproduces every copy.
import Foundation
import Tensor

public struct AugmentationParameters: Equatable, Sendable {
    public var brightnessDelta: Float
    public var contrastFactor: Float
    public var flip: Bool
    public var jpegQuality: Int
    public var saturationFactor: Float

    public static func random(using generator: inout RandomGenerator) -> AugmentationParameters {
        AugmentationParameters(
            brightnessDelta: generator.uniform(-0.02, 0.02),
            contrastFactor: generator.uniform(0.6, 1),
            flip: generator.next() % 2 == 1,
            jpegQuality: 90 + Int(generator.next() % 11),
            saturationFactor: generator.uniform(0.9, 1))
    }
}

public enum Augmentation {
    /// Applies the five operations with the given parameters.
    public static func apply(_ parameters: AugmentationParameters, to image: RGBImage) throws -> RGBImage {
        var values = image.pixels.map { Float($0) / 255 }
        adjustBrightness(&values, by: parameters.brightnessDelta)
        adjustContrast(&values, by: parameters.contrastFactor)
        var result = RGBImage(width: image.width, height: image.height, pixels: quantized(values))
        if parameters.flip { result = flippedLeftRight(result) }
        result = try RGBImage.decode(result.jpegData(quality: parameters.jpegQuality), path: "<augmentation JPEG>",
                                     limits: .ownImages)
        values = result.pixels.map { Float($0) / 255 }
        adjustSaturation(&values, by: parameters.saturationFactor)
        return RGBImage(width: result.width, height: result.height, pixels: quantized(values))
    }

    static func adjustBrightness(_ values: inout [Float], by delta: Float) {
        for index in values.indices { values[index] = clip(values[index] + delta) }
    }

    /// Per-channel mean over the image, as TensorFlow does.
    static func adjustContrast(_ values: inout [Float], by factor: Float) {
        let pixels = values.count / 3
        for channel in 0..<3 {
            var sum: Float = 0
            for pixel in 0..<pixels { sum += values[3 * pixel + channel] }
            let mean = sum / Float(max(pixels, 1))
            for pixel in 0..<pixels {
                values[3 * pixel + channel] = clip((values[3 * pixel + channel] - mean) * factor + mean)
            }
        }
    }

    /// Scales HSV saturation: with v = max and s = (max − min)/max, each channel c becomes
    /// v − factor·(v − c), which keeps the value and the hue and multiplies s by factor.
    static func adjustSaturation(_ values: inout [Float], by factor: Float) {
        for pixel in 0..<(values.count / 3) {
            let base = 3 * pixel
            let v = max(values[base], values[base + 1], values[base + 2])
            for channel in 0..<3 {
                values[base + channel] = clip(v - factor * (v - values[base + channel]))
            }
        }
    }

    static func flippedLeftRight(_ image: RGBImage) -> RGBImage {
        var pixels = image.pixels
        for row in 0..<image.height {
            for column in 0..<image.width {
                let target = (row * image.width + column) * 3
                let source = (row * image.width + image.width - 1 - column) * 3
                pixels[target] = image.pixels[source]
                pixels[target + 1] = image.pixels[source + 1]
                pixels[target + 2] = image.pixels[source + 2]
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    private static func clip(_ value: Float) -> Float { min(max(value, 0), 1) }

    private static func quantized(_ values: [Float]) -> [UInt8] {
        values.map { UInt8(($0 * 255).rounded()) }
    }
}

public struct AugmentReport: Sendable {
    public var sources = 0
    public var written = 0
    public var alreadyPresent = 0
    public var unreadable: [InputError] = []
    /// Photos put in the folder by hand (not marked as stored) in which face mode found no face.
    public var withoutFace = 0
    /// The run stopped early because `shouldStop` said so (after a whole photo's copies).
    public var interrupted = false

    public init() {}
}

public enum Augmenter {
    /// Writes `copies` augmented copies of every original photo in `folder` as `<stem>.aug<k>.jpg`.
    /// Copies that exist already are kept (re-running is safe); each photo's draws depend only on
    /// the seed and its file name, so the result does not depend on what else is in the folder.
    /// `shouldStop` is asked before each photo: a stop leaves every copy written so far in place.
    /// `onProgress(done, total)` follows each original photo.
    public static func run(
        folder: URL, copies: Int, seed: UInt64, cropper: PhotoCropper = .centre, decoder: PhotoDecoder = .ownFormats, shouldStop: () -> Bool = { false },
        onProgress: (Int, Int) -> Void = { _, _ in }, onSkip: (InputError) -> Void = { _ in }
    ) throws -> AugmentReport {
        var report = AugmentReport()
        let originals = try DataLayout.imageFiles(in: folder, ifMissing: "bring photos in with `facever import DIR --into \(folder.lastPathComponent)`")
            .filter { !DataLayout.isAugmented($0) }
        for file in originals {
            if shouldStop() {
                report.interrupted = true
                break
            }
            defer { onProgress(report.sources, originals.count) }
            report.sources += 1
            let stem = file.deletingPathExtension().lastPathComponent
            let targets = (1...max(copies, 1)).map { folder.appendingPathComponent("\(stem)\(DataLayout.augmentationMarker)\($0).jpg") }
            let missing = targets.filter { !FileManager.default.fileExists(atPath: $0.path) }
            report.alreadyPresent += targets.count - missing.count
            guard !missing.isEmpty else { continue }
            let image: RGBImage, bytes: Data
            do {
                bytes = try decoder.limits.contents(of: file)
                image = try decoder.decode(bytes, path: file.path)
            } catch let error as InputError {
                report.unreadable.append(error)
                onSkip(error)
                continue
            }
            // A photo facever stored is used as it is; one put in the folder by hand is cropped first.
            guard let crop = try cropper.crop(image, mark: CanonicalMark.mode(of: bytes)) else {
                report.withoutFace += 1
                continue
            }
            var generator = RandomGenerator(seed: seed ^ ContentHash(file.lastPathComponent).value)
            for target in targets {
                let parameters = AugmentationParameters.random(using: &generator)
                guard missing.contains(target) else { continue }
                try AtomicFile.write(try Augmentation.apply(parameters, to: crop.photo).storedJPEG(markedAs: crop.mode), to: target)
                report.written += 1
            }
        }
        return report
    }
}
