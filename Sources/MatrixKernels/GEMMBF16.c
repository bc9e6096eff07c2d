/*
 * GEMMBF16.c — C = alpha · op(A) · op(B) + beta · C with bfloat16 inputs and float32 sums (see
 * MatrixKernels.h for the contract).
 *
 * The classic three-level blocking:
 *   for each block of NC columns of C
 *     for each block of KC steps of k:   pack op(B)[k-block, n-block] into panels of NR columns (L2)
 *       for each tile of MR rows of C:   pack op(A)[m-tile, k-block] into one panel (L1)
 *         for each panel of B:           the MR × NR micro-kernel updates C[m-tile, panel]
 *
 * Packed layouts hold pairs of consecutive k as one 32-bit word (the even k in the low half), which
 * is what VDPBF16PS multiplies and adds per float32 lane:
 *   A panel: word[p · MR + r]  = (A[r, 2p], A[r, 2p + 1])      for the MR rows r of the tile
 *   B panel: word[p · NR + j]  = (B[2p, j], B[2p + 1, j])      for the NR columns j of the panel
 * Rows, columns and the odd last k beyond the matrix are packed as zeros, so the micro-kernel always
 * computes a full tile and masks only its stores.
 */
#include "MatrixKernels.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

enum {
    MR = 8,     /* rows of C per micro-tile: 8 broadcasts per k pair */
    NR = 32,    /* columns of C per micro-tile: two 16-lane vectors */
    KC = 512,   /* k steps per block (even): an A panel is MR · KC · 2 bytes = 8 KiB */
    NC = 256,   /* columns per B block: KC · NC · 2 bytes = 256 KiB, kept in L2 */
};

#define TARGET_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

int fv_gemm_bf16_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

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

/* ---- Packing ---------------------------------------------------------------------------------- */

static inline __mmask16 first_lanes(int64_t count) {
    if (count >= 16) return (__mmask16)0xffff;
    if (count <= 0) return 0;
    return (__mmask16)((1u << count) - 1u);
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
                values[r] = i < valid ? _mm512_maskz_loadu_ps(mask, src + i * ld + k) : _mm512_setzero_ps();
            }
            store_pairs_of_8_rows(values, k, steps, width, group, dst);
        }
    }
}

/*
 * Up to 16 values k .. k + count − 1 of one im2col row, read straight from the image: the row is
 * kernel_height runs of `run` floats, run i at base + i · image_row. Lanes that cross into the next
 * run are filled by a second (third, …) masked load.
 */
TARGET_BF16 static inline __m512 load_patch_values(const float *base, int64_t k, int64_t count, int64_t run,
                                                   int64_t image_row) {
    int64_t i = k / run, t = k % run;
    if (t + count <= run) return _mm512_maskz_loadu_ps(first_lanes(count), base + i * image_row + t);
    __m512 values = _mm512_setzero_ps();
    int64_t filled = 0;
    while (filled < count) {
        const int64_t take = run - t < count - filled ? run - t : count - filled;
        const __mmask16 lanes = (__mmask16)(first_lanes(filled + take) & ~first_lanes(filled));
        /* Lane l reads base[i · image_row + t + (l − filled)]; lanes outside `lanes` are not read. */
        values = _mm512_mask_loadu_ps(values, lanes, base + i * image_row + t - filled);
        filled += take;
        i++;
        t = 0;
    }
    return values;
}

/* Packs rows first_position ..< first_position + valid of the im2col matrix of `patches`, steps
 * k0 ..< k0 + steps, into one MR-row panel, without the matrix ever being built. */
TARGET_BF16 static void pack_patch_rows(const fv_patches *patches, int64_t first_position, int64_t k0, int64_t steps,
                                        int64_t valid, uint32_t *dst) {
    const int64_t run = patches->kernel_width * patches->channels;
    const int64_t image_row = patches->width * patches->channels;
    const int64_t per_image = patches->output_height * patches->output_width;
    const float *bases[MR];
    for (int r = 0; r < MR; r++) {
        bases[r] = NULL;
        if (r >= valid) continue;
        const int64_t position = first_position + r;
        const int64_t n = position / per_image, oh = position % per_image / patches->output_width;
        const int64_t ow = position % patches->output_width;
        bases[r] = patches->x + ((n * patches->height + oh) * patches->width + ow) * patches->channels;
    }
    for (int64_t k = 0; k < steps; k += 16) {
        const int64_t count = steps - k < 16 ? steps - k : 16;
        __m512 values[8];
        for (int r = 0; r < MR; r++) {
            values[r] = bases[r] ? load_patch_values(bases[r], k0 + k, count, run, image_row) : _mm512_setzero_ps();
        }
        store_pairs_of_8_rows(values, k, steps, MR, 0, dst);
    }
}

/* Packs op(A)[m0 ..< m0 + rows, k0 ..< k0 + steps] into one MR-row panel; with `patches`, A is their
 * im2col matrix from row `first_position` on. */
TARGET_BF16 static void pack_a(int transpose_a, const float *a, int64_t lda, const fv_patches *patches,
                               int64_t first_position, int64_t m0, int64_t rows, int64_t k0, int64_t steps,
                               uint32_t *panel) {
    if (patches) {
        pack_patch_rows(patches, first_position + m0, k0, steps, rows, panel);
    } else if (transpose_a) {
        pack_pairs_of_rows(a + k0 * lda + m0, lda, steps, rows, MR, panel);
    } else {
        pack_rows_of_pairs(a + m0 * lda + k0, lda, steps, rows, MR, panel);
    }
}

/* Packs op(B)[k0 ..< k0 + steps, n0 ..< n0 + columns] into consecutive NR-column panels. */
TARGET_BF16 static void pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps,
                               int64_t n0, int64_t columns, uint32_t *panels) {
    const int64_t pairs = (steps + 1) / 2;
    for (int64_t j = 0; j < columns; j += NR) {
        uint32_t *panel = panels + (j / NR) * pairs * NR;
        const int64_t valid = columns - j < NR ? columns - j : NR;
        if (transpose_b) {
            pack_rows_of_pairs(b + (n0 + j) * ldb + k0, ldb, steps, valid, NR, panel);
        } else {
            pack_pairs_of_rows(b + k0 * ldb + n0 + j, ldb, steps, valid, NR, panel);
        }
    }
}

/* ---- Micro-kernel ----------------------------------------------------------------------------- */

/*
 * How a tile's sums become C. Every k block but the last stores alpha · acc + beta · C (beta is 1
 * after the first block); the last one also adds the column bias and applies max(0, ·) when asked.
 */
typedef struct {
    float alpha, beta;
    const float *bias;   /* NULL, or this tile's first column of the bias */
    int relu;
} epilogue;

/* Stores one 16-lane vector of sums into C at `target` (lanes beyond `mask` untouched). */
TARGET_BF16 static inline void store_sums(float *target, __m512 sums, __mmask16 mask, const float *bias,
                                          const epilogue *e) {
    __m512 value = _mm512_mul_ps(_mm512_set1_ps(e->alpha), sums);
    if (e->beta != 0) value = _mm512_fmadd_ps(_mm512_set1_ps(e->beta), _mm512_maskz_loadu_ps(mask, target), value);
    if (bias) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, bias));
    if (e->relu) value = _mm512_max_ps(value, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(target, mask, value);
}

/*
 * C[0 ..< rows, 0 ..< columns] from Apanel · Bpanel over `pairs` k pairs, through the epilogue.
 * 16 accumulators (8 rows × 2 vectors); each k pair loads two B vectors and broadcasts 8 A words.
 */
TARGET_BF16 static void micro_kernel(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel,
                                     float *c, int64_t ldc, int64_t rows, int64_t columns, const epilogue *e) {
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
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
    const __mmask16 masks[2] = {first_lanes(columns), first_lanes(columns - 16)};
    for (int r = 0; r < MR && r < rows; r++) {
        for (int h = 0; h < 2; h++) {
            store_sums(c + r * ldc + h * 16, acc[r][h], masks[h], e->bias ? e->bias + h * 16 : NULL, e);
        }
    }
}

/*
 * The same for a single row of C (a batch of one through a dense layer): one broadcast and two
 * dot products per k pair, so the loop streams B at memory speed instead of computing 7 empty rows.
 */
TARGET_BF16 static void micro_kernel_one_row(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel,
                                             float *c, int64_t columns, const epilogue *e) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    for (int64_t p = 0; p < pairs; p++) {
        const __m512bh a = (__m512bh)_mm512_set1_epi32((int)a_panel[p * MR]);
        acc0 = _mm512_dpbf16_ps(acc0, a, (__m512bh)_mm512_loadu_si512(b_panel + p * NR));
        acc1 = _mm512_dpbf16_ps(acc1, a, (__m512bh)_mm512_loadu_si512(b_panel + p * NR + 16));
    }
    store_sums(c, acc0, first_lanes(columns), e->bias, e);
    store_sums(c + 16, acc1, first_lanes(columns - 16), e->bias ? e->bias + 16 : NULL, e);
}

/* ---- Driver ----------------------------------------------------------------------------------- */

/* Per-thread packing buffers, grown on demand and kept for the thread's lifetime. */
static _Thread_local uint32_t *a_workspace, *b_workspace;

static uint32_t *workspace(uint32_t **slot, size_t words) {
    if (*slot == NULL) {
        *slot = aligned_alloc(64, words * sizeof(uint32_t));
    }
    return *slot;
}

/* C = beta · C (+ bias, then max(0, ·)) when there is nothing to sum (k = 0). */
static void scale_only(int64_t m, int64_t n, float beta, float *c, int64_t ldc, const float *bias, int relu) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            float value = beta == 0 ? 0 : beta * c[i * ldc + j];
            if (bias) value += bias[j];
            if (relu && value < 0) value = 0;
            c[i * ldc + j] = value;
        }
    }
}

/* Words of one KC-step block of B packed NC columns wide, summed over all k blocks. */
static int64_t column_block_words(int64_t k) {
    int64_t words = 0;
    for (int64_t k0 = 0; k0 < k; k0 += KC) {
        const int64_t steps = k - k0 < KC ? k - k0 : KC;
        words += (steps + 1) / 2 * NC;
    }
    return words;
}

/*
 * The blocked loop over C's columns [first_column, first_column + columns) (first_column a multiple
 * of NC, and the end a multiple of NC or n's end, when `prepacked` is given). B comes from `prepacked` (laid out by fv_gemm_bf16_pack) or is
 * packed block by block into `b_panels`.
 */
TARGET_BF16 static void gemm_bf16(int transpose_a, int transpose_b, int64_t m, int64_t first_column, int64_t columns_total,
                                  int64_t k, float alpha, const float *a, int64_t lda, const fv_patches *patches,
                                  int64_t first_position, const float *b, int64_t ldb,
                                  const uint32_t *prepacked, float beta, float *c, int64_t ldc,
                                  const float *bias, int relu, uint32_t *a_panel, uint32_t *b_panels) {
    const uint32_t *next_prepacked = prepacked ? prepacked + (first_column / NC) * column_block_words(k) : NULL;
    const int64_t end_column = first_column + columns_total;
    for (int64_t n0 = first_column; n0 < end_column; n0 += NC) {
        const int64_t columns = end_column - n0 < NC ? end_column - n0 : NC;
        for (int64_t k0 = 0; k0 < k; k0 += KC) {
            const int64_t steps = k - k0 < KC ? k - k0 : KC;
            const int64_t pairs = (steps + 1) / 2;
            const int last_block = k0 + KC >= k;
            const epilogue block_epilogue = {alpha, k0 == 0 ? beta : 1.0f, NULL, last_block && relu};
            const uint32_t *panels = b_panels;
            if (next_prepacked) {
                panels = next_prepacked;
                next_prepacked += pairs * ((columns + NR - 1) / NR * NR);  /* NC for every block but n's last */
            } else {
                pack_b(transpose_b, b, ldb, k0, steps, n0, columns, b_panels);
            }
            for (int64_t m0 = 0; m0 < m; m0 += MR) {
                const int64_t rows = m - m0 < MR ? m - m0 : MR;
                pack_a(transpose_a, a, lda, patches, first_position, m0, rows, k0, steps, a_panel);
                for (int64_t j = 0; j < columns; j += NR) {
                    epilogue tile_epilogue = block_epilogue;
                    if (last_block && bias) tile_epilogue.bias = bias + n0 + j;  /* bias is indexed like the columns of c */
                    if (rows == 1) {
                        micro_kernel_one_row(pairs, a_panel, panels + (j / NR) * pairs * NR,
                                             c + m0 * ldc + n0 + j, columns - j, &tile_epilogue);
                    } else {
                        micro_kernel(pairs, a_panel, panels + (j / NR) * pairs * NR,
                                     c + m0 * ldc + n0 + j, ldc, rows, columns - j, &tile_epilogue);
                    }
                }
            }
        }
    }
}

static int prepare(int64_t m, int64_t n, int64_t k, float beta, float *c, int64_t ldc, const float *bias, int relu,
                   uint32_t **a_panel, uint32_t **b_panels) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        scale_only(m, n, beta, c, ldc, bias, relu);
        return 0;
    }
    *a_panel = workspace(&a_workspace, (size_t)MR * (KC / 2));
    *b_panels = workspace(&b_workspace, (size_t)NC * (KC / 2));
    if (*a_panel == NULL || *b_panels == NULL) abort();
    return 1;
}

void fv_gemm_bf16(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                  float beta, float *c, int64_t ldc, const float *column_bias, int relu) {
    uint32_t *a_panel, *b_panels;
    if (!prepare(m, n, k, beta, c, ldc, column_bias, relu, &a_panel, &b_panels)) return;
    /* Columns are addressed from b and c as given: the loop's column origin is 0. */
    gemm_bf16(transpose_a, transpose_b, m, 0, n, k, alpha, a, lda, NULL, 0, b, ldb, NULL, beta, c, ldc, column_bias, relu,
              a_panel, b_panels);
}

int64_t fv_gemm_bf16_column_block(void) { return NC; }

int64_t fv_gemm_bf16_packed_words(int64_t k, int64_t n) {
    const int64_t full_blocks = n / NC, last = n % NC;
    int64_t words = full_blocks * column_block_words(k);
    if (last > 0) {
        for (int64_t k0 = 0; k0 < k; k0 += KC) {
            const int64_t steps = k - k0 < KC ? k - k0 : KC;
            words += (steps + 1) / 2 * ((last + NR - 1) / NR * NR);
        }
    }
    return words;
}

TARGET_BF16 static void pack_columns(int transpose_b, int64_t k, int64_t n, const float *b, int64_t ldb,
                                     int64_t first_column, int64_t end_column, uint32_t *packed) {
    packed += (first_column / NC) * column_block_words(k);
    for (int64_t n0 = first_column; n0 < end_column; n0 += NC) {
        const int64_t columns = end_column - n0 < NC ? end_column - n0 : NC;
        for (int64_t k0 = 0; k0 < k; k0 += KC) {
            const int64_t steps = k - k0 < KC ? k - k0 : KC;
            pack_b(transpose_b, b, ldb, k0, steps, n0, columns, packed);
            packed += (steps + 1) / 2 * ((columns + NR - 1) / NR * NR);
        }
    }
}

void fv_gemm_bf16_pack(int transpose_b, int64_t k, int64_t n, const float *b, int64_t ldb,
                       int64_t first_column, int64_t columns, uint32_t *packed) {
    const int64_t end = first_column + columns;
    if (k <= 0 || columns <= 0) return;
    if (first_column < 0 || first_column % NC != 0 || end > n || (end % NC != 0 && end != n)) abort();
    pack_columns(transpose_b, k, n, b, ldb, first_column, end, packed);
}

void fv_gemm_bf16_prepacked(int transpose_a, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const uint32_t *packed_b, int64_t first_column, int64_t columns,
                            float beta, float *c, int64_t ldc, const float *column_bias, int relu) {
    uint32_t *a_panel, *b_panels;
    const int64_t end = first_column + columns;
    if (first_column < 0 || first_column % NC != 0 || end > n || (end % NC != 0 && end != n)) abort();
    if (!prepare(m, columns, k, beta, c + first_column, ldc, column_bias ? column_bias + first_column : NULL, relu,
                 &a_panel, &b_panels)) {
        return;
    }
    gemm_bf16(transpose_a, 0, m, first_column, columns, k, alpha, a, lda, NULL, 0, NULL, 0, packed_b, beta, c, ldc,
              column_bias, relu, a_panel, b_panels);
}

void fv_conv_bf16_forward(const fv_patches *patches, int64_t first_position, int64_t positions, const float *weight,
                          const uint32_t *packed_weight, int64_t output_channels, const float *bias, int relu, float *y) {
    const int64_t k = patches->kernel_height * patches->kernel_width * patches->channels;
    uint32_t *a_panel, *b_panels;
    if (!prepare(positions, output_channels, k, 0, y, output_channels, bias, relu, &a_panel, &b_panels)) return;
    gemm_bf16(0, 0, positions, 0, output_channels, k, 1, NULL, 0, patches, first_position,
              packed_weight ? NULL : weight, output_channels, packed_weight, 0, y, output_channels, bias, relu,
              a_panel, b_panels);
}
