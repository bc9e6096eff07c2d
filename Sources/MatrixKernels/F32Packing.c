/*
 * F32Packing.c — operands into the float32 GEMM's packed layouts (F32Blocking.h), from a matrix in
 * either orientation; rows and columns beyond the matrix are packed as zeros.
 */
#include "F32Blocking.h"

#include <string.h>

void f32_pack_a(int transpose_a, const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0, int64_t steps,
                int mr, float *panel) {
    if (transpose_a) {
        /* A is stored [k, m]: op(A)[r, p] = a[(k0 + p) · lda + m0 + r], rows contiguous per step. */
        for (int64_t p = 0; p < steps; p++) {
            const float *source = a + (k0 + p) * lda + m0;
            float *target = panel + p * mr;
            memcpy(target, source, (size_t)rows * sizeof(float));
            for (int64_t r = rows; r < mr; r++) target[r] = 0;
        }
    } else {
        for (int64_t r = 0; r < mr; r++) {
            if (r < rows) {
                const float *source = a + (m0 + r) * lda + k0;
                for (int64_t p = 0; p < steps; p++) panel[p * mr + r] = source[p];
            } else {
                for (int64_t p = 0; p < steps; p++) panel[p * mr + r] = 0;
            }
        }
    }
}

void f32_pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0, int64_t columns,
                int nr, float *panels) {
    for (int64_t j0 = 0; j0 < columns; j0 += nr) {
        const int64_t width = columns - j0 < nr ? columns - j0 : nr;
        float *panel = panels + j0 * steps;   /* panel j0 / nr holds steps · nr floats */
        if (transpose_b) {
            /* B is stored [n, k]: op(B)[p, j] = b[(n0 + j) · ldb + k0 + p]. */
            for (int64_t j = 0; j < nr; j++) {
                if (j < width) {
                    const float *source = b + (n0 + j0 + j) * ldb + k0;
                    for (int64_t p = 0; p < steps; p++) panel[p * nr + j] = source[p];
                } else {
                    for (int64_t p = 0; p < steps; p++) panel[p * nr + j] = 0;
                }
            }
        } else {
            for (int64_t p = 0; p < steps; p++) {
                const float *source = b + (k0 + p) * ldb + n0 + j0;
                float *target = panel + p * nr;
                memcpy(target, source, (size_t)width * sizeof(float));
                for (int64_t j = width; j < nr; j++) target[j] = 0;
            }
        }
    }
}

/* ---- AVX-512: A as stored [m, k] into a 12-row panel, 16 steps at a time through a 16 × 16 transpose ---- */

#include <immintrin.h>

/* rows[i] (16 rows of 16 floats) becomes column i of the block. */
TARGET_AVX512 static inline void transpose_16x16(__m512 rows[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(rows[2 * i], rows[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(rows[2 * i], rows[2 * i + 1]);
    }
    /* Each 128-bit lane L of rows[4i + j] now holds column 4L + j of rows 4i … 4i + 3. */
    for (int i = 0; i < 4; i++) {
        rows[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        rows[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        rows[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        rows[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    /* Gather the four 128-bit lanes of each column from the four row groups. */
    for (int j = 0; j < 4; j++) {
        t[j] = _mm512_shuffle_f32x4(rows[j], rows[4 + j], 0x88);
        t[4 + j] = _mm512_shuffle_f32x4(rows[j], rows[4 + j], 0xDD);
        t[8 + j] = _mm512_shuffle_f32x4(rows[8 + j], rows[12 + j], 0x88);
        t[12 + j] = _mm512_shuffle_f32x4(rows[8 + j], rows[12 + j], 0xDD);
    }
    for (int j = 0; j < 4; j++) {
        rows[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
        rows[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
        rows[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);
        rows[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xDD);
    }
}

/* The first `count` (≤ 16) values of `valid` rows (row r at source + r · ld; rows beyond are zeros), as
 * columns: block[c] holds value c of every row. Each row stream is prefetched four blocks ahead (without it
 * the parallel streams starve: a plain row-by-row copy was faster). */
TARGET_AVX512 static inline void load_columns_16(const float *source, int64_t ld, int64_t valid, int64_t count,
                                                 __m512 block[16]) {
    const __mmask16 mask = (__mmask16)((1u << count) - 1u);
    for (int r = 0; r < 16; r++) {
        if (r < valid) {
            _mm_prefetch((const char *)(source + r * ld + 64), _MM_HINT_T0);
            block[r] = _mm512_maskz_loadu_ps(mask, source + r * ld);
        } else {
            block[r] = _mm512_setzero_ps();
        }
    }
    transpose_16x16(block);
}

TARGET_AVX512 void f32_pack_a_avx512(const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0, int64_t steps,
                                     float *panel) {
    enum { MR = 12 };
    for (int64_t p0 = 0; p0 < steps; p0 += 16) {
        const int64_t count = steps - p0 < 16 ? steps - p0 : 16;
        __m512 block[16];
        load_columns_16(a + m0 * lda + k0 + p0, lda, rows < MR ? rows : MR, count, block);
        /* Whole 16-lane stores in order: each one's last 4 lanes are overwritten by the next; only the
         * panel's very last step is stored masked, so nothing is written past the panel. */
        for (int64_t c = 0; c < count; c++) {
            if (p0 + c + 1 < steps) {
                _mm512_storeu_ps(panel + (p0 + c) * MR, block[c]);
            } else {
                _mm512_mask_storeu_ps(panel + (p0 + c) * MR, (__mmask16)0x0fff, block[c]);
            }
        }
    }
}

/* ---- AVX2: A as stored [m, k] into a 6-row panel, 8 steps at a time through an 8 × 8 transpose ---- */

/* rows[i] (8 rows of 8 floats) becomes column i of the block. */
TARGET_AVX2 static inline void transpose_8x8(__m256 rows[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(rows[2 * i], rows[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(rows[2 * i], rows[2 * i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        rows[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        rows[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

/* As load_columns_16, for 8 rows of up to 8 values (prefetching eight blocks ahead). */
TARGET_AVX2 static inline void load_columns_8(const float *source, int64_t ld, int64_t valid, int64_t count, __m256 block[8]) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int r = 0; r < 8; r++) {
        if (r < valid) {
            _mm_prefetch((const char *)(source + r * ld + 64), _MM_HINT_T0);
            block[r] = _mm256_maskload_ps(source + r * ld, mask);
        } else {
            block[r] = _mm256_setzero_ps();
        }
    }
    transpose_8x8(block);
}

TARGET_AVX2 void f32_pack_a_avx2(const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0, int64_t steps,
                                 float *panel) {
    enum { MR = 6 };
    const __m256i six = _mm256_cmpgt_epi32(_mm256_set1_epi32(MR), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int64_t p0 = 0; p0 < steps; p0 += 8) {
        const int64_t count = steps - p0 < 8 ? steps - p0 : 8;
        __m256 block[8];
        load_columns_8(a + m0 * lda + k0 + p0, lda, rows < MR ? rows : MR, count, block);
        /* Whole 8-lane stores in order, each one's last 2 lanes overwritten by the next; the panel's last
         * step stored masked, so nothing is written past the panel. */
        for (int64_t c = 0; c < count; c++) {
            if (p0 + c + 1 < steps) {
                _mm256_storeu_ps(panel + (p0 + c) * MR, block[c]);
            } else {
                _mm256_maskstore_ps(panel + (p0 + c) * MR, six, block[c]);
            }
        }
    }
}

/* ---- Bᵀ (B stored [n, k]) into panels of nr columns: the same transposes, nr / 16 (or nr / 8) at a time ---- */

TARGET_AVX512 void f32_pack_b_transposed_avx512(const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                                                int64_t columns, float *panels) {
    enum { NR = 32 };
    for (int64_t j0 = 0; j0 < columns; j0 += NR) {
        float *panel = panels + j0 * steps;
        for (int half = 0; half < 2; half++) {
            const int64_t first = j0 + 16 * half;
            for (int64_t p0 = 0; p0 < steps; p0 += 16) {
                const int64_t count = steps - p0 < 16 ? steps - p0 : 16;
                __m512 block[16];
                load_columns_16(b + (n0 + first) * ldb + k0 + p0, ldb, columns - first, count, block);
                for (int64_t c = 0; c < count; c++) _mm512_storeu_ps(panel + (p0 + c) * NR + 16 * half, block[c]);
            }
        }
    }
}

TARGET_AVX2 void f32_pack_b_transposed_avx2(const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                                            int64_t columns, float *panels) {
    enum { NR = 16 };
    for (int64_t j0 = 0; j0 < columns; j0 += NR) {
        float *panel = panels + j0 * steps;
        for (int half = 0; half < 2; half++) {
            const int64_t first = j0 + 8 * half;
            for (int64_t p0 = 0; p0 < steps; p0 += 8) {
                const int64_t count = steps - p0 < 8 ? steps - p0 : 8;
                __m256 block[8];
                load_columns_8(b + (n0 + first) * ldb + k0 + p0, ldb, columns - first, count, block);
                for (int64_t c = 0; c < count; c++) _mm256_storeu_ps(panel + (p0 + c) * NR + 8 * half, block[c]);
            }
        }
    }
}

/* ---- Strips: rows of a matrix that are already contiguous in the panel's order (op(A) with A stored
 * [k, m], op(B) with B stored [k, n]): `count` floats a step, padded to the panel's width with zeros.
 * In vectors rather than a memcpy per step: a step is 6 to 32 floats, and a library call for each
 * cost more than the copy. ---- */

TARGET_AVX512 void f32_pack_strips_avx512(const float *source, int64_t ld, int64_t count, int64_t steps, int width,
                                          float *target) {
    for (int w0 = 0; w0 < width; w0 += 16) {
        const int lanes = width - w0 < 16 ? width - w0 : 16;
        const int64_t valid = count - w0 <= 0 ? 0 : (count - w0 < 16 ? count - w0 : 16);
        const __mmask16 load = (__mmask16)((1u << valid) - 1u), store = (__mmask16)((1u << lanes) - 1u);
        for (int64_t p = 0; p < steps; p++) {
            _mm_prefetch((const char *)(source + (p + 8) * ld + w0), _MM_HINT_T0);
            const __m512 values = _mm512_maskz_loadu_ps(load, source + p * ld + w0);
            /* A narrower panel (12 rows) takes whole stores in order, each one's extra lanes overwritten
             * by the next step's; only the last step is stored masked, so nothing lands past the panel. */
            if (lanes == 16 || p + 1 < steps) {
                _mm512_storeu_ps(target + p * width + w0, values);
            } else {
                _mm512_mask_storeu_ps(target + p * width + w0, store, values);
            }
        }
    }
}

TARGET_AVX2 void f32_pack_strips_avx2(const float *source, int64_t ld, int64_t count, int64_t steps, int width,
                                      float *target) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int w0 = 0; w0 < width; w0 += 8) {
        const int lanes = width - w0 < 8 ? width - w0 : 8;
        const int64_t valid = count - w0 <= 0 ? 0 : (count - w0 < 8 ? count - w0 : 8);
        const __m256i load = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), lane);
        const __m256i store = _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), lane);
        for (int64_t p = 0; p < steps; p++) {
            _mm_prefetch((const char *)(source + (p + 8) * ld + w0), _MM_HINT_T0);
            const __m256 values = _mm256_maskload_ps(source + p * ld + w0, load);
            if (lanes == 8 || p + 1 < steps) {   /* as above: overlapping whole stores, the last one masked */
                _mm256_storeu_ps(target + p * width + w0, values);
            } else {
                _mm256_maskstore_ps(target + p * width + w0, store, values);
            }
        }
    }
}
