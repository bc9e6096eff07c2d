// EmbedCommand.swift — `facever embed`: each face's embedding as a JSON line, for scripts and other tools
// (a vector index, a clustering): what the model's head compares, so that distances between them mean
// what `compare` says.
import ArgumentParser
import Foundation
import SiameseKit

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print each face's embedding (the model's descriptor) as one JSON object per line.",
        discussion: """
            Photos are cropped as the model expects (--crop overrides) and every face of a photo is embedded, \
            largest first. Each line: {"image", "face" (its box), "faces", "face_number", "crop", "embedding" \
            (the values, 6 decimals), "time_ms"}; a photo without a face: {"image", "embedding": null, \
            "reason": "no face"}. With dlib's pretrained model the embedding is its 128-value descriptor and the \
            Euclidean distance between two is the one `compare` prints (dlib: < 0.6 is the same person).

            Exit status: 0 a face in every photo, 1 some photo without a face, 2 input error, 64 usage error.

            Examples:
              facever embed photos/ --model models/dlib-resnet-v1.safetensors > faces.jsonl
              facever embed a.jpg --model models/dlib-resnet-v1.safetensors \\
                | jq -c '.embedding'
            """
    )

    @Argument(help: "Photos, or folders of photos (searched recursively).")
    var images: [String]

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var compute: PrecisionOptions

    func run() throws {
        let modelURL = modelOptions.url(in: options)
        // The photos are cropped on a thread of their own from the start, while the model loads (CropsAhead).
        let listed = try? PhotoArguments.listing(images)
        let ahead = listed.flatMap { cropping.cropsAhead(of: $0.photos, forModelAt: modelURL, everyFace: true) }
        var files: [URL] = []
        let (model, crops, inference): (TrainedModel, CropsAhead, InferenceModel) = try reportingInputErrors {
            let model = try TrainedModel.load(from: modelURL)
            files = try PhotoArguments.photos(of: try listed ?? PhotoArguments.listing(images), given: images)
            return (model, cropping.crops(of: files, for: model, ahead: ahead, everyFace: true),
                    model.prepared(for: try compute.resolved(for: model)))
        }
        var (faces, withoutFace, errors) = (0, 0, 0)
        // A count on stderr while the lines go to a file or a pipe (on a terminal the lines are the progress).
        let progress = ProgressLine("embedding", unit: "photos",
                                    interactive: Console.standardErrorIsTerminal && !Console.standardOutputIsTerminal)
        for (index, file) in files.enumerated() {
            defer { progress.update(index + 1, of: files.count) }
            let probe = crops.next()!
            let start = Date(timeIntervalSinceNow: -probe.seconds)
            do {
                guard let crop = try probe.crop.get() else {
                    withoutFace += 1
                    print(Console.jsonLine(["image": file.path, "embedding": NSNull(), "reason": "no face"]))
                    continue
                }
                let all = [crop] + crop.otherFaces
                let embeddings = try FaceEmbedding.embeddings(of: all.map(\.photo), model: model, inference: inference)
                let milliseconds = (Date().timeIntervalSince(start) * 10_000).rounded() / 10
                for (index, (face, embedding)) in zip(all, embeddings).enumerated() {
                    faces += 1
                    print(Console.jsonLine([
                        "image": file.path, "face_number": index + 1, "faces": crop.facesInPicture, "crop": face.origin.rawValue,
                        "face": Console.json(face.face),
                        "embedding": embedding.map { (Double($0) * 1e6).rounded() / 1e6 }, "time_ms": milliseconds,
                    ]))
                }
            } catch {
                errors += 1
                progress.clear()
                Console.error("\(error)")
                print(Console.jsonLine(["image": file.path, "error": "\(error)"]))
            }
            fflush(stdout)
        }
        progress.clear()
        let size = model.network.architecture.embeddingSize
        FileHandle.standardError.write(Data(("facever: embedded \(Console.count(faces, "face")) of \(Console.count(files.count, "photo")) "
            + "(\(withoutFace) without a face, \(errors) unreadable); \(size) values each\n").utf8))
        if errors > 0 { throw ExitCode(2) }
        if withoutFace > 0 { throw ExitCode(1) }
    }
}
