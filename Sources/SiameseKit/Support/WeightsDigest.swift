// WeightsDigest.swift — a fast 64-bit digest of a model's weights, stored in the model file and checked
// each time the file is read.
//
// A verifier must know that the weights it runs are the weights that were saved: a flipped bit or an
// edited tensor that stays finite would otherwise change verdicts silently, and the gallery cache is
// keyed on this digest, so embeddings computed by other weights are never reused. The model is 156 MB,
// read at every `verify`, so the digest must cost a few milliseconds: four independent lanes each mix
// one 64-bit word per step (multiply, rotate, multiply), which runs at memory speed, unlike the
// byte-at-a-time FNV-1a of ContentHash. Like ContentHash it detects accidental change, not tampering.
import Foundation

public struct WeightsDigest: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    /// Parses "w64:" and 16 hex digits, as `text` writes it.
    public init?(text: String) {
        guard text.hasPrefix(Self.prefix), let hash = ContentHash(hex: String(text.dropFirst(Self.prefix.count))) else { return nil }
        value = hash.value
    }

    /// The digest as stored in metadata: the algorithm's name, then 16 hex digits.
    public var text: String { Self.prefix + ContentHash(value: value).hex }
    public var description: String { text }

    static let prefix = "w64:"

    /// Accumulates named tensors in order: each name, shape and the exact bits of its values.
    public struct Hasher {
        private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F,
                                                                0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63)
        private var length: UInt64 = 0
        private var names = ContentHash.Hasher64()

        public init() {}

        public mutating func combine(name: String, shape: [Int], values: [Float]) {
            names.combine("\(name)\(shape);")
            values.withUnsafeBytes { combine(bytes: $0) }
        }

        private static let multiplier1: UInt64 = 0x9E37_79B9_7F4A_7C15
        private static let multiplier2: UInt64 = 0xBF58_476D_1CE4_E5B9

        @inline(__always)
        private static func mix(_ lane: UInt64, _ word: UInt64) -> UInt64 {
            let mixed = (lane ^ word) &* multiplier1
            return ((mixed << 29) | (mixed >> 35)) &* multiplier2
        }

        private mutating func combine(bytes: UnsafeRawBufferPointer) {
            let wordCount = bytes.count / 8
            var (a, b, c, d) = lanes
            var index = 0
            if let base = bytes.baseAddress {
                while index + 4 <= wordCount {
                    a = Self.mix(a, base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                    b = Self.mix(b, base.loadUnaligned(fromByteOffset: index * 8 + 8, as: UInt64.self))
                    c = Self.mix(c, base.loadUnaligned(fromByteOffset: index * 8 + 16, as: UInt64.self))
                    d = Self.mix(d, base.loadUnaligned(fromByteOffset: index * 8 + 24, as: UInt64.self))
                    index += 4
                }
                while index < wordCount {
                    a = Self.mix(a, base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                    index += 1
                }
                var tail: UInt64 = 0
                for offset in (wordCount * 8)..<bytes.count {
                    tail |= UInt64(bytes[offset]) << (8 * UInt64(offset - wordCount * 8))
                }
                b = Self.mix(b, tail)
            }
            lanes = (a, b, c, d)
            length &+= UInt64(bytes.count)
        }

        public func finalize() -> WeightsDigest {
            var value = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7) ^ length ^ names.finalize().value
            // murmur3's 64-bit finaliser: every input bit reaches every output bit.
            value ^= value >> 33
            value &*= 0xFF51_AFD7_ED55_8CCD
            value ^= value >> 33
            value &*= 0xC4CE_B9FE_1A85_EC53
            value ^= value >> 33
            return WeightsDigest(value: value)
        }
    }
}
