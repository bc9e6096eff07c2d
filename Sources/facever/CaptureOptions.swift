// CaptureOptions.swift — where frames come from (collect, live verify); CropOptions says how they are cropped.
import ArgumentParser
import Foundation
import SiameseKit

struct CaptureOptions: ParsableArguments {
    @Option(help: "Camera number N, i.e. /dev/videoN.")
    var camera: Int?

    @Option(help: "A V4L2 device path such as /dev/video2.")
    var device: String?

    @Option(help: "A video file or an image sequence (frames/%04d.jpg) instead of a camera.")
    var source: String?

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
