// SyntheticFrames.swift — camera-like 640×480 frames made from bundled ORL faces, for capture tests
// (shared by the SiameseKit and facever test targets).
import Foundation
import SiameseKit

public enum SyntheticFrames {
    public static let width = 640, height = 480
    /// An ORL face (92×112) enlarged 2× is 184×224.
    public static let faceWidth = 184, faceHeight = 224

    /// An ORL face enlarged `scale` times (92×112 at 1).
    public static func face(subject: Int, number: Int, scale: Double = 2) throws -> RGBImage {
        try RGBImage.read(contentsOf: TestPaths.sampleFaces.appendingPathComponent("s\(subject)/\(number).pgm"))
            .resized(width: Int(92 * scale), height: Int(112 * scale))
    }

    /// A plain grey frame, with `face` pasted with its top-left corner at (left, top) when given.
    public static func frame(face: RGBImage? = nil, left: Int = 0, top: Int = 0, grey: UInt8 = 70) -> RGBImage {
        frame(faces: face.map { [($0, left, top)] } ?? [], grey: grey)
    }

    /// A plain grey frame (640×480 unless told) with each face pasted with its top-left corner at (left,
    /// top): a group photo.
    public static func frame(faces: [(image: RGBImage, left: Int, top: Int)], grey: UInt8 = 70,
                             width: Int = SyntheticFrames.width, height: Int = SyntheticFrames.height) -> RGBImage {
        var pixels = [UInt8](repeating: grey, count: width * height * 3)
        for (face, left, top) in faces {
            for row in 0..<face.height where top + row < height {
                for column in 0..<face.width where left + column < width {
                    for channel in 0..<3 {
                        pixels[((top + row) * width + left + column) * 3 + channel] = face.pixels[(row * face.width + column) * 3 + channel]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// A video: `faceFrames` frames with a face moving left to right, then `emptyFrames` without one,
    /// at 10 frames per second. Returns the face's left edge in each face frame.
    @discardableResult
    public static func writeVideo(to url: URL, faceFrames: Int, emptyFrames: Int, subject: Int = 1) throws -> [Int] {
        let writer = try VideoWriter(path: url.path, width: width, height: height, framesPerSecond: 10)
        var lefts: [Int] = []
        for index in 0..<faceFrames {
            let left = 60 + index * (width - faceWidth - 120) / max(faceFrames - 1, 1)
            lefts.append(left)
            try writer.write(frame(face: try face(subject: subject, number: 1 + index % 10), left: left, top: 120))
        }
        for _ in 0..<emptyFrames { try writer.write(frame()) }
        writer.close()
        return lefts
    }
}
