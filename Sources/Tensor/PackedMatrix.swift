// PackedMatrix.swift — the B operand of a product packed once into a kernel's layout: the bfloat16
// kernel's, or the float32 GEMM's for one kernel path.
//
// For weights that stay fixed across many products: a trained model at inference packs its weights
// once, and every later product reads the pack instead of converting (bfloat16: 2 bytes a value instead
// of 4; at batch 1 the dense layer only streams its weight, so this halves its time) or copying (float32:
// a small convolution's product otherwise spends much of its time packing its weight again). The products
// are bit-identical to Matrix.multiply on the unpacked weight in the same Compute (float32: for more than 8
// rows; fewer go through the GEMM's streaming path there). The pack is a copy: it does not follow later
// changes of the weight (training never uses one).
import MatrixKernels

public final class PackedMatrix {
    /// op(B): [k, n].
    public let k: Int
    public let n: Int
    /// nil: packed for the bfloat16 kernel; else for facever's float32 GEMM on this path.
    public let float32Path: KernelPath?
    let words: [UInt32]
    let floats: [Float]

    /// Packs b: [k, n] (row-major) for bfloat16 products. Needs the bfloat16 kernel (MatrixPrecision.isBFloat16Available).
    public init(b: UnsafePointer<Float>, k: Int, n: Int) {
        precondition(MatrixPrecision.isBFloat16Available, "PackedMatrix: this CPU has no AVX512_BF16")
        self.k = k
        self.n = n
        float32Path = nil
        floats = []
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

    /// Packs b: [k, n] for float32 products on facever's GEMM on `path` (which this CPU must run).
    public init(b: UnsafePointer<Float>, k: Int, n: Int, float32Path path: KernelPath) {
        precondition(path <= KernelPath.bestSupported, "PackedMatrix: this CPU cannot run the \(path.rawValue) path")
        self.k = k
        self.n = n
        float32Path = path
        words = []
        var mr: Int64 = 0, nr: Int64 = 0, kc: Int64 = 0, nc: Int64 = 0
        fv_gemm_f32_blocking(path.c, &mr, &nr, &kc, &nc)
        let block = Int(nc)
        let count = Int(fv_gemm_f32_packed_floats(path.c, Int64(k), Int64(n)))
        floats = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let packed = buffer.baseAddress!
            parallelFor((n + block - 1) / block) { blocks in
                let first = blocks.lowerBound * block
                let end = min(n, blocks.upperBound * block)
                fv_gemm_f32_pack(path.c, Int64(k), Int64(n), b, Int64(first), Int64(end - first), packed)
            }
            initialized = count
        }
    }

    /// b packed for `compute`'s products, or nil when they have no packed form (OpenBLAS's sgemm).
    public static func packing(b: UnsafePointer<Float>, k: Int, n: Int, for compute: Compute) -> PackedMatrix? {
        switch (compute.precision, compute.float32Kernel) {
        case (.bfloat16, _): return PackedMatrix(b: b, k: k, n: n)
        case (.float32, .facever(let path)): return PackedMatrix(b: b, k: k, n: n, float32Path: path)
        case (.float32, .openBLAS): return nil
        }
    }

    /// Whether `compute`'s products can read this pack.
    public func serves(_ compute: Compute) -> Bool {
        switch (compute.precision, compute.float32Kernel) {
        case (.bfloat16, _): return float32Path == nil
        case (.float32, .facever(let path)): return float32Path == path
        case (.float32, .openBLAS): return false
        }
    }

    /// The packed words, for the bfloat16 kernels.
    func withWords<Result>(_ body: (UnsafePointer<UInt32>) -> Result) -> Result {
        precondition(float32Path == nil, "PackedMatrix: a float32 pack has no bfloat16 words")
        return words.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Matrix {
    /// C[m, n] = alpha · A[m, k] · B + beta · C (+ bias, max(0, ·)) with B packed (bfloat16, or float32 with
    /// alpha 1 and beta 0); with several `threads`, they take bands of C's rows, or with few rows, bands of
    /// whole column blocks (bfloat16) or panels (float32).
    static func multiply(
        m: Int, a: UnsafePointer<Float>, packedB b: PackedMatrix, into c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0, addingBias bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        threads: Int
    ) {
        if let path = b.float32Path {
            precondition(alpha == 1 && beta == 0, "Matrix: a float32 pack computes C = A · B (+ bias) only")
            let panel = Int(fv_gemm_f32_panel_columns(path.c))
            let panels = (b.n + panel - 1) / panel
            b.floats.withUnsafeBufferPointer { floats in
                func run(rows: Range<Int>, panels: Range<Int>) {
                    let first = panels.lowerBound * panel, end = min(b.n, panels.upperBound * panel)
                    fv_gemm_f32_prepacked(path.c, Int64(rows.count), Int64(b.n), Int64(b.k), a + rows.lowerBound * b.k,
                                          Int64(b.k), floats.baseAddress!, Int64(first), Int64(end - first),
                                          c + rows.lowerBound * b.n, Int64(b.n), bias, relu ? 1 : 0)
                }
                if threads > 1 && m >= 48 * threads {
                    // Bands of whole 12-row tiles (12: a multiple of every path's tile height).
                    parallelFor((m + 11) / 12, threads: threads) { tiles in
                        run(rows: (tiles.lowerBound * 12)..<min(m, tiles.upperBound * 12), panels: 0..<panels)
                    }
                } else if threads > 1 && panels >= 2 * threads {
                    parallelFor(panels, threads: threads) { range in run(rows: 0..<m, panels: range) }
                } else {
                    run(rows: 0..<m, panels: 0..<panels)
                }
            }
            return
        }
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
