// Im2col.swift — unfolding images into patch rows for GEMM, and folding gradients back.
//
// Work is addressed in output rows: r = n·OH + oh names row oh of image n (OW patch rows each).
//   im2col: x[n, oh+i, ow+j, c]  →  col[(r − first)·OW + ow, (i·KW + j)·C + c]   for r in `outputRows`
//   col2im: the adjoint; each col entry is added back to the pixel it came from.
// In NHWC the KW·C values of one kernel row are contiguous in x, so each (row, i) is one block copy.
// With a stride or padding (ConvolutionGeometry), a kernel row that lies wholly inside the image is
// still one block copy; rows and pixels in the padding are zeros (and are dropped when folding back).
// `threads: 1` runs on the calling thread (when the caller already splits the work by images).
enum Im2col {
    /// Fills col [outputRows.count·OW, P] from x [N, H, W, C].
    static func unfold(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, outputRows: Range<Int>,
        into col: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let rowLength = g.kernelWidth * g.inputChannels  // KW·C contiguous floats
        guard g.isValidStrideOne else {
            unfoldStrided(x, geometry: g, outputRows: outputRows, into: col, threads: threads)
            return
        }
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
        guard g.isValidStrideOne else {
            foldStrided(col, geometry: g, outputRows: outputRows, into: dx)
            return
        }
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

    // MARK: Stride and padding

    /// Calls `body(colOffset, xOffset, count)` for each run of one patch row (output position `ow` of
    /// output row `row`, kernel row `i`) that lies inside the image: `count` floats of x from `xOffset`
    /// belong at `colOffset` within the patch. Positions not visited are padding.
    @inline(__always)
    private static func insideRuns(_ g: ConvolutionGeometry, row: Int, ow: Int, i: Int, _ body: (Int, Int, Int) -> Void) {
        let n = row / g.outputHeight, oh = row % g.outputHeight
        let h = oh * g.stride - g.padding + i
        guard h >= 0 && h < g.height else { return }
        let firstColumn = ow * g.stride - g.padding
        let lower = max(0, -firstColumn), upper = min(g.kernelWidth, g.width - firstColumn)  // j in lower..<upper is inside
        guard lower < upper else { return }
        body((i * g.kernelWidth + lower) * g.inputChannels,
             ((n * g.height + h) * g.width + firstColumn + lower) * g.inputChannels,
             (upper - lower) * g.inputChannels)
    }

    private static func unfoldStrided(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, outputRows: Range<Int>,
        into col: UnsafeMutablePointer<Float>, threads: Int
    ) {
        parallelFor(outputRows.count, threads: threads, minimumChunk: 4) { rows in
            for offset in rows {
                let row = outputRows.lowerBound + offset
                for ow in 0..<g.outputWidth {
                    let colRow = col + (offset * g.outputWidth + ow) * g.patchSize
                    if g.padding > 0 { colRow.update(repeating: 0, count: g.patchSize) }
                    for i in 0..<g.kernelHeight {
                        insideRuns(g, row: row, ow: ow, i: i) { colOffset, xOffset, count in
                            (colRow + colOffset).update(from: x + xOffset, count: count)
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `unfoldStrided`, on the calling thread (strided patches overlap irregularly, and
    /// only networks that are not trained end to end use them so far).
    private static func foldStrided(
        _ col: UnsafePointer<Float>, geometry g: ConvolutionGeometry, outputRows: Range<Int>,
        into dx: UnsafeMutablePointer<Float>
    ) {
        for offset in 0..<outputRows.count {
            let row = outputRows.lowerBound + offset
            for ow in 0..<g.outputWidth {
                let colRow = col + (offset * g.outputWidth + ow) * g.patchSize
                for i in 0..<g.kernelHeight {
                    insideRuns(g, row: row, ow: ow, i: i) { colOffset, xOffset, count in
                        for index in 0..<count { dx[xOffset + index] += colRow[colOffset + index] }
                    }
                }
            }
        }
    }
}
