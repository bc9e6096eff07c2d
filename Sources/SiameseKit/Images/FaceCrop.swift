// FaceCrop.swift — cropping: a rectangle clamped to the image, the centred square, the stored face.
//
// facever stores every photo as a StoredPhoto.side × StoredPhoto.side JPEG (the tutorial's capture
// size). A non-square photo loses its edges rather than being squashed, so faces keep their proportions.
import Foundation

/// The form of every photo facever keeps (imports, captures, augmented copies): one place for it.
public enum StoredPhoto {
    /// Width and height in pixels: the tutorial's 250×250 capture.
    public static let side = 250
    /// JPEG quality of stored photos.
    public static let jpegQuality = 95
}

extension RGBImage {
    /// The photo encoded as facever stores it: a JPEG marked as a canonical crop made in `mode`
    /// (see CanonicalMark), so that nothing crops it again.
    public func storedJPEG(markedAs mode: CropMode) throws -> Data {
        CanonicalMark.marking(try jpegData(quality: StoredPhoto.jpegQuality), mode: mode)
    }

    /// The part of the image inside the rectangle, clamped to the image (at least 1×1).
    public func cropped(left: Int, top: Int, width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        let x0 = max(0, min(left, width - 1)), y0 = max(0, min(top, height - 1))
        let x1 = max(x0 + 1, min(left + cropWidth, width)), y1 = max(y0 + 1, min(top + cropHeight, height))
        let (w, h) = (x1 - x0, y1 - y0)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h {
            let source = ((y0 + row) * width + x0) * 3
            pixels.replaceSubrange((row * w * 3)..<((row + 1) * w * 3), with: self.pixels[source..<(source + w * 3)])
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The largest square centred in the image.
    public func centreSquare() -> RGBImage {
        let side = min(width, height)
        if width == height { return self }
        return cropped(left: (width - side) / 2, top: (height - side) / 2, width: side, height: side)
    }

    /// The stored form of a photo: centre square, resized to side×side.
    public func storedFace(side: Int = StoredPhoto.side) -> RGBImage {
        centreSquare().resized(width: side, height: side)
    }
}
