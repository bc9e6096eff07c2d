/*
 * F32MicroKernels.c — the float32 GEMM's inner loops, one per kernel path (F32Blocking.h): a whole
 * MR × NR tile of sums from one packed A panel and one packed B panel, one FMA per accumulator and k
 * step, then the epilogue (alpha, beta, bias, ReLU) in masked stores.
 *
 * Each path's tile is one always-inlined body that reads A either from a packed panel (a[p · MR + r]) or,
 * for a convolution, from its padded image (Patches.h: row r's k step p at rows[r][offsets[p]]); the two
 * entry points instantiate it, so both sum the same products in the same order and give the same bits.
 */
#include "F32Blocking.h"

#include <immintrin.h>

#define ALWAYS_INLINE __attribute__((always_inline)) static inline

/* A's value for tile row r at k step p: from the panel, or (from_image, a constant in each instantiation,
 * so that the test folds away) from the image. */
#define A_VALUE(mr, r, p) (from_image ? image_rows[r][offset] : a_panel[(p) * (mr) + (r)])

/* Between one row's broadcast and the next, in the image's instantiation: without it the compiler loads
 * all of a step's broadcasts (from as many pointers) first, runs out of vector registers and keeps
 * accumulators in memory (twice as slow); an empty barrier on memory keeps each load beside its FMAs. */
#define KEEP_IMAGE_LOADS_IN_ORDER() do { if (from_image) __asm__ volatile("" ::: "memory"); } while (0)

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

TARGET_AVX512 ALWAYS_INLINE void tile_avx512(int from_image, int64_t steps, const float *a_panel, const float *const *image_rows,
                                             const int32_t *offsets, const float *b_panel, float *c, int64_t ldc,
                                             int64_t rows, int64_t columns, const f32_epilogue *e) {
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
        const int64_t offset = from_image ? offsets[p] : 0;
        const __m512 b0 = _mm512_loadu_ps(b_panel + p * AVX512_NR);
        const __m512 b1 = _mm512_loadu_ps(b_panel + p * AVX512_NR + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < AVX512_MR; r++) {
            const __m512 x = _mm512_set1_ps(A_VALUE(AVX512_MR, r, p));
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
            KEEP_IMAGE_LOADS_IN_ORDER();
        }
    }
    const __mmask16 masks[2] = {lanes16(columns), lanes16(columns - 16)};
    for (int r = 0; r < AVX512_MR && r < rows; r++) {
        for (int h = 0; h < 2; h++) {
            if (masks[h]) store16(c + r * ldc + h * 16, acc[r][h], masks[h], e->bias ? e->bias + h * 16 : NULL, e);
        }
    }
}

TARGET_AVX512 void f32_micro_kernel_avx512(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                           int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e) {
    tile_avx512(0, steps, a_panel, NULL, NULL, b_panel, c, ldc, rows, columns, e);
}

TARGET_AVX512 void f32_micro_kernel_image_avx512(F32_IMAGE_KERNEL_PARAMETERS) {
    tile_avx512(1, steps, NULL, image_rows, offsets, b_panel, c, ldc, rows, columns, e);
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

TARGET_AVX2 ALWAYS_INLINE void tile_avx2(int from_image, int64_t steps, const float *a_panel, const float *const *image_rows,
                                         const int32_t *offsets, const float *b_panel, float *c, int64_t ldc,
                                         int64_t rows, int64_t columns, const f32_epilogue *e) {
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
        const int64_t offset = from_image ? offsets[p] : 0;
        const __m256 b0 = _mm256_loadu_ps(b_panel + p * AVX2_NR);
        const __m256 b1 = _mm256_loadu_ps(b_panel + p * AVX2_NR + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < AVX2_MR; r++) {
            const __m256 x = _mm256_set1_ps(A_VALUE(AVX2_MR, r, p));
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
            KEEP_IMAGE_LOADS_IN_ORDER();
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

TARGET_AVX2 void f32_micro_kernel_avx2(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                       int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e) {
    tile_avx2(0, steps, a_panel, NULL, NULL, b_panel, c, ldc, rows, columns, e);
}

TARGET_AVX2 void f32_micro_kernel_image_avx2(F32_IMAGE_KERNEL_PARAMETERS) {
    tile_avx2(1, steps, NULL, image_rows, offsets, b_panel, c, ldc, rows, columns, e);
}

/* ---- scalar: 4 × 4 ---- */

enum { SCALAR_MR = 4, SCALAR_NR = 4 };

ALWAYS_INLINE void tile_scalar(int from_image, int64_t steps, const float *a_panel, const float *const *image_rows, const int32_t *offsets,
                               const float *b_panel, float *c, int64_t ldc, int64_t rows, int64_t columns,
                               const f32_epilogue *e) {
    float acc[SCALAR_MR][SCALAR_NR] = {{0}};
    for (int64_t p = 0; p < steps; p++) {
        const int64_t offset = from_image ? offsets[p] : 0;
        for (int r = 0; r < SCALAR_MR; r++) {
            for (int j = 0; j < SCALAR_NR; j++) acc[r][j] += A_VALUE(SCALAR_MR, r, p) * b_panel[p * SCALAR_NR + j];
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

void f32_micro_kernel_scalar(int64_t steps, const float *a_panel, const float *b_panel, float *c, int64_t ldc,
                             int64_t rows, int64_t columns, const f32_epilogue *e) {
    tile_scalar(0, steps, a_panel, NULL, NULL, b_panel, c, ldc, rows, columns, e);
}

void f32_micro_kernel_image_scalar(F32_IMAGE_KERNEL_PARAMETERS) {
    tile_scalar(1, steps, NULL, image_rows, offsets, b_panel, c, ldc, rows, columns, e);
}
