// FaceEmbedding.swift — a model's embeddings of canonical face crops, for `facever embed`: what its Siamese
// head compares. For dlib's ResNet that is the 128-value descriptor (mirror-averaged when the model was
// imported so), whose Euclidean distances are the ones `compare` prints; for the tutorial's network, its
// 4,096 sigmoid features. An embedding with a value that is not a finite number is an error, never an output.
import Foundation
import Tensor

public enum FaceEmbedding {
    /// The embeddings of `photos` (canonical crops, as `PhotoCropper.crop` makes them), one row each, in order.
    public static func embeddings(of photos: [RGBImage], model: TrainedModel, inference: InferenceModel) throws -> [[Float]] {
        guard !photos.isEmpty else { return [] }
        let format = model.network.inputFormat
        let embeddings = inference.embeddings(ImageBatch.tensor(stacking: photos.map { ImageBatch.values(of: $0, for: format) },
                                                                format: format))
        guard embeddings.data.allSatisfy(\.isFinite) else { throw InputError.nonFiniteOutput(model: model.url, what: "face embedding") }
        let size = embeddings.shape[1]
        return (0..<photos.count).map { Array(embeddings.data[($0 * size)..<(($0 + 1) * size)]) }
    }
}
