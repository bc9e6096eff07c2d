// facever-bench — release-build measurements of the engine and the workloads (driven by Scripts/).
//
//   facever-bench layers [--batch 32] [--repeats 5]        per-layer times beside raw sgemm
//   facever-bench train [--steps 6] [--batch 16] [--batches pairs|triplets]   training step: pairs/s, peak RSS
//   facever-bench embed [--batch 1|32] [--repeats 20]      embedding latency / throughput
//   facever-bench prepare-verify DIR                        a tutorial-size model, 50 gallery photos, a probe
//   facever-bench verify DIR [--repeats 20]                 one probe against the cached gallery, in process
//   facever-bench identify DIR [--people 1000] [--photos 5] [--repeats 20]   identify against many enrolled people
//   facever-bench spectral [--batch 1] [--repeats 5]      float32 convolutions: direct beside each tile of the frequency domain
//   facever-bench gemm [--batch 8] [--repeats 5]          float32 products: OpenBLAS beside facever's own, per path
//   facever-bench peak [--seconds 1]                        the machine's FMA peak on all threads
//   facever-bench pretrained MODEL LIST [--repeats 3] [--threads N]   dlib's ResNet: per face (landmarks, chip, network), batch 32
//   facever-bench machine                                   the CPU, its relevant flags, the kernels in use
// Every command takes --precision float32|bfloat16 (default float32) for the engine's products.
// Workload commands print one JSON object per line (see WorkloadBenchmarks.swift).
import ArgumentParser
import Foundation
import SiameseKit
import Tensor

extension MatrixPrecision: ExpressibleByArgument {}
extension BatchComposition: ExpressibleByArgument {}

/// `--precision`, as the Compute the measured products run with.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Matrix products: float32 or bfloat16 (AVX512-BF16 CPUs).")
    var precision: MatrixPrecision = .float32

    func validate() throws {
        guard precision.isAvailable else { throw ValidationError("this CPU has no AVX512_BF16 for --precision bfloat16") }
    }

    var compute: Compute { Compute(precision: precision) }
}

@main
struct Bench: ParsableCommand {
    /// Tunes the allocator for the engine's large arrays (MemoryTuning), then runs the command.
    static func main() {
        MemoryTuning.keepLargeBlocksInTheHeap()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "facever-bench",
        abstract: "Release-build measurements of facever's engine and workloads (see Scripts/benchmark-*.sh).",
        subcommands: [Layers.self, Train.self, Embed.self, PrepareVerify.self, Verify.self, Identify.self, Gemm.self, Spectral.self, Peak.self,
                      Pretrained.self, Machine.self])

    struct Pretrained: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "dlib's ResNet: per face from decoded photo to descriptor, and batch 32.")
        @Argument var model: String
        @Argument var list: String
        @Option var repeats = 3
        @Option(help: "Threads for the network (default: the CPUs this process may run on).")
        var threads: Int?
        @OptionGroup var options: ComputeOptions
        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }
        func run() throws {
            let compute = Compute(precision: options.precision, threads: threads ?? Compute.availableThreads)
            try benchmarkPretrained(model: URL(fileURLWithPath: model), list: URL(fileURLWithPath: list), repeats: repeats, compute: compute)
        }
    }

    struct Gemm: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "float32 products on the network's shapes: OpenBLAS and facever's own GEMM per kernel path.")
        @Option var batch = 8
        @Option var repeats = 5
        func run() { benchmarkGemm(batch: batch, repeats: repeats) }
    }

    struct Spectral: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "float32 convolutions of the tutorial's network: direct beside the frequency domain, per tile side.")
        @Option var batch = 1
        @Option var repeats = 5
        func run() { benchmarkSpectral(batch: batch, repeats: repeats) }
    }

    struct Identify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Identify against PEOPLE × PHOTOS enrolled faces: first load, cached load, one probe.")
        @Argument var folder: String
        @Option var people = 1000
        @Option var photos = 5
        @Option var repeats = 20
        @OptionGroup var options: ComputeOptions
        func run() throws {
            try benchmarkIdentify(folder: URL(fileURLWithPath: folder), people: people, photos: photos, repeats: repeats,
                                  precision: options.precision)
        }
    }

    struct Machine: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The CPU, its relevant flags and the kernels in use, as JSON.")
        func run() {
            let data = try! JSONSerialization.data(withJSONObject: machineReport(), options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct Layers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per-layer forward and backward times beside raw sgemm.")
        @Option var batch = 32
        @Option var repeats = 5
        @OptionGroup var options: ComputeOptions
        func run() { benchmarkLayers(batch: batch, repeats: repeats, compute: options.compute) }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Training steps: pairs/s, GFLOP/s, peak RSS.")
        @Option var steps = 6
        @Option var batch = 16
        @Option var batches: BatchComposition = .pairs
        @OptionGroup var options: ComputeOptions
        func run() { benchmarkTraining(steps: steps, batch: batch, composition: batches, compute: options.compute) }
    }

    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Embedding latency (batch 1) or throughput.")
        @Option var batch = 1
        @Option var repeats = 20
        @OptionGroup var options: ComputeOptions
        func run() { benchmarkEmbedding(batch: batch, repeats: repeats, compute: options.compute) }
    }

    struct PrepareVerify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prepare-verify", abstract: "A tutorial-size model, a 50-photo gallery with its caches, a probe.")
        @Argument var folder: String
        @OptionGroup var options: ComputeOptions
        func run() throws { try prepareVerify(folder: URL(fileURLWithPath: folder)) }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One probe against the cached gallery, in process.")
        @Argument var folder: String
        @Option var repeats = 20
        @OptionGroup var options: ComputeOptions
        func run() throws { try benchmarkVerify(folder: URL(fileURLWithPath: folder), repeats: repeats, precision: options.precision) }
    }

    struct Peak: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The machine's FMA peak on all threads.")
        @Option var seconds = 1.0
        @OptionGroup var options: ComputeOptions
        func run() { benchmarkPeak(seconds: seconds, precision: options.precision) }
    }
}
