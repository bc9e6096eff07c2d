// MachineReport.swift — `facever-bench machine`: which CPU and which kernels produced a benchmark's
// figures (the CPU's model and the instruction sets that choose facever's kernels, whether facever's
// bfloat16 kernel runs and whether `precision auto` takes it (one core's multiply-add rates in each, measured),
// and the kernel family OpenBLAS chose for sgemm, which Debian's 0.3.21 picks from a table that does not know
// every recent CPU).
import CBLAS
import Foundation
import Tensor
import SiameseKit

func machineReport() -> [String: Any] {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String? {
        // The first line whose key (before the colon, trimmed) is `name` exactly: "model" is not "model name".
        cpuinfo.split(separator: "\n").lazy.map { $0.split(separator: ":", maxSplits: 1) }
            .first { $0.count == 2 && $0[0].trimmingCharacters(in: .whitespaces) == name }
            .map { $0[1].trimmingCharacters(in: .whitespaces) }
    }
    let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
    let rates = MultiplyAddRates.measured
    let relevant = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16", "avx512_vnni", "amx_bf16", "amx_tile"]
    return [
        "cpu": field("model name") ?? "unknown", "cpu_family": field("cpu family") ?? "unknown", "cpu_model": field("model") ?? "unknown",
        "threads": Compute.availableThreads,
        "flags": relevant.filter(flags.contains),
        "bfloat16_kernel": MatrixPrecision.bfloat16UnavailableReason.map { "unavailable: " + $0 } ?? "facever AVX512-BF16 (8x32 tiles)",
        "float32_kernel": Float32Kernel.standard.description,
        "multiply_adds_per_second_float32": rates.float32, "multiply_adds_per_second_bfloat16": rates.bfloat16,
        "auto_precision": MatrixPrecision.isBFloat16Faster ? "bfloat16" : "float32",
        "kernel_path_best_supported": KernelPath.bestSupported.rawValue,
        "facever_kernel_override": ProcessInfo.processInfo.environment["FACEVER_KERNEL"] ?? NSNull(),
        "openblas_core": openblas_get_corename().map { String(cString: $0) } ?? "unknown",
        "openblas_coretype_override": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? NSNull(),
    ]
}
