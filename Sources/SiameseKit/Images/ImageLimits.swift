// ImageLimits.swift — how large and how small a decoded photo may be.
//
// A photo file is read only when it is a regular file (a FIFO or /dev/zero behind a link named
// face.jpg would never end) of at most `maximumFileBytes`, far above any photo within the pixel limit.
// A photo's header can declare any size: 60000×60000 in a 159-byte file would cost 10 GB before a
// single pixel was read. Every decoder checks the declared size against `maximumPixels` before it
// allocates, and a picture smaller than `minimumSide` on either side is refused after decoding: no
// face can be seen in it, and enlarging it to the network's input makes a smooth blob that a
// network scores as if it were a face.
//
// The standard limit is 40 megapixels (a 7,300×5,500 photo; every phone camera is below it). The
// environment variable FACEVER_MAX_MEGAPIXELS changes it for a run (a positive number, fractions
// allowed); a value that is not a positive number is ignored with the standard limit kept.
import Foundation

public struct ImageLimits: Equatable, Sendable {
    /// The largest width × height a decoder accepts.
    public var maximumPixels: Int
    /// The smallest width and height a photo may have.
    public var minimumSide: Int
    /// The largest photo file read (an uncompressed 16-bit 40-megapixel PPM is 240 MB).
    public static let maximumFileBytes = 512 << 20

    public init(maximumPixels: Int = ImageLimits.standardMaximumPixels, minimumSide: Int = ImageLimits.standardMinimumSide) {
        self.maximumPixels = maximumPixels
        self.minimumSide = minimumSide
    }

    public static let standardMaximumPixels = 40_000_000
    public static let standardMinimumSide = 32
    public static let environmentVariable = "FACEVER_MAX_MEGAPIXELS"
    /// What to do with a photo over the pixel limit, whether its header or its decoded size says so.
    static let overLimitNextStep = "shrink it, or raise the limit for one run with \(environmentVariable)=MEGAPIXELS"

    /// The limits for photos that enter facever: the standard ones, or FACEVER_MAX_MEGAPIXELS.
    public static let photos = ImageLimits(maximumPixels: maximumPixels(from: ProcessInfo.processInfo.environment))

    /// For images facever made itself from a valid photo (the JPEG round trip of augmentation):
    /// any size down to 1×1, the same upper bound.
    public static let ownImages = ImageLimits(maximumPixels: photos.maximumPixels, minimumSide: 1)

    static func maximumPixels(from environment: [String: String]) -> Int {
        guard let text = environment[environmentVariable], let megapixels = Double(text),
              megapixels.isFinite, megapixels > 0, megapixels < 1e6
        else { return standardMaximumPixels }
        return max(1, Int(megapixels * 1_000_000))
    }

    /// The bytes of the photo file at `url`: a regular file (links followed) of at most `maximumFileBytes`.
    public func contents(of url: URL) throws -> Data {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw InputError.cannotOpen(url.path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw InputError(path: url.path, problem: "not a regular file (a folder, device or pipe)", nextStep: "name a photo file")
        }
        guard status.st_size <= Self.maximumFileBytes else {
            throw InputError(path: url.path, problem: "the file has \(status.st_size) bytes, more than any photo facever reads "
                             + "(\(Self.maximumFileBytes))", nextStep: "save the photo as JPEG or PNG")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw InputError.cannotOpen(url.path)
        }
    }

    /// Why a decoded width × height is refused and what to do instead, or nil when it is within the limits.
    func refusal(width: Int, height: Int) -> (problem: String, nextStep: String)? {
        if width < minimumSide || height < minimumSide {
            return ("the image is \(width)×\(height) pixels, smaller than the \(minimumSide)×\(minimumSide) minimum for a face photo",
                    "use a larger photo of the face")
        }
        if width * height > maximumPixels {
            return ("the image is \(width)×\(height) pixels, over the limit of \(maximumPixels)", Self.overLimitNextStep)
        }
        return nil
    }
}
