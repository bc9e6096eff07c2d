// GradientCheck.swift — test helpers: random data, and analytic gradients against central finite
// differences of a Float64 reference function.
//
// For an op y = f(x₁, …, xₖ) the scalar L = Σ r ⊙ y uses fixed random weights r. The engine's
// gradient dL/dxᵢ (Float32, from backward(seed: r)) is compared with
//   (L_ref(xᵢ + h) − L_ref(xᵢ − h)) / 2h,  L_ref computed in Float64 by the Reference kernels,
// under |analytic − numeric| ≤ absoluteTolerance + relativeTolerance · |numeric|.
import Tensor
import XCTest

struct TestRandom {
    var generator: RandomGenerator

    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }

    mutating func values(_ count: Int, _ lower: Float = -1, _ upper: Float = 1) -> [Float] {
        (0..<count).map { _ in generator.uniform(lower, upper) }
    }

    mutating func tensor(_ shape: [Int], _ lower: Float = -1, _ upper: Float = 1, requiresGrad: Bool = true) -> Tensor {
        Tensor(shape: shape, data: values(Tensor.elementCount(of: shape), lower, upper), requiresGrad: requiresGrad,
               name: requiresGrad ? "t\(generator.next() % 1_000_000)" : nil)
    }
}

/// Float32 tolerances stated once: gradients of sums of up to a few hundred products.
let gradientAbsoluteTolerance = 2e-4
let gradientRelativeTolerance = 2e-3
/// Step of the central difference, in Float64.
let finiteDifferenceStep = 1e-6

/// Checks dL/d(inputs[k]) for every k against finite differences of `reference`.
/// - op: builds the engine's output from the input tensors.
/// - reference: the same function in Float64 over the inputs' values.
func assertGradientsMatchFiniteDifferences(
    inputs: [Tensor], op: ([Tensor]) -> Tensor, reference: ([[Double]]) -> [Double],
    seed: UInt64 = 99, file: StaticString = #filePath, line: UInt = #line
) {
    let output = op(inputs)
    var random = TestRandom(seed: seed)
    let weights = random.values(output.count)
    for input in inputs { input.zeroGrad() }
    output.backward(seed: weights)

    let base = inputs.map { $0.data.map(Double.init) }
    func weightedSum(_ values: [[Double]]) -> Double {
        zip(reference(values), weights).reduce(0) { $0 + $1.0 * Double($1.1) }
    }
    for (k, input) in inputs.enumerated() where input.requiresGrad {
        guard let analytic = input.grad else {
            XCTFail("input \(k) got no gradient", file: file, line: line)
            continue
        }
        for index in 0..<input.count {
            var plus = base, minus = base
            plus[k][index] += finiteDifferenceStep
            minus[k][index] -= finiteDifferenceStep
            let numeric = (weightedSum(plus) - weightedSum(minus)) / (2 * finiteDifferenceStep)
            let error = abs(Double(analytic[index]) - numeric)
            if error > gradientAbsoluteTolerance + gradientRelativeTolerance * abs(numeric) {
                XCTFail("input \(k)[\(index)]: analytic \(analytic[index]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

func assertClose(_ actual: [Float], _ expected: [Double], tolerance: Double,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "counts differ", file: file, line: line)
    for index in 0..<min(actual.count, expected.count) where abs(Double(actual[index]) - expected[index]) > tolerance {
        XCTFail("[\(index)]: \(actual[index]) vs \(expected[index])", file: file, line: line)
        return
    }
}
