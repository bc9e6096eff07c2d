// FacePipeline.swift — from any picture to the canonical face crop: detect the largest face (Haar),
// find its eyes (Haar, in the upper part of the face box), and warp the picture so that the eyes are level
// and land on fixed points of a StoredPhoto.side square; without two plausible eyes, the face box with a
// margin, squared (FaceCropper's crop). No face → nil: a result, never a guess.
//
// The eye targets reproduce the unaligned crop's framing: a Haar face box has its eyes at about 30 % and
// 70 % of its width and 38 % of its height; the crop is a square 1.4 face widths across, centred on the
// box, so the eyes sit at (0.357, 0.414) and (0.643, 0.414) of the crop's side.
//
// Not yet used by the commands (they centre-square photos and crop captures with FaceCropper); the next
// step of issue 10 routes every photo through it and records the crop mode in the model.
import Foundation

public final class FacePipeline {
    public static let defaultEyeCascade = "/usr/share/opencv4/haarcascades/haarcascade_eye.xml"
    static let leftEyeTarget = Point(x: 0.357, y: 0.414)
    static let rightEyeTarget = Point(x: 0.643, y: 0.414)
    /// Extra room on each side of a face box when no eyes align it (FaceCropper's margin).
    static let margin = FaceCropper.defaultMargin

    public let faces: FaceDetector
    public let eyes: FaceDetector?

    public struct Result: Sendable {
        /// StoredPhoto.side × StoredPhoto.side.
        public let photo: RGBImage
        /// The detected face, in the input's coordinates.
        public let face: FaceBox
        /// The eye centres used for alignment (nil: none found; the crop is the face box squared).
        public let eyes: (left: Point, right: Point)?
        /// How far the face was turned to level the eyes, in degrees (0 when not aligned).
        public let rotationDegrees: Double
    }

    /// Loads the face cascade and, when given, the eye cascade (through the capture library).
    public init(faceCascade: String = FaceDetector.defaultCascade, eyeCascade: String? = FacePipeline.defaultEyeCascade) throws {
        faces = try FaceDetector(cascadePath: faceCascade)
        eyes = try eyeCascade.map { try FaceDetector(cascadePath: $0) }
        eyes?.minimumSizeFraction = 0.1
    }

    /// The canonical crop of the largest face in `image`, or nil when it has no face.
    public func canonicalFace(in image: RGBImage) -> Result? {
        guard let face = faces.largestFace(in: image) else { return nil }
        let side = StoredPhoto.side
        if let (left, right) = eyeCentres(in: image, face: face) {
            let target = (Point(x: Self.leftEyeTarget.x * Double(side), y: Self.leftEyeTarget.y * Double(side)),
                          Point(x: Self.rightEyeTarget.x * Double(side), y: Self.rightEyeTarget.y * Double(side)))
            let transform = SimilarityTransform(mapping: (left, right), to: target)
            return Result(photo: image.warped(by: transform, width: side, height: side), face: face, eyes: (left, right),
                          rotationDegrees: transform.angle * 180 / .pi)
        }
        return Result(photo: face.squareCrop(of: image, margin: Self.margin), face: face, eyes: nil, rotationDegrees: 0)
    }

    /// Two eye centres in the upper 60 % of the face box, one in each half, at a plausible distance and
    /// tilt; nil otherwise.
    func eyeCentres(in image: RGBImage, face: FaceBox) -> (Point, Point)? {
        guard let eyes else { return nil }
        let region = image.cropped(left: face.x, top: face.y, width: face.width, height: face.height * 6 / 10)
        let boxes = eyes.faces(in: region)
        let middle = Double(face.width) / 2
        func centre(_ box: FaceBox) -> Point { Point(x: Double(face.x) + box.centreX, y: Double(face.y) + box.centreY) }
        guard let left = boxes.first(where: { $0.centreX < middle }), let right = boxes.first(where: { $0.centreX >= middle }) else {
            return nil
        }
        let (l, r) = (centre(left), centre(right))
        let distance = ((r.x - l.x) * (r.x - l.x) + (r.y - l.y) * (r.y - l.y)).squareRoot()
        guard distance > 0.2 * Double(face.width), distance < 0.7 * Double(face.width),
              abs(r.y - l.y) < 0.5 * abs(r.x - l.x) else { return nil }
        return (l, r)
    }
}
