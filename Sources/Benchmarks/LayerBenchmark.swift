// LayerBenchmark.swift — `facever-bench layers`: per layer of the tutorial's embedding, forward and
// backward time and GFLOP/s through the engine's public ops, beside cblas_sgemm alone on the same GEMM
// shapes (one unchunked GEMM per pass), so the engine's overhead over raw GEMM is visible.
import Foundation
import SiameseKit
import Tensor

struct Row {
    var name: String
    var forwardSeconds: Double
    var forwardFLOPs: Double
    var backwardSeconds: Double
    var backwardFLOPs: Double
    var sgemmForwardSeconds: Double
    var sgemmBackwardSeconds: Double
}

func benchmarkLayers(batch: Int, repeats: Int, compute: Compute) {
    let architecture = EmbeddingArchitecture.tutorial
    let network = try! EmbeddingNetwork(architecture: architecture, factory: .glorotUniform(seed: 7))
    var rows: [Row] = []
    var inputShape = [batch] + architecture.inputShape

    for (index, layer) in network.convolutions.enumerated() {
        let isFirst = index == 0  // training never needs the gradient of the input images
        let x = randomTensor(inputShape, requiresGrad: !isFirst, seed: UInt64(index))
        let g = ConvolutionGeometry(input: x.shape, weight: layer.weight.shape)
        var output: Tensor!
        let forward = measure(repeats: repeats) { output = layer(x, compute: compute) }
        let seed = [Float](repeating: 0.001, count: Tensor.elementCount(of: g.outputShape))
        let backward = measure(repeats: repeats, prepare: { layer.zeroGrad(); x.zeroGrad(); output = layer(x, compute: compute) }) {
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
    let denseForward = measure(repeats: repeats) { projected = network.projection(flat, compute: compute) }
    let denseSeed = [Float](repeating: 0.001, count: batch * architecture.embeddingSize)
    let denseBackward = measure(repeats: repeats, prepare: {
        network.projection.zeroGrad(); flat.zeroGrad(); projected = network.projection(flat, compute: compute)
    }) {
        projected.backward(seed: denseSeed)
    }
    let denseFLOPs = 2 * Double(batch * architecture.flattenedSize * architecture.embeddingSize)
    let sgemmDenseForward = sgemmSeconds(m: batch, n: architecture.embeddingSize, k: architecture.flattenedSize, repeats: repeats)
    let sgemmDenseBackward = sgemmSeconds(m: architecture.flattenedSize, n: architecture.embeddingSize, k: batch, transposeA: true, repeats: repeats)
        + sgemmSeconds(m: batch, n: architecture.flattenedSize, k: architecture.embeddingSize, transposeB: true, repeats: repeats)
    rows.append(Row(name: "dense 9216→4096", forwardSeconds: denseForward, forwardFLOPs: denseFLOPs,
                    backwardSeconds: denseBackward, backwardFLOPs: 2 * denseFLOPs,
                    sgemmForwardSeconds: sgemmDenseForward, sgemmBackwardSeconds: sgemmDenseBackward))

    print("facever-bench layers: batch \(batch), median of \(repeats) after 1 warm-up, \(compute)")
    let machine = machineReport()
    print("on \(machine["cpu"]!), flags \((machine["flags"] as! [String]).joined(separator: " ")); "
          + "float32: \(machine["float32_kernel"]!); bfloat16: \(machine["bfloat16_kernel"]!)")
    print("(maxpool rows time the pooling op alone; ReLU and sigmoid are only in the whole-embedding line)")
    if compute.precision == .float32, case .facever = compute.float32Kernel {
        print("(float32 on facever's GEMM: a convolution that SpectralConvolution's rule takes runs its forward pass and "
              + "gradients in the frequency domain; its GF/s count the direct convolution's FLOPs)")
    }
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
    let wholeForward = measure(repeats: repeats) { embedding = network(images, compute: compute) }
    let embeddingSeed = [Float](repeating: 0.001, count: batch * architecture.embeddingSize)
    let wholeBackward = measure(repeats: repeats, prepare: { network.zeroGrad(); embedding = network(images, compute: compute) }) {
        embedding.backward(seed: embeddingSeed)
    }
    let forwardFLOPs = rows.map(\.forwardFLOPs).reduce(0, +)
    let backwardFLOPs = rows.map(\.backwardFLOPs).reduce(0, +)
    print(String(format: "whole embedding: forward %.1f ms (%.1f GFLOP/s, %.3f GFLOP/image), backward %.1f ms (%.1f GFLOP/s)",
                 wholeForward * 1000, forwardFLOPs / wholeForward / 1e9, forwardFLOPs / Double(batch) / 1e9,
                 wholeBackward * 1000, backwardFLOPs / wholeBackward / 1e9))
}
