// Im2col.swift — unfolding images into patch rows for GEMM, and folding gradients back.
//
//   im2col: x[n, oh+i, ow+j, c]  →  col[(n−first)·OH·OW + oh·OW + ow, (i·KW + j)·C + c]
//   col2im: the adjoint; each col entry is added back to the pixel it came from.
// In NHWC the KW·C values of one kernel row are contiguous in x, so each (row, i) is one block copy.
// `parallel: false` runs on the calling thread (when the caller already splits the work by images).
enum Im2col {
    /// Fills col [images.count·OH·OW, P] from x [N, H, W, C] for the images in `images`.
    static func unfold(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, images: Range<Int>,
        into col: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let rowLength = g.kernelWidth * g.inputChannels  // KW·C contiguous floats
        let outputRows = images.count * g.outputHeight  // (n, oh) pairs, split across threads
        parallelFor(outputRows, minimumChunk: parallel ? 4 : Int.max) { rows in
            for row in rows {
                let n = images.lowerBound + row / g.outputHeight
                let oh = row % g.outputHeight
                for ow in 0..<g.outputWidth {
                    let colRow = col + (row * g.outputWidth + ow) * g.patchSize
                    for i in 0..<g.kernelHeight {
                        let source = x + ((n * g.height + oh + i) * g.width + ow) * g.inputChannels
                        (colRow + i * rowLength).update(from: source, count: rowLength)
                    }
                }
            }
        }
    }

    /// Adds col [images.count·OH·OW, P] back into dx [N, H, W, C] for the images in `images`.
    /// Threads own whole input rows (n, h), so no two threads write the same pixel.
    static func fold(
        _ col: UnsafePointer<Float>, geometry g: ConvolutionGeometry, images: Range<Int>,
        into dx: UnsafeMutablePointer<Float>, parallel: Bool = true
    ) {
        let rowLength = g.kernelWidth * g.inputChannels
        let inputRows = images.count * g.height
        parallelFor(inputRows, minimumChunk: parallel ? 4 : Int.max) { rows in
            for row in rows {
                let imageInChunk = row / g.height
                let n = images.lowerBound + imageInChunk
                let h = row % g.height
                // Output rows oh that read input row h through kernel row i = h − oh.
                for i in 0..<g.kernelHeight {
                    let oh = h - i
                    guard oh >= 0 && oh < g.outputHeight else { continue }
                    for ow in 0..<g.outputWidth {
                        let colRow = ((imageInChunk * g.outputHeight + oh) * g.outputWidth + ow) * g.patchSize
                        let source = col + colRow + i * rowLength
                        let target = dx + ((n * g.height + h) * g.width + ow) * g.inputChannels
                        for offset in 0..<rowLength {
                            target[offset] += source[offset]
                        }
                    }
                }
            }
        }
    }
}
