/*
 * BF16MicroKernel.c — the bfloat16 GEMM's inner loop: an MR × NR tile of C (8 × 32 floats in 16
 * zmm accumulators) from one packed A panel and one packed B panel (BF16Blocking.h), one VDPBF16PS
 * per accumulator and k pair, then the epilogue (alpha, beta, bias, ReLU) in the masked stores; and the
 * same tile with its A words read straight from a bfloat16 image (a convolution's patches).
 */
#include "BF16Blocking.h"

#include <string.h>

/* Stores one 16-lane vector of sums into C at `target` (lanes beyond `mask` untouched). */
TARGET_BF16 static inline void store_sums(float *target, __m512 sums, __mmask16 mask, const float *bias,
                                          const bf16_epilogue *e) {
    __m512 value = _mm512_mul_ps(_mm512_set1_ps(e->alpha), sums);
    if (e->beta != 0) value = _mm512_fmadd_ps(_mm512_set1_ps(e->beta), _mm512_maskz_loadu_ps(mask, target), value);
    if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, bias));
    if (e->relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(target, mask, value);
}

/* The 16 accumulators of an MR × NR tile, zeroed. */
TARGET_BF16 static inline void zero_tile(__m512 acc[MR][2]) {
    for (int r = 0; r < MR; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
}

/* The tile of C that store_tile reads (beta ≠ 0) and writes, fetched while the sums are made. */
static inline void prefetch_tile(const float *c, int64_t ldc, int64_t rows) {
    for (int r = 0; r < MR && r < rows; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
    }
}

/* A tile's sums into C[0 ..< rows, 0 ..< columns] through the epilogue. */
TARGET_BF16 static inline void store_tile(__m512 acc[MR][2], float *c, int64_t ldc, int64_t rows, int64_t columns,
                                          const bf16_epilogue *e) {
    const __mmask16 masks[2] = {first_lanes(columns), first_lanes(columns - 16)};
    for (int r = 0; r < MR && r < rows; r++) {
        for (int h = 0; h < 2; h++) {
            store_sums(c + r * ldc + h * 16, acc[r][h], masks[h], e->bias ? e->bias + h * 16 : NULL, e);
        }
    }
}

/*
 * C[0 ..< rows, 0 ..< columns] from Apanel · Bpanel over `pairs` k pairs, through the epilogue.
 * 16 accumulators (8 rows × 2 vectors); each k pair loads two B vectors and broadcasts 8 A words.
 */
TARGET_BF16 void bf16_micro_kernel(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel,
                                     float *c, int64_t ldc, int64_t rows, int64_t columns, const bf16_epilogue *e) {
    __m512 acc[MR][2];
    zero_tile(acc);
    prefetch_tile(c, ldc, rows);
    for (int64_t p = 0; p < pairs; p++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b_panel + p * NR);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b_panel + p * NR + 16);
        const uint32_t *a_pair = a_panel + p * MR;
        for (int r = 0; r < MR; r++) {
            const __m512bh a = (__m512bh)_mm512_set1_epi32((int)a_pair[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], a, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], a, b1);
        }
    }
    store_tile(acc, c, ldc, rows, columns, e);
}

/*
 * The same for a single row of C (a batch of one through a dense layer): one broadcast and two
 * dot products per k pair, so the loop streams B at memory speed instead of computing 7 empty rows.
 */
TARGET_BF16 void bf16_micro_kernel_one_row(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel,
                                             float *c, int64_t columns, const bf16_epilogue *e) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    for (int64_t p = 0; p < pairs; p++) {
        const __m512bh a = (__m512bh)_mm512_set1_epi32((int)a_panel[p * MR]);
        acc0 = _mm512_dpbf16_ps(acc0, a, (__m512bh)_mm512_loadu_si512(b_panel + p * NR));
        acc1 = _mm512_dpbf16_ps(acc1, a, (__m512bh)_mm512_loadu_si512(b_panel + p * NR + 16));
    }
    store_sums(c, acc0, first_lanes(columns), e->bias, e);
    store_sums(c + 16, acc1, first_lanes(columns - 16), e->bias ? e->bias + 16 : NULL, e);
}

/* One bfloat16 pair (two consecutive k) of an image as a 32-bit word, broadcast to 16 lanes. */
TARGET_BF16 static inline __m512bh broadcast_pair(const uint16_t *pair) {
    uint32_t word;
    memcpy(&word, pair, sizeof word);   /* an odd channel count puts pairs at 2-byte offsets */
    return (__m512bh)_mm512_set1_epi32((int)word);
}

/*
 * The MR × NR tile with row r of A read from the bfloat16 image at rows[r]: k pair p of the block is the
 * word at rows[r] + offsets[p] (values), against the B panel's pair p. No A panel is packed: the 8 rows'
 * patches overlap in the image, which stays in L1 while the tile's broadcasts walk it.
 */
TARGET_BF16 void bf16_micro_kernel_image(int64_t pairs, const uint16_t *const rows[MR], const int32_t *offsets,
                                         const uint32_t *b_panel, float *c, int64_t ldc, int64_t tile_rows,
                                         int64_t columns, const bf16_epilogue *e) {
    __m512 acc[MR][2];
    zero_tile(acc);
    prefetch_tile(c, ldc, tile_rows);
    const uint16_t *a[MR];
    for (int r = 0; r < MR; r++) a[r] = rows[r];
    for (int64_t p = 0; p < pairs; p++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b_panel + p * NR);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b_panel + p * NR + 16);
        const int64_t offset = offsets[p];
        for (int r = 0; r < MR; r++) {
            const __m512bh word = broadcast_pair(a[r] + offset);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], word, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], word, b1);
        }
    }
    store_tile(acc, c, ldc, tile_rows, columns, e);
}
