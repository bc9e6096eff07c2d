// BMPFile.swift — a 24-bit BMP written by hand, for tests of the formats facever reads only through
// OpenCV's decoder in the capture library (facever itself writes JPEG and PNG alone).
import Foundation
import SiameseKit

public enum BMPFile {
    /// `image` as an uncompressed 24-bit BMP: a 54-byte header, then bottom-up rows of B G R, each padded
    /// to a multiple of 4 bytes.
    public static func data(of image: RGBImage) -> Data {
        let (width, height) = (image.width, image.height)
        let rowBytes = (width * 3 + 3) / 4 * 4
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }
        func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8((value >> (8 * $0)) & 0xff) } }
        var bmp: [UInt8] = Array("BM".utf8) + le32(54 + rowBytes * height) + le32(0) + le32(54)
        bmp += le32(40) + le32(width) + le32(height) + le16(1) + le16(24) + le32(0) + le32(rowBytes * height)
        bmp += le32(2835) + le32(2835) + le32(0) + le32(0)
        for y in (0..<height).reversed() {
            for x in 0..<width {
                let pixel = (y * width + x) * 3
                bmp += [image.pixels[pixel + 2], image.pixels[pixel + 1], image.pixels[pixel]]
            }
            bmp += [UInt8](repeating: 0, count: rowBytes - width * 3)
        }
        return Data(bmp)
    }
}
