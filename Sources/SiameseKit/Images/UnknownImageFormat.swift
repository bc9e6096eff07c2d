// UnknownImageFormat.swift — what facever says about a file that no decoder of its reads: the format's
// name when its first bytes give it away (a GIF, or an iPhone's HEIC photo, is a common thing to hand a
// face tool), and in every case the next step: convert the photo to JPEG or PNG.
import Foundation

/// A file in none of facever's own formats (JPEG, PNG, PGM/PPM); PhotoDecoder may still read it with its
/// other-format decoder, and throws `inputError` when it cannot.
struct UnknownImageFormat: Error {
    let path: String
    /// What the first bytes say the file is ("a GIF image"), when they name a format facever knows it
    /// cannot read.
    let recognised: String?

    init(path: String, bytes: Data) {
        self.path = path
        recognised = Self.recognisedFormat(of: bytes)
    }

    var inputError: InputError {
        let problem = recognised.map { "\($0), a format facever does not read" }
            ?? "not a readable image (corrupt, truncated or unknown format)"
        return InputError(path: path, problem: problem, nextStep: "convert it to JPEG or PNG")
    }

    /// GIF, HEIF (HEIC, AVIF) and JPEG XL by their signatures, with the article; nil for anything else
    /// (JPEG 2000 is not named: OpenCV's decoder reads it, so a failure there means a damaged file).
    static func recognisedFormat(of bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(12))
        func starts(with signature: [UInt8]) -> Bool { head.starts(with: signature) }
        if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) { return "a GIF image" }
        if starts(with: [0xFF, 0x0A]) || starts(with: [0, 0, 0, 0x0C] + Array("JXL ".utf8)) { return "a JPEG XL image" }
        // ISO base media files: a box size, "ftyp", then the major brand.
        guard head.count == 12, Array(head[4..<8]) == Array("ftyp".utf8) else { return nil }
        switch String(decoding: head[8..<12], as: UTF8.self) {
        case "heic", "heix", "heim", "heis", "hevc", "hevx": return "a HEIC image"
        case "avif", "avis": return "an AVIF image"
        case "mif1", "msf1": return "a HEIF image"
        default: return nil
        }
    }
}
