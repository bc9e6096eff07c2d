// EnrollCommand.swift — `facever enroll NAME PHOTO|DIR…`: a person's face crops into DATA/people/NAME/.
import ArgumentParser
import Foundation
import SiameseKit

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll a person for identify: their face photos into DATA/people/NAME/.",
        discussion: """
            Photos (files or folders, searched recursively) go through the face pipeline; duplicates, \
            unreadable files and photos without a face are skipped and counted; files in formats facever \
            does not read (HEIC, GIF, AVIF, JPEG XL) are named in a warning, and folders with no photo it reads \
            are an error. Live: --camera N or \
            --source VIDEO with --count K saves the first K frames with a face. Enrolling again adds photos.

            Examples:
              facever enroll alice ~/photos/alice
              facever enroll bob --camera 0 --count 10 --interval 0.5
            """
    )

    @Argument(help: "The person's name (letters, digits, spaces, _ - . ').")
    var name: String

    @Argument(help: "Photos or folders of photos of the person.")
    var photos: [String] = []

    @OptionGroup var capture: CaptureOptions

    @Option(help: "Live: how many frames with a face to save.")
    var count: Int?

    @Option(help: "Live: seconds (of the stream) between saved frames.")
    var interval: Double = 0

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    func validate() throws {
        if let problem = People.problem(withName: name) { throw ValidationError("'\(name)': \(problem)") }
        if capture.isGiven {
            guard photos.isEmpty else { throw ValidationError("give photos or a live source, not both") }
            guard let count, (1...100_000).contains(count) else { throw ValidationError("a live source needs --count K (1 ≤ K ≤ 100000)") }
        } else {
            guard !photos.isEmpty else { throw ValidationError("give photos or folders of \(name) (or --camera, --device, --source)") }
            guard count == nil else { throw ValidationError("--count is for a live source") }
        }
        guard interval.isFinite, (0...86_400).contains(interval) else { throw ValidationError("--interval must be 0 to 86400 seconds") }
    }

    func run() throws {
        let folder = People.folder(of: name, in: options.layout)
        // Someone enrolled for the first time whose photos all fail is not left behind with none (below).
        let newPerson = !FileManager.default.fileExists(atPath: folder.path)
        let interrupt = InterruptFlag(message: "finishing the current photo")
        interrupt.install()
        let cropper = cropping.cropper(orElse: .face)
        var interrupted = false
        try reportingInputErrors {
            if capture.isGiven {
                let source = try capture.openSource()
                try cropper.prepare()
                let lock = try options.lockForWriting("enroll")
                defer { withExtendedLifetime(lock) {} }
                let collector = Collector(source: source, cropper: cropper, layout: options.layout)
                let preview = capture.makePreview(title: "facever enroll")
                let report = try collector.runAutomatic(
                    intoFolder: folder, count: count!, intervalSeconds: interval, shouldStop: { interrupt.isRaised },
                    show: { frame, crop in _ = preview?.show(frame.image, face: crop?.face) })
                print("enrolled \(TerminalText.escaped(name)): \(Console.count(report.savedToFolder, "photo")) saved from "
                      + "\(Console.count(report.framesRead, "frame")) (\(report.framesWithoutFace) without a face"
                      + (report.framesWithSeveralFaces > 0 ? ", \(report.framesWithSeveralFaces) with several faces" : "") + ")")
                interrupted = report.ending == .interrupted
                if report.ending == .endOfStream {
                    throw InputError(path: source.name, problem: "the video ended after \(report.framesRead) frames: saved \(report.savedToFolder) of \(count!)")
                }
            } else {
                let files = try PhotoArguments.photos(of: try PhotoArguments.listing(photos), given: photos)
                let lock = try options.lockForWriting("enroll")
                defer { withExtendedLifetime(lock) {} }
                let progress = ProgressLine("enrolling", unit: "photos")
                defer { progress.clear() }
                let report = try ImageImporter.run(files: files, into: folder, cropper: cropper, decoder: .withCaptureFormats,
                                                   shouldStop: { interrupt.isRaised }, onProgress: progress.update) { skipped in
                    progress.warning("skipped \(skipped)")
                }
                progress.clear()
                print("enrolled \(TerminalText.escaped(name)): \(Console.count(report.imported, "photo")) added "
                      + "(\(report.duplicates) duplicates, \(report.unreadable.count) unreadable and \(report.withoutFace) without a face skipped)")
                Console.warnOfSeveralFaces(in: report.withSeveralFaces, kept: "enrolled as \(name)")
                interrupted = report.interrupted
            }
            let total = try DataLayout.imageFilesRecursively(in: folder).count
            if total == 0 {
                // rmdir removes the folder only while it is empty: nothing anyone put there is lost.
                let removed = newPerson && rmdir(folder.path) == 0
                throw InputError(path: folder.path, problem: "no photo of \(name) could be used" + (removed ? ", so \(name) is not enrolled" : ""),
                                 nextStep: "give photos with the face in view (the warnings above say why each was skipped)")
            }
            print("\(TerminalText.escaped(name)) has \(Console.count(total, "photo")); \(Console.count(try People.list(in: options.layout).count, "person", "people")) enrolled")
        }
        if interrupted { throw ExitCode(130) }
    }
}
