// PrecisionChoice.swift — which arithmetic a command runs the network in, decided in one place.
//
// `--precision auto|float32|bfloat16` asks; a trained model says what it was trained in; the CPU says
// whether it has the bfloat16 instructions (AVX512_BF16) and whether they are faster than its float32
// ones (MultiplyAddRates: on some CPUs with AVX512_BF16 they are not). `resolve` combines the three, and
// is the only place that asks the CPU, so every command answers the same way.
import Tensor

public enum PrecisionChoice: String, CaseIterable, Sendable {
    /// bfloat16 where the CPU has AVX512_BF16 and multiplies faster with it, float32 elsewhere.
    case auto
    case float32
    case bfloat16

    public init(_ precision: MatrixPrecision) {
        self = precision == .float32 ? .float32 : .bfloat16
    }

    /// The precision to run in. `requested` is the user's `--precision` (nil when not given);
    /// `trained` is the model's training precision (nil for a new training run, which then means
    /// auto). A model trained in bfloat16 runs in float32 on a CPU without it, or where bfloat16 is no
    /// faster (the two give the same scores to bfloat16's rounding); asking for bfloat16 on a CPU without
    /// it is an error that says what to do.
    public static func resolve(_ requested: PrecisionChoice?, trained: MatrixPrecision?) throws -> MatrixPrecision {
        switch requested {
        case .float32?:
            return .float32
        case .bfloat16?:
            if let reason = MatrixPrecision.bfloat16UnavailableReason {
                throw InputError(path: "--precision bfloat16", problem: reason, nextStep: "use --precision auto or float32")
            }
            return .bfloat16
        case .auto?:
            return MatrixPrecision.isBFloat16Faster ? .bfloat16 : .float32
        case nil:
            guard let trained else { return try resolve(.auto, trained: nil) }
            return trained == .bfloat16 && !MatrixPrecision.isBFloat16Faster ? .float32 : trained
        }
    }
}
