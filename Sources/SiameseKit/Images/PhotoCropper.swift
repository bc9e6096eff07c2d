// PhotoCropper.swift — the one way any picture from outside becomes the photo the model sees
// (StoredPhoto.side × StoredPhoto.side), used by collect, import, augment, train, evaluate, verify and
// every gallery:
//
//   a photo facever stored (it carries a CanonicalMark) → used as it is: nothing is cropped twice;
//   .face   → the face finder's canonical crop of the largest face (Capture's FacePipeline: detect, align
//             by the eyes); no face is a result (nil), never a guess;
//   .centre → the largest centred square (for photos that are face crops already, such as LFW's);
//   .fixed  → the tutorial's window, rows 120–370 and columns 200–450 of a 640×480 webcam frame
//             (clamped to smaller pictures), squared.
//
// The face finder is made on first use, so a command whose photos are all marked never loads a
// cascade, and is called under a lock: OpenCV's cascade classifier must not run on two threads at once.
import Foundation

/// How a picture from outside is cropped. Recorded in the model at training, so that verify crops as
/// training did.
public enum CropMode: String, CaseIterable, Codable, Sendable {
    case face, centre, fixed
}

/// What finds the faces in a picture and makes their canonical crops (Capture's FacePipeline); images
/// know it only through this protocol, so they never depend on capture.
public protocol FaceFinder: AnyObject {
    /// Canonical crops of the faces in `image`, largest first, at most `most` of them ([] when it has
    /// none); each carries how many faces the picture holds.
    func canonicalFaces(in image: RGBImage, most: Int) -> [FoundFace]
}

extension FaceFinder {
    /// The canonical crop of the largest face in `image`, or nil when it has none.
    public func canonicalFace(in image: RGBImage) -> FoundFace? { canonicalFaces(in: image, most: 1).first }
}

public struct FoundFace: Sendable {
    /// StoredPhoto.side × StoredPhoto.side.
    public let photo: RGBImage
    /// The face, in the input's pixels.
    public let face: FaceBox
    /// The eye centres the crop was aligned by, in the input's pixels (nil: none found; the crop is the
    /// face box with a margin, squared).
    public let eyes: (left: Point, right: Point)?
    /// How far the face was turned to level the eyes, in degrees (0 when not aligned).
    public let rotationDegrees: Double
    /// How many faces the picture holds (this one among them).
    public let facesInPicture: Int

    public init(photo: RGBImage, face: FaceBox, eyes: (left: Point, right: Point)?, rotationDegrees: Double, facesInPicture: Int = 1) {
        self.photo = photo
        self.face = face
        self.eyes = eyes
        self.rotationDegrees = rotationDegrees
        self.facesInPicture = facesInPicture
    }
}

public struct CroppedPhoto: Sendable {
    /// How this crop came about.
    public enum Origin: String, Sendable {
        /// A photo facever stored: a canonical crop already, used as it is.
        case stored
        /// Cropped now, in the named mode.
        case face, centre, fixed
    }

    /// StoredPhoto.side × StoredPhoto.side.
    public let photo: RGBImage
    public let origin: Origin
    /// The crop mode the photo was made in (now, or when it was stored): what its stored copy is marked with.
    public let mode: CropMode
    /// The detected face in the input's pixels (origin .face only).
    public let face: FaceBox?
    /// Whether the face was aligned by its eyes (origin .face only).
    public let aligned: Bool
    /// How many faces the picture holds (1 outside face mode, where the crop is not looked for).
    public var facesInPicture = 1
    /// The picture's other faces' crops, largest first, when every face was asked for (identify); else empty.
    public var otherFaces: [CroppedPhoto] = []

    /// The photo as facever stores it: JPEG at StoredPhoto.jpegQuality, marked canonical in its mode.
    public func storedJPEG() throws -> Data { try photo.storedJPEG(markedAs: mode) }
}

public final class PhotoCropper: @unchecked Sendable {
    public let mode: CropMode
    /// How a photo that is not a stored crop is cropped, in words: the mode, and for face crops whatever
    /// else moves the crop (another cascade, no levelling by the eyes). Two croppers with the same recipe
    /// crop alike, so a gallery cache keyed by it never serves another cropping's embeddings.
    public let recipe: String
    private let makeFinder: () throws -> any FaceFinder
    private var finder: Result<any FaceFinder, Error>?
    private let lock = NSLock()

    /// `makeFinder` is called once, on the first picture that needs a face found; `recipe` defaults to the
    /// mode's name.
    public init(mode: CropMode, recipe: String? = nil, faceFinder makeFinder: @escaping () throws -> any FaceFinder) {
        self.mode = mode
        self.recipe = recipe ?? mode.rawValue
        self.makeFinder = makeFinder
    }

    /// A cropper that never needs a face finder (for .centre and .fixed).
    public convenience init(mode: CropMode) {
        precondition(mode != .face, "PhotoCropper: face mode needs a face finder")
        self.init(mode: mode, faceFinder: { preconditionFailure("PhotoCropper: no face finder in \(mode) mode") })
    }

    /// Centre squares: the library's default where a caller names no cropper (photos that are face crops).
    public static let centre = PhotoCropper(mode: .centre)

    /// Makes the face finder now (face mode), so that a missing cascade stops a command before it
    /// starts rather than at its first picture.
    public func prepare() throws {
        guard mode == .face else { return }
        lock.lock()
        defer { lock.unlock() }
        if finder == nil { finder = Result { try makeFinder() } }
        _ = try finder!.get()
    }

    /// The canonical crop of a decoded picture, or nil when face mode finds no face. `mark` is the
    /// CanonicalMark of the picture's file (`CanonicalMark.mode(of:)`): a marked photo is used as it is.
    /// In face mode the crop is the largest face's, and with `everyFace` the others' crops come with it
    /// (`otherFaces`). Throws only when the face finder cannot be made (a missing cascade or capture
    /// library): callers that skip unreadable files must not skip that.
    public func crop(_ image: RGBImage, mark: CropMode? = nil, everyFace: Bool = false) throws -> CroppedPhoto? {
        let side = StoredPhoto.side
        if let mark {
            return CroppedPhoto(photo: image.storedFace(side: side), origin: .stored, mode: mark, face: nil, aligned: false)
        }
        switch mode {
        case .centre:
            return CroppedPhoto(photo: image.storedFace(side: side), origin: .centre, mode: .centre, face: nil, aligned: false)
        case .fixed:
            let window = image.cropped(left: 200, top: 120, width: 250, height: 250)  // the tutorial's window
            return CroppedPhoto(photo: window.storedFace(side: side), origin: .fixed, mode: .fixed, face: nil, aligned: false)
        case .face:
            try prepare()
            lock.lock()
            defer { lock.unlock() }
            let found = try finder!.get().canonicalFaces(in: image, most: everyFace ? Int.max : 1)
            guard var largest = found.first.map(CroppedPhoto.init(found:)) else { return nil }
            largest.otherFaces = found.dropFirst().map(CroppedPhoto.init(found:))
            return largest
        }
    }

    /// What became of one photo file's bytes.
    public enum FileOutcome {
        case photo(CroppedPhoto)
        /// Face mode found no face in it.
        case noFace
        /// It could not be decoded (callers skip it and say why).
        case unreadable(InputError)
    }

    /// Decodes a photo file's bytes and crops them (a stored photo as it is). An unreadable file is an
    /// outcome; a face finder that cannot be made is thrown, since no other file would fare better.
    public func crop(bytes: Data, path: String, decoder: PhotoDecoder) throws -> FileOutcome {
        let image: RGBImage
        do {
            image = try decoder.decode(bytes, path: path)
        } catch let error as InputError {
            return .unreadable(error)
        }
        return try crop(image, mark: CanonicalMark.mode(of: bytes)).map(FileOutcome.photo) ?? .noFace
    }

    /// Reads, decodes and crops one probe file: a photo to verify or identify (nil: face mode found no
    /// face in it; `everyFace` as for a decoded picture). A probe's mark is not taken on trust: anyone can
    /// write a JPEG comment, so in face mode a marked probe is used as it is only when the face finder finds
    /// a face in it; otherwise it is a no-face answer, as an unmarked picture without a face would be.
    public func crop(contentsOf url: URL, decoder: PhotoDecoder, everyFace: Bool = false) throws -> CroppedPhoto? {
        let bytes = try decoder.limits.contents(of: url)
        let image = try decoder.decode(bytes, path: url.path)
        let mark = CanonicalMark.mode(of: bytes)
        if mark != nil && mode == .face {
            try prepare()
            let hasFace: Bool = try {
                lock.lock()
                defer { lock.unlock() }
                return try finder!.get().canonicalFace(in: image) != nil
            }()
            guard hasFace else { return nil }
        }
        return try crop(image, mark: mark, everyFace: everyFace)
    }
}

extension CroppedPhoto {
    /// A face finder's crop of one face.
    init(found: FoundFace) {
        self.init(photo: found.photo, origin: .face, mode: .face, face: found.face, aligned: found.eyes != nil)
        facesInPicture = found.facesInPicture
    }
}

extension InputError {
    /// A photo in which face mode found no face.
    public static func noFace(path: String) -> InputError {
        InputError(path: path, problem: "no face found",
                   nextStep: "use a photo with the face in view, or --crop centre for photos that are face crops already")
    }
}
