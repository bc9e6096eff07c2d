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

public struct FaceCropper {
    public let mode: CropMode
    public let detector: FaceDetector?
    /// Extra room on each side of the detected box, as a share of its size.
    public var margin = 0.2

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
            let side = min(Int(Double(max(face.width, face.height)) * (1 + 2 * margin)), min(frame.width, frame.height))
            let left = min(max(0, Int(face.centreX) - side / 2), frame.width - side)
            let top = min(max(0, Int(face.centreY) - side / 2), frame.height - side)
            let photo = frame.cropped(left: left, top: top, width: side, height: side)
            return Crop(photo: photo.resized(width: StoredPhoto.side, height: StoredPhoto.side), face: face)
        }
    }
}
