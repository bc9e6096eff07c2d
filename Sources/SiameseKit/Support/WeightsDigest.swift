// WeightsDigest.swift — a fast 64-bit digest of a model's weights, stored in the model file and checked
// each time the file is read.
//
// A verifier must know that the weights it runs are the weights that were saved: a flipped bit or an
// edited tensor that stays finite would otherwise change verdicts silently, and the gallery cache is
// keyed on this digest, so embeddings computed by other weights are never reused. The model is 156 MB,
// read at every `verify`, so the digest must cost a few milliseconds (see Hasher), unlike the
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
    ///
    /// The bits go through eight 64-bit lanes, eight words (64 bytes) a step, in the manner of XXH3's
    /// accumulation: each lane adds its neighbour's word and the 32×32-bit product of its own word's
    /// halves, each XORed with a lane key. One multiply per word, no chain between steps, so the loop
    /// vectorises and runs at memory speed; a flipped bit changes a sum, and the finaliser spreads
    /// every lane into every bit of the digest.
    public struct Hasher {
        private var lanes: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63,
                                       0x27D4_EB2F_1656_67C5, 0xFF51_AFD7_ED55_8CCD, 0xC4CE_B9FE_1A85_EC53, 0x94D0_49BB_1331_11EB]
        private var length: UInt64 = 0
        private var names = ContentHash.Hasher64()

        public init() {}

        private static let keys: [UInt64] = [0xBE4B_A423_396C_FEB8, 0x1CAD_21F7_2C81_017C, 0xDB97_9083_E96D_D4DE, 0x1F67_B3B7_A4A4_4072,
                                             0x78E5_C0CC_4EE6_79CB, 0x2172_FFCC_7DD0_5A82, 0x8E24_38FC_8BB9_12AF, 0xD1CB_D3E3_84C2_B3A8]

        /// Adds one tensor; returns whether all its values are finite, checked in the same pass so that
        /// loading a model reads its 156 MB of weights once for both checks.
        @discardableResult
        public mutating func combine(name: String, shape: [Int], values: [Float]) -> Bool {
            names.combine("\(name)\(shape);")
            return values.withUnsafeBytes { combine(bytes: $0) }
        }

        /// Mixes the bytes in (Float32 values); returns whether all of them were finite.
        private mutating func combine(bytes: UnsafeRawBufferPointer) -> Bool {
            guard let base = bytes.baseAddress else { return true }
            let wordCount = bytes.count / 8
            let stripes = wordCount / 8
            // Lanes in locals (registers), keys as constants: no memory traffic but the words themselves.
            var (l0, l1, l2, l3, l4, l5, l6, l7) = (lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7])
            let k = Self.keys
            let (k0, k1, k2, k3, k4, k5, k6, k7) = (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7])
            var saturated: UInt64 = 0
            @inline(__always) func product(_ word: UInt64, _ key: UInt64) -> UInt64 {
                let keyed = word ^ key
                return (keyed & 0xFFFF_FFFF) &* (keyed >> 32)
            }
            for stripe in 0..<stripes {
                let offset = stripe * 64
                let w0 = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let w1 = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
                let w2 = base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
                let w3 = base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
                let w4 = base.loadUnaligned(fromByteOffset: offset + 32, as: UInt64.self)
                let w5 = base.loadUnaligned(fromByteOffset: offset + 40, as: UInt64.self)
                let w6 = base.loadUnaligned(fromByteOffset: offset + 48, as: UInt64.self)
                let w7 = base.loadUnaligned(fromByteOffset: offset + 56, as: UInt64.self)
                l0 &+= w1 &+ product(w0, k0)
                l1 &+= w0 &+ product(w1, k1)
                l2 &+= w3 &+ product(w2, k2)
                l3 &+= w2 &+ product(w3, k3)
                l4 &+= w5 &+ product(w4, k4)
                l5 &+= w4 &+ product(w5, k5)
                l6 &+= w7 &+ product(w6, k6)
                l7 &+= w6 &+ product(w7, k7)
                saturated |= Self.nonFinite(w0) | Self.nonFinite(w1) | Self.nonFinite(w2) | Self.nonFinite(w3)
                    | Self.nonFinite(w4) | Self.nonFinite(w5) | Self.nonFinite(w6) | Self.nonFinite(w7)
            }
            lanes = [l0, l1, l2, l3, l4, l5, l6, l7]
            // The words after the last whole stripe, then the bytes after the last whole word.
            for index in (stripes * 8)..<wordCount {
                let word = base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                lanes[(index % 8) ^ 1] &+= word
                lanes[index % 8] &+= product(word, k[index % 8])
                saturated |= Self.nonFinite(word)
            }
            var tail: UInt64 = 0
            for offset in (wordCount * 8)..<bytes.count {
                tail |= UInt64(bytes[offset]) << (8 * UInt64(offset - wordCount * 8))
            }
            lanes[0] = Self.fmix(lanes[0] ^ tail)
            // A trailing Float32 (an odd count of values) sits in the tail's low half.
            if bytes.count % 8 == 4 { saturated |= (tail & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0 }
            length &+= UInt64(bytes.count)
            return saturated == 0
        }

        /// Non-zero when either Float32 in a word has all exponent bits set (a NaN or an infinity): adding
        /// 2^23 to an all-ones exponent carries into the bit above it (the sign, or bit 63 for the high half).
        @inline(__always)
        private static func nonFinite(_ word: UInt64) -> UInt64 {
            ((word & 0x7F80_0000_7F80_0000) &+ 0x0080_0000_0080_0000) & 0x8000_0000_8000_0000
        }

        public func finalize() -> WeightsDigest {
            var value = length ^ names.finalize().value
            for lane in 0..<8 {
                value = (value ^ Self.fmix(lanes[lane] &+ Self.keys[lane])) &* 0x9E37_79B9_7F4A_7C15
            }
            return WeightsDigest(value: Self.fmix(value))
        }

        /// murmur3's 64-bit finaliser: every input bit reaches every output bit.
        private static func fmix(_ input: UInt64) -> UInt64 {
            var value = input
            value ^= value >> 33
            value &*= 0xFF51_AFD7_ED55_8CCD
            value ^= value >> 33
            value &*= 0xC4CE_B9FE_1A85_EC53
            value ^= value >> 33
            return value
        }
    }
}
