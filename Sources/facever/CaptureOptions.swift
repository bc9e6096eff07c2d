// CaptureOptions.swift — where frames come from and how faces are cropped (collect, live verify).
import ArgumentParser
import Foundation
import SiameseKit

extension CropMode: ExpressibleByArgument {}

struct CaptureOptions: ParsableArguments {
    @Option(help: "Camera number N, i.e. /dev/videoN.")
    var camera: Int?

    @Option(help: "A V4L2 device path such as /dev/video2.")
    var device: String?

    @Option(help: "A video file or an image sequence (frames/%04d.jpg) instead of a camera.")
    var source: String?

    @Option(help: "face: the largest detected face with a margin; fixed: the tutorial's window (rows 120–370, columns 200–450 of a 640×480 frame).")
    var crop: CropMode = .face

    @Option(help: "The Haar cascade for face detection.")
    var cascade: String = FaceDetector.defaultCascade

    @Flag(help: "Show the frames in a window (needs a display).")
    var preview = false

    var isGiven: Bool { camera != nil || device != nil || source != nil }

    func validate() throws {
        guard [camera != nil, device != nil, source != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give one of --camera, --device and --source")
        }
        if let camera, !(0...4095).contains(camera) { throw ValidationError("--camera must be 0 to 4095 (/dev/videoN)") }
    }

    /// The chosen source; camera 0 when none was named.
    func openSource() throws -> VideoSource {
        if let source { return try VideoSource.file(source) }
        if let device { return try VideoSource.device(device) }
        return try VideoSource.camera(camera ?? 0)
    }

    func makeCropper() throws -> FaceCropper {
        switch crop {
        case .fixed: return FaceCropper(mode: .fixed, detector: nil)
        case .face: return FaceCropper(mode: .face, detector: try FaceDetector(cascadePath: cascade))
        }
    }

    /// A preview window when asked for and possible; says why not otherwise.
    func makePreview(title: String) -> PreviewWindow? {
        guard preview else { return nil }
        if let reason = PreviewWindow.unavailableReason {
            Console.warning("--preview: \(reason); continuing without a window")
            return nil
        }
        do {
            return try PreviewWindow(title: title)
        } catch {
            Console.warning("--preview: \(error); continuing without a window")
            return nil
        }
    }
}
