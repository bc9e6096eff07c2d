// ContentHash.swift — a fast 64-bit fingerprint of bytes (FNV-1a), written as 16 hex digits.
//
// Used to recognise duplicate photos, to key cached gallery embeddings by image content, and to
// fingerprint a training set. It detects accidental change, not tampering.
import Foundation

public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init(_ data: Data) {
        var hasher = Hasher64()
        hasher.combine(data)
        self = hasher.finalize()
    }

    public init(_ text: String) {
        self.init(Data(text.utf8))
    }

    /// Parses 16 hex digits.
    public init?(hex: String) {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var description: String { hex }

    /// FNV-1a over a stream of byte chunks.
    public struct Hasher64 {
        private var state: UInt64 = 0xcbf2_9ce4_8422_2325

        public init() {}

        public mutating func combine(_ data: Data) {
            data.withUnsafeBytes { bytes in
                var hash = state
                for byte in bytes {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
                state = hash
            }
        }

        public mutating func combine(_ text: String) { combine(Data(text.utf8)) }

        public func finalize() -> ContentHash { ContentHash(value: state) }
    }
}
