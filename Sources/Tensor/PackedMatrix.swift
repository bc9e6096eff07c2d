// PackedMatrix.swift — the B operand of a product packed once into the bfloat16 kernel's layout.
//
// For weights that stay fixed across many products: a trained model at inference packs its weights
// once, and every later product reads 2 bytes a value instead of converting 4 (at batch 1 the dense
// layer only streams its weight, so this halves its time). The products are bit-identical
// to Matrix.multiply on the unpacked weight in .bfloat16. The pack is a copy: it does not follow later
// changes of the weight (training never uses one).
import MatrixKernels

public final class PackedMatrix {
    /// op(B): [k, n].
    public let k: Int
    public let n: Int
    let words: [UInt32]

    /// Packs b: [k, n] (row-major). Needs the bfloat16 kernel (MatrixPrecision.isBFloat16Available).
    public init(b: UnsafePointer<Float>, k: Int, n: Int) {
        precondition(MatrixPrecision.isBFloat16Available, "PackedMatrix: this CPU has no AVX512_BF16")
        self.k = k
        self.n = n
        let count = Int(fv_gemm_bf16_packed_words(Int64(k), Int64(n)))
        let block = Int(fv_gemm_bf16_column_block())
        words = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            let packed = buffer.baseAddress!
            // Threads pack disjoint bands of column blocks.
            parallelFor((n + block - 1) / block) { blocks in
                let first = blocks.lowerBound * block
                let end = min(n, blocks.upperBound * block)
                fv_gemm_bf16_pack(0, Int64(k), Int64(n), b, Int64(n), Int64(first), Int64(end - first), packed)
            }
            initialized = count
        }
    }

    /// The packed words, for the kernels.
    func withWords<Result>(_ body: (UnsafePointer<UInt32>) -> Result) -> Result {
        words.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Matrix {
    /// C[m, n] = alpha · A[m, k] · B + beta · C (+ bias, max(0, ·)) with B packed, in bfloat16; with several
    /// `threads`, they take bands of C's rows, or with few rows, bands of whole column blocks.
    static func multiply(
        m: Int, a: UnsafePointer<Float>, packedB b: PackedMatrix, into c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0, addingBias bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        threads: Int
    ) {
        let block = Int(fv_gemm_bf16_column_block())
        let blocks = (b.n + block - 1) / block
        b.words.withUnsafeBufferPointer { words in
            func run(rows: Range<Int>, columnBlocks: Range<Int>) {
                let first = columnBlocks.lowerBound * block
                let end = min(b.n, columnBlocks.upperBound * block)
                fv_gemm_bf16_prepacked(0, Int64(rows.count), Int64(b.n), Int64(b.k), alpha, a + rows.lowerBound * b.k,
                                       Int64(b.k), words.baseAddress!, Int64(first), Int64(end - first),
                                       beta, c + rows.lowerBound * b.n, Int64(b.n), bias, relu ? 1 : 0)
            }
            if threads > 1 && m >= 32 * threads {
                parallelFor((m + 7) / 8, threads: threads) { tiles in run(rows: (tiles.lowerBound * 8)..<min(m, tiles.upperBound * 8), columnBlocks: 0..<blocks) }
            } else if threads > 1 && blocks >= threads {
                parallelFor(blocks, threads: threads) { columnBlocks in run(rows: 0..<m, columnBlocks: columnBlocks) }
            } else {
                run(rows: 0..<m, columnBlocks: 0..<blocks)
            }
        }
    }
}

extension Optional where Wrapped == PackedMatrix {
    /// The pack's words, or nil when there is no pack.
    func withWords<Result>(_ body: (UnsafePointer<UInt32>?) -> Result) -> Result {
        switch self {
        case .some(let pack): return pack.withWords { body($0) }
        case .none: return body(nil)
        }
    }
}
