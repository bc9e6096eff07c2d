/*
 * ThroughputProbe.c — how many multiply-adds one core of this CPU issues per second in each of the two
 * arithmetics facever's products run in: float32 FMAs (vfmadd231ps) and bfloat16 dot products (vdpbf16ps:
 * two products summed into each float32 lane), both 512 bits wide.
 *
 * Measured, not looked up, because CPUs with the same flags differ: an AMD Zen 5 core issues as many dot
 * products as FMAs, so bfloat16 doubles its multiply rate; an Intel Xeon of family 6 model 207 issues half as
 * many, so bfloat16 multiplies no faster than float32 there (slower, with its roundings on top).
 * MatrixPrecision.isBFloat16Faster decides from these rates.
 *
 * Each probe runs PROBE_CHAINS independent accumulators (more than latency × ports on any of these cores)
 * for `iterations` rounds and returns the multiply-adds per second it reached on the calling thread; 0 when
 * the CPU lacks the instructions.
 */
#include "MatrixKernels.h"

#include <immintrin.h>
#include <time.h>

#define PROBE_CHAINS 16

static double now_seconds(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + 1e-9 * (double)time.tv_nsec;
}

/* Uses the chains' sums, so that the compiler cannot drop the loop that made them. */
__attribute__((target("avx512f"))) static void keep(const __m512 sums[PROBE_CHAINS]) {
    float sink = 0;
    for (int i = 0; i < PROBE_CHAINS; i++) sink += _mm512_reduce_add_ps(sums[i]);
    volatile float kept = sink;
    (void)kept;
}

__attribute__((target("avx512f"))) static double float32_probe(int64_t iterations) {
    __m512 sums[PROBE_CHAINS];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < PROBE_CHAINS; i++) sums[i] = _mm512_set1_ps((float)i);
    const double start = now_seconds();
    for (int64_t n = 0; n < iterations; n++) {
        for (int i = 0; i < PROBE_CHAINS; i++) sums[i] = _mm512_fmadd_ps(sums[i], a, b);
        __asm__ volatile("" : "+v"(sums[0]));  // keeps the loop from being folded
    }
    const double seconds = now_seconds() - start;
    keep(sums);
    return 16.0 * PROBE_CHAINS * (double)iterations / seconds;
}

__attribute__((target("avx512f,avx512bf16"))) static double bfloat16_probe(int64_t iterations) {
    __m512 sums[PROBE_CHAINS];
    const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3380);  // 1, ~6e-8
    for (int i = 0; i < PROBE_CHAINS; i++) sums[i] = _mm512_set1_ps((float)i);
    const double start = now_seconds();
    for (int64_t n = 0; n < iterations; n++) {
        for (int i = 0; i < PROBE_CHAINS; i++) sums[i] = _mm512_dpbf16_ps(sums[i], a, b);
        __asm__ volatile("" : "+v"(sums[0]));
    }
    const double seconds = now_seconds() - start;
    keep(sums);
    return 32.0 * PROBE_CHAINS * (double)iterations / seconds;
}

double fv_probe_float32_multiply_adds(int64_t iterations) {
    __builtin_cpu_init();
    if (iterations <= 0 || !__builtin_cpu_supports("avx512f")) return 0;
    return float32_probe(iterations);
}

double fv_probe_bfloat16_multiply_adds(int64_t iterations) {
    if (iterations <= 0 || !fv_gemm_bf16_available()) return 0;
    return bfloat16_probe(iterations);
}
