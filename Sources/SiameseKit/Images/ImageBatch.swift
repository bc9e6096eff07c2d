// ImageBatch.swift — turning decoded pictures into the network's input tensor.
//
//   [RGBImage] → Tensor [N, H, W, C], each image resized to H×W and scaled to [0, 1].
import Tensor

public enum ImageBatch {
    /// One image as the network's input values: [H, W, C] floats in [0, 1].
    public static func values(of image: RGBImage, for architecture: EmbeddingArchitecture) -> [Float] {
        image.resized(width: architecture.inputWidth, height: architecture.inputHeight)
            .floatValues(channels: architecture.channels)
    }

    /// Stacks prepared images ([H, W, C] each) into [N, H, W, C].
    public static func tensor(stacking images: [[Float]], architecture: EmbeddingArchitecture) -> Tensor {
        let shape = [images.count] + architecture.inputShape
        var data: [Float] = []
        data.reserveCapacity(Tensor.elementCount(of: shape))
        for image in images {
            precondition(image.count == architecture.inputShape.reduce(1, *), "ImageBatch: image of the wrong size")
            data.append(contentsOf: image)
        }
        return Tensor(shape: shape, data: data)
    }
}
