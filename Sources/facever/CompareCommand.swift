// CompareCommand.swift — `facever compare A B`: are these two photos the same person? One score.
import ArgumentParser
import Foundation
import SiameseKit

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Score one pair of face photos: the same person or not.",
        discussion: """
            Both photos are cropped as the model expects (--crop overrides) and scored by its Siamese head \
            (0…1, higher: the same person); "same" when the score exceeds the model's detection threshold. \
            With dlib's pretrained model the descriptors' distance is printed too (dlib: < 0.6 is the same person).

            Exit status: 0 the same person, 1 not (or a photo without a face), 2 input error.

            Examples:
              facever compare a.jpg b.jpg --model models/dlib-resnet-v1.safetensors
              facever compare a.jpg b.jpg --json
            """
    )

    @Argument(help: "The first photo.")
    var first: String

    @Argument(help: "The second photo.")
    var second: String

    @Flag(help: "Print one JSON object: {\"image_a\", \"image_b\", \"score\", \"distance\", \"same\", \"threshold\", \"reason\"}.")
    var json = false

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var compute: PrecisionOptions

    func run() throws {
        // The photos are cropped on a thread of their own from the start, while the model loads (CropsAhead).
        let (modelURL, files) = (modelOptions.url(in: options), [URL(fileURLWithPath: first), URL(fileURLWithPath: second)])
        let ahead = cropping.cropsAhead(of: files, forModelAt: modelURL)
        let comparison = try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            return try PairComparison.compare(cropping.crops(of: files, for: model, ahead: ahead), model: model,
                                              precision: try compute.resolved(for: model))
        }
        for (name, faces) in zip([first, second], comparison.facesInPicture) { Console.warnOfOtherFaces(in: name, faces: faces, used: "compared") }
        var object: [String: Any] = ["image_a": first, "image_b": second, "same": comparison.same,
                                     "threshold": Double(comparison.threshold)]
        var text: String
        switch comparison.outcome {
        case .compared(let score, let distance):
            object["score"] = (Double(score) * 10000).rounded() / 10000
            object["distance"] = distance.map { (Double($0) * 10000).rounded() / 10000 } ?? NSNull()
            (object["faces_a"], object["faces_b"]) = (comparison.facesInPicture[0], comparison.facesInPicture[1])
            text = "score \(String(format: "%.4f", score))" + (distance.map { String(format: " distance %.4f", $0) } ?? "")
                + (comparison.same ? " same" : " different")
        case .noFace(let index):
            object["score"] = NSNull()
            object["distance"] = NSNull()
            object["reason"] = "no face"
            text = "\(TerminalText.escaped(index == 0 ? first : second)) no-face"
        }
        if json { print(Console.jsonLine(object)) } else { print(text) }
        if !comparison.same { throw ExitCode(1) }
    }
}
