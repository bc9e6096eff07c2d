// PhotoDecoder.swift — how photos that enter facever are decoded: facever's own codecs (JPEG, PNG,
// PGM/PPM) within the photo limits, and, when a command offers one, a decoder for other formats.
//
// Other formats (BMP, TIFF, WebP, …) need OpenCV's imgcodecs, which lives in the capture library
// beside this folder (Capture/CaptureLibrary.swift provides `PhotoDecoder.withCaptureFormats`); this
// folder knows it only through the OtherFormatDecoder protocol, so images never depend on capture.
import Foundation

/// Decodes a format facever's own codecs do not read, or says why it cannot.
public protocol OtherFormatDecoder: Sendable {
    func decode(_ bytes: Data, path: String, limits: ImageLimits) throws -> RGBImage
}

public struct PhotoDecoder: Sendable {
    public var limits: ImageLimits
    public var otherFormats: (any OtherFormatDecoder)?

    public init(limits: ImageLimits = .photos, otherFormats: (any OtherFormatDecoder)? = nil) {
        self.limits = limits
        self.otherFormats = otherFormats
    }

    /// JPEG, PNG and PGM/PPM within the photo limits.
    public static let ownFormats = PhotoDecoder()

    public func decode(_ bytes: Data, path: String) throws -> RGBImage {
        do {
            return try RGBImage.decodeOwnFormat(bytes, path: path, limits: limits)
        } catch let error as UnknownImageFormat {
            guard let otherFormats else { throw error.inputError }
            return try otherFormats.decode(bytes, path: path, limits: limits)
        }
    }

    public func read(contentsOf url: URL) throws -> RGBImage {
        try decode(try limits.contents(of: url), path: url.path)
    }
}
