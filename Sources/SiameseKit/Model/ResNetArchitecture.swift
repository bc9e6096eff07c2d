// ResNetArchitecture.swift — the shape of a residual embedding network (dlib's face recognition ResNet),
// as data stored in a model file's metadata.
//
//   image [N, S, S, 3] in [0, 1] → (255·x − mean[c]) / 256                     (dlib's input layer)
//   stem: conv K×K stride 2 (no padding) → affine → ReLU → max pool 3×3 stride 2
//   stage after stage, block after block (the first block of a `downsamples` stage halves the size):
//     r = affine(conv3×3(ReLU(affine(conv3×3 stride s(x)))))        s = 2 and no padding when halving,
//     y = ReLU(r + shortcut)                                             else s = 1, padding 1
//     shortcut = x, or average pool 2×2 stride 2 of x when halving; the sum pads the smaller map and
//     the fewer channels with zeros (PaddedAdd.swift)
//   global average pool → dense without bias → embedding [N, E]
//   with `mirrorAverage`, the mean of the embeddings of the picture and of its mirror image (one batch of 2N)
// dlib's model: 150×150, a 32-filter 7×7 stem, stages 32×3, 64×4↓, 128×3↓, 256×3↓, 256×1↓, E = 128:
// 29 convolutions, 5,614,592 parameters (the affines included; DlibReaderTests counts them).
import Foundation

public struct ResNetArchitecture: MetadataJSON, Equatable, Sendable {
    public struct Stage: Codable, Equatable, Sendable {
        public var filters: Int
        public var blocks: Int
        public var downsamples: Bool
    }

    /// "resnet": what tells this architecture's JSON from a Koch network's.
    public var family: String
    public var inputSide: Int
    /// Per-channel means (0...255) that the input layer subtracts before dividing by 256.
    public var inputMeans: [Float]
    public var stemFilters: Int
    public var stemKernel: Int
    public var stages: [Stage]
    public var embeddingSize: Int
    /// Whether a descriptor is the mean of the picture's and its mirror image's (nil in JSON: no). On LFW's
    /// pairs it lifts dlib's ResNet from 0.980 to 0.984 for twice the network's work (README).
    public var mirrorAverage: Bool?
    /// What the face chip shows past the photo's edge (nil in JSON: black, dlib's; FaceChip.swift).
    public var chipBorder: ChipBorder? = nil

    public static let familyName = "resnet"

    /// dlib_face_recognition_resnet_model_v1 (dlib's dnn_face_recognition_ex.cpp defines it as anet_type).
    public static let dlibFaceRecognition = ResNetArchitecture(
        family: familyName, inputSide: 150, inputMeans: [122.782, 117.001, 104.298], stemFilters: 32, stemKernel: 7,
        stages: [Stage(filters: 32, blocks: 3, downsamples: false), Stage(filters: 64, blocks: 4, downsamples: true),
                 Stage(filters: 128, blocks: 3, downsamples: true), Stage(filters: 256, blocks: 3, downsamples: true),
                 Stage(filters: 256, blocks: 1, downsamples: true)],
        embeddingSize: 128, mirrorAverage: nil)

    public var inputFormat: InputFormat { InputFormat(height: inputSide, width: inputSide, channels: 3) }

    /// The face chip this network takes: dlib's, with this architecture's border.
    public var chipGeometry: FaceChipGeometry { FaceChipGeometry.dlibFaceRecognition.with(border: chipBorder ?? .black) }

    /// The side of the feature map after the stem and after each block, following the rules above
    /// (a halving block's sum takes the larger of its two maps' sides). A halving of a map smaller than its
    /// 3×3 kernel is impossible: that block's side is 0, which `problem` refuses.
    public var featureSides: (stem: Int, blocks: [Int]) {
        let afterConvolution = (inputSide - stemKernel) / 2 + 1
        let stem = (afterConvolution - 3) / 2 + 1
        var side = stem, sides: [Int] = []
        for stage in stages {
            for block in 0..<stage.blocks {
                if stage.downsamples && block == 0 { side = side < 3 ? 0 : max((side - 3) / 2 + 1, (side - 2) / 2 + 1) }
                sides.append(side)
            }
        }
        return (stem, sides)
    }

    /// Bounds on what a file may describe (with these, one image's largest feature map is at most
    /// 256² × 1024 values, EmbeddingArchitecture.maximumFeatureValues).
    public static let maximumInputSide = 512
    public static let maximumFilters = 1024
    public static let maximumBlocks = 64

    /// Why this architecture cannot be built, or nil when it can.
    public var problem: String? {
        guard family == Self.familyName else { return "family '\(family)' (expected '\(Self.familyName)')" }
        guard (16...Self.maximumInputSide).contains(inputSide) else { return "input side \(inputSide) (16...\(Self.maximumInputSide))" }
        guard inputMeans.count == 3, inputMeans.allSatisfy({ $0.isFinite && (0...255).contains($0) }) else {
            return "input means \(inputMeans) (three numbers in 0...255)"
        }
        guard (1...Self.maximumFilters).contains(stemFilters), (1...15).contains(stemKernel) else {
            return "stem of \(stemFilters) filters of \(stemKernel)×\(stemKernel)"
        }
        guard !stages.isEmpty, stages.map(\.blocks).reduce(0, +) <= Self.maximumBlocks,
              stages.allSatisfy({ (1...Self.maximumFilters).contains($0.filters) && $0.blocks >= 1 }) else {
            return "stages \(stages.map { "\($0.filters)×\($0.blocks)" }) (1...\(Self.maximumFilters) filters, 1...\(Self.maximumBlocks) blocks in all)"
        }
        guard (1...4096).contains(embeddingSize) else { return "embedding size \(embeddingSize) (1...4096)" }
        guard inputSide >= stemKernel else { return "the input \(inputSide)×\(inputSide) is smaller than the stem's kernel" }
        let sides = featureSides
        guard sides.stem >= 3, sides.blocks.allSatisfy({ $0 >= 1 }) else {
            return "the input \(inputSide)×\(inputSide) is too small for \(stages.filter(\.downsamples).count) halvings"
        }
        return nil
    }
}
