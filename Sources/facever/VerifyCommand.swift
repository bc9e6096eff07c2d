// VerifyCommand.swift — `facever verify`: is this face the user? One line (or JSON object) per image.
import ArgumentParser
import Foundation
import SiameseKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify face photos against the stored positives (the gallery).",
        discussion: """
            A gallery photo matches when the Siamese score exceeds the detection threshold; the image is
            verified when the share of matches exceeds the verification threshold. Gallery embeddings are
            cached beside the gallery (GALLERY.embeddings.safetensors).
            Exit status: 0 every image verified, 1 some not verified, 2 usage or input error.
            Example:
              facever verify probe.jpg
              facever verify --json shots/*.jpg | jq -c 'select(.verified)'
            """
    )

    @Argument(help: "Face photos to verify.")
    var images: [String]

    @Option(help: "The gallery folder (default: DATA/verification).")
    var gallery: String?

    @Option(name: .customLong("detection-threshold"), help: "Score above which a gallery photo matches (default: the model's, 0.5).")
    var detectionThreshold: Float?

    @Option(name: .customLong("verification-threshold"), help: "Share of matches above which an image is verified (default: the model's, 0.5).")
    var verificationThreshold: Float?

    @Flag(help: "Print one JSON object per image.")
    var json = false

    @OptionGroup var options: DataOptions

    func validate() throws {
        for (name, value) in [("--detection-threshold", detectionThreshold), ("--verification-threshold", verificationThreshold)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be in [0, 1]") }
        }
    }

    func run() throws {
        let galleryURL = gallery.map { URL(fileURLWithPath: $0) } ?? options.layout.folder(.verification)
        let verifier: Verifier = try reportingInputErrors {
            let model = try TrainedModel.load(from: options.modelURL)
            var thresholds = model.thresholds
            if let detectionThreshold { thresholds.detection = detectionThreshold }
            if let verificationThreshold { thresholds.verification = verificationThreshold }
            return try Verifier(model: model, galleryFolder: galleryURL, thresholds: thresholds)
        }
        for skipped in verifier.report.skipped { Console.warning("gallery photo skipped: \(skipped)") }

        var verifiedCount = 0, notVerifiedCount = 0, errorCount = 0
        for path in images {
            let start = Date()
            let result: VerificationResult
            do {
                result = verifier.verify(try RGBImage.read(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                errorCount += 1
                Console.error("\(error)")
                if json { print(jsonLine(["image": path, "error": "\(error)"])) }
                continue
            }
            let milliseconds = Date().timeIntervalSince(start) * 1000
            if result.verified { verifiedCount += 1 } else { notVerifiedCount += 1 }
            if json {
                print(jsonLine([
                    "image": path, "verified": result.verified, "share": result.share, "matches": result.matches,
                    "gallery_size": result.gallerySize, "detection_threshold": Double(verifier.thresholds.detection),
                    "verification_threshold": Double(verifier.thresholds.verification), "model": options.modelURL.path,
                    "time_ms": (milliseconds * 10).rounded() / 10,
                ]))
            } else {
                print("\(path) \(result.verified ? "verified" : "not-verified") share=\(String(format: "%.2f", result.share)) (\(result.matches)/\(result.gallerySize))")
            }
        }
        let summary = "\(verifiedCount) verified, \(notVerifiedCount) not verified, \(errorCount) unreadable; "
            + "gallery \(verifier.gallery.shape[0]) photos (\(verifier.report.cached) cached, \(verifier.report.computed) embedded now)"
        if json {
            FileHandle.standardError.write(Data("facever: \(summary)\n".utf8))
        } else {
            print(summary)
        }
        if errorCount > 0 { throw ExitCode(2) }
        if notVerifiedCount > 0 { throw ExitCode(1) }
    }

    private func jsonLine(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
