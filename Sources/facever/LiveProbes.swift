// LiveProbes.swift — probes from a camera or a recording, for verify and identify: each press of the
// command's key (or, with --auto, each frame with a face) is handed on, until q, the end of the source,
// --count answers or Ctrl-C (exit 130). A frame is named SOURCE#FRAME.
import ArgumentParser
import Foundation
import SiameseKit

struct LiveProbes {
    let capture: CaptureOptions
    let cropper: PhotoCropper
    let auto: Bool
    let count: Int?
    /// The key that asks for an answer ("v" verify, "i" identify) and what it does, for the hint.
    let key: Character
    let action: String
    /// What the answers are called in messages ("verdicts", "identifications").
    let answers: String
    /// Whether each crop brings the frame's other faces (identify names each).
    var everyFace = false

    /// `handle(name, crop, start)` answers one probe; `answered()` says how many answers there are so far.
    func run(answered: () -> Int, handle: (String, CroppedPhoto, Date) throws -> Void) throws {
        let interrupt = InterruptFlag(message: "stopping after this frame")
        interrupt.install()
        try reportingInputErrors {
            let source = try capture.openSource()
            try cropper.prepare()
            let preview = capture.makePreview(title: "facever \(action)")
            let keys = auto ? nil : try TerminalKeys.open()
            defer { keys?.restore() }
            if keys != nil { Console.note("press \(key) to \(action) the face in view, q to quit") }
            while !interrupt.isRaised {
                if let count, answered() >= count { return }
                guard let frame = try source.next() else {
                    if auto, let count {
                        throw InputError(path: source.name, problem: "the video ended after \(answered()) \(answers) of \(count)")
                    }
                    return
                }
                let start = Date()
                let crop = try cropper.crop(frame.image, everyFace: everyFace)
                var pressed = keys?.pendingKeys() ?? []
                pressed += preview?.show(frame.image, faces: crop.map { ([$0] + $0.otherFaces).compactMap(\.face) } ?? []) ?? []
                if pressed.contains(UInt8(ascii: "q")) { return }
                if !auto && !source.isLive && source.framesPerSecond > 0 {
                    Thread.sleep(forTimeInterval: max(0, 1 / source.framesPerSecond - Date().timeIntervalSince(start)))
                }
                guard auto || pressed.contains(key.asciiValue!) else { continue }
                guard let crop else {
                    if !auto { Console.note("no face in view: nothing to \(action)") }
                    continue
                }
                try handle("\(source.name)#\(frame.index)", crop, start)
            }
            throw ExitCode(130)
        }
    }
}
