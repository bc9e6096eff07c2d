// CollectCommand.swift — `facever collect`: face photos from a camera (or a recording) into DATA/.
import ArgumentParser
import Foundation
import SiameseKit

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Capture anchor, positive and gallery photos of your face from a camera or a video.",
        discussion: """
            Interactive: press a (anchor), p (positive), v (verification gallery) to save the face in view, \
            q to quit. Headless: --auto CLASS --count N saves N crops without keys. \
            Frames without a face are skipped and counted, never saved.

            Examples:
              facever collect --camera 0
              facever collect --source recording.avi --auto positive \\
                --count 300 --interval 0.2
            """
    )

    @OptionGroup var capture: CaptureOptions
    @OptionGroup var cropping: CropOptions
    @OptionGroup var options: DataOptions

    @Option(help: "Save without keys into this class: anchor, positive or verification.")
    var auto: CapturedClass?

    @Option(help: "With --auto: how many photos to save.")
    var count: Int?

    @Option(help: "With --auto: seconds (of the stream) between saved photos.")
    var interval: Double = 0

    func validate() throws {
        if auto != nil {
            guard let count, (1...1_000_000).contains(count) else { throw ValidationError("--auto needs --count N (1 ≤ N ≤ 1000000)") }
        } else if count != nil {
            throw ValidationError("--count goes with --auto")
        }
        guard interval.isFinite, (0...86_400).contains(interval) else { throw ValidationError("--interval must be 0 to 86400 seconds") }
    }

    func run() throws {
        let interrupt = InterruptFlag(message: "stopping after this frame")
        interrupt.install()
        let report: CollectReport = try reportingInputErrors {
            let source = try capture.openSource()
            let cropper = cropping.cropper(orElse: .face)
            try cropper.prepare()
            // Locked once the camera and cascade are known to work, so a failed start writes nothing.
            let lock = try options.lockForWriting("collect")
            defer { withExtendedLifetime(lock) {} }
            let collector = Collector(source: source, cropper: cropper, layout: options.layout)
            let preview = capture.makePreview(title: "facever collect")
            if let auto, let count {
                let report = try collector.runAutomatic(
                    into: auto.faceClass, count: count, intervalSeconds: interval, shouldStop: { interrupt.isRaised },
                    show: { frame, crop in _ = preview?.show(frame.image, face: crop?.face) }
                ) { url, frame in
                    print("saved \(auto.rawValue)/\(url.lastPathComponent) (frame \(frame.index))")
                }
                if report.ending == .endOfStream {
                    printSummary(report)
                    throw InputError(path: source.name, problem: "the video ended after \(report.framesRead) frames: saved \(report.totalSaved) of \(count)")
                }
                return report
            }
            let keys = try TerminalKeys.open()
            defer { keys.restore() }
            print("a anchor · p positive · v verification · q quit")
            let report = try collector.runInteractive(
                keys: keys, shouldStop: { interrupt.isRaised }, pace: !source.isLive,
                status: { status in
                    let counts = FaceClass.allCases.filter { $0 != .negative }
                        .map { "\($0.rawValue) \(status.report.saved[$0, default: 0])" }.joined(separator: "  ")
                    let line = "\(counts)  |  \(status.faceInView ? "face in view" : "no face")\(status.message.map { "  |  \($0)" } ?? "")"
                    print("\r" + line + "\u{1B}[K", terminator: "")
                    fflush(stdout)
                },
                show: { frame, crop in preview?.show(frame.image, face: crop?.face) ?? [] })
            print("")
            return report
        }
        printSummary(report)
        if report.ending == .interrupted { throw ExitCode(130) }
    }

    private func printSummary(_ report: CollectReport) {
        let saved = [FaceClass.anchor, .positive, .verification].map { "\(report.saved[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
        print("saved \(saved); \(report.framesWithoutFace) of \(Console.count(report.framesRead, "frame")) had no face (skipped)"
              + (report.framesWithSeveralFaces > 0 ? ", \(report.framesWithSeveralFaces) several faces (skipped)" : "")
              + (report.ignoredKeys > 0 ? "; \(Console.count(report.ignoredKeys, "unknown key")) ignored" : ""))
    }
}

/// The classes a capture of your own face goes into (`--auto`): never negative, which holds other people.
enum CapturedClass: String, CaseIterable, ExpressibleByArgument {
    case anchor, positive, verification

    var faceClass: FaceClass {
        switch self {
        case .anchor: return .anchor
        case .positive: return .positive
        case .verification: return .verification
        }
    }
}
