// Measure.swift — timing helpers shared by the benchmarks: medians after warm-up, raw sgemm, random data.
import CBLAS
import Foundation
import Tensor

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Median time of `body` over `repeats` runs after one warm-up; `prepare` runs untimed before each.
func measure(repeats: Int, prepare: () -> Void = {}, _ body: () -> Void) -> Double {
    prepare()
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        prepare()
        times.append(seconds(body))
    }
    return median(times)
}

/// One row-major sgemm C[m, n] = op(A) · op(B), timed on buffers of the right sizes.
func sgemmSeconds(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, repeats: Int) -> Double {
    var random = RandomGenerator(seed: 1)
    let a = (0..<(m * k)).map { _ in random.uniform(-1, 1) }
    let b = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
    var c = [Float](repeating: 0, count: m * n)
    return measure(repeats: repeats) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                    0, &c, Int32(n))
    }
}

func randomTensor(_ shape: [Int], requiresGrad: Bool, name: String? = nil, seed: UInt64) -> Tensor {
    var random = RandomGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<Tensor.elementCount(of: shape)).map { _ in random.uniform(0, 1) },
                  requiresGrad: requiresGrad, name: name)
}
