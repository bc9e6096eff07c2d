// CaptureLibrary.swift — libFaceverCapture.so, loaded with dlopen the first time a command needs a
// camera, a video, a face cascade, the preview window or an image format facever's own codecs do not
// read (see facever_capture.h: its OpenCV modules bring some 250 shared libraries that `facever verify`
// on a photo never needs).
//
// Where it is looked for: $FACEVER_CAPTURE_LIBRARY when set (only there), otherwise the folder of the
// running executable (`swift build` puts facever, the test runner and the library side by side).
import COpenCVShim
import Foundation

enum CaptureLibrary {
    static let fileName = "libFaceverCapture.so"

    /// The library's table of entry points, or why it could not be loaded (tried once per process).
    static let loaded: Result<fv_capture_api, LoadFailure> = load()

    struct LoadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The table, or an InputError naming `path` (what the caller wanted to open) when the library is missing.
    static func api(for path: String) throws -> fv_capture_api {
        switch loaded {
        case .success(let api): return api
        case .failure(let failure): throw InputError(path: path, problem: failure.description)
        }
    }

    static var candidatePaths: [String] {
        if let chosen = ProcessInfo.processInfo.environment["FACEVER_CAPTURE_LIBRARY"], !chosen.isEmpty {
            return [chosen]
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return [executable.deletingLastPathComponent().appendingPathComponent(fileName).path]
    }

    private static func load() -> Result<fv_capture_api, LoadFailure> {
        // OpenCV's imdecode reads its own size limit from the environment at first use; give it
        // facever's, so that it too refuses a huge declared size before allocating.
        setenv("OPENCV_IO_MAX_IMAGE_PIXELS", String(ImageLimits.photos.maximumPixels), 1)
        var problems: [String] = []
        for path in candidatePaths {
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("no \(path)")
                continue
            }
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                problems.append(dlerror().map { String(cString: $0) } ?? "dlopen failed for \(path)")
                continue
            }
            guard let symbol = dlsym(handle, FV_CAPTURE_API_SYMBOL) else {
                problems.append("\(path) has no \(FV_CAPTURE_API_SYMBOL)")
                continue
            }
            let entry = unsafeBitCast(symbol, to: fv_capture_api_entry.self)
            guard let table = entry(), table.pointee.version == FV_CAPTURE_API_VERSION else {
                problems.append("\(path) is another version of the capture library")
                continue
            }
            return .success(table.pointee)
        }
        return .failure(LoadFailure(description: "cameras, videos, face detection and uncommon image formats need "
            + "\(fileName) beside the facever binary (`swift build -c release` builds it): "
            + problems.joined(separator: "; ")))
    }
}

/// OpenCV's imgcodecs, in the capture library: BMP, TIFF, WebP and the other formats facever's own
/// codecs do not read. Without the library such files stay unreadable, with its reason.
struct CaptureLibraryDecoder: OtherFormatDecoder {
    func decode(_ bytes: Data, path: String, limits: ImageLimits) throws -> RGBImage {
        let api = try CaptureLibrary.api(for: path)
        var image = fv_image()
        let problem = ShimCall.run { error, capacity in
            bytes.withUnsafeBytes { raw in
                api.decode_any(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &image, error, capacity)
            }
        }
        defer { fv_image_free(&image) }
        if let problem { throw InputError(path: path, problem: problem) }
        return try RGBImage.adopting(image, path: path, limits: limits)
    }
}

extension PhotoDecoder {
    /// facever's own formats, then any format OpenCV reads (through the capture library when it is there).
    public static let withCaptureFormats = PhotoDecoder(otherFormats: CaptureLibraryDecoder())
}
