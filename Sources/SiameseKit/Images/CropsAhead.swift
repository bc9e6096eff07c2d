// CropsAhead.swift — photo files read, decoded and cropped on a thread of their own, in order, a few files
// ahead of the caller that uses the crops.
//
// A command that verifies or identifies photos needs two things before its first answer: the model, loaded
// and prepared (some 70 ms for dlib's ResNet), and the photo's crop (decoding, OpenCV's cascades loaded and
// run: some 100 ms in face mode). Neither needs the other, so the crops start first and the model loads
// meanwhile; later crops overlap the answers to earlier ones. Each item is what `PhotoCropper.crop(contentsOf:
// decoder:)` returned or threw for its file, with the time it took, so a caller reports it exactly as if it
// had cropped the file itself. At most `lookahead` items wait unclaimed; the thread ends after the last file,
// or at the next file once the CropsAhead is gone.
import Foundation

public final class CropsAhead: @unchecked Sendable {
    public struct Item: Sendable {
        public let file: URL
        /// The canonical crop (nil: face mode found no face), or the error cropping threw.
        public let crop: Result<CroppedPhoto?, any Error>
        /// How long reading, decoding and cropping took.
        public let seconds: Double
    }

    private let files: [URL]
    /// What crops the files.
    public let cropper: PhotoCropper
    /// Guards `done`, `nextToClaim` and `abandoned`.
    private let lock = NSLock()
    private var done: [Int: Item] = [:]
    private var nextToClaim = 0
    private var abandoned = false
    /// Signalled once per finished item.
    private let finished = DispatchSemaphore(value: 0)
    /// Free places among the items waiting to be claimed.
    private let places: DispatchSemaphore

    public init(files: [URL], cropper: PhotoCropper, decoder: PhotoDecoder, lookahead: Int = 2) {
        precondition(lookahead >= 1, "CropsAhead: lookahead must be at least 1")
        self.files = files
        self.cropper = cropper
        // Signalled up to `lookahead` rather than made with that value: libdispatch traps when a semaphore
        // is freed below the value it was made with, as this one may be when the thread ends early.
        places = DispatchSemaphore(value: 0)
        for _ in 0..<lookahead { places.signal() }
        guard !files.isEmpty else { return }
        // The thread holds what it needs, not the CropsAhead: dropping it is what tells the thread to stop.
        let (lock, finished, places) = (lock, finished, places)
        let thread = Thread { [weak self] in
            for (index, file) in files.enumerated() {
                places.wait()
                guard let self, !self.isAbandoned else { return }
                let start = DispatchTime.now().uptimeNanoseconds
                let crop = Result { try cropper.crop(contentsOf: file, decoder: decoder) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                lock.lock()
                self.done[index] = Item(file: file, crop: crop, seconds: seconds)
                lock.unlock()
                finished.signal()
            }
        }
        thread.name = "facever crops"
        thread.start()
    }

    deinit {
        lock.lock()
        abandoned = true
        lock.unlock()
        // Wakes a thread waiting for a free place, so that it sees the CropsAhead is gone and ends.
        places.signal()
    }

    private var isAbandoned: Bool {
        lock.lock()
        defer { lock.unlock() }
        return abandoned
    }

    /// The next file's item, in the order the files were given, waiting for it when it is not ready yet;
    /// nil after the last.
    public func next() -> Item? {
        lock.lock()
        let index = nextToClaim
        lock.unlock()
        guard index < files.count else { return nil }
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        let item = done.removeValue(forKey: index)!
        nextToClaim += 1
        places.signal()
        return item
    }
}
