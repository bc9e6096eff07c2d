// MemoryTuning.swift — how the process's allocator treats the engine's large, short-lived arrays.
//
// Every op returns a new array; a feature map of dlib's ResNet or the tutorial network is a megabyte or
// more. glibc serves blocks above its mmap threshold (128 KiB at start, raised only as far as 32 MiB by
// its own heuristics) from fresh mappings: each forward pass then page-faults and zero-fills every such
// block again (about 8 % of a ResNet forward in a perf profile). Raising the threshold keeps freed blocks
// in the heap for the next pass. Called once by each executable's entry point, never inside the engine.

#if os(Linux)
/// glibc's mallopt(3); Swift's Glibc module does not export it. Parameters from <malloc.h>.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
private let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
#endif

public enum MemoryTuning {
    /// Blocks up to 1 GiB come from the heap, and up to 1 GiB of freed memory is kept for reuse.
    public static func keepLargeBlocksInTheHeap() {
        #if os(Linux)
        _ = glibcMallopt(mmapThreshold, 1 << 30)
        _ = glibcMallopt(trimThreshold, 1 << 30)
        #endif
    }
}
