// MultiplyAddRatesTests.swift — `auto` prefers bfloat16 only where its dot products multiply clearly faster
// than float32 FMAs, and the probe that measures both answers plausibly on whatever CPU runs the suite.
import MatrixKernels
@testable import Tensor
import XCTest

final class MultiplyAddRatesTests: XCTestCase {
    func testBFloat16PaysOnlyWithAClearLead() {
        XCTAssertTrue(MultiplyAddRates(float32: 80e9, bfloat16: 160e9).bfloat16Pays, "as many dot products as FMAs (Zen 4, Zen 5)")
        XCTAssertFalse(MultiplyAddRates(float32: 80e9, bfloat16: 80e9).bfloat16Pays, "dot products on one port, FMAs on two")
        XCTAssertFalse(MultiplyAddRates(float32: 80e9, bfloat16: 119e9).bfloat16Pays)
        XCTAssertTrue(MultiplyAddRates(float32: 80e9, bfloat16: 120e9).bfloat16Pays)
        XCTAssertFalse(MultiplyAddRates(float32: 80e9, bfloat16: 0).bfloat16Pays, "no AVX512_BF16")
        XCTAssertFalse(MultiplyAddRates(float32: 0, bfloat16: 0).bfloat16Pays, "no AVX-512")
    }

    func testTheProbesMeasureThisCPU() {
        let rates = MultiplyAddRates.measure()  // the best of three runs: one preempted run cannot fail the test
        print("multiply-adds per second on one core: float32 \(rates.float32), bfloat16 \(rates.bfloat16)")
        let hasAVX512 = KernelPath.supported.contains(.avx512)
        XCTAssertEqual(rates.float32 > 0, hasAVX512)
        XCTAssertEqual(rates.bfloat16 > 0, fv_gemm_bf16_available() != 0)
        for rate in [rates.float32, rates.bfloat16] where rate > 0 {
            XCTAssertTrue((1e9...1e12).contains(rate), "\(rate) multiply-adds per second on one core")
        }
        XCTAssertEqual(fv_probe_float32_multiply_adds(0), 0, "no rounds, no rate")
        XCTAssertEqual(MatrixPrecision.isBFloat16Faster, MatrixPrecision.isBFloat16Available && MultiplyAddRates.measured.bfloat16Pays)
    }
}
