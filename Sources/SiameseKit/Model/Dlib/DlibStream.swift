// DlibStream.swift — a reader of dlib's serialisation format (dlib/serialize.h), for importing dlib's
// public-domain models; written from the format's documentation, bounded and checked at every step.
//
//   integer: one control byte (bit 7: negative; low 4 bits: n = 1...8) then n bytes, little-endian
//   float:   an integer mantissa, then an integer exponent: mantissa · 2^exponent (exponents 32000,
//            32001, 32002 mean +∞, −∞, NaN, which facever refuses)
//   string:  an integer length, then the bytes;  bool: the character '1' or '0'
//   tensor:  integer version 2, integers N, K, NR, NC, then N·K·NR·NC little-endian IEEE float32 (NCHW)
//   alias:   integer version 1, integers N, K, NR, NC (a view into a layer's parameter tensor)
// Anything else — a truncated file, a length beyond the bytes left, an unexpected tag — is an
// InputError naming the file and the byte where reading stopped.
import Foundation

struct DlibStream {
    private let bytes: [UInt8]
    private(set) var offset = 0
    let path: String
    /// What the file should be, for error messages ("dlib face recognition ResNet").
    let kind: String

    /// The largest dlib file facever reads (dlib's ResNet is 22 MB, the 5-point predictor 9 MB).
    static let maximumBytes = 256 << 20

    init(contentsOf url: URL, kind: String) throws {
        let setup = "run Scripts/setup.sh, which fetches dlib's models, or name the file"
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw InputError.cannotOpen(url.path, errno: errno, nextStep: setup) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw InputError(path: url.path, problem: "not a regular file (a folder, device or pipe)", nextStep: setup)
        }
        guard status.st_size <= Self.maximumBytes else {
            throw InputError(path: url.path, problem: "\(status.st_size) bytes is larger than any \(kind) file (at most \(Self.maximumBytes))",
                             nextStep: setup)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw InputError.cannotOpen(url.path, nextStep: setup) }
        self.init(bytes: [UInt8](data), path: url.path, kind: kind)
    }

    init(bytes: [UInt8], path: String, kind: String) {
        self.bytes = bytes
        self.path = path
        self.kind = kind
    }

    var isAtEnd: Bool { offset == bytes.count }

    /// The error for what was found at the current byte.
    func failure(_ what: String) -> InputError {
        InputError(path: path, problem: "not the \(kind) file facever expects: \(what) (byte \(offset))",
                   nextStep: "use the file from PyPI's face_recognition_models 0.3.0 (Scripts/setup.sh fetches it)")
    }

    private mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw failure("the file ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func integer() throws -> Int64 {
        let control = try byte()
        let count = Int(control & 0x0F)
        guard (1...8).contains(count), control & 0x70 == 0 else { throw failure("an integer's control byte 0x\(String(control, radix: 16))") }
        var magnitude: UInt64 = 0
        for index in 0..<count { magnitude |= UInt64(try byte()) << (8 * UInt64(index)) }
        guard magnitude <= UInt64(Int64.max) else { throw failure("an integer out of range") }
        return control & 0x80 != 0 ? -Int64(magnitude) : Int64(magnitude)
    }

    /// An integer that must lie in `range` (a count, a size, a version).
    @discardableResult
    mutating func integer(in range: ClosedRange<Int>, _ what: String) throws -> Int {
        let start = offset
        let value = try integer()
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            offset = start
            throw failure("\(what) \(value), expected \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range)")")
        }
        return Int(value)
    }

    mutating func real() throws -> Double {
        let mantissa = try integer()
        let exponent = try integer()
        guard abs(exponent) < 2000 else { throw failure("a number that is not finite") }
        return Double(sign: mantissa < 0 ? .minus : .plus, exponent: Int(exponent), significand: Double(mantissa.magnitude))
    }

    mutating func bool() throws -> Bool {
        switch try byte() {
        case UInt8(ascii: "1"): return true
        case UInt8(ascii: "0"): return false
        default: offset -= 1; throw failure("a bool that is neither '0' nor '1'")
        }
    }

    mutating func string(maximumLength: Int = 64) throws -> String {
        let length = try integer(in: 0...maximumLength, "a name of length")
        guard offset + length <= bytes.count else { throw failure("the file ends inside a name") }
        defer { offset += length }
        return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
    }

    /// Reads a name and checks it is one of `expected`.
    @discardableResult
    mutating func tag(_ expected: String...) throws -> String {
        let start = offset
        let name = try string()
        guard expected.contains(name) else {
            offset = start
            throw failure("'\(name)' where \(expected.map { "'\($0)'" }.joined(separator: " or ")) belongs")
        }
        return name
    }

    /// A dlib tensor: its NCHW shape and values. At most `maximumCount` values (bounds memory).
    mutating func tensor(maximumCount: Int = 1 << 24) throws -> (shape: [Int], values: [Float]) {
        try integer(in: 2...2, "a tensor version")
        var shape: [Int] = []
        for _ in 0..<4 { shape.append(try integer(in: 0...maximumCount, "a tensor dimension")) }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= maximumCount else { throw failure("a tensor of \(shape) values") }
        guard offset + 4 * count <= bytes.count else { throw failure("the file ends inside a tensor") }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let base = offset + 4 * index
            let bits = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
            values[index] = Float(bitPattern: bits)
        }
        offset += 4 * count
        guard values.allSatisfy(\.isFinite) else { throw failure("a tensor holding a NaN or an infinity") }
        return (shape, values)
    }

    /// A dlib alias tensor's NCHW shape.
    mutating func aliasShape() throws -> [Int] {
        try integer(in: 1...1, "an alias tensor version")
        return try (0..<4).map { _ in try integer(in: 0...(1 << 24), "an alias tensor dimension") }
    }
}
