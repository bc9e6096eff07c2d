// Scratch.swift — one reusable, grow-only working buffer for the kernels' temporaries (im2col).
//
// Allocating and zeroing a 64 MiB im2col matrix on every convolution costs page faults and memory
// traffic comparable to the GEMM itself. `Scratch.withBuffer` lends the shared buffer (contents
// undefined) to one caller at a time; a concurrent caller gets a private buffer instead.
import Foundation

enum Scratch {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: UnsafeMutableBufferPointer<Float>?

    static func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        lock.lock()
        var buffer = shared
        shared = nil
        lock.unlock()
        if buffer == nil || buffer!.count < count {
            buffer?.deallocate()
            buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        }
        defer {
            lock.lock()
            if let previous = shared {
                // Someone else returned a buffer meanwhile: keep the larger one.
                if previous.count >= buffer!.count {
                    buffer!.deallocate()
                } else {
                    previous.deallocate()
                    shared = buffer
                }
            } else {
                shared = buffer
            }
            lock.unlock()
        }
        return body(buffer!.baseAddress!)
    }
}
