// VideoSource.swift — frames from a V4L2 camera, a video file or an image sequence (OpenCV, in the
// capture library).
//
// `next()` returns frames in order and nil at the end of the stream. A camera that is missing or
// cannot be opened, and a file that is not a readable video, are `InputError`s naming the source.
import COpenCVShim
import Foundation

public struct Frame {
    public let image: RGBImage
    /// Time from the start of the stream: the file's timestamps, or the time since a camera opened.
    public let milliseconds: Double
    public let index: Int
}

public protocol FrameSource: AnyObject {
    var name: String { get }
    /// Frames per second the source declares, 0 when unknown.
    var framesPerSecond: Double { get }
    var isLive: Bool { get }
    func next() throws -> Frame?
}

public final class VideoSource: FrameSource {
    public let name: String
    public let isLive: Bool
    private let api: fv_capture_api
    private let handle: OpaquePointer
    private var index = 0

    private init(api: fv_capture_api, handle: OpaquePointer, name: String, isLive: Bool) {
        self.api = api
        self.handle = handle
        self.name = name
        self.isLive = isLive
    }

    deinit { api.capture_close(handle) }

    /// The camera /dev/video`index`.
    public static func camera(_ index: Int) throws -> VideoSource {
        try device("/dev/video\(index)")
    }

    public static func device(_ path: String) throws -> VideoSource {
        let api = try CaptureLibrary.api(for: path)
        var handle: OpaquePointer?
        let problem = ShimCall.run { api.capture_open_device(path, &handle, $0, $1) }
        if let problem {
            throw InputError(path: path, problem: problem, nextStep: "see the cameras with `ls /dev/video*`, or read a video with --source FILE")
        }
        return VideoSource(api: api, handle: handle!, name: path, isLive: true)
    }

    /// A video file, or an image sequence when `path` holds a printf pattern such as `frames/%04d.jpg`.
    public static func file(_ path: String) throws -> VideoSource {
        let api = try CaptureLibrary.api(for: path)
        var handle: OpaquePointer?
        let problem = ShimCall.run { api.capture_open_file(path, &handle, $0, $1) }
        if let problem {
            throw InputError(path: path, problem: problem, nextStep: path.contains("%")
                             ? "name the frames with a printf pattern such as frames/%04d.jpg" : "check the path, or convert the video to MP4 or AVI")
        }
        return VideoSource(api: api, handle: handle!, name: path, isLive: false)
    }

    public var framesPerSecond: Double { api.capture_fps(handle) }

    public func next() throws -> Frame? {
        var image = fv_image()
        var milliseconds: Double = 0
        var status: Int32 = 0
        let problem = ShimCall.run { error, capacity in
            status = api.capture_read(handle, &image, &milliseconds, error, capacity)
            return status < 0 ? 1 : 0
        }
        defer { fv_image_free(&image) }
        if let problem { throw InputError(path: name, problem: problem) }
        if status == 1 { return nil }
        let pixels = Array(UnsafeBufferPointer(start: image.pixels, count: Int(image.width) * Int(image.height) * 3))
        index += 1
        return Frame(image: RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels),
                     milliseconds: milliseconds, index: index)
    }
}

/// Writes frames to an MJPEG AVI file (tests, recordings).
public final class VideoWriter {
    private let api: fv_capture_api
    private let handle: OpaquePointer
    public let path: String

    public init(path: String, width: Int, height: Int, framesPerSecond: Double) throws {
        let api = try CaptureLibrary.api(for: path)
        var handle: OpaquePointer?
        let problem = ShimCall.run { api.video_writer_open(path, Int32(width), Int32(height), framesPerSecond, &handle, $0, $1) }
        if let problem { throw InputError(path: path, problem: problem) }
        self.api = api
        self.handle = handle!
        self.path = path
    }

    public func write(_ image: RGBImage) throws {
        let problem = ShimCall.run { api.video_writer_write(handle, image.pixels, Int32(image.width), Int32(image.height), $0, $1) }
        if let problem { throw InputError(path: path, problem: problem) }
    }

    /// Finishes the file; also done when the writer is released.
    public func close() { closed = true; api.video_writer_close(handle) }
    private var closed = false

    deinit { if !closed { api.video_writer_close(handle) } }
}
