// FaceBox.swift — a face's rectangle in an image's pixels, and the square crop around it.
import Foundation

public struct FaceBox: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var centreX: Double { Double(x) + Double(width) / 2 }
    public var centreY: Double { Double(y) + Double(height) / 2 }

    /// Whether the point lies inside the box (edges included).
    public func contains(x px: Double, y py: Double) -> Bool {
        px >= Double(x) && px <= Double(x + width) && py >= Double(y) && py <= Double(y + height)
    }

    /// The square around the box's centre of side (1 + 2·margin) × max(width, height), clamped into
    /// `image`, resized to the stored photo's side.
    public func squareCrop(of image: RGBImage, margin: Double) -> RGBImage {
        let side = min(Int(Double(max(width, height)) * (1 + 2 * margin)), min(image.width, image.height))
        let left = min(max(0, Int(centreX) - side / 2), image.width - side)
        let top = min(max(0, Int(centreY) - side / 2), image.height - side)
        return image.cropped(left: left, top: top, width: side, height: side).resized(width: StoredPhoto.side, height: StoredPhoto.side)
    }
}
