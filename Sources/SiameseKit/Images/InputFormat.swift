// InputFormat.swift — the picture a network takes: height × width × channels, values in [0, 1].
//
// Everything below the model (decoding, datasets, batches) needs only this, not the network: a model's
// EmbeddingArchitecture gives its `inputFormat`.
public struct InputFormat: Equatable, Sendable {
    public var height: Int
    public var width: Int
    /// 3 for RGB, 1 for grey (the mean of R, G and B).
    public var channels: Int
    /// How a photo becomes this picture: nil, resized whole; a chipper, cut to the landmark-aligned face chip
    /// (a model with a landmark predictor: dlib's ResNet).
    public var chipper: FaceChipper?

    public init(height: Int, width: Int, channels: Int, chipper: FaceChipper? = nil) {
        self.height = height
        self.width = width
        self.channels = channels
        self.chipper = chipper
    }

    /// [H, W, C], one image's tensor shape.
    public var shape: [Int] { [height, width, channels] }
    /// H·W·C, one image's value count.
    public var valueCount: Int { height * width * channels }
}
