// Matrix.swift — the single doorway to matrix multiplication, row-major, with named transposes.
//
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]   (+ bias[n], then max(0, ·), when asked)
// where op(A) is A or Aᵀ. Leading dimensions are those of the matrices as stored (row-major).
//
// `compute` chooses the arithmetic and the kernel (Compute.swift). With `parallel`, a product of facever's
// kernels splits C's rows (or, with few rows, its columns) across `compute.threads` threads, and sgemm is
// told to use that many;
// without it, the product runs on the calling thread (callers that already run one product per thread
// say so).
import CBLAS
import MatrixKernels

enum Matrix {
    /// Rows of C per bfloat16 micro-tile: row splits between threads are multiples of it.
    private static let tileRows = 8

    /// C = alpha · op(A) · op(B) + beta · C, then, when given, + bias[n] on every row and max(0, ·).
    /// `packedB`, a weight B packed once for `compute`'s products (inference: C = A · B (+ bias), nothing
    /// transposed), is read instead of B wherever it serves a product of m rows (PackedMatrix.serves(rows:)),
    /// which gives the same bits as B itself.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, transposeA: Bool = false,
        b: UnsafePointer<Float>, transposeB: Bool = false, packedB: PackedMatrix? = nil,
        into c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0,
        addingBias bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        compute: Compute, parallel: Bool = true
    ) {
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        let threads = parallel ? compute.threads : 1
        if let packedB {
            precondition(packedB.serves(compute), "Matrix: B is packed for other products than compute's")
            precondition(packedB.k == k && packedB.n == n, "Matrix: the packed B has another shape")
            precondition(!transposeA && !transposeB && alpha == 1 && beta == 0, "Matrix: a packed B serves C = A · B (+ bias) only")
            if packedB.serves(rows: m) {
                multiply(m: m, a: a, packedB: packedB, into: c, addingBias: bias, relu: relu, threads: threads)
                return
            }
        }
        let (ta, tb): (Int32, Int32) = (transposeA ? 1 : 0, transposeB ? 1 : 0)
        switch (compute.precision, compute.float32Kernel) {
        case (.float32, .facever(let path)):
            // Row bands of whole micro-tiles of every path (12 = lcm of the paths' 12, 6 and 4 rows).
            splitAcrossThreads(m: m, n: n, threads: threads, tileRows: 12, a: a, lda: lda, transposeA: transposeA,
                               b: b, ldb: ldb, transposeB: transposeB, c: c, bias: bias) { rows, columns, a, b, c, bias in
                fv_gemm_f32(path.c, ta, tb, Int64(rows), Int64(columns), Int64(k), alpha, a, Int64(lda), b, Int64(ldb),
                            beta, c, Int64(n), bias, relu ? 1 : 0)
            }
        case (.float32, .openBLAS):
            BLASThreads.use(threads)
            cblas_sgemm(
                CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(n))
            if bias != nil || relu {
                finishRows(c, rows: m, columns: n, bias: bias, relu: relu)
            }
        case (.bfloat16, _):
            splitAcrossThreads(m: m, n: n, threads: threads, tileRows: tileRows, a: a, lda: lda, transposeA: transposeA,
                               b: b, ldb: ldb, transposeB: transposeB, c: c, bias: bias) { rows, columns, a, b, c, bias in
                fv_gemm_bf16(ta, tb, Int64(rows), Int64(columns), Int64(k), alpha, a, Int64(lda), b, Int64(ldb),
                             beta, c, Int64(n), bias, relu ? 1 : 0)
            }
        }
    }

    /// Runs `band(rows, columns)` on bands of C: with several threads, each takes a band of C's rows (whole
    /// tiles of `tileRows`), or, with few rows (a dense layer's batch), a band of its columns (whole
    /// 32-column panels: a multiple of every float32 path's panel); otherwise one call does all.
    static func bands(m: Int, n: Int, threads: Int, tileRows: Int, _ band: (Range<Int>, Range<Int>) -> Void) {
        if threads > 1 && m >= 4 * tileRows * threads {
            parallelFor((m + tileRows - 1) / tileRows, threads: threads) { tiles in
                band((tiles.lowerBound * tileRows)..<min(m, tiles.upperBound * tileRows), 0..<n)
            }
        } else if threads > 1 && n >= 64 * threads {
            parallelFor((n + 31) / 32, threads: threads) { panels in
                band(0..<m, (panels.lowerBound * 32)..<min(n, panels.upperBound * 32))
            }
        } else {
            band(0..<m, 0..<n)
        }
    }

    /// `bands` for an unpacked product: `product(rows, columns, a, b, c, bias)` with each band's start.
    private static func splitAcrossThreads(
        m: Int, n: Int, threads: Int, tileRows: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
        product: (Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>?) -> Void
    ) {
        bands(m: m, n: n, threads: threads, tileRows: tileRows) { rows, columns in
            // op(A)'s rows start at row·lda (or, transposed, at column row); op(B)'s columns likewise.
            let (row, column) = (rows.lowerBound, columns.lowerBound)
            product(rows.count, columns.count, transposeA ? a + row : a + row * lda,
                    transposeB ? b + column * ldb : b + column, c + row * n + column, bias.map { $0 + column })
        }
    }

    /// C[r, :] += bias, then max(0, ·): the float32 path's pass after sgemm.
    static func finishRows(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>?, relu: Bool) {
        for row in 0..<rows {
            let line = c + row * columns
            if let bias {
                for column in 0..<columns { line[column] += bias[column] }
            }
            if relu {
                for column in 0..<columns { line[column] = max(line[column], 0) }
            }
        }
    }
}
