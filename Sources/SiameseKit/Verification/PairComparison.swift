// PairComparison.swift — one pair of photos, one score: `facever compare A B`.
//
// Both photos go through the model's crop and input format, as verify's probes do (cropped ahead while the
// model loads: CropsAhead); the score is the Siamese head's, in [0, 1] (higher: the same person), compared
// with the model's detection threshold.
// For a model whose head reads squared differences (dlib's ResNet) the Euclidean distance between the two
// descriptors is reported too: the number face_recognition users know (dlib calls < 0.6 the same person).
import Foundation
import Tensor

public struct PairComparison: Sendable {
    public enum Outcome: Sendable, Equatable {
        case compared(score: Float, distance: Float?)
        /// Face mode found no face in the photo at this index (0 or 1).
        case noFace(index: Int)
    }

    public let outcome: Outcome
    public let threshold: Float
    /// How many faces each photo holds, as far as it was cropped (the largest is compared); 1 outside face mode.
    public let facesInPicture: [Int]

    public var same: Bool {
        if case .compared(let score, _) = outcome { return score > threshold }
        return false
    }

    /// Compares the next two photos of `crops` (cropped as `model` crops them, perhaps while it loaded) with
    /// `model`: the first without a face is the outcome.
    public static func compare(_ crops: CropsAhead, model: TrainedModel, precision: MatrixPrecision) throws -> PairComparison {
        let threshold = model.thresholds.detection
        var photos: [RGBImage] = []
        var faces: [Int] = []
        for index in 0..<2 {
            guard let photo = crops.next() else { preconditionFailure("PairComparison: two photos are compared") }
            guard let crop = try photo.crop.get() else {
                return PairComparison(outcome: .noFace(index: index), threshold: threshold, facesInPicture: faces + [0])
            }
            faces.append(crop.facesInPicture)
            photos.append(crop.photo)
        }
        let inference = model.prepared(for: precision)
        let embeddings = try FaceEmbedding.embeddings(of: photos, model: model, inference: inference)
        let (a, b) = (embeddings[0], embeddings[1])
        let score = logistic(inference.logits(anchorEmbeddings: Tensor(shape: [1, a.count], data: a),
                                              otherEmbeddings: Tensor(shape: [1, b.count], data: b)).data[0])
        guard score.isFinite else {
            throw InputError(path: model.url.path, problem: "the model gave a score that is not a number", nextStep: "train again or restore the file")
        }
        var distance: Float?
        if model.network.architecture.pairFeature == .squaredDifference {
            distance = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        }
        return PairComparison(outcome: .compared(score: score, distance: distance), threshold: threshold, facesInPicture: faces)
    }
}
