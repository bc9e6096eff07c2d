// Scratch.swift — reusable, grow-only working buffers for the kernels' temporaries (im2col).
//
// Allocating and zeroing a 64 MiB im2col matrix on every convolution costs page faults and memory
// traffic comparable to the GEMM itself. `Scratch.withBuffer(slot:count:)` lends buffer `slot`
// (contents undefined) to one caller at a time; threads working side by side use different slots,
// and a caller that finds its slot busy gets a private buffer instead.
import Foundation

enum Scratch {
    static let slotCount = 16
    private static let lock = NSLock()
    nonisolated(unsafe) private static var slots = [UnsafeMutableBufferPointer<Float>?](repeating: nil, count: slotCount)

    static func withBuffer<R>(slot: Int = 0, count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let index = slot % slotCount
        lock.lock()
        var buffer = slots[index]
        slots[index] = nil
        lock.unlock()
        if buffer == nil || buffer!.count < count {
            buffer?.deallocate()
            buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        }
        defer {
            lock.lock()
            if let previous = slots[index] {
                // Someone else returned a buffer to this slot meanwhile: keep the larger one.
                if previous.count >= buffer!.count {
                    buffer!.deallocate()
                } else {
                    previous.deallocate()
                    slots[index] = buffer
                }
            } else {
                slots[index] = buffer
            }
            lock.unlock()
        }
        return body(buffer!.baseAddress!)
    }
}
