// FaceDetector.swift — OpenCV's Haar cascade (in libFaceverDetect.so), finding faces in a frame, largest first.
import COpenCVShim
import Foundation

public final class FaceDetector {
    /// Debian's opencv-data installs it here.
    public static let defaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

    private let api: fv_detect_api
    private let handle: OpaquePointer
    /// Faces narrower than this share of the frame's shorter side are ignored.
    public var minimumSizeFraction = 0.1

    public init(cascadePath: String = FaceDetector.defaultCascade) throws {
        let api = try DetectLibrary.api(for: cascadePath)
        var handle: OpaquePointer?
        if let problem = ShimCall.run({ api.cascade_load(cascadePath, &handle, $0, $1) }) {
            throw InputError(path: cascadePath, problem: problem)
        }
        self.api = api
        self.handle = handle!
    }

    deinit { api.cascade_free(handle) }

    /// Faces in `image`, largest first.
    public func faces(in image: RGBImage) -> [FaceBox] {
        faces(in: image, minimumSide: Int(Double(min(image.width, image.height)) * minimumSizeFraction))
    }

    /// At most this many faces a picture (the largest): a class photo's worth.
    public static let mostFaces = 64

    /// Faces in `image` at least `minimumSide` pixels wide (20 at the least), largest first.
    public func faces(in image: RGBImage, minimumSide: Int) -> [FaceBox] {
        var boxes = [fv_rect](repeating: fv_rect(), count: Self.mostFaces)
        var count: Int32 = 0
        let minimum = Int32(minimumSide)
        let problem = ShimCall.run { error, capacity in
            api.cascade_detect(handle, image.pixels, Int32(image.width), Int32(image.height), max(minimum, 20),
                              &boxes, Int32(boxes.count), &count, error, capacity)
        }
        guard problem == nil else { return [] }
        return boxes.prefix(Int(min(count, Int32(boxes.count)))).map { FaceBox(x: Int($0.x), y: Int($0.y), width: Int($0.width), height: Int($0.height)) }
    }

    public func largestFace(in image: RGBImage) -> FaceBox? { faces(in: image).first }
}

extension RGBImage {
    /// A copy with a rectangle outline drawn on it (for the preview window).
    /// Unchanged when the capture library is unavailable (only a detector, which needs it, makes boxes).
    public func outlined(_ box: FaceBox, red: UInt8 = 0, green: UInt8 = 255, blue: UInt8 = 0) -> RGBImage {
        guard case .success(let api) = CaptureLibrary.loaded else { return self }
        var pixels = self.pixels
        _ = ShimCall.run { error, capacity in
            api.draw_rectangle(&pixels, Int32(width), Int32(height),
                               fv_rect(x: Int32(box.x), y: Int32(box.y), width: Int32(box.width), height: Int32(box.height)),
                               red, green, blue, 2, error, capacity)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
