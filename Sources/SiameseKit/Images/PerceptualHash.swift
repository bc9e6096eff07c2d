// PerceptualHash.swift — a 64-bit difference hash (dHash) of a picture, for finding near-duplicates.
//
// The picture is averaged down to 9×8 grey cells; bit r·8 + c says whether cell (r, c) is darker than
// its right neighbour (r, c + 1). Photos a few frames apart in a video, or the same photo re-encoded or
// resized, differ in a few bits; different photos of a face differ in many (`distance`).
public struct PerceptualHash: Hashable, Sendable {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    /// The hash of an image given as `format.height` rows of `format.width` pixels of `format.channels`
    /// bytes (the network-input bytes FaceDataset keeps).
    public init(bytes: [UInt8], format: InputFormat) {
        precondition(bytes.count == format.valueCount, "PerceptualHash: \(bytes.count) bytes for \(format.shape)")
        let (columns, rows) = (9, 8)
        var cells = [Double](repeating: 0, count: columns * rows)
        var counts = [Int](repeating: 0, count: columns * rows)
        for y in 0..<format.height {
            let row = y * rows / format.height
            for x in 0..<format.width {
                let cell = row * columns + x * columns / format.width
                var grey = 0
                for channel in 0..<format.channels { grey += Int(bytes[(y * format.width + x) * format.channels + channel]) }
                cells[cell] += Double(grey) / Double(format.channels)
                counts[cell] += 1
            }
        }
        for index in cells.indices where counts[index] > 0 { cells[index] /= Double(counts[index]) }
        var value: UInt64 = 0
        for row in 0..<rows {
            for column in 0..<(columns - 1) where cells[row * columns + column] < cells[row * columns + column + 1] {
                value |= 1 << UInt64(row * 8 + column)
            }
        }
        self.value = value
    }

    /// How many of the 64 bits differ.
    public func distance(to other: PerceptualHash) -> Int { (value ^ other.value).nonzeroBitCount }
}
