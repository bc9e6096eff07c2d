// Float32KernelTests.swift — facever's float32 GEMM (MatrixKernels) on every kernel path this CPU runs
// (AVX-512, AVX2, scalar), against a Float64 reference: every transpose, the edges of each path's
// micro-tile and k block, alpha and beta, bias and ReLU in the epilogue; and against OpenBLAS's sgemm,
// the reference the float32 ops were first tested on. FACEVER_KERNEL chooses a lower path, never a
// higher one.
import CBLAS
import MatrixKernels
@testable import Tensor
import XCTest

final class Float32KernelTests: XCTestCase {
    /// Every path this CPU can run, best first.
    private var paths: [fv_kernel_path] {
        [FV_KERNEL_AVX512, FV_KERNEL_AVX2, FV_KERNEL_SCALAR].filter { $0.rawValue <= fv_kernel_best_supported().rawValue }
    }

    private func product(_ path: fv_kernel_path, m: Int, n: Int, k: Int, a: [Float], transposeA: Bool, b: [Float], transposeB: Bool,
                         alpha: Float, beta: Float, start: [Float], bias: [Float]?, relu: Bool) -> [Float] {
        var c = start
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        if let bias {
            bias.withUnsafeBufferPointer { biasPointer in
                fv_gemm_f32(path, transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b,
                            Int64(ldb), beta, &c, Int64(n), biasPointer.baseAddress, relu ? 1 : 0)
            }
        } else {
            fv_gemm_f32(path, transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b,
                        Int64(ldb), beta, &c, Int64(n), nil, relu ? 1 : 0)
        }
        return c
    }

    func testEveryPathEqualsTheFloat64ReferenceForEveryTransposeEdgeAndEpilogue() {
        var random = TestRandom(seed: 41)
        for path in paths {
            var mr: Int64 = 0, nr: Int64 = 0, kc: Int64 = 0, nc: Int64 = 0
            fv_gemm_f32_blocking(path, &mr, &nr, &kc, &nc)
            let (tileRows, tileColumns, block, columnBlock) = (Int(mr), Int(nr), Int(kc), Int(nc))
            // Around the micro-tile, the k block and the column block; a single row, column or step.
            let shapes: [(m: Int, n: Int, k: Int)] = [
                (1, 1, 1), (tileRows, tileColumns, 7), (tileRows + 1, tileColumns + 1, 9), (tileRows - 1, tileColumns - 1, block + 1),
                (37, 45, 67), (1, 70, block), (3, columnBlock + 5, 5), (70, 3, 2 * block + 3),
            ]
            for (m, n, k) in shapes {
                for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                    let a = random.values(m * k), b = random.values(k * n), start = random.values(m * n), bias = random.values(n)
                    let logicalA = (0..<(m * k)).map { i in Double(transposeA ? a[(i % k) * m + i / k] : a[i]) }
                    let logicalB = (0..<(k * n)).map { i in Double(transposeB ? b[(i % n) * k + i / n] : b[i]) }
                    let sums = Reference.matrixProduct(logicalA, logicalB, m: m, n: n, k: k)
                    let magnitude = Reference.matrixProduct(logicalA.map(abs), logicalB.map(abs), m: m, n: n, k: k)
                    for (alpha, beta, withBias, relu) in [(Float(1), Float(0), false, false), (0.5, 2, true, true)] {
                        let c = product(path, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, alpha: alpha,
                                        beta: beta, start: start, bias: withBias ? bias : nil, relu: relu)
                        for index in 0..<(m * n) {
                            var expected = Double(alpha) * sums[index] + Double(beta) * Double(start[index])
                            if withBias { expected += Double(bias[index % n]) }
                            if relu { expected = max(0, expected) }
                            let tolerance = 1e-5 * (Double(abs(alpha)) * magnitude[index] + Double(abs(beta)) * Double(abs(start[index])) + 1)
                            if abs(Double(c[index]) - expected) > tolerance {
                                XCTFail("\(String(cString: fv_kernel_name(path))) \(m)×\(n)×\(k) transposes \(transposeA)/\(transposeB) "
                                        + "alpha \(alpha) beta \(beta): C[\(index)] = \(c[index]), expected \(expected)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    func testAPackedWeightGivesTheSameBitsAsTheUnpackedProductOnEveryPath() {
        // More than 8 rows (fewer take the streaming path, which sums in another order); columns across two
        // column blocks and a partial panel, k across two k blocks; whole products and bands of panels, as
        // Matrix.multiply splits them between threads; bias and ReLU.
        var random = TestRandom(seed: 44)
        for path in paths {
            var mr: Int64 = 0, nr: Int64 = 0, kc: Int64 = 0, nc: Int64 = 0
            fv_gemm_f32_blocking(path, &mr, &nr, &kc, &nc)
            XCTAssertEqual(fv_gemm_f32_panel_columns(path), nr)
            for (m, n, k) in [(9, Int(nc) + Int(nr) + 5, Int(kc) + 7), (25, 33, 300), (40, 7, 5)] {
                let a = random.values(m * k), b = random.values(k * n), bias = random.values(n)
                let expected = product(path, m: m, n: n, k: k, a: a, transposeA: false, b: b, transposeB: false,
                                       alpha: 1, beta: 0, start: [Float](repeating: 0, count: m * n), bias: bias, relu: true)
                var packed = [Float](repeating: .nan, count: Int(fv_gemm_f32_packed_floats(path, Int64(k), Int64(n))))
                fv_gemm_f32_pack(path, Int64(k), Int64(n), b, 0, Int64(n), &packed)
                XCTAssertFalse(packed.contains { $0.isNaN }, "\(path) \(m)×\(n)×\(k): the pack fills its size exactly")
                let panels = (n + Int(nr) - 1) / Int(nr)
                for bands in [[0..<panels], [0..<1, 1..<panels]] where bands.allSatisfy({ !$0.isEmpty }) {
                    var c = [Float](repeating: .nan, count: m * n)
                    for band in bands {
                        let first = band.lowerBound * Int(nr), end = min(n, band.upperBound * Int(nr))
                        fv_gemm_f32_prepacked(path, Int64(m), Int64(n), Int64(k), a, Int64(k), packed, Int64(first),
                                              Int64(end - first), &c, Int64(n), bias, 1)
                    }
                    XCTAssertEqual(c, expected, "\(path) \(m)×\(n)×\(k) in \(bands.count) bands")
                }
            }
        }
    }

    func testEveryPathAgreesWithOpenBLAS() {
        var random = TestRandom(seed: 42)
        let (m, n, k) = (50, 130, 300)
        let a = random.values(m * k), b = random.values(k * n)
        var reference = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &reference, Int32(n))
        for path in paths {
            let c = product(path, m: m, n: n, k: k, a: a, transposeA: false, b: b, transposeB: false, alpha: 1, beta: 0,
                            start: [Float](repeating: .nan, count: m * n), bias: nil, relu: false)
            let worst = zip(c, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-4, "\(String(cString: fv_kernel_name(path))): beta 0 ignores C (NaN here) and sums like sgemm")
        }
    }

    func testOpenBLASStillMultipliesOnSeveralThreadsAfterItsIdleThreadsEnd() {
        // The facever command ends OpenBLAS's idle threads at start; FACEVER_KERNEL=openblas must still work,
        // its pool started again on demand (twice over here), with the sums of facever's own GEMM.
        var random = TestRandom(seed: 43)
        let (m, n, k) = (256, 192, 320)
        let a = random.values(m * k), b = random.values(k * n)
        var expected = [Float](repeating: 0, count: m * n)
        fv_gemm_f32(fv_kernel_best_supported(), 0, 0, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), b, Int64(n), 0, &expected, Int64(n), nil, 0)
        for _ in 0..<2 {
            OpenBLASThreads.endIdleThreads()
            var c = [Float](repeating: .nan, count: m * n)
            Matrix.multiply(m: m, n: n, k: k, a: a, b: b, into: &c, compute: Compute(precision: .float32, threads: 2, float32Kernel: .openBLAS))
            XCTAssertLessThan(zip(c, expected).map { abs($0 - $1) }.max()!, 1e-3)
        }
    }

    func testTheEnvironmentChoosesALowerPathNeverAHigherOne() throws {
        var path = FV_KERNEL_SCALAR
        XCTAssertEqual(fv_kernel_path_named("avx2", &path), 1)
        XCTAssertEqual(path, FV_KERNEL_AVX2)
        XCTAssertEqual(fv_kernel_path_named("sse9", &path), 0)
        let best = fv_kernel_best_supported()
        let saved = ProcessInfo.processInfo.environment["FACEVER_KERNEL"]
        defer { if let saved { setenv("FACEVER_KERNEL", saved, 1) } else { unsetenv("FACEVER_KERNEL") } }
        setenv("FACEVER_KERNEL", "scalar", 1)
        XCTAssertEqual(fv_kernel_selected(), FV_KERNEL_SCALAR)
        setenv("FACEVER_KERNEL", "avx512", 1)
        XCTAssertEqual(fv_kernel_selected(), best, "never above what the CPU runs")
        setenv("FACEVER_KERNEL", "nonsense", 1)
        XCTAssertEqual(fv_kernel_selected(), best)
    }
}
