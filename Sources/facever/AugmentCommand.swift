// AugmentCommand.swift — `facever augment`: the tutorial's nine augmented copies of each photo.
import ArgumentParser
import Foundation
import SiameseKit

struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Write augmented copies (brightness, contrast, flip, JPEG quality, saturation) of each photo.",
        discussion: """
            Copies are named <photo>.aug<k>.jpg, so they stay with their source photo in every split. \
            Existing copies are kept; running it again only fills in what is missing. Photos facever stored \
            are augmented as they are; one put in a folder by hand is cropped first (--crop).

            Example:
              facever augment --copies 9 --seed 7
            """
    )

    @Option(help: "Copies per photo.")
    var copies: Int = 9

    @Option(help: "Seed of the random operations.")
    var seed: UInt64 = 0

    @Option(parsing: .upToNextOption, help: "Classes to augment.")
    var classes: [FaceClass] = [.anchor, .positive]

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    func validate() throws {
        guard (1...100).contains(copies) else { throw ValidationError("--copies must be 1...100") }
    }

    func run() throws {
        let interrupt = InterruptFlag(message: "finishing the current photo's copies")
        interrupt.install()
        let lock = try reportingInputErrors { try options.lockForWriting("augment") }
        defer { withExtendedLifetime(lock) {} }
        let cropper = cropping.cropper(orElse: .face)
        var total = AugmentReport()
        for faceClass in classes where !total.interrupted {
            let report = try reportingInputErrors {
                let progress = ProgressLine("augmenting \(faceClass.rawValue):", unit: "photos")
                defer { progress.clear() }
                return try Augmenter.run(folder: options.layout.folder(faceClass), copies: copies, seed: seed, cropper: cropper,
                                         decoder: .withCaptureFormats, shouldStop: { interrupt.isRaised }, onProgress: progress.update) { skipped in
                    progress.warning("skipped \(skipped)")
                }
            }
            print("\(faceClass.rawValue): \(Console.count(report.written, "copy", "copies")) written from "
                  + "\(Console.count(report.sources, "photo")) (\(report.alreadyPresent) already there)")
            total.sources += report.sources
            total.written += report.written
            total.alreadyPresent += report.alreadyPresent
            total.unreadable += report.unreadable
            total.withoutFace += report.withoutFace
            total.interrupted = report.interrupted
        }
        print("augmented \(Console.count(total.sources, "photo")): \(Console.count(total.written, "copy", "copies")) written, \(total.alreadyPresent) already there, "
              + "\(total.unreadable.count) unreadable skipped" + (total.interrupted ? "; interrupted before the end" : ""))
        if total.interrupted { throw ExitCode(130) }
        // Nothing to augment is a mistake worth an exit status (a script must not read it as done).
        if total.sources == 0 {
            let names = classes.map(\.rawValue)
            try reportingInputErrors {
                throw InputError(path: options.layout.root.path, problem: "no photos to augment in \(names.joined(separator: " or "))",
                                 nextStep: "bring photos in with `facever import DIR --into \(names.first ?? "anchor")`")
            }
        }
    }
}
