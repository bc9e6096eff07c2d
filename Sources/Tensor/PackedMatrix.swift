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
    /// What the pack is laid out for, and its values.
    enum Storage {
        /// The bfloat16 kernel's pairs of k (fv_gemm_bf16_pack).
        case bfloat16(words: [UInt32])
        /// facever's float32 GEMM on one kernel path (fv_gemm_f32_pack).
        case float32(path: KernelPath, floats: [Float])
    }
    let storage: Storage

    /// Packs b: [k, n] (row-major) for bfloat16 products. Needs the bfloat16 kernel (MatrixPrecision.isBFloat16Available).
    public init(b: UnsafePointer<Float>, k: Int, n: Int) {
        precondition(MatrixPrecision.isBFloat16Available, "PackedMatrix: this CPU has no AVX512_BF16")
        self.k = k
        self.n = n
        let count = Int(fv_gemm_bf16_packed_words(Int64(k), Int64(n)))
        let block = Int(fv_gemm_bf16_column_block())
        storage = .bfloat16(words: [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            let packed = buffer.baseAddress!
            // Threads pack disjoint bands of column blocks.
            parallelFor((n + block - 1) / block) { blocks in
                let first = blocks.lowerBound * block
                let end = min(n, blocks.upperBound * block)
                fv_gemm_bf16_pack(0, Int64(k), Int64(n), b, Int64(n), Int64(first), Int64(end - first), packed)
            }
            initialized = count
        })
    }

    /// Packs b: [k, n] for float32 products on facever's GEMM on `path` (which this CPU must run), on up to
    /// `threads` threads.
    public init(b: UnsafePointer<Float>, k: Int, n: Int, float32Path path: KernelPath, threads: Int = Compute.availableThreads) {
        precondition(path <= KernelPath.bestSupported, "PackedMatrix: this CPU cannot run the \(path.rawValue) path")
        self.k = k
        self.n = n
        var mr: Int64 = 0, nr: Int64 = 0, kc: Int64 = 0, nc: Int64 = 0
        fv_gemm_f32_blocking(path.c, &mr, &nr, &kc, &nc)
        let block = Int(nc)
        let count = Int(fv_gemm_f32_packed_floats(path.c, Int64(k), Int64(n)))
        storage = .float32(path: path, floats: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let packed = buffer.baseAddress!
            // Threads pack disjoint bands of column blocks.
            parallelFor((n + block - 1) / block, threads: threads) { blocks in
                let first = blocks.lowerBound * block
                let end = min(n, blocks.upperBound * block)
                fv_gemm_f32_pack(path.c, Int64(k), Int64(n), b, Int64(first), Int64(end - first), packed)
            }
            initialized = count
        })
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
        switch (storage, compute.precision, compute.float32Kernel) {
        case (.bfloat16, .bfloat16, _): return true
        case (.float32(let path, _), .float32, .facever(let wanted)): return path == wanted
        default: return false
        }
    }

    /// Whether a product of `rows` rows is better served by this pack than by the unpacked matrix: always
    /// for bfloat16; for float32, above the rows that facever's GEMM streams unpacked (fv_gemm_f32's
    /// few-rows path: faster for so few rows than any pack, and the one whose sums the unpacked product
    /// has, so reading the pack or not changes no bit).
    public func serves(rows: Int) -> Bool {
        switch storage {
        case .bfloat16: return Self.serves(rows: rows, precision: .bfloat16)
        case .float32: return Self.serves(rows: rows, precision: .float32)
        }
    }

    /// The same rule before any pack is made: whether a pack for `precision`'s products would serve `rows`.
    public static func serves(rows: Int, precision: MatrixPrecision) -> Bool {
        precision == .bfloat16 || rows > Int(fv_gemm_f32_few_rows_max())
    }

    /// The packed words, for the bfloat16 kernels.
    func withWords<Result>(_ body: (UnsafePointer<UInt32>) -> Result) -> Result {
        guard case .bfloat16(let words) = storage else { preconditionFailure("PackedMatrix: a float32 pack has no bfloat16 words") }
        return words.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Matrix {
    /// C[m, n] = alpha · A[m, k] · B + beta · C (+ bias, max(0, ·)) with B packed (bfloat16, or float32 with
    /// alpha 1 and beta 0); with several `threads`, they take bands of C's rows, or with few rows, bands of
    /// whole column blocks (bfloat16) or panels (float32, as `Matrix.bands` cuts them).
    static func multiply(
        m: Int, a: UnsafePointer<Float>, packedB b: PackedMatrix, into c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0, addingBias bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        threads: Int
    ) {
        switch b.storage {
        case .float32(let path, let floats):
            precondition(alpha == 1 && beta == 0, "Matrix: a float32 pack computes C = A · B (+ bias) only")
            floats.withUnsafeBufferPointer { floats in
                bands(m: m, n: b.n, threads: threads, tileRows: 12) { rows, columns in
                    fv_gemm_f32_prepacked(path.c, Int64(rows.count), Int64(b.n), Int64(b.k), a + rows.lowerBound * b.k,
                                          Int64(b.k), floats.baseAddress!, Int64(columns.lowerBound), Int64(columns.count),
                                          c + rows.lowerBound * b.n, Int64(b.n), bias, relu ? 1 : 0)
                }
            }
        case .bfloat16(let words):
            let block = Int(fv_gemm_bf16_column_block())
            let blocks = (b.n + block - 1) / block
            words.withUnsafeBufferPointer { words in
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
}

extension Optional where Wrapped == PackedMatrix {
    /// The pack's words, or nil when there is no pack.
    func withWords<Result>(_ body: (UnsafePointer<UInt32>?) -> Result) -> Result {
        switch self {
        case .some(let pack): return pack.withWords { body($0) }
        case .none: return body(nil)
        }
    }

    /// The float32 pack's values, or nil when there is no pack.
    func withFloats<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        switch self {
        case .some(let pack):
            guard case .float32(_, let floats) = pack.storage else { preconditionFailure("PackedMatrix: a bfloat16 pack has no float32 values") }
            return floats.withUnsafeBufferPointer { body($0.baseAddress!) }
        case .none: return body(nil)
        }
    }
}
