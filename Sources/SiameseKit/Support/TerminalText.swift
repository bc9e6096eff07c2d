// TerminalText.swift — file names made safe for one line of text output.
//
// A file name may hold any byte but '/' and NUL: a newline in a name could forge a second
// `verified` line for a script reading verify's output, and an escape sequence could rewrite the
// terminal. Text output shows such characters escaped (\n, \t, \r, \e, \u{…}); JSON output needs
// nothing, its encoder escapes them already.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{1B}": result += "\\e"
            case "\\": result += "\\\\"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
