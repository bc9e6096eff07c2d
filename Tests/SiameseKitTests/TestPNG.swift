// TestPNG.swift — a minimal PNG writer for tests (stored, uncompressed deflate blocks), so tests can
// make the PNG kinds a camera or a user may hand facever: RGBA, 8- and 16-bit greyscale.
import Foundation

enum TestPNG {
    enum Kind {
        case rgba8, grey8, grey16
        var colorType: UInt8 { self == .rgba8 ? 6 : 0 }
        var bitDepth: UInt8 { self == .grey16 ? 16 : 8 }
        var bytesPerPixel: Int { self == .rgba8 ? 4 : (self == .grey16 ? 2 : 1) }
    }

    /// `pixel(x, y)` returns the samples of one pixel (big-endian for 16 bits).
    static func encode(width: Int, height: Int, kind: Kind, pixel: (Int, Int) -> [UInt8]) -> Data {
        var raw = Data()
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw.append(contentsOf: pixel(x, y)) }
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian(UInt32(width)))
        header.append(bigEndian(UInt32(height)))
        header.append(contentsOf: [kind.bitDepth, kind.colorType, 0, 0, 0])
        png.append(chunk("IHDR", header))
        png.append(chunk("IDAT", zlibStored(raw)))
        png.append(chunk("IEND", Data()))
        return png
    }

    /// `png` with its header (IHDR, always the first chunk) declaring another size, CRC mended, so
    /// that only the size disagrees with the pixel data that follows.
    static func declaring(width: UInt32, height: UInt32, in png: Data) -> Data {
        var header = Data(png[16..<29])  // IHDR body: width, height, depth, colour, compression, filter, interlace
        header.replaceSubrange(0..<8, with: bigEndian(width) + bigEndian(height))
        return png.prefix(8) + chunk("IHDR", header) + png.suffix(from: 33)
    }

    private static func bigEndian(_ value: UInt32) -> Data {
        Data([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    private static func chunk(_ type: String, _ body: Data) -> Data {
        var data = bigEndian(UInt32(body.count))
        let typed = Data(type.utf8) + body
        data.append(typed)
        data.append(bigEndian(crc32(typed)))
        return data
    }

    private static func zlibStored(_ raw: Data) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let length = min(65535, raw.count - offset)
            let final: UInt8 = offset + length >= raw.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
            out.append(raw.subdata(in: offset..<(offset + length)))
            offset += length
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        out.append(bigEndian(b << 16 | a))
        return out
    }

    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
