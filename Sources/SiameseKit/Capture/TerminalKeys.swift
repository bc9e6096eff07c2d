// TerminalKeys.swift — single key presses from a terminal, without waiting for Enter.
//
// `TerminalKeys.open()` switches standard input to non-canonical, no-echo, non-blocking reads and
// remembers the previous settings; `restore()` (also run by deinit and at process exit) puts them
// back. Ctrl-C still raises SIGINT (ISIG stays on), so the caller's interrupt handling decides.
import Foundation

public final class TerminalKeys: KeySource {
    private var original = termios()
    private var restored = false
    nonisolated(unsafe) private static var settingsToRestoreAtExit: termios?
    nonisolated(unsafe) private static var exitHandlerInstalled = false

    public struct NotATerminal: Error, CustomStringConvertible {
        public let description = "interactive capture needs a terminal on standard input (use --auto for scripts)"
    }

    public static func open() throws -> TerminalKeys {
        guard isatty(STDIN_FILENO) == 1 else { throw NotATerminal() }
        let keys = TerminalKeys()
        tcgetattr(STDIN_FILENO, &keys.original)
        var raw = keys.original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        settingsToRestoreAtExit = keys.original
        if !exitHandlerInstalled {
            exitHandlerInstalled = true
            atexit {
                if var settings = TerminalKeys.settingsToRestoreAtExit {
                    tcsetattr(STDIN_FILENO, TCSANOW, &settings)
                }
            }
        }
        return keys
    }

    public func pendingKeys() -> [UInt8] {
        var keys: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            guard count > 0 else { break }
            keys += buffer.prefix(count)
        }
        return keys
    }

    public func restore() {
        guard !restored else { return }
        restored = true
        tcsetattr(STDIN_FILENO, TCSANOW, &original)
        TerminalKeys.settingsToRestoreAtExit = nil
    }

    deinit { restore() }
}
