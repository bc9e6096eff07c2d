// FaceChipper.swift — how a canonical photo becomes the input of a landmark-aligned network (dlib's
// ResNet): find the five landmarks, cut the face chip (FaceChip.swift).
//
// The landmark predictor was trained on the boxes of dlib's HOG face detector, which facever does not
// run; a Haar box or a centred square differs from them. So the box is found from the face itself:
//   1. landmarks in a first box, the middle 68 % of the photo;
//   2. the box dlib's detector would have drawn around those landmarks: centred at the landmarks' centroid
//      + (0.066, 0.700)·r, 4.15·r on a side, r = the landmarks' RMS distance to their centroid
//      (medians over the 383 of 400 LFW photos on which dlib's detector found a face: the first photo of 400
//      lfw_dev people, Python's random.seed(2) shuffle of the sorted names; Scripts/dlib_reference.py --fit-box);
//   3. landmarks again in that box.
// On those photos the landmarks of step 3 lie within 1.1 px on average (worst point of each face; 95 % within
// 2 px) of the landmarks dlib finds in its detector's box.
public final class FaceChipper: Equatable, @unchecked Sendable {
    public let landmarks: LandmarkPredictor
    public let geometry: FaceChipGeometry

    /// The first box, as fractions of the photo's side.
    static let firstBox = (from: 0.16, to: 0.84)
    /// dlib's detector box around five landmarks, in units of their RMS radius: centre offset and side.
    static let boxOffset = Point(x: 0.066, y: 0.700)
    static let boxSide = 4.15

    /// For a predictor known to find the chip's five points; `checked` for one read from a file.
    public init(landmarks: LandmarkPredictor, geometry: FaceChipGeometry = .dlibFaceRecognition) {
        self.landmarks = landmarks
        self.geometry = geometry
    }

    /// The landmarks the chip is fitted to: dlib's five (FaceChipGeometry.meanFivePointFace).
    public static let landmarkCount = FaceChipGeometry.meanFivePointFace.count

    /// A chipper for `landmarks` read from `path`, or an error naming it when the predictor finds another
    /// number of points than the chip is fitted to (a crafted or wrong file: the fit would trap on them).
    public static func checked(_ landmarks: LandmarkPredictor, geometry: FaceChipGeometry, path: String,
                               nextStep: String) throws -> FaceChipper {
        guard landmarks.pointCount == landmarkCount else {
            throw InputError(path: path, problem: "the landmark model finds \(landmarks.pointCount) points; the face chip needs \(landmarkCount)",
                             nextStep: nextStep)
        }
        return FaceChipper(landmarks: landmarks, geometry: geometry)
    }

    public static func == (lhs: FaceChipper, rhs: FaceChipper) -> Bool { lhs === rhs }

    /// The five landmarks of the face in a canonical photo, found as the header describes.
    public func landmarks(in photo: RGBImage) -> [Point] {
        let side = Double(min(photo.width, photo.height))
        let first = LandmarkPredictor.Box(left: Int(Self.firstBox.from * side), top: Int(Self.firstBox.from * side),
                                          right: Int(Self.firstBox.to * side), bottom: Int(Self.firstBox.to * side))
        let intensities = LandmarkPredictor.Intensities(photo)
        let rough = landmarks.landmarks(in: intensities, box: first)
        return landmarks.landmarks(in: intensities, box: Self.detectorBox(around: rough))
    }

    /// The chip the network takes.
    public func chip(of photo: RGBImage) -> RGBImage {
        photo.faceChip(landmarks: landmarks(in: photo), geometry: geometry)
    }

    static func detectorBox(around points: [Point]) -> LandmarkPredictor.Box {
        let (centroid, radius) = (points.centroid, points.rmsRadius)
        let (x, y) = (centroid.x + boxOffset.x * radius, centroid.y + boxOffset.y * radius)
        let half = boxSide * radius / 2
        return LandmarkPredictor.Box(left: Int((x - half).rounded()), top: Int((y - half).rounded()),
                                     right: Int((x + half).rounded()), bottom: Int((y + half).rounded()))
    }
}
