/*
 * F32MicroKernels.c — the float32 GEMM's inner loops, one per kernel path (F32Blocking.h): a whole
 * MR × NR tile of sums from one packed A panel and one packed B panel, one FMA per accumulator and k
 * step, then the epilogue (alpha, beta, bias, ReLU) in masked stores.
 */
#include "F32Blocking.h"

#include <immintrin.h>

/* ---- AVX-512: 12 × 32 ---- */

enum { AVX512_MR = 12, AVX512_NR = 32 };

static inline __mmask16 lanes16(int64_t count) {
    if (count >= 16) return (__mmask16)0xffff;
    if (count <= 0) return 0;
    return (__mmask16)((1u << count) - 1u);
}

TARGET_AVX512 static inline void store16(float *target, __m512 sums, __mmask16 mask, const float *bias, const f32_epilogue *e) {
    __m512 value = _mm512_mul_ps(_mm512_set1_ps(e->alpha), sums);
    if (e->beta != 0) value = _mm512_fmadd_ps(_mm512_set1_ps(e->beta), _mm512_maskz_loadu_ps(mask, target), value);
    if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, bias));
    if (e->relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(target, mask, value);
}

TARGET_AVX512 void f32_micro_kernel_avx512(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                           int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e) {
    __m512 acc[AVX512_MR][2];
    for (int r = 0; r < AVX512_MR; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    /* The tile of C, read (beta ≠ 0) and written once the sums are done, is fetched while they are made. */
    for (int r = 0; r < AVX512_MR && r < rows; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
    }
    for (int64_t p = 0; p < steps; p++) {
        const __m512 b0 = _mm512_loadu_ps(b_panel + p * AVX512_NR);
        const __m512 b1 = _mm512_loadu_ps(b_panel + p * AVX512_NR + 16);
        const float *a = a_panel + p * AVX512_MR;
        for (int r = 0; r < AVX512_MR; r++) {
            const __m512 x = _mm512_set1_ps(a[r]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    const __mmask16 masks[2] = {lanes16(columns), lanes16(columns - 16)};
    for (int r = 0; r < AVX512_MR && r < rows; r++) {
        for (int h = 0; h < 2; h++) {
            if (masks[h]) store16(c + r * ldc + h * 16, acc[r][h], masks[h], e->bias ? e->bias + h * 16 : NULL, e);
        }
    }
}

/* ---- AVX2: 6 × 16 ---- */

enum { AVX2_MR = 6, AVX2_NR = 16 };

TARGET_AVX2 static inline __m256i lanes8(int64_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int32_t limit = count < 0 ? 0 : (count > 8 ? 8 : (int32_t)count);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(limit), index);
}

/* `full`: all 8 lanes are C's, stored with plain moves (AVX2's masked store is microcoded on some CPUs). */
TARGET_AVX2 static inline void store8(float *target, __m256 sums, __m256i mask, int full, const float *bias,
                                      const f32_epilogue *e) {
    __m256 value = _mm256_mul_ps(_mm256_set1_ps(e->alpha), sums);
    if (e->beta != 0) {
        const __m256 old = full ? _mm256_loadu_ps(target) : _mm256_maskload_ps(target, mask);
        value = _mm256_fmadd_ps(_mm256_set1_ps(e->beta), old, value);
    }
    if (bias) value = _mm256_add_ps(value, full ? _mm256_loadu_ps(bias) : _mm256_maskload_ps(bias, mask));
    if (e->relu) value = _mm256_max_ps(value, _mm256_setzero_ps());
    if (full) {
        _mm256_storeu_ps(target, value);
    } else {
        _mm256_maskstore_ps(target, mask, value);
    }
}

TARGET_AVX2 void f32_micro_kernel_avx2(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                       int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e) {
    __m256 acc[AVX2_MR][2];
    for (int r = 0; r < AVX2_MR; r++) {
        acc[r][0] = _mm256_setzero_ps();
        acc[r][1] = _mm256_setzero_ps();
    }
    for (int r = 0; r < AVX2_MR && r < rows; r++) {   /* as in the AVX-512 kernel: C's tile fetched early */
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
    }
    for (int64_t p = 0; p < steps; p++) {
        const __m256 b0 = _mm256_loadu_ps(b_panel + p * AVX2_NR);
        const __m256 b1 = _mm256_loadu_ps(b_panel + p * AVX2_NR + 8);
        const float *a = a_panel + p * AVX2_MR;
        for (int r = 0; r < AVX2_MR; r++) {
            const __m256 x = _mm256_broadcast_ss(a + r);
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    const __m256i masks[2] = {lanes8(columns), lanes8(columns - 8)};
    for (int r = 0; r < AVX2_MR && r < rows; r++) {
        for (int h = 0; h < 2; h++) {
            if (columns > h * 8) {
                store8(c + r * ldc + h * 8, acc[r][h], masks[h], columns >= (h + 1) * 8, e->bias ? e->bias + h * 8 : NULL, e);
            }
        }
    }
}

/* ---- scalar: 4 × 4 ---- */

enum { SCALAR_MR = 4, SCALAR_NR = 4 };

void f32_micro_kernel_scalar(int64_t steps, const float *a_panel, const float *b_panel, float *c, int64_t ldc,
                             int64_t rows, int64_t columns, const f32_epilogue *e) {
    float acc[SCALAR_MR][SCALAR_NR] = {{0}};
    for (int64_t p = 0; p < steps; p++) {
        for (int r = 0; r < SCALAR_MR; r++) {
            for (int j = 0; j < SCALAR_NR; j++) acc[r][j] += a_panel[p * SCALAR_MR + r] * b_panel[p * SCALAR_NR + j];
        }
    }
    for (int r = 0; r < SCALAR_MR && r < rows; r++) {
        for (int j = 0; j < SCALAR_NR && j < columns; j++) {
            float value = e->alpha * acc[r][j];
            if (e->beta != 0) value += e->beta * c[r * ldc + j];
            if (e->bias) value += e->bias[j];
            if (e->relu && value < 0) value = 0;
            c[r * ldc + j] = value;
        }
    }
}
