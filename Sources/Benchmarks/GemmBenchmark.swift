// GemmBenchmark.swift — `facever-bench gemm`: float32 products on the tutorial network's shapes, OpenBLAS's
// sgemm beside facever's own GEMM on every kernel path this CPU runs, side by side in one run and on one
// thread (the kernels, not the threading), in GFLOP/s.
import CBLAS
import Foundation
import MatrixKernels
import Tensor

func benchmarkGemm(batch: Int, repeats: Int) {
    // (name, m, n, k): the forward products of the tutorial's layers at this batch (im2col rows × channels).
    let shapes: [(String, Int, Int, Int)] = [
        ("conv1", batch * 91 * 91, 64, 10 * 10 * 3), ("conv2", batch * 40 * 40, 128, 7 * 7 * 64),
        ("conv3", batch * 17 * 17, 128, 4 * 4 * 128), ("conv4", batch * 6 * 6, 256, 4 * 4 * 128), ("dense", batch, 4096, 9216),
    ]
    openblas_set_num_threads(1)
    let paths = [FV_KERNEL_AVX512, FV_KERNEL_AVX2, FV_KERNEL_SCALAR].filter { $0.rawValue <= fv_kernel_best_supported().rawValue }
    for (name, m, n, k) in shapes {
        var generator = RandomGenerator(seed: 5)
        let a = (0..<(m * k)).map { _ in generator.uniform(-0.5, 0.5) }
        let b = (0..<(k * n)).map { _ in generator.uniform(-0.5, 0.5) }
        var c = [Float](repeating: 0, count: m * n)
        let flops = 2 * Double(m) * Double(n) * Double(k)
        var results: [String: Any] = ["task": "gemm", "layer": name, "m": m, "n": n, "k": k, "threads": 1]
        var candidates: [(String, () -> Void)] = [("openblas", {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        })]
        for path in paths where path != FV_KERNEL_SCALAR || flops < 2e10 {
            candidates.append(("facever_\(String(cString: fv_kernel_name(path)))", {
                fv_gemm_f32(path, 0, 0, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), b, Int64(n), 0, &c, Int64(n), nil, 0)
            }))
        }
        var times = [String: [Double]]()
        for round in 0..<repeats {
            // Rotate the order each round so that no candidate always runs first (or after the same one).
            for offset in 0..<candidates.count {
                let (label, run) = candidates[(offset + round) % candidates.count]
                times[label, default: []].append(seconds(run))
            }
        }
        for (label, samples) in times { results[label + "_gflops"] = flops / median(samples) / 1e9 }
        emit(results, precision: .float32)
    }
}
