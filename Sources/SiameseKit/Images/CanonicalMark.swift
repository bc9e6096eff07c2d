// CanonicalMark.swift — the mark facever writes into every photo it stores, saying "this is a canonical
// crop already, made in this crop mode", so that no later step (train, evaluate, a gallery, augment)
// crops it a second time.
//
// The mark is a JPEG comment segment (marker FF FE) placed right after the start-of-image marker:
//   FF D8 | FF FE <length: 2 bytes, big-endian, counting itself> "facever canonical-crop v1 mode=<mode>" | …
// Decoders ignore comments, so a marked photo looks the same to every other program. Reading the mark
// walks the segments before the first scan (FF DA) and never reads past the bytes it was given.
import Foundation

public enum CanonicalMark {
    static let prefix = "facever canonical-crop v1 mode="

    /// `jpeg` with the mark for `mode` after its start-of-image marker (unchanged if it is not a JPEG).
    public static func marking(_ jpeg: Data, mode: CropMode) -> Data {
        let bytes = [UInt8](jpeg)
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return jpeg }
        let text = Array((prefix + mode.rawValue).utf8)
        let length = text.count + 2
        var marked = [UInt8]()
        marked.reserveCapacity(bytes.count + length + 2)
        marked += [0xFF, 0xD8, 0xFF, 0xFE, UInt8(length >> 8), UInt8(length & 0xFF)]
        marked += text
        marked += bytes[2...]
        return Data(marked)
    }

    /// The crop mode a photo's mark names, or nil when it carries none (not a JPEG, no comment of ours,
    /// or a damaged segment list).
    public static func mode(of data: Data) -> CropMode? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> CropMode? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
            var offset = 2
            while offset + 4 <= bytes.count {
                guard bytes[offset] == 0xFF else { return nil }
                let marker = bytes[offset + 1]
                if marker == 0xDA || marker == 0xD9 { return nil }  // the image data begins: no mark before it
                let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
                if marker == 0xFE {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 2 + length)]), as: UTF8.self)
                    if text.hasPrefix(prefix) { return CropMode(rawValue: String(text.dropFirst(prefix.count))) }
                }
                offset += 2 + length
            }
            return nil
        }
    }
}
