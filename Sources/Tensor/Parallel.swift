// Parallel.swift — splitting loops across threads, and OpenBLAS's thread count.
//
// `parallelFor` splits a range into contiguous chunks of at least `minimumChunk` items and runs them on
// up to `threads` threads (every core unless the caller's Compute says otherwise). OpenBLAS keeps its
// own process-wide thread count; `BLASThreads.use` sets it before each sgemm to what that product's
// Compute allows (one, inside loops that already run a product per thread).
import CBLAS
import Dispatch
import Foundation

enum BLASThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current = 0

    /// Tells OpenBLAS to run the next sgemm on `threads` threads (a no-op when it already does).
    static func use(_ threads: Int) {
        lock.lock()
        defer { lock.unlock() }
        if current != threads {
            openblas_set_num_threads(Int32(threads))
            current = threads
        }
    }
}

/// OpenBLAS's own threads, for an executable's entry point.
public enum OpenBLASThreads {
    /// Ends the threads that OpenBLAS (its pthreads build, Debian's) starts, one per core, when the process
    /// loads it: each spins on sched_yield for a while before it sleeps, competing with facever's threads at
    /// the start of every command (the README has what that cost a `verify`), though facever's own GEMM runs
    /// every product unless FACEVER_KERNEL=openblas, in which case nothing is done. OpenBLAS starts them again when a product needs
    /// them (its exec_blas and openblas_set_num_threads re-initialise the pool, as after a fork). Its
    /// blas_thread_shutdown_ is looked up at run time: a build without it is left alone.
    public static func endIdleThreads() {
        guard Float32Kernel.standard != .openBLAS, let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }
        let shutdown = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
        _ = shutdown()
    }
}

/// Runs `body` over `0..<total` split into at most `threads` contiguous chunks.
/// Small ranges (fewer than 2 × `minimumChunk` items) run on the calling thread.
@inline(__always)
func parallelFor(_ total: Int, threads: Int = Compute.availableThreads, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = min(threads, total / max(1, minimumChunk))
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
