// InterruptFlag.swift — Ctrl-C during a long command: the first press asks the loop to stop at the
// next safe point (training saves a checkpoint there); a second press quits at once, leaving every
// file as the last atomic write left it.
import Dispatch
import Foundation

final class InterruptFlag {
    /// What the first Ctrl-C does, for the message it prints.
    private let message: String
    private let lock = NSLock()
    private var raised = false
    private var source: DispatchSourceSignal?

    init(message: String) {
        self.message = message
    }

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
        FileHandle.standardError.write(Data("\nfacever: interrupt: \(message) (Ctrl-C again to quit now)\n".utf8))
    }
}
