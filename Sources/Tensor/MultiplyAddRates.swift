// MultiplyAddRates.swift — whether bfloat16 products pay on this CPU, measured rather than looked up.
//
// AVX512_BF16 says a CPU can compute in bfloat16, not that it gains by it: a Zen 5 core issues as many 512-bit
// dot products (two multiply-adds a lane) as FMAs, so bfloat16 doubles its multiply rate, while an Intel Xeon
// of family 6 model 207 issues half as many dot products as FMAs, so bfloat16 halves it (both measured:
// README, Performance). So the first time a precision is chosen (`auto`), one core runs both instructions in
// independent chains (ThroughputProbe.c: a warm-up, then the best of three alternating runs of each, about a
// millisecond in all) and bfloat16 is preferred only where its dot products multiply at least `requiredGain`
// times as fast.
import MatrixKernels

public struct MultiplyAddRates: Equatable, Sendable {
    /// Multiply-adds per second on one core: 512-bit float32 FMAs, and 512-bit bfloat16 dot products
    /// (0 where the CPU lacks them).
    public var float32: Double
    public var bfloat16: Double

    /// The bfloat16 kernel rounds its inputs as it packs them and sums in float32, so its products run well
    /// under its instructions' rate: it needs a clear lead to win. Between the two kinds of core above
    /// (2× and 0.5×); on a Zen 5 a 2× instruction rate made triplet training 1.11–1.25× faster (README, Performance).
    public static let requiredGain = 1.5

    public init(float32: Double, bfloat16: Double) {
        self.float32 = float32
        self.bfloat16 = bfloat16
    }

    /// Whether bfloat16 products are expected to beat float32 ones here.
    public var bfloat16Pays: Bool { float32 > 0 && bfloat16 >= Self.requiredGain * float32 }

    /// This CPU's rates, measured once per process on first use.
    public static let measured = measure()

    /// The best of `rounds` alternating runs of each probe, after one run of each to bring the core to
    /// its 512-bit clock.
    static func measure(rounds: Int = 3, iterations: Int64 = 20_000) -> MultiplyAddRates {
        _ = (fv_probe_float32_multiply_adds(iterations), fv_probe_bfloat16_multiply_adds(iterations))
        var best = MultiplyAddRates(float32: 0, bfloat16: 0)
        for _ in 0..<rounds {
            best.float32 = max(best.float32, fv_probe_float32_multiply_adds(iterations))
            best.bfloat16 = max(best.bfloat16, fv_probe_bfloat16_multiply_adds(iterations))
        }
        return best
    }
}

extension MatrixPrecision {
    /// Whether bfloat16 products can run here (isBFloat16Available) and are faster than float32 ones
    /// (MultiplyAddRates): what `auto` chooses.
    public static var isBFloat16Faster: Bool { isBFloat16Available && MultiplyAddRates.measured.bfloat16Pays }
}
