// LevelsStretch.swift — a dim or flat picture's levels stretched to the full range, for the face pipeline's
// second look at a picture in which it found no face.
//
// Haar's cascades divide each window's features by the window's contrast, but not by less than a floor: in a
// photo taken in a dim room (every value under 40) or in flat light, a face's windows fall under that floor and
// no face is found. Mapping the darkest 1 % of the grey levels to black and the brightest 1 % to white, the same
// line for R, G and B (so hues stay), brings such faces back. A picture whose levels already span most of the
// range is left alone (nil): stretching it would change nothing the cascades see.
import Foundation

extension RGBImage {
    /// The share of pixels at either end that the stretch saturates.
    static let stretchCutoff = 0.01
    /// A picture whose 1 %–99 % grey range is at least this wide is not stretched.
    static let stretchWhenRangeUnder = 160

    /// This picture with its grey levels' 1st percentile mapped to 0 and 99th to 255 (every channel by the
    /// same line), or nil when that range already spans `stretchWhenRangeUnder` levels or more, or is empty.
    public func levelsStretched() -> RGBImage? {
        var histogram = [Int](repeating: 0, count: 256)
        let count = width * height
        pixels.withUnsafeBufferPointer { bytes in
            for pixel in 0..<count {
                let grey = (Int(bytes[3 * pixel]) + Int(bytes[3 * pixel + 1]) + Int(bytes[3 * pixel + 2])) / 3
                histogram[grey] += 1
            }
        }
        let cut = Int(Double(count) * Self.stretchCutoff)
        var (low, below) = (0, 0)
        while low < 255 && below + histogram[low] <= cut { below += histogram[low]; low += 1 }
        var (high, above) = (255, 0)
        while high > 0 && above + histogram[high] <= cut { above += histogram[high]; high -= 1 }
        guard high > low, high - low < Self.stretchWhenRangeUnder else { return nil }
        let table = (0..<256).map { value in UInt8(max(0, min(255, ((value - low) * 255 + (high - low) / 2) / (high - low)))) }
        return RGBImage(width: width, height: height, pixels: pixels.map { table[Int($0)] })
    }
}
