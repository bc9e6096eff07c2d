// ConvolutionGeometry.swift — the sizes of one valid-padding, stride-1 2-D convolution.
//
// Legend used by Conv2D.swift and Im2col.swift:
//   N batch, H×W input size, C input channels, KH×KW kernel, O output channels,
//   OH = H − KH + 1, OW = W − KW + 1, P = KH·KW·C (one patch, one row of the im2col matrix).
public struct ConvolutionGeometry: Equatable, Sendable {
    public let batch: Int
    public let height: Int
    public let width: Int
    public let inputChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let outputChannels: Int

    public var outputHeight: Int { height - kernelHeight + 1 }
    public var outputWidth: Int { width - kernelWidth + 1 }
    /// P: values in one receptive field.
    public var patchSize: Int { kernelHeight * kernelWidth * inputChannels }
    /// OH·OW: output positions (im2col rows) per image.
    public var positionsPerImage: Int { outputHeight * outputWidth }
    /// Multiply-adds of the forward pass, ×2 for FLOPs.
    public var forwardFLOPs: Double {
        2 * Double(batch) * Double(positionsPerImage) * Double(patchSize) * Double(outputChannels)
    }

    /// x: [N, H, W, C], weight: [KH, KW, C, O].
    public init(input xShape: [Int], weight wShape: [Int]) {
        precondition(xShape.count == 4, "conv2d: input must be [N, H, W, C], got \(xShape)")
        precondition(wShape.count == 4, "conv2d: weight must be [KH, KW, C, O], got \(wShape)")
        precondition(
            xShape[3] == wShape[2],
            "conv2d: input has \(xShape[3]) channels but the weight expects \(wShape[2])")
        precondition(
            xShape[1] >= wShape[0] && xShape[2] >= wShape[1],
            "conv2d: kernel \(wShape[0])×\(wShape[1]) is larger than the input \(xShape[1])×\(xShape[2])")
        batch = xShape[0]
        height = xShape[1]
        width = xShape[2]
        inputChannels = xShape[3]
        kernelHeight = wShape[0]
        kernelWidth = wShape[1]
        outputChannels = wShape[3]
    }

    public var outputShape: [Int] { [batch, outputHeight, outputWidth, outputChannels] }
}
