// CaptureLibrary.swift — libFaceverCapture.so, loaded with dlopen the first time a command needs a
// camera, a video, the preview window or an image format facever's own codecs do not read (see
// facever_capture.h: its OpenCV modules bring some 250 shared libraries that `facever verify` on a photo
// never needs); and libFaceverDetect.so, the face cascades, loaded the first time a face is looked for.
// Both through NativeLibrary ($FACEVER_CAPTURE_LIBRARY and $FACEVER_DETECT_LIBRARY override where).
import COpenCVShim
import Foundation

enum CaptureLibrary {
    static let fileName = "libFaceverCapture.so"

    /// The library's table of entry points, or why it could not be loaded (tried once per process).
    static let loaded: Result<fv_capture_api, NativeLibrary.LoadFailure> = load()

    /// The table, or an InputError naming `path` (what the caller wanted to open) when the library is missing.
    static func api(for path: String) throws -> fv_capture_api {
        switch loaded {
        case .success(let api): return api
        case .failure(let failure): throw InputError(path: path, problem: failure.description)
        }
    }

    private static func load() -> Result<fv_capture_api, NativeLibrary.LoadFailure> {
        // OpenCV's imdecode reads its own size limit from the environment at first use; give it
        // facever's, so that it too refuses a huge declared size before allocating.
        setenv("OPENCV_IO_MAX_IMAGE_PIXELS", String(ImageLimits.photos.maximumPixels), 1)
        // FFmpeg, under OpenCV's video reader, prints its own complaints about a damaged file ("moov atom not
        // found") on stderr before facever's one line says the same: quiet (AV_LOG_QUIET) unless the user
        // asked OpenCV for FFmpeg's log.
        setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0)
        return NativeLibrary.load(fileName: fileName, environmentVariable: "FACEVER_CAPTURE_LIBRARY", symbol: FV_CAPTURE_API_SYMBOL,
                                  purpose: "cameras, videos and uncommon image formats") { symbol in
            let entry = unsafeBitCast(symbol, to: fv_capture_api_entry.self)
            guard let table = entry(), table.pointee.version == FV_CAPTURE_API_VERSION else { return nil }
            return table.pointee
        }
    }
}

/// libFaceverDetect.so: OpenCV's face cascades (objdetect), apart from the capture library so that finding
/// a face loads a tenth of the shared libraries (facever_detect.h).
enum DetectLibrary {
    static let fileName = "libFaceverDetect.so"

    static let loaded: Result<fv_detect_api, NativeLibrary.LoadFailure> =
        NativeLibrary.load(fileName: fileName, environmentVariable: "FACEVER_DETECT_LIBRARY", symbol: FV_DETECT_API_SYMBOL,
                           purpose: "face detection") { symbol in
            let entry = unsafeBitCast(symbol, to: fv_detect_api_entry.self)
            guard let table = entry(), table.pointee.version == FV_DETECT_API_VERSION else { return nil }
            return table.pointee
        }

    static func api(for path: String) throws -> fv_detect_api {
        switch loaded {
        case .success(let api): return api
        case .failure(let failure): throw InputError(path: path, problem: failure.description)
        }
    }
}

/// OpenCV's imgcodecs, in the capture library: BMP, TIFF, WebP and the other formats facever's own
/// codecs do not read. Without the library such files stay unreadable, with its reason.
struct CaptureLibraryDecoder: OtherFormatDecoder {
    func decode(_ bytes: Data, path: String, limits: ImageLimits) throws -> RGBImage {
        let api = try CaptureLibrary.api(for: path)
        var image = fv_image()
        var status: Int32 = 0
        let problem = ShimCall.run { error, capacity in
            status = bytes.withUnsafeBytes { raw in
                api.decode_any(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &image, error, capacity)
            }
            return status
        }
        defer { fv_image_free(&image) }
        if let problem {
            // OpenCV could not decode the bytes either: the same words as facever's own codecs.
            if status == 2 { throw UnknownImageFormat(path: path, bytes: bytes).inputError }
            throw InputError(path: path, problem: problem)
        }
        return try RGBImage.adopting(image, path: path, limits: limits)
    }
}

extension PhotoDecoder {
    /// facever's own formats, then any format OpenCV reads (through the capture library when it is there).
    public static let withCaptureFormats = PhotoDecoder(otherFormats: CaptureLibraryDecoder())
}
