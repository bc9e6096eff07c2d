// RGBImage.swift — an 8-bit RGB picture in memory, and the codec calls that make and save one.
//
// Decoding goes through the OpenCV shim (COpenCVShim): JPEG, PNG (alpha dropped), PGM/PPM, greyscale
// and 16-bit images all become RGB8. Every failure is an `InputError` naming the file.
import COpenCVShim
import Foundation

public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// height rows of width·3 bytes, R G B.
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage: \(width)×\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Reads and decodes an image file (facever's own formats; PhotoDecoder adds others).
    public static func read(contentsOf url: URL, limits: ImageLimits = .photos) throws -> RGBImage {
        try decodeOwnFormat(try limits.contents(of: url), path: url.path, limits: limits)
    }

    /// Decodes encoded bytes in facever's own formats; `path` only names the source in errors. Images
    /// over `limits` (checked from the header, before pixels are allocated) or under its minimum side
    /// are refused, and so are truncated or corrupt files.
    public static func decode(_ bytes: Data, path: String, limits: ImageLimits = .photos) throws -> RGBImage {
        do {
            return try decodeOwnFormat(bytes, path: path, limits: limits)
        } catch let error as UnknownImageFormat {
            throw error.inputError
        }
    }

    /// As `decode`, but a file in none of facever's formats throws UnknownImageFormat (PhotoDecoder
    /// then tries its other-format decoder).
    static func decodeOwnFormat(_ bytes: Data, path: String, limits: ImageLimits) throws -> RGBImage {
        var image = fv_image()
        var status: Int32 = 0
        let problem = ShimCall.run { error, capacity in
            status = bytes.withUnsafeBytes { raw in
                fv_decode_image(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, UInt64(limits.maximumPixels),
                                &image, error, capacity)
            }
            return status
        }
        defer { fv_image_free(&image) }
        if let problem {
            switch status {
            case 2: throw UnknownImageFormat(path: path, bytes: bytes)
            case 3: throw InputError(path: path, problem: problem, nextStep: ImageLimits.overLimitNextStep)
            default:
                // A file in a format facever reads whose bytes are cut short or damaged (or empty).
                throw InputError(path: path, problem: problem, nextStep: "copy the photo again, or save it again as JPEG or PNG")
            }
        }
        return try adopting(image, path: path, limits: limits)
    }

    /// Copies a decoded fv_image (which the caller still frees) after checking it against `limits`.
    static func adopting(_ image: fv_image, path: String, limits: ImageLimits) throws -> RGBImage {
        if let refusal = limits.refusal(width: Int(image.width), height: Int(image.height)) {
            throw InputError(path: path, problem: refusal.problem, nextStep: refusal.nextStep)
        }
        let count = Int(image.width) * Int(image.height) * 3
        let pixels = Array(UnsafeBufferPointer(start: image.pixels, count: count))
        return RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels)
    }

    /// This image scaled to width × height (area averaging when shrinking).
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        if newWidth == width && newHeight == height { return self }
        return resized(width: newWidth, height: newHeight, by: fv_resize_rgb)
    }

    /// The same through OpenCV's cv::resize for every size: resized's test oracle (the usual shrink is
    /// facever's own, AreaShrink.cpp).
    func resizedByOpenCV(width newWidth: Int, height newHeight: Int) -> RGBImage {
        resized(width: newWidth, height: newHeight, by: fv_resize_rgb_opencv)
    }

    private typealias ShimResize = (UnsafePointer<UInt8>?, Int32, Int32, UnsafeMutablePointer<UInt8>?, Int32, Int32,
                                    UnsafeMutablePointer<CChar>?, Int) -> Int32

    private func resized(width newWidth: Int, height newHeight: Int, by resize: ShimResize) -> RGBImage {
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let problem = ShimCall.run { error, capacity in
            output.withUnsafeMutableBufferPointer { target in
                resize(pixels, Int32(width), Int32(height), target.baseAddress, Int32(newWidth), Int32(newHeight), error, capacity)
            }
        }
        precondition(problem == nil, "resize failed on a valid image: \(problem ?? "")")
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }

    public func jpegData(quality: Int = 95) throws -> Data {
        try encoded(format: "JPEG") { buffer, error, capacity in
            fv_encode_jpeg(pixels, Int32(width), Int32(height), Int32(quality), &buffer, error, capacity)
        }
    }

    public func pngData() throws -> Data {
        try encoded(format: "PNG") { buffer, error, capacity in
            fv_encode_png(pixels, Int32(width), Int32(height), &buffer, error, capacity)
        }
    }

    // MARK: Shim plumbing

    private func encoded(format: String, _ call: (inout fv_buffer, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> Data {
        var buffer = fv_buffer()
        let problem = ShimCall.run { error, capacity in call(&buffer, error, capacity) }
        defer { fv_buffer_free(&buffer) }
        if let problem {
            throw InputError(path: "<\(format) encoder>", problem: problem)
        }
        return Data(bytes: buffer.bytes, count: buffer.length)
    }
}
