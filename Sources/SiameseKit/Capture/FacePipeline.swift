// FacePipeline.swift — from any picture to canonical face crops (PhotoCropper's face mode): find the faces
// (Haar), find each one's eyes (Haar, in the upper part of the face box), and warp the picture so that the
// eyes are level and land on fixed points of a StoredPhoto.side square; without two plausible eyes, the face
// box with a margin, squared. No face → nil: a result, never a guess. Faces come largest first, each crop
// saying how many the picture holds (identify names each; the other commands take the largest).
//
// The search, in order; the first step that finds a face answers:
//   1. The search picture: the input with a border of a quarter of its size on each side (edge pixels
//      repeated), enlarged when small so that its shorter side is at least `minimumSearchSide`, searched by
//      the face cascade for faces a tenth of its shorter side and wider. Haar needs a face with some context
//      and some 60 pixels across, which tight face crops (ORL's 92×112, LFW's) lack: on the 200 bundled ORL
//      faces this finds 200 faces and 193 eye pairs, against 178 and 101 on the bare pictures (176 eye pairs
//      when enlarged to 280 pixels, 184 to 360). A large input (over ~530 pixels), where that smallest face
//      is a sixth of its shorter side, is also searched without the border for faces down to a twenty-fifth
//      (64 pixels at the least) and half the largest found, in a copy shrunk so that the smallest is 40 pixels
//      wide: a phone's group photo, someone photographed whole. A face that finer search finds counts only
//      if the second cascade finds it too (alone, it finds faces in gravel and tissue).
//   2. The second cascade (OpenCV's frontalface_alt2) on the search picture: of the 3,082 lfw_dev photos in
//      no LFW pair, the default cascade found a face in 3,070 and the two together in all 3,082 (alt2 alone:
//      3,050), and neither found one in 1,500 Omniglot characters (in another 1,500, the whole search found
//      two). It is loaded only when needed.
//   3. Steps 1 and 2 on the picture with its levels stretched, when it is dim or flat (LevelsStretch.swift).
//   4. The picture (stretched, if it was) turned by −25° and +25°: the frontal cascades take heads tilted
//      up to about 20°. The search picture by the face cascade alone, each face kept only when the second
//      cascade finds it too, since false faces are likeliest where nothing else was found.
// The crops are cut from the picture the face was found in (stretched, turned), which is what the network
// sees; boxes and eyes are given in the input's pixels.
//
// Without an eye cascade the crop is never levelled: what a model that aligns its input by its own landmarks
// gets (CropOptions), for which the eye search would buy nothing.
//
// The eye targets reproduce the unaligned crop's framing: a Haar face box has its eyes at about 30 % and
// 70 % of its width and 38 % of its height; the crop is a square 1.4 face widths across, centred on the
// box, so the eyes sit at (0.357, 0.414) and (0.643, 0.414) of the crop's side.
import Foundation

public final class FacePipeline: FaceFinder {
    public static let defaultEyeCascade = "/usr/share/opencv4/haarcascades/haarcascade_eye.xml"
    /// The second face cascade, tried where the first finds no face.
    public static let defaultSecondCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml"
    static let leftEyeTarget = Point(x: 0.357, y: 0.414)
    static let rightEyeTarget = Point(x: 0.643, y: 0.414)
    /// Extra room on each side of a face box when no eyes align it.
    static let margin = 0.2
    /// The search picture's border on each side, as a share of the input's width and height.
    static let border = 0.25
    /// Search pictures smaller than this (shorter side, pixels) are enlarged to it.
    static let minimumSearchSide = 440
    /// The smallest face a large picture is searched for: this share of its shorter side, but no fewer
    /// pixels than `smallestFacePixels` (smaller faces hold too little to recognise).
    static let smallestFace = 0.04
    static let smallestFacePixels = 64.0
    /// How wide the smallest face looked for is in the finer search's shrunk picture (Haar's window is 24).
    static let finerSearchFaceSide = 40.0
    /// How wide a finer search's face is (at most) where the second cascade confirms it.
    static let confirmationFaceSide = 80.0
    /// The turns, in degrees, under which a picture that holds no face as it is is searched again: the
    /// frontal cascades find heads tilted up to about 20°, and a selfie's are often tilted more.
    static let turns = [-25.0, 25.0]
    /// The shorter side of the copy a large picture is first turned and searched in.
    static let turnedLookSide = 640.0

    public let faces: FaceDetector
    public let eyes: FaceDetector?
    /// The second face cascade's file (nil: none), and the cascade once a picture needed it (nil inside:
    /// it could not be loaded, and pictures the first cascade finds no face in have none).
    private let secondCascade: String?
    private var second: FaceDetector??
    private let secondLock = NSLock()

    /// Loads the face cascade and, when given, the eye cascade (through the capture library); `secondCascade`
    /// is loaded the first time the face cascade finds no face in a picture.
    public init(faceCascade: String = FaceDetector.defaultCascade, secondCascade: String? = FacePipeline.defaultSecondCascade,
                eyeCascade: String? = FacePipeline.defaultEyeCascade) throws {
        faces = try FaceDetector(cascadePath: faceCascade)
        eyes = try eyeCascade.map { try FaceDetector(cascadePath: $0) }
        eyes?.minimumSizeFraction = 0.1
        self.secondCascade = secondCascade
    }

    /// Whether a picture has needed the second cascade yet (it is loaded then, not before).
    var hasLoadedSecondCascade: Bool { secondLock.withLock { second != nil } }

    /// The faces in `input` (in its search picture's pixels), largest first: those the face cascade finds
    /// in the search picture, then the smaller ones a finer search of a large picture finds; else those the
    /// second cascade finds in the search picture.
    fileprivate func facesFound(in search: SearchPicture, input: RGBImage) -> [FaceBox] {
        let boxes = faces.faces(in: search.image)
        let smaller = smallerFaces(in: input, search: search, largest: boxes.first)
        if !boxes.isEmpty || !smaller.isEmpty { return Self.distinctFaces(boxes + smaller) }
        return Self.distinctFaces(secondDetector()?.faces(in: search.image) ?? [])
    }

    /// The second cascade, loaded the first time a picture needs it (nil: none, or it could not be loaded).
    private func secondDetector() -> FaceDetector? {
        secondLock.withLock {
            if self.second == nil { self.second = .some(secondCascade.flatMap { try? FaceDetector(cascadePath: $0) }) }
            return self.second!
        }
    }

    /// Faces narrower than the search picture's smallest (a tenth of its shorter side, which is a sixth and
    /// more of a large input's), down to `smallestFace` of the input's shorter side or `smallestFacePixels`,
    /// whichever is larger, and to half the largest face found: the faces of a phone's group photo or of
    /// someone photographed whole. Searched for in the input without a border, shrunk so that the smallest
    /// face looked for is `finerSearchFaceSide` pixels wide (Haar's work grows with the picture's side over
    /// the smallest face's, not with its pixels); largest first, in the search picture's pixels.
    private func smallerFaces(in input: RGBImage, search: SearchPicture, largest: FaceBox?) -> [FaceBox] {
        let searchMinimum = max(20, Double(min(search.image.width, search.image.height)) * faces.minimumSizeFraction) / search.scale
        let shorter = Double(min(input.width, input.height))
        var smallest = min(searchMinimum, max(Self.smallestFacePixels, Self.smallestFace * shorter))
        if let largest { smallest = max(smallest, Double(largest.width) / search.scale / 2) }
        guard smallest < 0.8 * searchMinimum else { return [] }
        let shrink = min(1, Self.finerSearchFaceSide / smallest)
        let picture = shrink < 1 ? input.resized(width: max(1, Int(Double(input.width) * shrink)),
                                                 height: max(1, Int(Double(input.height) * shrink))) : input
        let found = faces.faces(in: picture, minimumSide: Int(smallest * shrink))
            .map { FaceBox(x: Int(Double($0.x) / shrink), y: Int(Double($0.y) / shrink),
                           width: Int(Double($0.width) / shrink), height: Int(Double($0.height) / shrink)) }
            .filter { Double($0.width) < searchMinimum && secondCascadeAgrees(on: $0, in: input) }
        return found.map(search.searchBox(fromInput:))
    }

    /// The face cascade's faces in the search picture alone (no finer search, no second cascade where it finds
    /// none), each kept only when the second cascade agrees; in the search picture's pixels, largest first.
    fileprivate func confirmedFaces(in search: SearchPicture, input: RGBImage) -> [FaceBox] {
        Self.distinctFaces(faces.faces(in: search.image).filter { secondCascadeAgrees(on: search.inputBox($0), in: input) })
    }

    /// Whether the second cascade finds a face in `box` (in `input`'s pixels), searching the box with half its
    /// width around it: the false faces of a search where nothing else was found (fine textures: gravel,
    /// tissue under a microscope) are one cascade's. Without a second cascade (a cascade the user named), yes.
    private func secondCascadeAgrees(on box: FaceBox, in input: RGBImage) -> Bool {
        guard let second = secondDetector() else { return true }
        let left = max(0, box.x - box.width / 2), top = max(0, box.y - box.height / 2)
        let right = min(input.width, box.x + box.width * 3 / 2), bottom = min(input.height, box.y + box.height * 3 / 2)
        guard right > left, bottom > top, box.width > 0 else { return false }
        let shrink = min(1, Self.confirmationFaceSide / Double(box.width))
        var region = input.cropped(left: left, top: top, width: right - left, height: bottom - top)
        if shrink < 1 {
            region = region.resized(width: max(1, Int(Double(region.width) * shrink)), height: max(1, Int(Double(region.height) * shrink)))
        }
        return second.faces(in: region, minimumSide: Int(0.6 * Double(box.width) * shrink)).contains { found in
            box.contains(x: Double(left) + found.centreX / shrink, y: Double(top) + found.centreY / shrink)
        }
    }

    /// The boxes (largest first) that are faces of their own. A box whose centre lies inside a larger box is
    /// the same face found twice, and a box less than half as wide as the largest is not counted: Haar's
    /// stray boxes beside a face are that small (the one such box among 547 ORL and LFW photos of one face
    /// each was 0.30 of the face's width), while the faces of a group photo are seldom that far apart in size.
    static func distinctFaces(_ boxes: [FaceBox]) -> [FaceBox] {
        guard let largest = boxes.first else { return [] }
        var kept = [largest]
        for box in boxes.dropFirst() where 2 * box.width >= largest.width
            && !kept.contains(where: { $0.contains(x: box.centreX, y: box.centreY) }) {
            kept.append(box)
        }
        return kept
    }

    /// Canonical crops of the faces in `image`, largest first, at most `most` of them ([] when it has
    /// none); each carries how many faces the picture holds.
    public func canonicalFaces(in image: RGBImage, most: Int) -> [FoundFace] {
        let found = facesCropped(in: image, most: most)
        if !found.isEmpty { return found }
        let stretched = image.levelsStretched()
        if let stretched {
            let found = facesCropped(in: stretched, most: most)
            if !found.isEmpty { return found }
        }
        for degrees in Self.turns {
            let found = facesTurned(in: stretched ?? image, degrees: degrees, most: most)
            if !found.isEmpty { return found }
        }
        return []
    }

    /// `canonicalFaces` on the picture as it is, without its retries.
    func facesCropped(in image: RGBImage, most: Int) -> [FoundFace] {
        let search = SearchPicture(image)
        let boxes = facesFound(in: search, input: image)
        return boxes.prefix(most).map { canonicalCrop(of: $0, in: search, facesInPicture: boxes.count) }
    }

    /// The faces of `image` turned by `degrees` about its centre (the corners it turns out of view black),
    /// found as `confirmedFaces` finds them: a turn is tried only where nothing else found a face, and there
    /// the cascades' false faces (in coffee beans, in a star field) are likeliest. Looked for in a copy no
    /// larger than a webcam frame (the search picture's faces are a sixth of its side and more, so none is
    /// lost), and cropped from the whole picture turned only when there are some. Boxes and eyes in `image`'s
    /// pixels (the box's centre turned back, its size kept); crops cut from the turned picture.
    func facesTurned(in image: RGBImage, degrees: Double, most: Int) -> [FoundFace] {
        let shrink = min(1, Self.turnedLookSide / Double(min(image.width, image.height)))
        let whole = shrink < 1 ? nil : Self.turned(image, degrees: degrees)
        let lookedTurned = whole?.picture ?? Self.turned(image.resized(width: max(1, Int(Double(image.width) * shrink)),
                                                                       height: max(1, Int(Double(image.height) * shrink))),
                                                         degrees: degrees).picture
        let lookedSearch = SearchPicture(lookedTurned)
        // In the turned picture's pixels at full size.
        let boxes = confirmedFaces(in: lookedSearch, input: lookedTurned).map { box -> FaceBox in
            let inLooked = lookedSearch.inputBox(box)
            return FaceBox(x: Int(Double(inLooked.x) / shrink), y: Int(Double(inLooked.y) / shrink),
                           width: Int(Double(inLooked.width) / shrink), height: Int(Double(inLooked.height) / shrink))
        }
        guard !boxes.isEmpty else { return [] }
        let (picture, back) = whole ?? Self.turned(image, degrees: degrees)
        let search = whole == nil ? SearchPicture(picture) : lookedSearch
        return boxes.prefix(most).map { box in
            let found = canonicalCrop(of: search.searchBox(fromInput: box), in: search, facesInPicture: boxes.count)
            let middle = back.apply(Point(x: found.face.centreX, y: found.face.centreY))
            let turnedBack = FaceBox(x: Int((middle.x - Double(found.face.width) / 2).rounded()),
                                     y: Int((middle.y - Double(found.face.height) / 2).rounded()),
                                     width: found.face.width, height: found.face.height)
            return FoundFace(photo: found.photo, face: turnedBack, eyes: found.eyes.map { (back.apply($0.left), back.apply($0.right)) },
                             rotationDegrees: found.rotationDegrees + degrees, facesInPicture: found.facesInPicture)
        }
    }

    /// `image` turned by `degrees` about its centre, the same size, and the transform that takes its points back.
    private static func turned(_ image: RGBImage, degrees: Double) -> (picture: RGBImage, back: SimilarityTransform) {
        let centre = Point(x: Double(image.width) / 2, y: Double(image.height) / 2)
        let (unit, turnedUnit) = (Point(x: centre.x + 1, y: centre.y),
                                  Point(x: centre.x + cos(degrees * .pi / 180), y: centre.y + sin(degrees * .pi / 180)))
        let turn = SimilarityTransform(mapping: (centre, unit), to: (centre, turnedUnit))
        return (image.warped(by: turn, width: image.width, height: image.height),
                SimilarityTransform(mapping: (centre, turnedUnit), to: (centre, unit)))
    }

    /// One face's canonical crop: levelled by its eyes when two plausible ones are found, else its box
    /// with a margin, squared.
    private func canonicalCrop(of face: FaceBox, in search: SearchPicture, facesInPicture: Int) -> FoundFace {
        let side = Double(StoredPhoto.side)
        if let (left, right) = eyeCentres(in: search.image, face: face) {
            let target = (Point(x: Self.leftEyeTarget.x * side, y: Self.leftEyeTarget.y * side),
                          Point(x: Self.rightEyeTarget.x * side, y: Self.rightEyeTarget.y * side))
            let transform = SimilarityTransform(mapping: (left, right), to: target)
            return FoundFace(photo: search.image.warped(by: transform, width: StoredPhoto.side, height: StoredPhoto.side),
                             face: search.inputBox(face), eyes: (search.inputPoint(left), search.inputPoint(right)),
                             rotationDegrees: transform.angle * 180 / .pi, facesInPicture: facesInPicture)
        }
        return FoundFace(photo: face.squareCrop(of: search.image, margin: Self.margin), face: search.inputBox(face),
                         eyes: nil, rotationDegrees: 0, facesInPicture: facesInPicture)
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

/// The picture the detectors search: the input with a repeated-edge border, enlarged when small.
private struct SearchPicture {
    let image: RGBImage
    let padX: Int, padY: Int
    /// Search pixels per input pixel.
    let scale: Double

    init(_ input: RGBImage) {
        padX = Int(Double(input.width) * FacePipeline.border)
        padY = Int(Double(input.height) * FacePipeline.border)
        let bordered = input.withRepeatedEdges(horizontal: padX, vertical: padY)
        let shorter = min(bordered.width, bordered.height)
        if shorter < FacePipeline.minimumSearchSide {
            scale = Double(FacePipeline.minimumSearchSide) / Double(shorter)
            image = bordered.resized(width: Int((Double(bordered.width) * scale).rounded()),
                                     height: Int((Double(bordered.height) * scale).rounded()))
        } else {
            scale = 1
            image = bordered
        }
    }

    func inputPoint(_ point: Point) -> Point { Point(x: point.x / scale - Double(padX), y: point.y / scale - Double(padY)) }

    func searchBox(fromInput box: FaceBox) -> FaceBox {
        FaceBox(x: Int((Double(box.x + padX) * scale).rounded()), y: Int((Double(box.y + padY) * scale).rounded()),
                width: Int((Double(box.width) * scale).rounded()), height: Int((Double(box.height) * scale).rounded()))
    }

    func inputBox(_ box: FaceBox) -> FaceBox {
        let corner = inputPoint(Point(x: Double(box.x), y: Double(box.y)))
        return FaceBox(x: Int(corner.x.rounded()), y: Int(corner.y.rounded()),
                       width: Int((Double(box.width) / scale).rounded()), height: Int((Double(box.height) / scale).rounded()))
    }
}

private extension RGBImage {
    /// The image with `horizontal` columns on the left and right and `vertical` rows above and below,
    /// each a copy of the nearest edge pixel.
    func withRepeatedEdges(horizontal: Int, vertical: Int) -> RGBImage {
        let newWidth = width + 2 * horizontal, newHeight = height + 2 * vertical
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        for row in 0..<newHeight {
            let sourceRow = Swift.min(Swift.max(row - vertical, 0), height - 1) * width * 3
            let target = row * newWidth * 3
            for column in 0..<horizontal {
                for channel in 0..<3 {
                    output[target + column * 3 + channel] = pixels[sourceRow + channel]
                    output[target + (horizontal + width + column) * 3 + channel] = pixels[sourceRow + (width - 1) * 3 + channel]
                }
            }
            output.replaceSubrange((target + horizontal * 3)..<(target + (horizontal + width) * 3),
                                   with: pixels[sourceRow..<(sourceRow + width * 3)])
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }
}

extension PhotoCropper {
    /// A cropper in `mode` whose face mode uses a FacePipeline with these cascades (loaded on first use); the
    /// second face cascade backs up the default face cascade only (a cascade the user names is used alone).
    public static func detecting(_ mode: CropMode, faceCascade: String = FaceDetector.defaultCascade,
                                 eyeCascade: String? = FacePipeline.defaultEyeCascade) -> PhotoCropper {
        let second = faceCascade == FaceDetector.defaultCascade ? FacePipeline.defaultSecondCascade : nil
        // A cascade the user names is recorded by its absolute path: the same relative name run from another
        // folder is another file.
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        var recipe = mode.rawValue
        if mode == .face {
            if faceCascade != FaceDetector.defaultCascade { recipe += " cascade=\(absolute(faceCascade))" }
            if let eyeCascade {
                if eyeCascade != FacePipeline.defaultEyeCascade { recipe += " eyes=\(absolute(eyeCascade))" }
            } else {
                recipe += " not-levelled"
            }
        }
        return PhotoCropper(mode: mode, recipe: recipe, faceFinder: {
            try FacePipeline(faceCascade: faceCascade, secondCascade: second, eyeCascade: eyeCascade)
        })
    }
}
