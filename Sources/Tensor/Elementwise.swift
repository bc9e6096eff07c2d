// Elementwise.swift — ReLU, sigmoid and the L1 distance, value by value.
//
//   relu(x) = max(x, 0)               d/dx = 1 where x > 0, else 0
//   sigmoid(x) = 1 / (1 + e^(−x))     d/dx = y · (1 − y), computed without overflow for any x
//   l1Distance(a, b) = |a − b|        d/da = sign(a − b), d/db = −sign(a − b), 0 where a = b
//   squaredDifference(a, b) = (a − b)²  d/da = 2(a − b), d/db = −2(a − b)
import Foundation

/// Applies `transform` to every value in parallel chunks on up to `threads` threads (every value written
/// once: no zero-fill first).
func mapValues(_ input: [Float], threads: Int = Compute.availableThreads, _ transform: (Float) -> Float) -> [Float] {
    [Float](unsafeUninitializedCapacity: input.count) { target, initialized in
        input.withUnsafeBufferPointer { source in
            parallelFor(input.count, threads: threads, minimumChunk: 1 << 15) { range in
                for index in range {
                    target[index] = transform(source[index])
                }
            }
        }
        initialized = input.count
    }
}

/// max(x, 0), on up to `threads` threads (every core unless a caller's Compute says otherwise).
public func relu(_ x: Tensor, threads: Int = Compute.availableThreads) -> Tensor {
    let y = mapValues(x.data, threads: threads) { max($0, 0) }
    return Tensor(result: x.shape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        x.accumulateGrad { dx in
            x.data.withUnsafeBufferPointer { xv in
                parallelFor(dx.count, threads: threads, minimumChunk: 1 << 15) { range in
                    for index in range where xv[index] > 0 {
                        dx[index] += dy[index]
                    }
                }
            }
        }
    }
}

/// The logistic function, stable for large |x|.
@inline(__always)
public func logistic(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + exp(-x))
    }
    let e = exp(x)
    return e / (1 + e)
}

public func sigmoid(_ x: Tensor) -> Tensor {
    let y = mapValues(x.data, logistic)
    return Tensor(result: x.shape, data: y, inputs: [x]) { output in
        let dy = output.incomingGrad
        let yv = output.data
        x.accumulateGrad { dx in
            for index in 0..<dx.count {
                dx[index] += dy[index] * yv[index] * (1 - yv[index])
            }
        }
    }
}

public func l1Distance(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "l1Distance: shapes differ, \(a.shape) vs \(b.shape)")
    let (av, bv) = (a.data, b.data)  // read once, not per value (an exclusivity check each)
    var y = [Float](repeating: 0, count: a.count)
    for index in 0..<a.count {
        y[index] = abs(av[index] - bv[index])
    }
    return Tensor(result: a.shape, data: y, inputs: [a, b]) { output in
        let dy = output.incomingGrad
        let sign = zip(a.data, b.data).map { pair -> Float in
            pair.0 > pair.1 ? 1 : (pair.0 < pair.1 ? -1 : 0)
        }
        a.accumulateGrad { da in
            for index in 0..<da.count { da[index] += sign[index] * dy[index] }
        }
        b.accumulateGrad { db in
            for index in 0..<db.count { db[index] -= sign[index] * dy[index] }
        }
    }
}

/// (a − b)², value by value: the pair feature of a head on a metric embedding (the squared distance
/// is its sum).
public func squaredDifference(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "squaredDifference: shapes differ, \(a.shape) vs \(b.shape)")
    let difference = zip(a.data, b.data).map { $0 - $1 }
    return Tensor(result: a.shape, data: difference.map { $0 * $0 }, inputs: [a, b]) { output in
        let dy = output.incomingGrad
        a.accumulateGrad { da in
            for index in 0..<da.count { da[index] += 2 * difference[index] * dy[index] }
        }
        b.accumulateGrad { db in
            for index in 0..<db.count { db[index] -= 2 * difference[index] * dy[index] }
        }
    }
}
