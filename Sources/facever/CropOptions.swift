// CropOptions.swift — how photos from outside become the canonical crop (--crop, --detector, cascades),
// for every command that reads photos.
import ArgumentParser
import Foundation
import SiameseKit

extension CropMode: ExpressibleByArgument {}

/// The face detectors facever can use; the seam where better ones plug in.
enum DetectorChoice: String, CaseIterable, ExpressibleByArgument {
    /// OpenCV's Haar cascades (opencv-data), with the eye cascade for alignment.
    case haar
}

struct CropOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How photos from outside are cropped: face (the face found, aligned by the eyes; the largest where there are several, every one for identify and embed; no face, no photo), centre (the centred square, for face crops such as LFW's), fixed (the tutorial's webcam window). Photos facever stored are never cropped again. (default: face; verify and evaluate: the model's)",
        valueName: "face|centre|fixed"))
    var crop: CropMode?

    @Option(help: "The face detector.")
    var detector: DetectorChoice = .haar

    @Option(help: "The Haar cascade that finds faces (with the default one, OpenCV's alt2 cascade searches where it finds none).")
    var cascade: String = FaceDetector.defaultCascade

    @Option(name: .customLong("eye-cascade"), help: ArgumentHelp(
        "The Haar cascade that finds the eyes, to level face crops (default: \(FacePipeline.defaultEyeCascade); a model with landmarks aligns by those and uses none).",
        valueName: "eye-cascade"))
    var eyeCascade: String?

    /// The cropper for `--crop`, or for `fallback` when it was not given; with `levelledByEyes` false, face
    /// crops are not levelled by the eyes (and the eye cascade is never loaded).
    func cropper(orElse fallback: CropMode, levelledByEyes: Bool = true) -> PhotoCropper {
        switch detector {
        case .haar:
            return .detecting(crop ?? fallback, faceCascade: cascade,
                              eyeCascade: levelledByEyes ? eyeCascade ?? FacePipeline.defaultEyeCascade : nil)
        }
    }

    /// The cropper verify and evaluate use: --crop, else the one the model was trained with or its import
    /// names (face for models from before crop modes were recorded). A --crop other than the one a model was
    /// trained with is a warning (an imported model takes any: its landmarks align every crop alike).
    func cropper(for model: TrainedModel) -> PhotoCropper { cropper(for: model.cropping) }

    /// The same from the model's cropping record, which its file's header gives before the weights load.
    /// A model whose landmarks align its input gets face crops without the eye search: its chip is cut by
    /// the landmarks whatever the crop's tilt, so the search (dearer than the face's: README) buys nothing.
    func cropper(for model: ModelCropping) -> PhotoCropper {
        if let crop, let trained = model.trained, crop != trained {
            Console.warning("the model was trained on \(trained.rawValue) crops; --crop \(crop.rawValue) crops photos differently, "
                            + "so scores may be lower than evaluate measured")
        }
        if model.alignsByLandmarks, eyeCascade != nil {
            Console.warning("--eye-cascade is not used: the model aligns faces by its own landmarks")
        }
        return cropper(orElse: model.mode ?? .face, levelledByEyes: !model.alignsByLandmarks)
    }

    /// `files` cropped on a thread of their own as the model file's header says (CropsAhead), while the
    /// caller loads the model; nil when the header cannot be read (loading the model then says why).
    /// `everyFace`: each crop brings its picture's other faces.
    func cropsAhead(of files: [URL], forModelAt url: URL, everyFace: Bool = false) -> PhotosCroppedAhead? {
        ModelCropping.recorded(inModelAt: url).map { recorded in
            PhotosCroppedAhead(crops: CropsAhead(files: files, cropper: cropper(for: recorded), decoder: .withCaptureFormats,
                                                 everyFace: everyFace),
                               cropping: recorded)
        }
    }

    /// The crops of `files` for the loaded `model`: those begun `ahead` when the model crops as its header
    /// said (a file replaced between the two reads might not), else begun now.
    func crops(of files: [URL], for model: TrainedModel, ahead: PhotosCroppedAhead?, everyFace: Bool = false) -> CropsAhead {
        if let ahead, ahead.cropping == model.cropping { return ahead.crops }
        return CropsAhead(files: files, cropper: cropper(for: model), decoder: .withCaptureFormats, everyFace: everyFace)
    }
}

/// Photos being cropped as a model's header said, before the model was loaded.
struct PhotosCroppedAhead {
    let crops: CropsAhead
    let cropping: ModelCropping
}
