// ProgressLine.swift — a count redrawn in place on stderr while a long step runs ("importing 120/500
// photos"), only when stderr is a terminal: scripts and logs never see it. Redrawn at most ten times a
// second; `clear()` takes it away before a warning or the step's summary is written.
import Foundation

final class ProgressLine {
    private let verb: String
    private let unit: String
    private let interactive: Bool
    private var lastDrawn = Date.distantPast
    private var shown = false

    static let redrawInterval: TimeInterval = 0.1

    /// "importing" … "photos": the line reads `importing 3/40 photos`.
    init(_ verb: String, unit: String, interactive: Bool = Console.standardErrorIsTerminal) {
        self.verb = verb
        self.unit = unit
        self.interactive = interactive
    }

    func update(_ done: Int, of total: Int) { update(verb, done, of: total) }

    /// A step of its own: `reading 3/40 photos`, then `embedding 1/12 photos`.
    func update(_ verb: String, _ done: Int, of total: Int) {
        guard interactive, total > 0 else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDrawn) >= Self.redrawInterval else { return }
        lastDrawn = now
        // Within the terminal's width: a line that wrapped could not be redrawn in place.
        let line = String("\(verb) \(done)/\(total) \(unit)".prefix(max(1, Console.terminalColumns - 1)))
        FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
        shown = true
    }

    /// A step of a longer task, after this line's verb: `gallery: reading 3/40 photos`, `gallery: embedding 12/40 photos`.
    func step(_ name: String, _ done: Int, _ total: Int) { update("\(verb) \(name)", done, of: total) }

    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    /// A warning on a line of its own: the count is cleared first and drawn again at the next update.
    func warning(_ message: String) {
        clear()
        lastDrawn = .distantPast
        Console.warning(message)
    }
}
