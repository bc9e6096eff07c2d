// Parallel.swift — how many threads the engine uses, for its own loops and for OpenBLAS.
//
// `ComputeThreads.count` is the one setting; `configure(_:)` also tells OpenBLAS, so GEMMs and our
// loops never compete for more cores than asked. `parallelFor` splits a range into contiguous chunks
// of at least `minimumChunk` items and runs them on that many threads.
import CBLAS
import Dispatch
import Foundation

public enum ComputeThreads {
    nonisolated(unsafe) public private(set) static var count: Int = {
        let available = ProcessInfo.processInfo.activeProcessorCount
        openblas_set_num_threads(Int32(available))
        return available
    }()

    /// Uses `threads` threads (at least 1) for the engine's loops and for OpenBLAS.
    public static func configure(_ threads: Int) {
        let chosen = max(1, threads)
        count = chosen
        openblas_set_num_threads(Int32(chosen))
    }
}

/// OpenBLAS's thread count around calls that the caller already runs on several threads at once.
enum BLASThreads {
    /// Runs `body` with OpenBLAS computing each call on its calling thread, then restores the setting.
    static func withSingleThreadedCalls(_ body: () -> Void) {
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(Int32(ComputeThreads.count))
    }
}

/// Runs `body` over `0..<total` split into at most `ComputeThreads.count` contiguous chunks.
/// Small ranges (fewer than 2 × `minimumChunk` items) run on the calling thread.
@inline(__always)
func parallelFor(_ total: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = min(ComputeThreads.count, total / max(1, minimumChunk))
    if threads <= 1 {
        if total > 0 { body(0..<total) }
        return
    }
    let chunk = (total + threads - 1) / threads
    DispatchQueue.concurrentPerform(iterations: threads) { index in
        let start = index * chunk
        let end = min(total, start + chunk)
        if start < end { body(start..<end) }
    }
}
