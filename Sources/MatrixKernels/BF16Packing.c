/*
 * BF16Packing.c — operands into the bfloat16 GEMM's packed layouts (BF16Blocking.h): float32 values
 * rounded to bfloat16 (nearest, ties to even, as VCVTNEPS2BF16 does) and laid out as pairs of
 * consecutive k per 32-bit word, from a matrix in either orientation; and an image rounded to
 * bfloat16 as it is, for the convolution's kernel that reads its patches in place.
 */
#include "BF16Blocking.h"

#include <string.h>

/* Same rounding as VCVTNEPS2BF16: nearest, ties to even; denormals to zero; NaN stays NaN. */
float fv_round_to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0) {
        bits |= 0x00400000u;                      /* quiet NaN */
    } else if ((bits & 0x7f800000u) == 0) {
        bits &= 0x80000000u;                      /* zero or denormal → signed zero */
    } else {
        bits += 0x7fffu + ((bits >> 16) & 1u);
    }
    bits &= 0xffff0000u;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* 16 words (x0[i], x1[i]) from up to `count` floats of two rows; row1 may be NULL (zeros). */
TARGET_BF16 static inline __m512i pair_two_rows(const float *row0, const float *row1, int64_t count) {
    const __mmask16 mask = first_lanes(count);
    const __m512 x0 = _mm512_maskz_loadu_ps(mask, row0);
    const __m512 x1 = row1 ? _mm512_maskz_loadu_ps(mask, row1) : _mm512_setzero_ps();
    const __m512i low = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(x0));
    const __m512i high = _mm512_slli_epi32(_mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(x1)), 16);
    return _mm512_or_si512(low, high);
}

/*
 * Source laid out with the panel's index contiguous: element (k, i) at src[k · ld + i], i < valid.
 * Writes `pairs` rows of `width` words: dst[p · width + i] = (src(2p, i), src(2p + 1, i)).
 * Used for Aᵀ panels (i = m) and for B panels (i = n).
 */
TARGET_BF16 static void pack_pairs_of_rows(const float *src, int64_t ld, int64_t steps, int64_t valid,
                                           int width, uint32_t *dst) {
    const int64_t pairs = (steps + 1) / 2;
    for (int64_t p = 0; p < pairs; p++) {
        const float *row0 = src + (2 * p) * ld;
        const float *row1 = (2 * p + 1 < steps) ? row0 + ld : NULL;
        for (int i = 0; i < width; i += 16) {
            const __m512i words = pair_two_rows(row0 + i, row1 ? row1 + i : NULL, valid - i);
            _mm512_mask_storeu_epi32(dst + p * width + i, first_lanes(width - i), words);
        }
    }
}

/* Transposes 8 rows of 8 words (one ymm each) in place: rows[j] becomes column j. */
TARGET_BF16 static inline void transpose_8x8_words(__m256 rows[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(rows[i], rows[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
    }
    for (int i = 0; i < 4; i++) {
        rows[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        rows[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

/* Converts 8 rows of 16 floats (k .. k + 15 of a panel) and stores them as 8 k pairs × 8 rows of words. */
TARGET_BF16 static inline void store_pairs_of_8_rows(const __m512 values[8], int64_t k, int64_t steps, int width,
                                                      int group, uint32_t *dst) {
    __m256 rows[8];
    for (int r = 0; r < 8; r++) rows[r] = (__m256)_mm512_cvtneps_pbh(values[r]);
    transpose_8x8_words(rows);
    const int64_t firstPair = k / 2;
    const int64_t pairsHere = (steps - k + 1) / 2 < 8 ? (steps - k + 1) / 2 : 8;
    for (int64_t p = 0; p < pairsHere; p++) {
        _mm256_storeu_ps((float *)(dst + (firstPair + p) * width + group), rows[p]);
    }
}

/*
 * Source laid out with k contiguous: element (i, k) at src[i · ld + k], i < valid (rows beyond are
 * zeros). Writes dst[p · width + i] = (src(i, 2p), src(i, 2p + 1)), in groups of 8 rows and 16 k,
 * transposing 8 × 8 words at a time. Used for A panels (i = m) and for Bᵀ panels (i = n).
 */
TARGET_BF16 static void pack_rows_of_pairs(const float *src, int64_t ld, int64_t steps, int64_t valid,
                                           int width, uint32_t *dst) {
    for (int group = 0; group < width; group += 8) {
        for (int64_t k = 0; k < steps; k += 16) {
            const __mmask16 mask = first_lanes(steps - k);
            __m512 values[8];
            for (int r = 0; r < 8; r++) {
                const int64_t i = group + r;
                if (i < valid) {
                    _mm_prefetch((const char *)(src + i * ld + k + 64), _MM_HINT_T0);  /* four blocks ahead: 8 streams */
                    values[r] = _mm512_maskz_loadu_ps(mask, src + i * ld + k);
                } else {
                    values[r] = _mm512_setzero_ps();
                }
            }
            store_pairs_of_8_rows(values, k, steps, width, group, dst);
        }
    }
}

TARGET_BF16 void bf16_pack_a(int transpose_a, const float *a, int64_t lda, int64_t m0, int64_t rows,
                             int64_t k0, int64_t steps, uint32_t *panel) {
    if (transpose_a) {
        pack_pairs_of_rows(a + k0 * lda + m0, lda, steps, rows, MR, panel);
    } else {
        pack_rows_of_pairs(a + m0 * lda + k0, lda, steps, rows, MR, panel);
    }
}

TARGET_BF16 void bf16_pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps,
                             int64_t n0, int64_t columns, uint32_t *panels) {
    const int64_t pairs = (steps + 1) / 2;
    if (transpose_b) {
        for (int64_t j = 0; j < columns; j += NR) {
            const int64_t valid = columns - j < NR ? columns - j : NR;
            pack_rows_of_pairs(b + (n0 + j) * ldb + k0, ldb, steps, valid, NR, panels + (j / NR) * pairs * NR);
        }
        return;
    }
    /* B as stored: two whole rows at a time, front to back (what the prefetchers follow), each pair of
     * rows spread over every panel, rather than panel by panel down B's columns. */
    for (int64_t p = 0; p < pairs; p++) {
        const float *row0 = b + (k0 + 2 * p) * ldb + n0;
        const float *row1 = 2 * p + 1 < steps ? row0 + ldb : NULL;
        for (int64_t j = 0; j < columns; j += NR) {
            uint32_t *target = panels + (j / NR) * pairs * NR + p * NR;
            for (int i = 0; i < NR; i += 16) {
                const __m512i words = pair_two_rows(row0 + j + i, row1 ? row1 + j + i : NULL, columns - j - i);
                _mm512_mask_storeu_epi32(target + i, first_lanes(NR - i), words);
            }
        }
    }
}

TARGET_BF16 void bf16_convert(const float *x, int64_t count, uint16_t *out) {
    for (int64_t i = 0; i < count; i += 16) {
        const __mmask16 mask = first_lanes(count - i);
        const __m256i values = (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, x + i));
        _mm256_mask_storeu_epi16(out + i, mask, values);
    }
}
