// ImageBatch.swift — turning decoded pictures into the network's input tensor.
//
// Every photo the network sees — stored, gallery or probe — goes through the same steps:
// the centred square (a no-op for stored 250×250 photos), a resize to H×W (or, for a format with a
// chipper, the landmark-aligned face chip), and (for one channel) the mean of R, G and B.
// Then [RGBImage] → Tensor [N, H, W, C] with values in [0, 1].
import Tensor

public enum ImageBatch {
    /// The photo as the network's input bytes: [H, W, C], 8 bits each.
    public static func inputBytes(of image: RGBImage, for format: InputFormat) -> [UInt8] {
        let square = image.centreSquare()
        let resized = format.chipper.map { $0.chip(of: square) } ?? square.resized(width: format.width, height: format.height)
        precondition(resized.width == format.width && resized.height == format.height, "ImageBatch: a chip of another size")
        if format.channels == 3 { return resized.pixels }
        return (0..<(resized.width * resized.height)).map { index in
            let sum = Int(resized.pixels[3 * index]) + Int(resized.pixels[3 * index + 1]) + Int(resized.pixels[3 * index + 2])
            return UInt8((sum + 1) / 3)
        }
    }

    /// One photo as the network's input values: [H, W, C] floats in [0, 1].
    public static func values(of image: RGBImage, for format: InputFormat) -> [Float] {
        inputBytes(of: image, for: format).map { Float($0) * (1 / 255) }
    }

    /// Stacks prepared images ([H, W, C] each) into [N, H, W, C].
    public static func tensor(stacking images: [[Float]], format: InputFormat) -> Tensor {
        let shape = [images.count] + format.shape
        var data: [Float] = []
        data.reserveCapacity(Tensor.elementCount(of: shape))
        for image in images {
            precondition(image.count == format.valueCount, "ImageBatch: image of the wrong size")
            data.append(contentsOf: image)
        }
        return Tensor(shape: shape, data: data)
    }
}
