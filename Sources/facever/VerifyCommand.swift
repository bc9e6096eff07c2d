// VerifyCommand.swift — `facever verify`: is this face the user? One line (or JSON object) per image.
import ArgumentParser
import Foundation
import SiameseKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify face photos against the stored positives (the gallery).",
        discussion: """
            A gallery photo matches when the Siamese score exceeds the detection threshold; the image is \
            verified when the share of matches exceeds the verification threshold. Gallery embeddings are \
            cached beside the gallery, one file for each model, precision and crop mode \
            (GALLERY.embeddings.KEY.safetensors; the four last used are kept). Probes and raw gallery photos are \
            cropped as the model was trained (--crop overrides); an image without a face is not verified \
            (`IMAGE no-face`, JSON "reason": "no face").

            Live: with --camera, --device or --source, press v to verify the face in view (q quits), or \
            verify the first N frames with a face with --auto --count N.

            Exit status: 0 every image verified, 1 some not verified, 2 input error, 64 usage error.

            Examples:
              facever verify probe.jpg
              facever verify --json shots/ | jq -c 'select(.verified)'
              facever verify --camera 0 --auto --count 1
            """
    )

    @Argument(help: "Face photos to verify, or folders of them (searched recursively).")
    var images: [String] = []

    @OptionGroup var capture: CaptureOptions

    @OptionGroup var cropping: CropOptions

    @Flag(help: "Live: verify frames with a face without keys (needs --count).")
    var auto = false

    @Option(help: "Live with --auto: how many frames with a face to verify.")
    var count: Int?

    @Option(help: ArgumentHelp("The gallery folder, searched recursively (default: DATA/verification). Give it once.",
                               valueName: "folder"))
    var gallery: [String] = []

    @Option(name: .customLong("detection-threshold"), help: "Score above which a gallery photo matches (default: the model's, \(Thresholds.standard.detection)).")
    var detectionThreshold: Float?

    @Option(name: .customLong("verification-threshold"), help: "Share of matches above which an image is verified (default: the model's, \(Thresholds.standard.verification)).")
    var verificationThreshold: Float?

    @Flag(help: "Print one JSON object per image.")
    var json = false

    @Flag(help: "With --json: each gallery photo's score too (\"scores\": [{\"photo\", \"score\"}]).")
    var scores = false

    @OptionGroup var options: DataOptions

    @OptionGroup var modelOptions: ModelOptions

    private var modelURL: URL { modelOptions.url(in: options) }

    @OptionGroup var compute: PrecisionOptions

    func validate() throws {
        guard gallery.count <= 1 else {
            throw ValidationError("--gallery was given \(gallery.count) times; verify compares against one gallery folder")
        }
        if capture.isGiven {
            guard images.isEmpty else { throw ValidationError("give image files or a live source, not both") }
        } else {
            guard !images.isEmpty else { throw ValidationError("give at least one image (or --camera, --device, --source)") }
            guard !auto && count == nil else { throw ValidationError("--auto and --count are for a live source") }
        }
        if auto { guard let count, (1...1_000_000).contains(count) else { throw ValidationError("--auto needs --count N (1 ≤ N ≤ 1000000)") } }
        for (name, value) in [("--detection-threshold", detectionThreshold), ("--verification-threshold", verificationThreshold)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be in [0, 1]") }
        }
    }

    func run() throws {
        let galleryURL = gallery.first.map { URL(fileURLWithPath: $0) } ?? options.layout.folder(.verification)
        // The probes are cropped on a thread of their own from the start, while the model loads: its
        // header says how to crop them (CropsAhead).
        let probePaths = capture.isGiven ? [] : try reportingInputErrors { try PhotoArguments.filesExpandingFolders(images) }
        let files = probePaths.map { URL(fileURLWithPath: $0) }
        let ahead = capture.isGiven ? nil : cropping.cropsAhead(of: files, forModelAt: modelURL)
        var probes: CropsAhead?
        let verifier: Verifier = try reportingInputErrors {
            // verify writes only the gallery cache: it sweeps only where that goes.
            Console.noteSwept(DataLayout.sweepStaleTemporaries(in: [galleryURL.standardizedFileURL.deletingLastPathComponent()]))
            let model = try TrainedModel.load(from: modelURL)
            var thresholds = model.thresholds
            if let detectionThreshold { thresholds.detection = detectionThreshold }
            if let verificationThreshold { thresholds.verification = verificationThreshold }
            probes = capture.isGiven ? nil : cropping.crops(of: files, for: model, ahead: ahead)
            let cropper = probes?.cropper ?? cropping.cropper(for: model)
            let progress = ProgressLine("gallery:", unit: "photos")
            defer { progress.clear() }
            return try Verifier(model: model, precision: try compute.resolved(for: model), galleryFolder: galleryURL,
                                thresholds: thresholds, probesToCome: capture.isGiven ? (count ?? Int.max) : probePaths.count,
                                cropper: cropper, decoder: .withCaptureFormats, progress: progress.step)
        }
        for skipped in verifier.report.skipped { Console.warning("gallery photo skipped: \(skipped)") }
        if let reason = verifier.report.cacheDiscarded { Console.warning("gallery cache not used (\(reason)); embedded the gallery again") }
        if let reason = verifier.report.cacheNotSaved { Console.warning("gallery cache not saved (\(reason)); verify works without it, only slower") }

        var tally = Tally()
        if capture.isGiven {
            try verifyLive(with: verifier, tally: &tally)
        } else {
            let crops = probes!  // made with the model, one item a photo
            for path in probePaths {
                let probe = crops.next()!
                // A probe's time is its crop's and its verification's, though the crop ran ahead.
                let start = Date(timeIntervalSinceNow: -probe.seconds)
                do {
                    guard let crop = try probe.crop.get() else {
                        reportNoFace(path, milliseconds: Date().timeIntervalSince(start) * 1000, verifier: verifier, tally: &tally)
                        continue
                    }
                    report(path, crop, try verifier.verify(crop.photo), milliseconds: Date().timeIntervalSince(start) * 1000,
                           verifier: verifier, tally: &tally)
                } catch {
                    tally.errors += 1
                    Console.error("\(error)")
                    if json { print(Console.jsonLine(["image": path, "error": "\(error)"])) }
                }
            }
        }
        let summary = "\(tally.verified) verified, \(tally.notVerified) not verified"
            + (tally.withoutFace > 0 ? " (\(tally.withoutFace) without a face)" : "") + ", \(tally.errors) unreadable; "
            + "thresholds \(String(format: "%.3f/%.3f", verifier.thresholds.detection, verifier.thresholds.verification)) "
            + "(\(thresholdsSource(verifier.model))); \(verifier.cropper.mode.rawValue) crops; "
            + "gallery \(Console.count(verifier.gallery.shape[0], "photo")) (\(verifier.report.cached) cached, \(verifier.report.computed) embedded now)"
        if json {
            FileHandle.standardError.write(Data("facever: \(summary)\n".utf8))
        } else {
            print(summary)
        }
        if tally.errors > 0 { throw ExitCode(2) }
        if tally.notVerified > 0 || tally.verified == 0 { throw ExitCode(1) }
    }

    struct Tally {
        var verified = 0, notVerified = 0, errors = 0, withoutFace = 0
        var verdicts: Int { verified + notVerified }
    }

    /// What every JSON verdict says about the run: the thresholds in force and where they came from.
    private func runFields(_ verifier: Verifier, milliseconds: Double) -> [String: Any] {
        ["detection_threshold": Double(verifier.thresholds.detection), "verification_threshold": Double(verifier.thresholds.verification),
         "model": modelURL.path, "thresholds_source": thresholdsSource(verifier.model), "time_ms": (milliseconds * 10).rounded() / 10]
    }

    /// An image in which face mode found no face: a verdict (not verified), not an error.
    private func reportNoFace(_ name: String, milliseconds: Double, verifier: Verifier, tally: inout Tally) {
        tally.notVerified += 1
        tally.withoutFace += 1
        if json {
            var object = runFields(verifier, milliseconds: milliseconds)
            object.merge(["image": name, "verified": false, "reason": "no face", "face": NSNull(), "crop": "face"]) { $1 }
            print(Console.jsonLine(object))
        } else {
            print("\(TerminalText.escaped(name)) no-face")
        }
        fflush(stdout)
    }

    private func report(_ name: String, _ crop: CroppedPhoto, _ result: VerificationResult, milliseconds: Double, verifier: Verifier,
                        tally: inout Tally) {
        if result.verified { tally.verified += 1 } else { tally.notVerified += 1 }
        Console.warnOfOtherFaces(in: name, faces: crop.facesInPicture, used: "verified")
        if json {
            var object = runFields(verifier, milliseconds: milliseconds)
            object.merge([
                "image": name, "verified": result.verified, "share": result.share, "matches": result.matches,
                "gallery_size": result.gallerySize, "score_mean": Self.rounded(result.scoreMean), "score_max": Self.rounded(result.scoreMax),
                "crop": crop.origin.rawValue, "aligned": crop.aligned || verifier.model.alignsByLandmarks,
                "face": Console.json(crop.face),
                "faces": crop.facesInPicture,
            ]) { $1 }
            if scores {
                object["scores"] = zip(verifier.galleryPaths, result.scores).map { path, score in
                    ["photo": path.path, "score": Self.rounded(Double(score))] as [String: Any]
                }
            }
            print(Console.jsonLine(object))
        } else {
            print("\(TerminalText.escaped(name)) \(result.verified ? "verified" : "not-verified") "
                  + String(format: "share=%.2f (%d/%d) mean=%.2f", result.share, result.matches, result.gallerySize, result.scoreMean))
        }
        fflush(stdout)
    }

    /// Frames from a camera or a recording: each `v` (or, with --auto, each frame with a face) is verified.
    private func verifyLive(with verifier: Verifier, tally: inout Tally) throws {
        let live = LiveProbes(capture: capture, cropper: verifier.cropper, auto: auto, count: count, key: "v", action: "verify", answers: "verdicts")
        try live.run(answered: { tally.verdicts }) { name, crop, start in
            report(name, crop, try verifier.verify(crop.photo), milliseconds: Date().timeIntervalSince(start) * 1000,
                   verifier: verifier, tally: &tally)
        }
    }

    /// Four decimals: what a score's precision supports, and readable in JSON.
    private static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    /// Where the thresholds in force come from: the options, or the model (its calibration or training).
    private func thresholdsSource(_ model: TrainedModel) -> String {
        switch (detectionThreshold != nil, verificationThreshold != nil) {
        case (true, true): return "--detection-threshold and --verification-threshold"
        case (true, false): return "--detection-threshold; verification: \(model.thresholdsSource)"
        case (false, true): return "--verification-threshold; detection: \(model.thresholdsSource)"
        case (false, false): return model.thresholdsSource
        }
    }
}
