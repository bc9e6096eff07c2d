// Collector.swift — saving face crops from a frame source into the class folders.
//
// Interactive: keys choose what happens to the current frame's crop — a anchor, p positive,
// v verification gallery, q quit; other keys are ignored and counted. Headless (`runAutomatic`):
// every frame with a face, at least `interval` seconds (stream time) after the last saved one, is
// saved until `count` are saved. Frames without a face are skipped and counted, never saved; so are frames
// with several faces: what is captured is one person's photos, and the largest face in view need not be theirs.
// Photos are written atomically as `capture-<session>-<n>.jpg`: one session per collector, so that the
// split keeps a session's frames (near-twins of each other) on one side (PhotoGroups).
import Foundation
import Tensor

public struct CollectReport: Sendable {
    public enum Ending: Equatable, Sendable {
        case quit, countReached, endOfStream, interrupted
    }

    public var saved: [FaceClass: Int] = [:]
    /// Photos saved into a folder of no class (a person's, by `enroll`).
    public var savedToFolder = 0
    public var framesRead = 0
    public var framesWithoutFace = 0
    /// Frames with more than one face (FacePipeline's count), skipped.
    public var framesWithSeveralFaces = 0
    public var ignoredKeys = 0
    public var keysWithoutFace = 0
    /// Keys pressed while several faces were in view (nothing saved).
    public var keysWithSeveralFaces = 0
    public var ending: Ending = .endOfStream

    public var totalSaved: Int { saved.values.reduce(0, +) + savedToFolder }
}

/// A status update for the interactive line: counts so far and whether a face is in view.
public struct CollectStatus {
    public let report: CollectReport
    public let faceInView: Bool
    public let message: String?
}

public protocol KeySource: AnyObject {
    /// Keys typed since the last call (empty when none); never blocks.
    func pendingKeys() -> [UInt8]
}

public final class Collector {
    public let source: FrameSource
    public let cropper: PhotoCropper
    public let layout: DataLayout
    /// Names this collector's captures (`capture-<session>-<n>.jpg`), unique to it.
    private let session = String(UUID().uuidString.lowercased().prefix(8))
    private var capturesSaved = 0

    public init(source: FrameSource, cropper: PhotoCropper, layout: DataLayout) {
        self.source = source
        self.cropper = cropper
        self.layout = layout
    }

    /// Creates the class folders and checks they can be written, before any frame is read.
    public func prepare(_ classes: [FaceClass]) throws {
        for faceClass in classes { try prepare(folder: layout.folder(faceClass)) }
    }

    private func prepare(folder: URL) throws {
        try PrivateFolder.create(folder)
        guard access(folder.path, W_OK) == 0 else {
            throw InputError(path: folder.path, problem: "the folder cannot be written")
        }
    }

    func save(_ crop: CroppedPhoto, as faceClass: FaceClass, report: inout CollectReport) throws -> URL {
        let url = try save(crop, in: layout.folder(faceClass))
        report.saved[faceClass, default: 0] += 1
        return url
    }

    private func save(_ crop: CroppedPhoto, in folder: URL) throws -> URL {
        capturesSaved += 1
        let url = folder.appendingPathComponent(String(format: "capture-%@-%04d.jpg", session, capturesSaved))
        try AtomicFile.write(try crop.storedJPEG(), to: url)
        return url
    }

    /// Saves `count` crops to `faceClass`; `.endOfStream` means the source ended first.
    public func runAutomatic(
        into faceClass: FaceClass, count: Int, intervalSeconds: Double, shouldStop: () -> Bool = { false },
        show: (Frame, CroppedPhoto?) -> Void = { _, _ in }, onSaved: (URL, Frame) -> Void = { _, _ in }
    ) throws -> CollectReport {
        try prepare([faceClass])
        return try runAutomatic(count: count, intervalSeconds: intervalSeconds, shouldStop: shouldStop, show: show, onSaved: onSaved) { crop, report in
            try save(crop, as: faceClass, report: &report)
        }
    }

    /// Saves `count` crops into `folder` (a person's, for `enroll`), which it creates.
    public func runAutomatic(
        intoFolder folder: URL, count: Int, intervalSeconds: Double, shouldStop: () -> Bool = { false },
        show: (Frame, CroppedPhoto?) -> Void = { _, _ in }, onSaved: (URL, Frame) -> Void = { _, _ in }
    ) throws -> CollectReport {
        try prepare(folder: folder)
        return try runAutomatic(count: count, intervalSeconds: intervalSeconds, shouldStop: shouldStop, show: show, onSaved: onSaved) { crop, report in
            report.savedToFolder += 1
            return try save(crop, in: folder)
        }
    }

    private func runAutomatic(
        count: Int, intervalSeconds: Double, shouldStop: () -> Bool, show: (Frame, CroppedPhoto?) -> Void,
        onSaved: (URL, Frame) -> Void, save: (CroppedPhoto, inout CollectReport) throws -> URL
    ) throws -> CollectReport {
        var report = CollectReport()
        var lastSaved: Double?
        while report.totalSaved < count {
            if shouldStop() { report.ending = .interrupted; return report }
            guard let frame = try source.next() else { report.ending = .endOfStream; return report }
            report.framesRead += 1
            if let lastSaved, frame.milliseconds - lastSaved < intervalSeconds * 1000 { continue }
            let crop = try cropper.crop(frame.image)
            show(frame, crop)
            guard let crop else {
                report.framesWithoutFace += 1
                continue
            }
            guard crop.facesInPicture == 1 else {
                report.framesWithSeveralFaces += 1
                continue
            }
            onSaved(try save(crop, &report), frame)
            lastSaved = frame.milliseconds
        }
        report.ending = .countReached
        return report
    }

    /// Reads frames until `q`, the end of the stream, or `shouldStop`; keys save the current crop.
    /// `show` receives every frame with its crop (for a preview window) and may return keys typed there.
    public func runInteractive(
        keys: KeySource, shouldStop: () -> Bool = { false }, pace: Bool,
        status: (CollectStatus) -> Void, show: (Frame, CroppedPhoto?) -> [UInt8] = { _, _ in [] }
    ) throws -> CollectReport {
        try prepare([.anchor, .positive, .verification])
        var report = CollectReport()
        let frameSeconds = pace && source.framesPerSecond > 0 ? 1 / source.framesPerSecond : 0
        while true {
            if shouldStop() { report.ending = .interrupted; return report }
            let started = Date()
            guard let frame = try source.next() else { report.ending = .endOfStream; return report }
            report.framesRead += 1
            let crop = try cropper.crop(frame.image)
            if crop == nil { report.framesWithoutFace += 1 }
            if let crop, crop.facesInPicture > 1 { report.framesWithSeveralFaces += 1 }
            var message: String?
            for key in keys.pendingKeys() + show(frame, crop) {
                switch key {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"):
                    report.ending = .quit
                    status(CollectStatus(report: report, faceInView: crop != nil, message: "quit"))
                    return report
                case UInt8(ascii: "a"), UInt8(ascii: "p"), UInt8(ascii: "v"):
                    let faceClass: FaceClass = key == UInt8(ascii: "a") ? .anchor : (key == UInt8(ascii: "p") ? .positive : .verification)
                    if let crop, crop.facesInPicture > 1 {
                        report.keysWithSeveralFaces += 1
                        message = "\(crop.facesInPicture) faces in view: nothing saved (only yours should be)"
                    } else if let crop {
                        let url = try save(crop, as: faceClass, report: &report)
                        message = "saved \(faceClass.rawValue) \(url.lastPathComponent)"
                    } else {
                        report.keysWithoutFace += 1
                        message = "no face in view: nothing saved"
                    }
                default:
                    report.ignoredKeys += 1
                    message = "keys: a anchor, p positive, v verification, q quit"
                }
            }
            status(CollectStatus(report: report, faceInView: crop != nil, message: message))
            let elapsed = Date().timeIntervalSince(started)
            if frameSeconds > elapsed { Thread.sleep(forTimeInterval: frameSeconds - elapsed) }
        }
    }
}
