// PreviewWindow.swift — the optional OpenCV window showing the camera with the detected face outlined.
import COpenCVShim
import Foundation

public final class PreviewWindow {
    public let title: String

    /// Why a window cannot be shown here, or nil when a display is available.
    public static var unavailableReason: String? {
        let environment = ProcessInfo.processInfo.environment
        if environment["DISPLAY"] == nil && environment["WAYLAND_DISPLAY"] == nil {
            return "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
        }
        return nil
    }

    private let api: fv_capture_api

    public init(title: String) throws {
        self.title = title
        api = try CaptureLibrary.api(for: "preview window")
    }

    deinit { api.preview_close_all() }

    /// Shows the frame (with the face outlined) and returns the keys pressed in the window.
    public func show(_ frame: RGBImage, face: FaceBox?) -> [UInt8] { show(frame, faces: face.map { [$0] } ?? []) }

    /// Shows the frame with each face outlined and returns the keys pressed in the window.
    public func show(_ frame: RGBImage, faces: [FaceBox]) -> [UInt8] {
        let image = faces.reduce(frame) { $0.outlined($1) }
        var key: Int32 = -1
        _ = ShimCall.run { api.preview_show(title, image.pixels, Int32(image.width), Int32(image.height), 1, &key, $0, $1) }
        return key >= 0 && key < 256 ? [UInt8(key)] : []
    }
}
