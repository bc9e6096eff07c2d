// IdentifyCommand.swift — `facever identify`: who is in each photo, among the people enrolled.
import ArgumentParser
import Foundation
import SiameseKit

struct IdentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Name the person in each photo among those enrolled (DATA/people), or say unknown.",
        discussion: """
            Each face is compared with every enrolled person's photos; a person's score is the mean of \
            their three best-matching photos' Siamese scores. The best person is named when their score \
            is above the threshold (default: the model's detection threshold), otherwise the face is \
            unknown. Embeddings of enrolled photos are cached, one file for each model \
            (DATA/people.embeddings.KEY.safetensors).

            A photo with several faces (face crops) gets a line for each, largest first, ending in \
            "face K of N"; faces less than half as wide as the largest are not looked at.

            Live: --camera N or --source VIDEO, press i to identify the faces in view, or --auto --count N.

            Exit status: 0 every face identified, 1 some unknown or without a face, 2 input error, 64 usage error.

            Examples:
              facever identify party/*.jpg
              facever identify shots/ --json --top 3 | jq -c 'select(.name == null)'
            """
    )

    @Argument(help: "Photos, or folders of photos (searched recursively).")
    var images: [String] = []

    @OptionGroup var capture: CaptureOptions

    @Flag(help: "Live: identify frames with a face without keys (needs --count).")
    var auto = false

    @Option(help: "Live with --auto: how many frames with a face to identify.")
    var count: Int?

    @Option(help: "Score above which the best person is named (default: the model's detection threshold).")
    var threshold: Float?

    @Option(help: "Also list the K best people with their scores.")
    var top: Int?

    @Flag(help: "Print one JSON object per face (per image without a face).")
    var json = false

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var compute: PrecisionOptions

    func validate() throws {
        if capture.isGiven {
            guard images.isEmpty else { throw ValidationError("give images or a live source, not both") }
        } else {
            guard !images.isEmpty else { throw ValidationError("give at least one image (or --camera, --device, --source)") }
            guard !auto && count == nil else { throw ValidationError("--auto and --count are for a live source") }
        }
        if auto { guard let count, (1...1_000_000).contains(count) else { throw ValidationError("--auto needs --count N (1 ≤ N ≤ 1000000)") } }
        if let threshold, !(threshold.isFinite && (0...1).contains(threshold)) { throw ValidationError("--threshold must be in [0, 1]") }
        if let top, !(1...1000).contains(top) { throw ValidationError("--top must be 1 to 1000") }
    }

    struct Tally {
        var identified = 0, unknown = 0, withoutFace = 0, errors = 0
        var answers: Int { identified + unknown + withoutFace }
    }

    func run() throws {
        let modelURL = modelOptions.url(in: options)
        var files: [URL] = []
        // The photos are cropped on a thread of their own from the start, while the model loads: its
        // header says how to crop them (CropsAhead). Folders given are listed first; a listing that fails
        // is reported below, after the model, as before.
        let listed = capture.isGiven ? nil : try? PhotoArguments.listing(images)
        let ahead = listed.flatMap { cropping.cropsAhead(of: $0.photos, forModelAt: modelURL, everyFace: true) }
        var probes: CropsAhead?
        let identifier: Identifier = try reportingInputErrors {
            Console.noteSwept(DataLayout.sweepStaleTemporaries(in: [options.layout.root]))
            let model = try TrainedModel.load(from: modelURL)
            if !capture.isGiven { files = try PhotoArguments.photos(of: try listed ?? PhotoArguments.listing(images), given: images) }
            probes = capture.isGiven ? nil : cropping.crops(of: files, for: model, ahead: ahead, everyFace: true)
            let progress = ProgressLine("enrolled people:", unit: "photos")
            defer { progress.clear() }
            return try Identifier(model: model, precision: try compute.resolved(for: model), layout: options.layout,
                                  threshold: threshold ?? model.thresholds.detection,
                                  probesToCome: capture.isGiven ? (count ?? Int.max) : files.count,
                                  cropper: probes?.cropper ?? cropping.cropper(for: model), decoder: .withCaptureFormats,
                                  progress: progress.step)
        }
        for skipped in identifier.gallery.report.skipped { Console.warning("enrolled photo skipped: \(skipped)") }
        if let reason = identifier.gallery.report.cacheDiscarded { Console.warning("people cache not used (\(reason)); embedded everyone again") }
        if let reason = identifier.gallery.report.cacheNotSaved { Console.warning("people cache not saved (\(reason)); identify works without it, only slower") }

        var tally = Tally()
        if capture.isGiven {
            let live = LiveProbes(capture: capture, cropper: identifier.cropper, auto: auto, count: count, key: "i", action: "identify",
                                  answers: "identifications", everyFace: true)
            try live.run(answered: { tally.answers }) { name, crop, start in
                try identifyEachFace(name, crop, with: identifier, start: start, tally: &tally)
            }
        } else {
            let crops = probes!  // made with the model, one item a photo
            for file in files {
                let probe = crops.next()!
                // A photo's time is its crop's and its identification's, though the crop ran ahead.
                let start = Date(timeIntervalSinceNow: -probe.seconds)
                do {
                    guard let crop = try probe.crop.get() else {
                        report(file.path, nil, nil, start: start, tally: &tally)
                        continue
                    }
                    try identifyEachFace(file.path, crop, with: identifier, start: start, tally: &tally)
                } catch {
                    tally.errors += 1
                    Console.error("\(error)")
                    if json { print(Console.jsonLine(["image": file.path, "error": "\(error)"])) }
                }
            }
        }
        let summary = "\(tally.identified) identified, \(tally.unknown) unknown, \(tally.withoutFace) without a face, \(tally.errors) unreadable; "
            + "\(Console.count(identifier.names.count, "person", "people")) enrolled (\(Console.count(identifier.gallery.paths.count, "photo"))); "
            + String(format: "threshold %.3f", identifier.threshold)
        if json {
            FileHandle.standardError.write(Data("facever: \(summary)\n".utf8))
        } else {
            print(summary)
        }
        if tally.errors > 0 { throw ExitCode(2) }
        if tally.unknown + tally.withoutFace > 0 || tally.identified == 0 { throw ExitCode(1) }
    }

    /// The answers for one photo: its largest face's, then each other face's.
    private func identifyEachFace(_ name: String, _ crop: CroppedPhoto, with identifier: Identifier, start: Date, tally: inout Tally) throws {
        let faces = [crop] + crop.otherFaces
        for (index, face) in faces.enumerated() {
            report(name, face, try identifier.identify(face.photo), start: start, tally: &tally,
                   faceNumber: faces.count > 1 ? index + 1 : nil)
        }
    }

    /// One answer: a name, unknown, or (crop nil) no face. `faceNumber` counts the faces of a photo with
    /// several, largest first (nil: it has one).
    private func report(_ name: String, _ crop: CroppedPhoto?, _ result: Identification?, start: Date, tally: inout Tally,
                        faceNumber: Int? = nil) {
        let milliseconds = (Date().timeIntervalSince(start) * 10_000).rounded() / 10
        guard let crop, let result else {
            tally.withoutFace += 1
            if json {
                print(Console.jsonLine(["image": name, "name": NSNull(), "reason": "no face", "face": NSNull(), "time_ms": milliseconds]))
            } else {
                print("\(TerminalText.escaped(name)) no-face")
            }
            fflush(stdout)
            return
        }
        if result.name == nil { tally.unknown += 1 } else { tally.identified += 1 }
        func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
        let ranking = result.ranking.prefix(top ?? 0)
        if json {
            var object: [String: Any] = [
                "image": name, "name": result.name ?? NSNull(), "score": rounded(result.score),
                "runner_up": result.runnerUp?.name ?? NSNull(), "runner_up_score": result.runnerUp.map { rounded($0.score) } ?? NSNull(),
                "face": Console.json(crop.face),
                "crop": crop.origin.rawValue, "threshold": Double(result.threshold), "time_ms": milliseconds,
                "faces": crop.facesInPicture, "face_number": faceNumber ?? 1,
            ]
            if top != nil { object["top"] = ranking.map { ["name": $0.name, "score": rounded($0.score)] as [String: Any] } }
            print(Console.jsonLine(object))
        } else {
            let answer = result.name.map(TerminalText.escaped) ?? "unknown"
            let others = top == nil ? "" : " (" + ranking.map { "\(TerminalText.escaped($0.name)) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ") + ")"
            let which = faceNumber.map { number in
                " face \(number) of \(crop.facesInPicture)" + (crop.face.map { " at \($0.x),\($0.y) \($0.width)×\($0.height)" } ?? "")
            } ?? ""
            print("\(TerminalText.escaped(name)) \(answer) " + String(format: "score=%.2f", result.score) + others + which)
        }
        fflush(stdout)
    }
}
