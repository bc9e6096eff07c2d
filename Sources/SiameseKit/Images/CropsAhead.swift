// CropsAhead.swift — photo files read, decoded and cropped on a thread of their own, in order, a few files
// ahead of the caller that uses the crops.
//
// A command that verifies or identifies photos needs two things before its first answer: the model, loaded
// and prepared, and the photo's crop (decoding; in face mode, OpenCV's cascades loaded and run); for dlib's
// ResNet each is a large part of a whole verify (the README's pretrained section has the figures). Neither
// needs the other, so the crops start first and the model loads meanwhile; later crops overlap the answers
// to earlier ones (and `evaluate --pairs` crops the next batch while one is embedded). Each item is what `PhotoCropper.crop(contentsOf:
// decoder:)` returned or threw for its file, with the time it took, so a caller reports it exactly as if it
// had cropped the file itself. At most `lookahead` items wait unclaimed; the thread ends after the last file,
// or, once the CropsAhead is dropped, after the crop under way: dropping it waits for that crop, so that a
// command that stops early (its model unreadable) never exits while OpenCV runs on the other thread.
import Foundation

public final class CropsAhead: @unchecked Sendable {
    public struct Item: Sendable {
        public let file: URL
        /// The canonical crop (nil: face mode found no face), or the error cropping threw.
        public let crop: Result<CroppedPhoto?, any Error>
        /// How long reading, decoding and cropping took.
        public let seconds: Double
    }

    /// What the thread and the caller share; the thread holds this, never the CropsAhead, so that dropping
    /// the CropsAhead (always on the caller's side) is what stops the thread.
    private final class Shared: @unchecked Sendable {
        /// Guards `done`, `nextToClaim` and `abandoned`.
        let lock = NSLock()
        var done: [Int: Item] = [:]
        var nextToClaim = 0
        var abandoned = false
        /// Signalled once per finished item.
        let finished = DispatchSemaphore(value: 0)
        /// Free places among the items waiting to be claimed.
        let places = DispatchSemaphore(value: 0)
        /// Signalled once, when the thread ends.
        let ended = DispatchSemaphore(value: 0)

        var isAbandoned: Bool {
            lock.lock()
            defer { lock.unlock() }
            return abandoned
        }
    }

    /// How many files there are to crop.
    private let count: Int
    /// What crops the files.
    public let cropper: PhotoCropper
    private let shared = Shared()

    /// `everyFace`: each crop brings the crops of its picture's other faces (PhotoCropper).
    public init(files: [URL], cropper: PhotoCropper, decoder: PhotoDecoder, everyFace: Bool = false, lookahead: Int = 2) {
        precondition(lookahead >= 1, "CropsAhead: lookahead must be at least 1")
        (count, self.cropper) = (files.count, cropper)
        let shared = shared
        // Signalled up to `lookahead` rather than made with that value: libdispatch traps when a semaphore
        // is freed below the value it was made with, as this one may be when the thread ends early.
        for _ in 0..<lookahead { shared.places.signal() }
        guard !files.isEmpty else {
            shared.ended.signal()
            return
        }
        let thread = Thread {
            defer { shared.ended.signal() }
            for (index, file) in files.enumerated() {
                shared.places.wait()
                guard !shared.isAbandoned else { return }
                let start = DispatchTime.now().uptimeNanoseconds
                let crop = Result { try cropper.crop(contentsOf: file, decoder: decoder, everyFace: everyFace) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                shared.lock.lock()
                shared.done[index] = Item(file: file, crop: crop, seconds: seconds)
                shared.lock.unlock()
                shared.finished.signal()
            }
        }
        thread.name = "facever crops"
        thread.start()
    }

    deinit {
        shared.lock.lock()
        shared.abandoned = true
        shared.lock.unlock()
        // Wakes the thread if it waits for a free place; then waits for it to end (at most the crop under way).
        shared.places.signal()
        shared.ended.wait()
    }

    /// The next file's item, in the order the files were given, waiting for it when it is not ready yet;
    /// nil after the last.
    public func next() -> Item? {
        shared.lock.lock()
        let index = shared.nextToClaim
        shared.lock.unlock()
        guard index < count else { return nil }
        shared.finished.wait()
        shared.lock.lock()
        defer { shared.lock.unlock() }
        let item = shared.done.removeValue(forKey: index)!
        shared.nextToClaim += 1
        shared.places.signal()
        return item
    }
}
