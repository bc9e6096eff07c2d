// facever-bench — release-build measurements of the engine (run through Scripts/benchmark-layers.sh).
//
//   facever-bench layers [--batch 32] [--repeats 5]
// For every layer of the tutorial's embedding: forward and backward time and GFLOP/s through the
// engine's public ops, beside cblas_sgemm alone on the same GEMM shapes (one unchunked GEMM per pass),
// so the engine's overhead over raw GEMM is visible. Figures are medians after one warm-up run.
import CBLAS
import Foundation
import SiameseKit
import Tensor

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Median time of `body` over `repeats` runs after one warm-up; `prepare` runs untimed before each.
func measure(repeats: Int, prepare: () -> Void = {}, _ body: () -> Void) -> Double {
    prepare()
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        prepare()
        times.append(seconds(body))
    }
    return median(times)
}

/// One row-major sgemm C[m, n] = op(A) · op(B), timed on buffers of the right sizes.
func sgemmSeconds(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, repeats: Int) -> Double {
    var random = RandomGenerator(seed: 1)
    let a = (0..<(m * k)).map { _ in random.uniform(-1, 1) }
    let b = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
    var c = [Float](repeating: 0, count: m * n)
    return measure(repeats: repeats) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                    0, &c, Int32(n))
    }
}

struct Row {
    var name: String
    var forwardSeconds: Double
    var forwardFLOPs: Double
    var backwardSeconds: Double
    var backwardFLOPs: Double
    var sgemmForwardSeconds: Double
    var sgemmBackwardSeconds: Double
}

func randomTensor(_ shape: [Int], requiresGrad: Bool, name: String? = nil, seed: UInt64) -> Tensor {
    var random = RandomGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<Tensor.elementCount(of: shape)).map { _ in random.uniform(0, 1) },
                  requiresGrad: requiresGrad, name: name)
}

func benchmarkLayers(batch: Int, repeats: Int) {
    let architecture = EmbeddingArchitecture.tutorial
    let network = try! EmbeddingNetwork(architecture: architecture, factory: .glorotUniform(seed: 7))
    var rows: [Row] = []
    var inputShape = [batch] + architecture.inputShape

    for (index, layer) in network.convolutions.enumerated() {
        let isFirst = index == 0  // training never needs the gradient of the input images
        let x = randomTensor(inputShape, requiresGrad: !isFirst, seed: UInt64(index))
        let g = ConvolutionGeometry(input: x.shape, weight: layer.weight.shape)
        var output: Tensor!
        let forward = measure(repeats: repeats) { output = layer(x) }
        let seed = [Float](repeating: 0.001, count: Tensor.elementCount(of: g.outputShape))
        let backward = measure(repeats: repeats, prepare: { layer.zeroGrad(); x.zeroGrad(); output = layer(x) }) {
            output.backward(seed: seed)
        }
        let rowsCount = g.batch * g.positionsPerImage
        let sgemmForward = sgemmSeconds(m: rowsCount, n: g.outputChannels, k: g.patchSize, repeats: repeats)
        var sgemmBackward = sgemmSeconds(m: g.patchSize, n: g.outputChannels, k: rowsCount, transposeA: true, repeats: repeats)
        if !isFirst {
            sgemmBackward += sgemmSeconds(m: rowsCount, n: g.patchSize, k: g.outputChannels, transposeB: true, repeats: repeats)
        }
        rows.append(Row(name: "conv\(index + 1) \(g.kernelHeight)x\(g.kernelWidth)x\(g.inputChannels)→\(g.outputChannels)",
                        forwardSeconds: forward, forwardFLOPs: g.forwardFLOPs,
                        backwardSeconds: backward, backwardFLOPs: g.forwardFLOPs * (isFirst ? 1 : 2),
                        sgemmForwardSeconds: sgemmForward, sgemmBackwardSeconds: sgemmBackward))
        inputShape = g.outputShape
        if index < network.convolutions.count - 1 {
            let pooledInput = randomTensor(inputShape, requiresGrad: true, seed: 99)
            var pooled: Tensor!
            let poolForward = measure(repeats: repeats) { pooled = maxPool2d(pooledInput) }
            let poolSeed = [Float](repeating: 0.001, count: Tensor.elementCount(of: MaxPool2D.outputShape(inputShape)))
            let poolBackward = measure(repeats: repeats, prepare: { pooledInput.zeroGrad(); pooled = maxPool2d(pooledInput) }) {
                pooled.backward(seed: poolSeed)
            }
            rows.append(Row(name: "  maxpool 2x2", forwardSeconds: poolForward, forwardFLOPs: 0, backwardSeconds: poolBackward,
                            backwardFLOPs: 0, sgemmForwardSeconds: 0, sgemmBackwardSeconds: 0))
            inputShape = MaxPool2D.outputShape(inputShape)
        }
    }
    let flat = randomTensor([batch, architecture.flattenedSize], requiresGrad: true, seed: 5)
    var projected: Tensor!
    let denseForward = measure(repeats: repeats) { projected = network.projection(flat) }
    let denseSeed = [Float](repeating: 0.001, count: batch * architecture.embeddingSize)
    let denseBackward = measure(repeats: repeats, prepare: { network.projection.zeroGrad(); flat.zeroGrad(); projected = network.projection(flat) }) {
        projected.backward(seed: denseSeed)
    }
    let denseFLOPs = 2 * Double(batch * architecture.flattenedSize * architecture.embeddingSize)
    let sgemmDenseForward = sgemmSeconds(m: batch, n: architecture.embeddingSize, k: architecture.flattenedSize, repeats: repeats)
    let sgemmDenseBackward = sgemmSeconds(m: architecture.flattenedSize, n: architecture.embeddingSize, k: batch, transposeA: true, repeats: repeats)
        + sgemmSeconds(m: batch, n: architecture.flattenedSize, k: architecture.embeddingSize, transposeB: true, repeats: repeats)
    rows.append(Row(name: "dense 9216→4096", forwardSeconds: denseForward, forwardFLOPs: denseFLOPs,
                    backwardSeconds: denseBackward, backwardFLOPs: 2 * denseFLOPs,
                    sgemmForwardSeconds: sgemmDenseForward, sgemmBackwardSeconds: sgemmDenseBackward))

    print("facever-bench layers: batch \(batch), median of \(repeats) after 1 warm-up, \(ComputeThreads.count) threads")
    print("(maxpool rows time the pooling op alone; ReLU and sigmoid are only in the whole-embedding line)")
    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
    func number(_ value: Double, _ format: String = "%.1f") -> String { value > 0 ? String(format: format, value) : "-" }
    print(pad("layer", 22) + pad("fwd ms", 10) + pad("fwd GF/s", 10) + pad("bwd ms", 10) + pad("bwd GF/s", 10)
          + pad("sgemm fwd GF/s", 16) + pad("sgemm bwd GF/s", 16) + "engine/sgemm time fwd, bwd")
    for row in rows {
        let forwardRate = row.forwardFLOPs / row.forwardSeconds / 1e9
        let backwardRate = row.backwardFLOPs / row.backwardSeconds / 1e9
        let sgemmForwardRate = row.sgemmForwardSeconds > 0 ? row.forwardFLOPs / row.sgemmForwardSeconds / 1e9 : 0
        let sgemmBackwardRate = row.sgemmBackwardSeconds > 0 ? row.backwardFLOPs / row.sgemmBackwardSeconds / 1e9 : 0
        let overhead = row.sgemmForwardSeconds > 0
            ? String(format: "%.2f×, %.2f×", row.forwardSeconds / row.sgemmForwardSeconds, row.backwardSeconds / row.sgemmBackwardSeconds)
            : ""
        print(pad(row.name, 22) + pad(String(format: "%.2f", row.forwardSeconds * 1000), 10) + pad(number(forwardRate), 10)
              + pad(String(format: "%.2f", row.backwardSeconds * 1000), 10) + pad(number(backwardRate), 10)
              + pad(number(sgemmForwardRate), 16) + pad(number(sgemmBackwardRate), 16) + overhead)
    }

    // Whole embedding, forward and forward + backward, as training runs it.
    let images = randomTensor([batch] + architecture.inputShape, requiresGrad: false, seed: 11)
    var embedding: Tensor!
    let wholeForward = measure(repeats: repeats) { embedding = network(images) }
    let embeddingSeed = [Float](repeating: 0.001, count: batch * architecture.embeddingSize)
    let wholeBackward = measure(repeats: repeats, prepare: { network.zeroGrad(); embedding = network(images) }) {
        embedding.backward(seed: embeddingSeed)
    }
    let forwardFLOPs = rows.map(\.forwardFLOPs).reduce(0, +)
    let backwardFLOPs = rows.map(\.backwardFLOPs).reduce(0, +)
    print(String(format: "whole embedding: forward %.1f ms (%.1f GFLOP/s, %.3f GFLOP/image), backward %.1f ms (%.1f GFLOP/s)",
                 wholeForward * 1000, forwardFLOPs / wholeForward / 1e9, forwardFLOPs / Double(batch) / 1e9,
                 wholeBackward * 1000, backwardFLOPs / wholeBackward / 1e9))
}

var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

switch arguments.first {
case "layers":
    benchmarkLayers(batch: option("--batch", default: 32), repeats: option("--repeats", default: 5))
default:
    FileHandle.standardError.write(Data("usage: facever-bench layers [--batch 32] [--repeats 5]\n".utf8))
    exit(2)
}
