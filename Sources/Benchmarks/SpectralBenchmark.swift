// SpectralBenchmark.swift — `facever-bench spectral`: each float32 convolution of the tutorial's network
// (ReLU fused, as inference runs it) computed directly, from its packed weight, beside the frequency-domain
// forward pass (SpectralConvolution.swift) at every tile side, with the side the rule picks: what checks the
// rule's weights on another CPU.
import Foundation
import SiameseKit
import Tensor

func benchmarkSpectral(batch: Int, repeats: Int) {
    let compute = Compute(precision: .float32)
    guard case .facever(let path) = compute.float32Kernel else {
        print("facever-bench spectral: the frequency domain needs facever's GEMM (FACEVER_KERNEL=openblas is set)")
        return
    }
    let architecture = EmbeddingArchitecture.tutorial
    let network = try! EmbeddingNetwork(architecture: architecture, factory: .glorotUniform(seed: 7))
    let machine = machineReport()
    print("facever-bench spectral: batch \(batch), median of \(repeats) after 1 warm-up, ms; \(compute), on \(machine["cpu"]!)")
    var shape = [batch] + architecture.inputShape
    for (index, layer) in network.convolutions.enumerated() {
        let x = randomTensor(shape, requiresGrad: false, seed: UInt64(index))
        let g = ConvolutionGeometry(input: x.shape, weight: layer.weight.shape)
        let pack = layer.packedWeight(for: compute)
        let direct = measure(repeats: repeats) { _ = layer(x, relu: true, compute: compute, packedWeight: pack) }
        var line = String(format: "conv%d %dx%dx%d→%d  direct %.2f", index + 1, g.kernelHeight, g.kernelWidth, g.inputChannels,
                          g.outputChannels, direct * 1000)
        for tile in [8, 12, 16, 20, 24, 32] where tile >= max(g.kernelHeight, g.kernelWidth) + 2 {
            let spectral = SpectralWeight(weight: layer.weight, tile: tile, path: path)
            let seconds = measure(repeats: repeats) { _ = layer(x, relu: true, compute: compute, spectralWeight: spectral) }
            line += String(format: "  T%d %.2f", tile, seconds * 1000)
        }
        if let tile = SpectralConvolution.tile(for: g) {
            let making = measure(repeats: repeats) { _ = SpectralWeight(weight: layer.weight, tile: tile, path: path) }
            line += String(format: "  (transforming the weight: %.2f)", making * 1000)
        }
        print(line + "  (rule: " + (SpectralConvolution.tile(for: g).map { "T\($0)" } ?? "direct") + ")")
        shape = MaxPool2D.outputShape(g.outputShape)
    }
}
