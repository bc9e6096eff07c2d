// KernelChoice.swift — which code runs the float32 products, decided from the CPU's features, never
// from a library's table of CPU models.
//
//   .facever(path) — facever's own GEMM (MatrixKernels) on the AVX-512, AVX2 or scalar path;
//   .openBLAS      — OpenBLAS's sgemm (the reference the tests compare with; Debian's 0.3.21 picks its
//                    kernels from a table, and runs SSE3 ones on CPUs it does not know).
// The default is facever's GEMM on the best path the CPU runs. FACEVER_KERNEL=avx2 or scalar forces a
// lower path for every product (bfloat16 too: it needs AVX-512, so it is then unavailable), and
// FACEVER_KERNEL=openblas sends float32 products to OpenBLAS: so every path can be run, and compared,
// on any machine.
import Foundation
import MatrixKernels

public enum KernelPath: String, CaseIterable, Sendable, Comparable {
    case scalar, avx2, avx512

    var c: fv_kernel_path {
        switch self {
        case .scalar: return FV_KERNEL_SCALAR
        case .avx2: return FV_KERNEL_AVX2
        case .avx512: return FV_KERNEL_AVX512
        }
    }

    init(_ path: fv_kernel_path) {
        switch path {
        case FV_KERNEL_AVX512: self = .avx512
        case FV_KERNEL_AVX2: self = .avx2
        default: self = .scalar
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: KernelPath, rhs: KernelPath) -> Bool { lhs.rank < rhs.rank }

    /// The best path this CPU runs.
    public static let bestSupported = KernelPath(fv_kernel_best_supported())
    /// The best path, or the lower one FACEVER_KERNEL names.
    public static let selected = KernelPath(fv_kernel_selected())
    /// Every path this CPU runs, best first (what the kernel tests cover).
    public static var supported: [KernelPath] { allCases.filter { $0 <= bestSupported }.reversed() }
}

public enum Float32Kernel: Equatable, Sendable, CustomStringConvertible {
    case facever(KernelPath)
    case openBLAS

    /// facever's GEMM on the selected path, unless FACEVER_KERNEL=openblas.
    public static let standard: Float32Kernel = getenv("FACEVER_KERNEL").map { String(cString: $0) } == "openblas"
        ? .openBLAS : .facever(KernelPath.selected)

    public var description: String {
        switch self {
        case .facever(let path): return "facever \(path.rawValue) GEMM"
        case .openBLAS: return "OpenBLAS sgemm"
        }
    }
}
