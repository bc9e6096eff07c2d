// ReferenceResNetOps.swift — Float64 oracles for the ops dlib's ResNet adds: windowed pooling,
// global average pooling, the per-channel affine, the padded residual sum, the squared difference.
// Loops follow each op's header formula literally (WindowPool2D, ChannelAffine, PaddedAdd, Elementwise).
extension Reference {
    /// K×K windows, stride S, no padding. x: [N, H, W, C] → [N, (H−K)/S+1, (W−K)/S+1, C].
    public static func pool2d(x: [Double], xShape: [Int], max isMax: Bool, window k: Int, stride s: Int) -> [Double] {
        let (n, h, w, c) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1)
        var y: [Double] = []
        for image in 0..<n {
            for row in 0..<oh {
                for column in 0..<ow {
                    for channel in 0..<c {
                        var values: [Double] = []
                        for i in 0..<k {
                            for j in 0..<k { values.append(x[((image * h + row * s + i) * w + column * s + j) * c + channel]) }
                        }
                        y.append(isMax ? values.max()! : values.reduce(0, +) / Double(k * k))
                    }
                }
            }
        }
        return y
    }

    /// x: [N, H, W, C] → [N, C], the mean over pixels.
    public static func globalAveragePool(x: [Double], xShape: [Int]) -> [Double] {
        let (n, pixels, c) = (xShape[0], xShape[1] * xShape[2], xShape[3])
        return (0..<(n * c)).map { index in
            let (image, channel) = (index / c, index % c)
            return (0..<pixels).map { x[(image * pixels + $0) * c + channel] }.reduce(0, +) / Double(pixels)
        }
    }

    /// y[..., c] = x[..., c] · scale[c] + shift[c].
    public static func channelAffine(x: [Double], scale: [Double], shift: [Double]) -> [Double] {
        x.indices.map { x[$0] * scale[$0 % scale.count] + shift[$0 % scale.count] }
    }

    /// y = a + b over the larger extent in each dimension, absent values counted as 0.
    public static func paddedAdd(a: [Double], aShape: [Int], b: [Double], bShape: [Int]) -> [Double] {
        let shape = (0..<4).map { max(aShape[$0], bShape[$0]) }
        func value(_ t: [Double], _ s: [Int], _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Double {
            guard h < s[1], w < s[2], c < s[3] else { return 0 }
            return t[((n * s[1] + h) * s[2] + w) * s[3] + c]
        }
        var y: [Double] = []
        for n in 0..<shape[0] {
            for h in 0..<shape[1] {
                for w in 0..<shape[2] {
                    for c in 0..<shape[3] { y.append(value(a, aShape, n, h, w, c) + value(b, bShape, n, h, w, c)) }
                }
            }
        }
        return y
    }

    public static func squaredDifference(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { ($0 - $1) * ($0 - $1) } }

    /// x [N, H, W, C] flipped left to right.
    public static func mirrored(x: [Double], xShape: [Int]) -> [Double] {
        let (n, h, w, c) = (xShape[0], xShape[1], xShape[2], xShape[3])
        var y: [Double] = []
        for image in 0..<n {
            for row in 0..<h {
                for column in 0..<w {
                    for channel in 0..<c { y.append(x[((image * h + row) * w + (w - 1 - column)) * c + channel]) }
                }
            }
        }
        return y
    }
}
