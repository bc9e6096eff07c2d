// TinyLandmarkModel.swift — a tiny ResNet with a one-tree, five-point landmark predictor: a model file shaped
// like dlib's import, small enough to build in a test.
@testable import SiameseKit

enum TinyLandmarkModel {
    static let architecture = ResNetArchitecture(
        family: ResNetArchitecture.familyName, inputSide: 23, inputMeans: [120, 110, 100], stemFilters: 4, stemKernel: 3,
        stages: [.init(filters: 4, blocks: 1, downsamples: false)], embeddingSize: 5, mirrorAverage: nil)

    static func predictor() throws -> LandmarkPredictor {
        try LandmarkPredictor(
            initialShape: [0.2, 0.3, 0.8, 0.3, 0.3, 0.5, 0.7, 0.5, 0.5, 0.8], levels: 1, trees: 1, splits: 1, features: 2,
            splitFeatures: [0, 1], thresholds: [5], leafValues: [Float](repeating: 0.01, count: 20), anchors: [0, 1],
            deltas: [0, 0, 0, 0], path: "test")
    }

    static func network() throws -> SiameseNetwork {
        try SiameseNetwork(architecture: .resnet(architecture), factory: .glorotUniform(seed: 3), chipper: FaceChipper(landmarks: predictor()))
    }
}
