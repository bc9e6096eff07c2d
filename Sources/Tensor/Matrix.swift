// Matrix.swift — the single doorway to OpenBLAS's sgemm, row-major, with named transposes.
//
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
// where op(A) is A or Aᵀ. Leading dimensions are those of the matrices as stored (row-major).
import CBLAS

enum Matrix {
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, transposeA: Bool = false,
        b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(n))
    }
}
