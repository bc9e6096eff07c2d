// ConvolutionGeometry.swift — the sizes of one 2-D convolution: stride S, zero padding Q on every side.
//
// Legend used by Conv2D.swift and Im2col.swift:
//   N batch, H×W input size, C input channels, KH×KW kernel, O output channels, S stride, Q padding,
//   OH = (H + 2Q − KH) / S + 1, OW = (W + 2Q − KW) / S + 1 (floor: dlib's and Caffe's rule),
//   P = KH·KW·C (one patch, one row of the im2col matrix).
// Output (oh, ow) reads input rows oh·S − Q + i and columns ow·S − Q + j; outside the image reads 0.
// The Koch networks use S = 1, Q = 0 ("valid"); dlib's ResNet strides by 2 and pads by 1.
public struct ConvolutionGeometry: Equatable, Sendable {
    public let batch: Int
    public let height: Int
    public let width: Int
    public let inputChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let outputChannels: Int
    public let stride: Int
    public let padding: Int

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Whether every patch row is a plain copy of KW·C contiguous input values (stride 1, no padding).
    public var isValidStrideOne: Bool { stride == 1 && padding == 0 }
    /// P: values in one receptive field.
    public var patchSize: Int { kernelHeight * kernelWidth * inputChannels }
    /// OH·OW: output positions (im2col rows) per image.
    public var positionsPerImage: Int { outputHeight * outputWidth }
    /// Multiply-adds of the forward pass, ×2 for FLOPs.
    public var forwardFLOPs: Double {
        2 * Double(batch) * Double(positionsPerImage) * Double(patchSize) * Double(outputChannels)
    }

    /// x: [N, H, W, C], weight: [KH, KW, C, O].
    public init(input xShape: [Int], weight wShape: [Int], stride: Int = 1, padding: Int = 0) {
        precondition(xShape.count == 4, "conv2d: input must be [N, H, W, C], got \(xShape)")
        precondition(wShape.count == 4, "conv2d: weight must be [KH, KW, C, O], got \(wShape)")
        precondition(
            xShape[3] == wShape[2],
            "conv2d: input has \(xShape[3]) channels but the weight expects \(wShape[2])")
        precondition(stride >= 1 && padding >= 0 && padding < max(wShape[0], wShape[1]),
                     "conv2d: stride \(stride) and padding \(padding) for a \(wShape[0])×\(wShape[1]) kernel")
        precondition(
            xShape[1] + 2 * padding >= wShape[0] && xShape[2] + 2 * padding >= wShape[1],
            "conv2d: kernel \(wShape[0])×\(wShape[1]) is larger than the padded input \(xShape[1])×\(xShape[2])")
        batch = xShape[0]
        height = xShape[1]
        width = xShape[2]
        inputChannels = xShape[3]
        kernelHeight = wShape[0]
        kernelWidth = wShape[1]
        outputChannels = wShape[3]
        self.stride = stride
        self.padding = padding
    }

    public var outputShape: [Int] { [batch, outputHeight, outputWidth, outputChannels] }
}
