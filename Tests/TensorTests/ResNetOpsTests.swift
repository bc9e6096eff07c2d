// ResNetOpsTests.swift — the ops dlib's ResNet needs (strided and padded convolution, windowed and
// global pooling, per-channel affine, padded residual sum, squared difference) against their Float64
// references and finite differences.
@testable import Tensor
import XCTest

final class ResNetOpsTests: XCTestCase {
    private func asDouble(_ tensors: [Tensor]) -> [[Double]] { tensors.map { $0.data.map(Double.init) } }

    func testStridedPaddedConvolutionMatchesDirectConvolution() {
        var random = TestRandom(seed: 11)
        // [N, H, W, C], [KH, KW, C, O], stride, padding: dlib's stem (7×7 stride 2), its 3×3 stride-2
        // down-sampling, a padded 3×3 stride 1, odd sizes whose last window falls short.
        let cases: [([Int], [Int], Int, Int)] = [
            ([2, 15, 15, 3], [7, 7, 3, 4], 2, 0), ([1, 9, 9, 4], [3, 3, 4, 5], 2, 0), ([2, 6, 5, 3], [3, 3, 3, 4], 1, 1),
            ([1, 8, 7, 2], [3, 3, 2, 3], 2, 1), ([1, 4, 4, 16], [3, 3, 16, 8], 1, 1),
        ]
        var computes: [Compute] = [.standard]
        if MatrixPrecision.bfloat16UnavailableReason == nil { computes.append(Compute(precision: .bfloat16)) }
        for (xShape, wShape, stride, padding) in cases {
            let x = random.tensor(xShape), w = random.tensor(wShape), b = random.tensor([wShape[3]])
            let expected = Reference.conv2d(x: asDouble([x])[0], xShape: xShape, weight: asDouble([w])[0], wShape: wShape,
                                            bias: asDouble([b])[0], stride: stride, padding: padding)
            for compute in computes {
                let y = conv2d(x, weight: w, bias: b, stride: stride, padding: padding, compute: compute)
                XCTAssertEqual(y.shape, [xShape[0], (xShape[1] + 2 * padding - wShape[0]) / stride + 1,
                                         (xShape[2] + 2 * padding - wShape[1]) / stride + 1, wShape[3]])
                assertClose(y.data, expected, tolerance: compute.precision == .float32 ? 1e-4 : 0.1)
            }
        }
    }

    func testStridedPaddedConvolutionGradients() {
        var random = TestRandom(seed: 12)
        for (stride, padding) in [(2, 0), (1, 1), (2, 1)] {
            let xShape = [2, 7, 6, 3], wShape = [3, 3, 3, 2]
            let inputs = [random.tensor(xShape), random.tensor(wShape), random.tensor([2])]
            assertGradientsMatchFiniteDifferences(
                inputs: inputs, op: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding) },
                reference: { Reference.conv2d(x: $0[0], xShape: xShape, weight: $0[1], wShape: wShape, bias: $0[2],
                                              stride: stride, padding: padding) })
            // The analytic gradients also equal the reference's closed form.
            let x = random.tensor(xShape), w = random.tensor(wShape), b = random.tensor([2])
            let y = conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
            let dy = random.values(y.count)
            y.backward(seed: dy)
            let expected = Reference.conv2dGradients(x: asDouble([x])[0], xShape: xShape, weight: asDouble([w])[0], wShape: wShape,
                                                     dy: dy.map(Double.init), stride: stride, padding: padding)
            assertClose(w.grad!, expected.dweight, tolerance: 1e-4)
            assertClose(x.grad!, expected.dx, tolerance: 1e-4)
        }
    }

    func testWindowPoolingMatchesReferenceAndFiniteDifferences() {
        var random = TestRandom(seed: 13)
        for (kind, window, stride) in [(PoolKind.max, 3, 2), (.average, 2, 2), (.max, 2, 1), (.average, 3, 2)] {
            let xShape = [2, 7, 8, 3]
            let x = random.tensor(xShape)
            let y = pool2d(x, kind: kind, window: window, stride: stride)
            XCTAssertEqual(y.shape, [2, (7 - window) / stride + 1, (8 - window) / stride + 1, 3])
            let reference = { (v: [[Double]]) in
                Reference.pool2d(x: v[0], xShape: xShape, max: kind == .max, window: window, stride: stride)
            }
            assertClose(y.data, reference(asDouble([x])), tolerance: 1e-6)
            assertGradientsMatchFiniteDifferences(
                inputs: [random.tensor(xShape)], op: { pool2d($0[0], kind: kind, window: window, stride: stride) }, reference: reference)
        }
    }

    func testGlobalAveragePool() {
        var random = TestRandom(seed: 14)
        let xShape = [3, 2, 3, 4]
        let x = random.tensor(xShape)
        XCTAssertEqual(globalAveragePool(x).shape, [3, 4])
        assertClose(globalAveragePool(x).data, Reference.globalAveragePool(x: asDouble([x])[0], xShape: xShape), tolerance: 1e-6)
        assertGradientsMatchFiniteDifferences(
            inputs: [random.tensor(xShape)], op: { globalAveragePool($0[0]) },
            reference: { Reference.globalAveragePool(x: $0[0], xShape: xShape) })
    }

    func testChannelAffine() {
        var random = TestRandom(seed: 15)
        let inputs = [random.tensor([2, 3, 3, 4]), random.tensor([4]), random.tensor([4])]
        assertClose(channelAffine(inputs[0], scale: inputs[1], shift: inputs[2]).data,
                    Reference.channelAffine(x: asDouble([inputs[0]])[0], scale: asDouble([inputs[1]])[0], shift: asDouble([inputs[2]])[0]),
                    tolerance: 1e-6)
        assertGradientsMatchFiniteDifferences(
            inputs: inputs, op: { channelAffine($0[0], scale: $0[1], shift: $0[2]) },
            reference: { Reference.channelAffine(x: $0[0], scale: $0[1], shift: $0[2]) })
    }

    func testPaddedAddOfMapsOfDifferentSizesAndChannels() {
        var random = TestRandom(seed: 16)
        // dlib's cases: more channels on one side; a map one pixel smaller; both at once; equal shapes.
        for (aShape, bShape) in [([2, 4, 4, 6], [2, 4, 4, 3]), ([1, 3, 3, 4], [1, 4, 4, 4]), ([1, 3, 3, 8], [1, 4, 4, 4]),
                                 ([2, 2, 3, 2], [2, 2, 3, 2])] {
            let a = random.tensor(aShape), b = random.tensor(bShape)
            let y = paddedAdd(a, b)
            XCTAssertEqual(y.shape, (0..<4).map { max(aShape[$0], bShape[$0]) })
            assertClose(y.data, Reference.paddedAdd(a: asDouble([a])[0], aShape: aShape, b: asDouble([b])[0], bShape: bShape),
                        tolerance: 1e-6)
            assertGradientsMatchFiniteDifferences(
                inputs: [random.tensor(aShape), random.tensor(bShape)], op: { paddedAdd($0[0], $0[1]) },
                reference: { Reference.paddedAdd(a: $0[0], aShape: aShape, b: $0[1], bShape: bShape) })
            // With the ReLU fused: the bits of relu(paddedAdd(a, b)), and its gradients.
            let fused = paddedAdd(a, b, fusedReLU: true)
            XCTAssertEqual(fused.data, relu(paddedAdd(a, b)).data, "\(aShape) + \(bShape)")
            XCTAssertTrue(fused.data.contains(0) && fused.data.contains { $0 > 0 }, "a mix of signs")
            assertGradientsMatchFiniteDifferences(
                inputs: [random.tensor(aShape), random.tensor(bShape)], op: { paddedAdd($0[0], $0[1], fusedReLU: true) },
                reference: { Reference.relu(Reference.paddedAdd(a: $0[0], aShape: aShape, b: $0[1], bShape: bShape)) })
        }
    }

    func testSquaredDifference() {
        var random = TestRandom(seed: 17)
        let inputs = [random.tensor([3, 5]), random.tensor([3, 5])]
        assertClose(squaredDifference(inputs[0], inputs[1]).data,
                    Reference.squaredDifference(asDouble([inputs[0]])[0], asDouble([inputs[1]])[0]), tolerance: 1e-6)
        assertGradientsMatchFiniteDifferences(
            inputs: inputs, op: { squaredDifference($0[0], $0[1]) }, reference: { Reference.squaredDifference($0[0], $0[1]) })
    }

    func testMirrorAndConcatenation() {
        var random = TestRandom(seed: 18)
        let xShape = [2, 3, 4, 2]
        let x = random.tensor(xShape)
        assertClose(mirrored(x).data, Reference.mirrored(x: asDouble([x])[0], xShape: xShape), tolerance: 0)
        XCTAssertEqual(mirrored(mirrored(x)).data, x.data)
        assertGradientsMatchFiniteDifferences(
            inputs: [random.tensor(xShape)], op: { mirrored($0[0]) }, reference: { Reference.mirrored(x: $0[0], xShape: xShape) })
        let (a, b) = (random.tensor([2, 3]), random.tensor([1, 3]))
        XCTAssertEqual(concatenateRows([a, b]).shape, [3, 3])
        assertGradientsMatchFiniteDifferences(inputs: [a, b], op: { concatenateRows([$0[0], $0[1]]) }, reference: { $0[0] + $0[1] })
    }
}
