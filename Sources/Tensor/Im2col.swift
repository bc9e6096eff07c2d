// Im2col.swift — unfolding images into patch rows for GEMM, and folding gradients back.
//
// Work is addressed in output rows: r = n·OH + oh names row oh of image n (OW patch rows each).
//   im2col: x[n, oh+i, ow+j, c]  →  col[(r − first)·OW + ow, (i·KW + j)·C + c]   for r in `outputRows`
//   col2im: the adjoint; each col entry is added back to the pixel it came from.
// In NHWC the KW·C values of one kernel row are contiguous in x, so each (row, i) is one block copy.
// `threads: 1` runs on the calling thread (when the caller already splits the work by images).
enum Im2col {
    /// Fills col [outputRows.count·OW, P] from x [N, H, W, C].
    static func unfold(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, outputRows: Range<Int>,
        into col: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let rowLength = g.kernelWidth * g.inputChannels  // KW·C contiguous floats
        parallelFor(outputRows.count, threads: threads, minimumChunk: 4) { rows in
            for offset in rows {
                let row = outputRows.lowerBound + offset
                let n = row / g.outputHeight
                let oh = row % g.outputHeight
                for ow in 0..<g.outputWidth {
                    let colRow = col + (offset * g.outputWidth + ow) * g.patchSize
                    for i in 0..<g.kernelHeight {
                        let source = x + ((n * g.height + oh + i) * g.width + ow) * g.inputChannels
                        (colRow + i * rowLength).update(from: source, count: rowLength)
                    }
                }
            }
        }
    }

    /// Adds col [outputRows.count·OW, P] back into dx [N, H, W, C].
    /// Threads own whole input rows (n, h), so no two threads write the same pixel.
    static func fold(
        _ col: UnsafePointer<Float>, geometry g: ConvolutionGeometry, outputRows: Range<Int>,
        into dx: UnsafeMutablePointer<Float>, threads: Int
    ) {
        guard !outputRows.isEmpty else { return }
        let rowLength = g.kernelWidth * g.inputChannels
        // Input rows q = n·H + h that the chunk's output rows read.
        let firstImage = outputRows.lowerBound / g.outputHeight
        let lastImage = (outputRows.upperBound - 1) / g.outputHeight
        let firstInputRow = firstImage * g.height + outputRows.lowerBound % g.outputHeight
        let lastInputRow = lastImage * g.height + (outputRows.upperBound - 1) % g.outputHeight + g.kernelHeight - 1
        parallelFor(lastInputRow - firstInputRow + 1, threads: threads, minimumChunk: 4) { inputRows in
            for offset in inputRows {
                let n = (firstInputRow + offset) / g.height
                let h = (firstInputRow + offset) % g.height
                // Output rows oh that read input row h through kernel row i = h − oh.
                for i in 0..<g.kernelHeight {
                    let oh = h - i
                    let row = n * g.outputHeight + oh
                    guard oh >= 0 && oh < g.outputHeight && outputRows.contains(row) else { continue }
                    for ow in 0..<g.outputWidth {
                        let source = col + ((row - outputRows.lowerBound) * g.outputWidth + ow) * g.patchSize + i * rowLength
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
