// DlibResNetReader.swift — reads dlib's face recognition ResNet file (dlib_face_recognition_resnet_model_v1.dat)
// into facever's parameters, refusing any file that is not exactly the network ResNetArchitecture describes.
//
// dlib serialises a network from its loss layer inwards: each wrapper writes a version, then the whole
// network below it, then its own layer's details (so the layers' details come in forward order, input
// first), then bookkeeping (flags and gradient tensors, skipped here). Tags and skips write only a
// version. The wrappers' order is not in the file, so the reader walks the known network: dlib's
// anet_type (dnn_face_recognition_ex.cpp), generated from the architecture by `wrappers`.
//
// Conversions: convolution filters NCHW [O, C, KH, KW] → [KH, KW, C, O]; a trained batch-norm layer
// (bn_con2) becomes its inference affine: scale = γ / √(running variance + ε), shift = β − scale · running mean.
import Foundation

struct DlibResNetReader {
    /// One wrapper of dlib's network, from the loss layer inwards.
    enum Wrapper: Equatable {
        case convolution(name: String, filters: Int, kernel: Int, stride: Int)
        case affine(name: String, channels: Int)
        case relu, addPrevious, maxPool, averagePool, averagePoolEverything, tag, skip
        case projection(outputs: Int)
        case input
    }

    /// The network's wrappers from the outermost (the projection under the loss) to the input layer.
    static func wrappers(_ architecture: ResNetArchitecture) -> [Wrapper] {
        var forward: [Wrapper] = [.input, .convolution(name: "embedding.stem.conv", filters: architecture.stemFilters,
                                                       kernel: architecture.stemKernel, stride: 2),
                                  .affine(name: "embedding.stem.affine", channels: architecture.stemFilters), .relu, .maxPool]
        for (stageIndex, stage) in architecture.stages.enumerated() {
            for blockIndex in 0..<stage.blocks {
                let name = "embedding.stage\(stageIndex + 1).block\(blockIndex + 1)"
                let halves = stage.downsamples && blockIndex == 0
                forward += [.tag,  // tag1: the block's input
                            .convolution(name: name + ".conv1", filters: stage.filters, kernel: 3, stride: halves ? 2 : 1),
                            .affine(name: name + ".affine1", channels: stage.filters), .relu,
                            .convolution(name: name + ".conv2", filters: stage.filters, kernel: 3, stride: 1),
                            .affine(name: name + ".affine2", channels: stage.filters)]
                // A halving block tags its residual (tag2), skips back to tag1 and pools it.
                forward += halves ? [.tag, .skip, .averagePool, .addPrevious, .relu] : [.addPrevious, .relu]
            }
        }
        forward += [.averagePoolEverything, .projection(outputs: architecture.embeddingSize)]
        return forward.reversed()
    }

    struct Result {
        /// facever's parameter name → values, in facever's layout.
        var parameters: [String: [Float]] = [:]
        /// The distance dlib's loss layer calls "the same person" (0.6 in the released model).
        var distanceThreshold: Double = 0
        var inputMeans: [Float] = []
    }

    private var stream: DlibStream
    private let wrappers: [Wrapper]
    private let architecture: ResNetArchitecture
    private var result = Result()
    /// Channels of the feature map entering the wrapper being read (forward order).
    private var channels = 3

    static func read(contentsOf url: URL, architecture: ResNetArchitecture = .dlibFaceRecognition) throws -> Result {
        var reader = DlibResNetReader(stream: try DlibStream(contentsOf: url, kind: "dlib face recognition ResNet"),
                                      wrappers: wrappers(architecture), architecture: architecture)
        try reader.readLossLayer()
        guard reader.stream.isAtEnd else { throw reader.stream.failure("bytes after the network") }
        return reader.result
    }

    private init(stream: DlibStream, wrappers: [Wrapper], architecture: ResNetArchitecture) {
        (self.stream, self.wrappers, self.architecture) = (stream, wrappers, architecture)
    }

    private mutating func readLossLayer() throws {
        try stream.integer(in: 1...1, "the loss layer's version")
        if try stream.tag("loss_metric_", "loss_metric_2") == "loss_metric_2" {
            _ = try stream.real()  // margin
            result.distanceThreshold = try stream.real()
        } else {
            result.distanceThreshold = 0.75  // the version-1 loss's fixed threshold
        }
        guard (0.01...10).contains(result.distanceThreshold) else { throw stream.failure("a distance threshold of \(result.distanceThreshold)") }
        try readWrapper(0)
    }

    private mutating func readWrapper(_ index: Int) throws {
        let wrapper = wrappers[index]
        switch wrapper {
        case .tag, .skip:
            try stream.integer(in: 1...1, "a tag or skip layer's version")
            try readWrapper(index + 1)
        case .input:
            preconditionFailure("the input is read with the layer above it")
        default:
            if wrappers[index + 1] == .input {
                let version = try stream.integer(in: 2...3, "the first layer's version")
                try readInput()
                try readDetails(wrapper)
                try skipBookkeeping(tensors: 3)
                if version == 3 { _ = try stream.integer() }  // sample expansion factor
            } else {
                let version = try stream.integer(in: 1...2, "a layer's version")
                try readWrapper(index + 1)
                try readDetails(wrapper)
                try skipBookkeeping(tensors: version == 2 ? 3 : 2)
            }
        }
    }

    /// Three flags, then the layer's gradient and output tensors (empty in a saved model, read and dropped).
    private mutating func skipBookkeeping(tensors: Int) throws {
        for _ in 0..<3 { _ = try stream.bool() }
        for _ in 0..<tensors { _ = try stream.tensor(maximumCount: 1 << 22) }
    }

    private mutating func readInput() throws {
        try stream.tag("input_rgb_image_sized")
        result.inputMeans = try (0..<3).map { _ in Float(try stream.real()) }
        guard result.inputMeans.allSatisfy({ (0...255).contains($0) }) else { throw stream.failure("input means \(result.inputMeans)") }
        try stream.integer(in: architecture.inputSide...architecture.inputSide, "the input rows")
        try stream.integer(in: architecture.inputSide...architecture.inputSide, "the input columns")
    }

    private mutating func skipMultipliers(_ count: Int) throws {
        for _ in 0..<count { _ = try stream.real() }
    }

    private mutating func readDetails(_ wrapper: Wrapper) throws {
        switch wrapper {
        case .convolution(let name, let filters, let kernel, let stride):
            let version = try stream.tag("con_4", "con_5", "con_6")
            let params = try stream.tensor()
            try stream.integer(in: filters...filters, "\(name)'s filter count")
            try stream.integer(in: kernel...kernel, "\(name)'s kernel rows")
            try stream.integer(in: kernel...kernel, "\(name)'s kernel columns")
            try stream.integer(in: stride...stride, "\(name)'s vertical stride")
            try stream.integer(in: stride...stride, "\(name)'s horizontal stride")
            let padding = stride == 1 ? kernel / 2 : 0  // dlib's default, which ResNetEmbedding assumes
            try stream.integer(in: padding...padding, "\(name)'s vertical padding")
            try stream.integer(in: padding...padding, "\(name)'s horizontal padding")
            let filterShape = try stream.aliasShape(), biasShape = try stream.aliasShape()
            guard filterShape == [filters, channels, kernel, kernel], biasShape == [1, filters, 1, 1],
                  params.values.count == filters * channels * kernel * kernel + filters else {
                throw stream.failure("\(name)'s parameters \(filterShape) + \(biasShape) for \(channels) input channels")
            }
            try skipMultipliers(4)
            if version != "con_4" { guard try stream.bool() else { throw stream.failure("\(name) without bias") } }
            if version == "con_6" { guard try !stream.bool() else { throw stream.failure("\(name) with a fused ReLU") } }
            // [O, C, KH, KW] → [KH, KW, C, O]
            var weight = [Float](repeating: 0, count: filters * channels * kernel * kernel)
            for o in 0..<filters {
                for c in 0..<channels {
                    for i in 0..<kernel {
                        for j in 0..<kernel {
                            weight[((i * kernel + j) * channels + c) * filters + o] = params.values[((o * channels + c) * kernel + i) * kernel + j]
                        }
                    }
                }
            }
            result.parameters[name + ".weight"] = weight
            result.parameters[name + ".bias"] = Array(params.values.suffix(filters))
            channels = filters
        case .affine(let name, let count):
            let (scale, shift) = try readAffine(name: name, channels: count)
            result.parameters[name + ".scale"] = scale
            result.parameters[name + ".shift"] = shift
        case .relu:
            if try stream.tag("relu_", "relu_2") == "relu_2" { guard try !stream.bool() else { throw stream.failure("a disabled ReLU") } }
        case .addPrevious:
            try stream.tag("add_prev_")
            // The sum keeps the larger channel count: the block's input may have fewer.
        case .maxPool, .averagePool, .averagePoolEverything:
            try stream.tag(wrapper == .maxPool ? "max_pool_2" : "avg_pool_2")
            let (window, stride) = wrapper == .maxPool ? (3, 2) : wrapper == .averagePool ? (2, 2) : (0, 1)
            for what in ["window rows", "window columns"] { try stream.integer(in: window...window, "a pooling layer's \(what)") }
            for what in ["vertical stride", "horizontal stride"] { try stream.integer(in: stride...stride, "a pooling layer's \(what)") }
            for what in ["vertical padding", "horizontal padding"] { try stream.integer(in: 0...0, "a pooling layer's \(what)") }
        case .projection(let outputs):
            let version = try stream.tag("fc_2", "fc_3")
            try stream.integer(in: outputs...outputs, "the projection's outputs")
            try stream.integer(in: channels...channels, "the projection's inputs")
            let params = try stream.tensor()
            let weightShape = try stream.aliasShape()
            _ = try stream.aliasShape()  // the unused bias alias
            guard weightShape == [channels, outputs, 1, 1], params.values.count == channels * outputs else {
                throw stream.failure("the projection's parameters \(weightShape)")
            }
            try stream.integer(in: 1...1, "the projection's bias mode (1: no bias)")
            try skipMultipliers(4)
            if version == "fc_3" { _ = try stream.bool() }
            result.parameters["embedding.projection.weight"] = params.values  // [I, O] row-major, as dlib multiplies x · W
        case .tag, .skip, .input:
            preconditionFailure("wrappers without details")
        }
    }

    /// An affine layer as stored, or a trained batch-norm layer folded into one.
    private mutating func readAffine(name: String, channels count: Int) throws -> (scale: [Float], shift: [Float]) {
        guard count == channels else { throw stream.failure("\(name) for \(count) channels after \(channels)") }
        let version = try stream.tag("bn_con2", "affine_", "affine_2")
        let params = try stream.tensor()
        let gammaShape = try stream.aliasShape(), betaShape = try stream.aliasShape()
        guard gammaShape == [1, count, 1, 1], betaShape == gammaShape, params.values.count == 2 * count else {
            throw stream.failure("\(name)'s parameters \(gammaShape) for \(count) channels")
        }
        let gamma = Array(params.values.prefix(count)), beta = Array(params.values.suffix(count))
        if version != "bn_con2" {
            try stream.integer(in: 0...0, "\(name)'s mode (0: per channel)")
            if version == "affine_2" { guard try !stream.bool() else { throw stream.failure("\(name) disabled") } }
            return (gamma, beta)
        }
        _ = try stream.tensor(maximumCount: 1 << 16)  // batch means of the last training step
        _ = try stream.tensor(maximumCount: 1 << 16)  // and their inverse deviations
        let means = try stream.tensor(maximumCount: 1 << 16).values, variances = try stream.tensor(maximumCount: 1 << 16).values
        guard means.count == count, variances.count == count, variances.allSatisfy({ $0 >= 0 }) else {
            throw stream.failure("\(name)'s running statistics")
        }
        _ = try stream.integer()  // updates
        _ = try stream.integer()  // window
        try skipMultipliers(4)
        let epsilon = try stream.real()
        guard epsilon > 0 && epsilon < 1 else { throw stream.failure("\(name)'s epsilon \(epsilon)") }
        let scale = (0..<count).map { gamma[$0] / (variances[$0] + Float(epsilon)).squareRoot() }
        return (scale, (0..<count).map { beta[$0] - scale[$0] * means[$0] })
    }
}
