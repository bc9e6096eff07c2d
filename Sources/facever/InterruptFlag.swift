// InterruptFlag.swift — Ctrl-C during training: the first press asks the loop to stop after the
// current step (it then saves a checkpoint); a second press quits at once, leaving the last
// checkpoint as it was.
import Dispatch
import Foundation

final class InterruptFlag {
    private let lock = NSLock()
    private var raised = false
    private var source: DispatchSourceSignal?

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// Starts catching SIGINT (and SIGTERM) for the life of this object.
    func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
        }
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.raise() }
        source.resume()
        self.source = source
        let terminate = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        terminate.setEventHandler { [weak self] in self?.raise() }
        terminate.resume()
        terminationSource = terminate
    }

    private var terminationSource: DispatchSourceSignal?

    private func raise() {
        lock.lock()
        let second = raised
        raised = true
        lock.unlock()
        if second {
            FileHandle.standardError.write(Data("\nfacever: interrupted again; quitting without saving (the last checkpoint is intact)\n".utf8))
            exit(130)
        }
        FileHandle.standardError.write(Data("\nfacever: interrupt: finishing the current step, then saving a checkpoint (Ctrl-C again to quit now)\n".utf8))
    }
}
