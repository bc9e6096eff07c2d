// FaceCropper.swift — from a camera frame to the photo facever stores (StoredPhoto: 250×250).
//
//   .face (default): the largest detected face, a square around its centre of side
//                    (1 + 2·margin) × max(width, height), clamped into the frame, resized to 250×250;
//                    no face → no photo.
//   .fixed:          the tutorial's crop, rows 120–370 and columns 200–450 of a 640×480 frame,
//                    clamped to the frame, resized to 250×250.
public enum CropMode: String, CaseIterable, Sendable {
    case face, fixed
}

extension FaceBox {
    /// The square around the box's centre of side (1 + 2·margin) × max(width, height), clamped into
    /// `image`, resized to the stored photo's side.
    func squareCrop(of image: RGBImage, margin: Double) -> RGBImage {
        let side = min(Int(Double(max(width, height)) * (1 + 2 * margin)), min(image.width, image.height))
        let left = min(max(0, Int(centreX) - side / 2), image.width - side)
        let top = min(max(0, Int(centreY) - side / 2), image.height - side)
        return image.cropped(left: left, top: top, width: side, height: side).resized(width: StoredPhoto.side, height: StoredPhoto.side)
    }
}

public struct FaceCropper {
    public let mode: CropMode
    public let detector: FaceDetector?
    /// Extra room on each side of the detected box, as a share of its size.
    public var margin = FaceCropper.defaultMargin
    public static let defaultMargin = 0.2

    public init(mode: CropMode, detector: FaceDetector?) {
        precondition(mode == .fixed || detector != nil, "FaceCropper: face mode needs a detector")
        self.mode = mode
        self.detector = detector
    }

    public struct Crop {
        public let photo: RGBImage
        /// The detected face, in frame coordinates (nil in fixed mode).
        public let face: FaceBox?
    }

    /// The stored photo for this frame, or nil when face mode finds no face.
    public func crop(_ frame: RGBImage) -> Crop? {
        switch mode {
        case .fixed:
            let photo = frame.cropped(left: 200, top: 120, width: 250, height: 250)  // the tutorial's window
            return Crop(photo: photo.storedFace(), face: nil)
        case .face:
            guard let face = detector!.largestFace(in: frame) else { return nil }
            return Crop(photo: face.squareCrop(of: frame, margin: margin), face: face)
        }
    }
}
