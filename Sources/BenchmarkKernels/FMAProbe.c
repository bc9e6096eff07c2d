// FMAProbe.c — independent FMA chains (12 accumulators cover latency × throughput) at 512, 256 and
// 128 bits; the widest one the CPU runs, up to the width asked for, is picked at run time with
// __builtin_cpu_supports.
#include "BenchmarkKernels.h"

#include <immintrin.h>

#define CHAINS 12

__attribute__((target("avx512f"))) static double probe512(int64_t iterations) {
    __m512 acc[CHAINS];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    float sink = 0;
    for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(acc[i]);
    volatile float keep = sink;
    (void)keep;
    return 2.0 * 16 * CHAINS * (double)iterations;
}

__attribute__((target("avx2,fma"))) static double probe256(int64_t iterations) {
    __m256 acc[CHAINS];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    float lanes[8], sink = 0;
    for (int i = 0; i < CHAINS; i++) {
        _mm256_storeu_ps(lanes, acc[i]);
        for (int j = 0; j < 8; j++) sink += lanes[j];
    }
    volatile float keep = sink;
    (void)keep;
    return 2.0 * 8 * CHAINS * (double)iterations;
}

static double probe128(int64_t iterations) {
    __m128 acc[CHAINS];
    const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
    }
    float lanes[4], sink = 0;
    for (int i = 0; i < CHAINS; i++) {
        _mm_storeu_ps(lanes, acc[i]);
        for (int j = 0; j < 4; j++) sink += lanes[j];
    }
    volatile float keep = sink;
    (void)keep;
    return 2.0 * 4 * CHAINS * (double)iterations;
}

double fv_fma_probe(int64_t iterations, int32_t widest, int32_t *width) {
    __builtin_cpu_init();
    if (widest >= 16 && __builtin_cpu_supports("avx512f")) {
        *width = 16;
        return probe512(iterations);
    }
    if (widest >= 8 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *width = 8;
        return probe256(iterations);
    }
    *width = 4;
    return probe128(iterations);
}
