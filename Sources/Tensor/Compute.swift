// Compute.swift — how the engine computes, as a value: the arithmetic of matrix products and the
// number of threads they use.
//
// Nothing in the engine reads a process-wide setting: every product and convolution takes a Compute,
// which a model owns (training: the run's precision; inference: InferenceModel) or a caller passes.
// The memory-bound loops (element-wise ops, pooling, Adam) use every core the process may run on, unless
// their caller passes a thread count (a network running one thread per share of its batch passes one).
//
//   .float32  — facever's own GEMM on the best kernel path the CPU runs (KernelChoice.swift), bias and
//               ReLU applied as it stores each tile; or OpenBLAS's sgemm and a pass for them
//   .bfloat16 — inputs rounded to bfloat16, products summed in float32 by facever's AVX512-BF16 kernel
//               (MatrixKernels), bias and ReLU applied as it stores each tile, at 8 bits of mantissa;
//               faster than float32 only where the CPU issues its dot products as fast as FMAs (an AMD
//               Zen 5: about twice), which MultiplyAddRates measures for `auto`
import Foundation
import MatrixKernels

public enum MatrixPrecision: String, CaseIterable, Codable, Sendable {
    case float32
    case bfloat16

    /// Whether this CPU runs the bfloat16 kernel (AVX512F, AVX512BW, AVX512VL and AVX512_BF16), and
    /// FACEVER_KERNEL has not forced a path below AVX-512.
    public static let isBFloat16Available: Bool = fv_gemm_bf16_available() != 0 && KernelPath.selected == .avx512

    /// Why bfloat16 products cannot run here, or nil when they can.
    public static var bfloat16UnavailableReason: String? {
        if isBFloat16Available { return nil }
        if fv_gemm_bf16_available() != 0 {
            return "FACEVER_KERNEL=\(KernelPath.selected.rawValue) chose a kernel path below AVX-512, which bfloat16 products need"
        }
        return "bfloat16 products need a CPU with AVX512_BF16, which this one lacks"
    }

    /// Whether this CPU can compute in this precision.
    public var isAvailable: Bool { self == .float32 || Self.isBFloat16Available }
}

public struct Compute: Equatable, Sendable, CustomStringConvertible {
    public let precision: MatrixPrecision
    /// Threads for products and convolutions (at least 1).
    public let threads: Int
    /// What runs float32 products.
    public let float32Kernel: Float32Kernel

    /// The cores this process may run on: the CPUs in its affinity mask (`taskset -c 0-3 facever …`, a
    /// container's cpuset), which Foundation's processor count does not see. More threads than these would
    /// only take turns on them, and a network's picture-a-thread split would wait on the slowest turn.
    public static let availableThreads = threads(online: ProcessInfo.processInfo.activeProcessorCount,
                                                 allowed: Int(fv_allowed_cpu_count()))

    /// The thread count for `online` processors of which the affinity mask allows `allowed` (0: unknown).
    static func threads(online: Int, allowed: Int) -> Int {
        max(1, allowed > 0 ? min(online, allowed) : online)
    }

    /// float32 products on every core: what ops use when a caller names nothing else.
    public static let standard = Compute(precision: .float32)

    /// `precision` must be one this CPU runs (`MatrixPrecision.isAvailable`): callers resolve a user's
    /// choice first (SiameseKit's PrecisionChoice), so asking for another is a programming error.
    public init(precision: MatrixPrecision, threads: Int = Compute.availableThreads, float32Kernel: Float32Kernel = .standard) {
        precondition(precision.isAvailable, "Compute: this CPU lacks AVX512_BF16 for bfloat16 products")
        if case .facever(let path) = float32Kernel {
            precondition(path <= KernelPath.bestSupported, "Compute: this CPU cannot run the \(path.rawValue) path")
        }
        self.precision = precision
        self.threads = max(1, threads)
        self.float32Kernel = float32Kernel
    }

    public var description: String {
        "\(precision.rawValue) products" + (precision == .float32 ? " (\(float32Kernel))" : "") + ", \(threads) thread\(threads == 1 ? "" : "s")"
    }
}
