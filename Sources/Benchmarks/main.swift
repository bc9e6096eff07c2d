// facever-bench — release-build measurements of the engine and the workloads (driven by Scripts/).
//
//   facever-bench layers [--batch 32] [--repeats 5]        per-layer times beside raw sgemm
//   facever-bench train [--steps 6] [--batch 16] [--batches pairs|triplets]   training step: pairs/s, peak RSS
//   facever-bench embed [--batch 1|32] [--repeats 20]      embedding latency / throughput
//   facever-bench prepare-verify DIR                        a tutorial-size model, 50 gallery photos, a probe
//   facever-bench verify DIR [--repeats 20]                 one probe against the cached gallery, in process
//   facever-bench peak [--seconds 1]                        the machine's FMA peak on all threads
// Every command takes --precision float32|bfloat16 (default float32) for the engine's products.
// Workload commands print one JSON object per line (see WorkloadBenchmarks.swift).
import Foundation
import SiameseKit
import Tensor

var arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

func doubleOption(_ name: String, default value: Double) -> Double {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Double(arguments[index + 1]) else {
        return value
    }
    return parsed
}

/// The value of `--name` as one of an enum's raw values (exit 2 on anything else), or `value`.
func choiceOption<Choice: RawRepresentable>(_ name: String, default value: Choice) -> Choice where Choice.RawValue == String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    guard let choice = Choice(rawValue: arguments[index + 1]) else {
        FileHandle.standardError.write(Data("facever-bench: unknown \(name) \(arguments[index + 1])\n".utf8))
        exit(2)
    }
    return choice
}

if !MatrixPrecision.configure(choiceOption("--precision", default: MatrixPrecision.float32)) {
    FileHandle.standardError.write(Data("facever-bench: this CPU has no AVX512_BF16\n".utf8))
    exit(2)
}

let usage = "usage: facever-bench layers|train|embed|prepare-verify DIR|verify DIR|peak [options]\n"

switch arguments.first {
case "layers":
    benchmarkLayers(batch: option("--batch", default: 32), repeats: option("--repeats", default: 5))
case "train":
    benchmarkTraining(steps: option("--steps", default: 6), batch: option("--batch", default: 16),
                      composition: choiceOption("--batches", default: BatchComposition.pairs))
case "embed":
    benchmarkEmbedding(batch: option("--batch", default: 1), repeats: option("--repeats", default: 20))
case "prepare-verify" where arguments.count >= 2:
    try prepareVerify(folder: URL(fileURLWithPath: arguments[1]))
case "verify" where arguments.count >= 2:
    try benchmarkVerify(folder: URL(fileURLWithPath: arguments[1]), repeats: option("--repeats", default: 20))
case "peak":
    benchmarkPeak(seconds: doubleOption("--seconds", default: 1))
default:
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
