/*
 * GEMMBF16.c — C = alpha · op(A) · op(B) + beta · C with bfloat16 inputs and float32 sums (see
 * MatrixKernels.h for the contract): the CPU check, the blocked loop of BF16Blocking.h over the
 * packing (BF16Packing.c) and the micro-kernel (BF16MicroKernel.c), per-thread packing buffers, and
 * the entry points (plain, with B packed once, and a convolution that reads its patches in place).
 */
#include "BF16Blocking.h"
#include "EmptySum.h"
#include "Patches.h"
#include "Workspace.h"

#include <stdlib.h>
#include <string.h>

int fv_gemm_bf16_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

/* Per-thread packing buffers (Workspace.h). */
static _Thread_local void *a_workspace, *b_workspace;
static _Thread_local size_t a_capacity, b_capacity;

/* Words of one KC-step block of B packed NC columns wide, summed over all k blocks. */
static int64_t column_block_words(int64_t k) {
    int64_t words = 0;
    for (int64_t k0 = 0; k0 < k; k0 += KC) {
        const int64_t steps = k - k0 < KC ? k - k0 : KC;
        words += (steps + 1) / 2 * NC;
    }
    return words;
}

/* Up to this k, B is packed across all of k for a column block at once (at most 8 MiB a thread), so
 * that blocks of C's rows can run every k block before the next rows start (below); beyond it (the
 * weight gradients' products, whose k is every output position of a batch) B is packed a k block at
 * a time and the rows run in one block, as before. */
enum { WHOLE_K_LIMIT = 16384 };

/* Rows of C per row block: an MC × NC block of C (float32) in a quarter of L2, so that it stays there
 * across the k blocks instead of going to memory and back once per k block (on a 1 MiB L2, 256 rows). */
static int64_t row_block(void) {
    static int64_t rows;
    int64_t value = __atomic_load_n(&rows, __ATOMIC_RELAXED);
    if (value == 0) {
        value = fv_l2_cache_bytes() / 4 / (NC * (int64_t)sizeof(float));
        value = value < 4 * MR ? 4 * MR : (value > 4096 ? 4096 : value / MR * MR);
        __atomic_store_n(&rows, value, __ATOMIC_RELAXED);   /* racing threads store the same value */
    }
    return value;
}

/* A per-thread buffer for B packed across all of k (Workspace.h). */
static _Thread_local void *whole_b_workspace;
static _Thread_local size_t whole_b_capacity;

static uint32_t *whole_b(size_t words) {
    return grown_workspace(&whole_b_workspace, &whole_b_capacity, words * sizeof(uint32_t));
}

/* A per-thread buffer for the image rows a row block of a convolution reads, in bfloat16 (Workspace.h). */
static _Thread_local void *image_workspace;
static _Thread_local size_t image_capacity;

/* The image's values rounded to bfloat16 (Patches.h's writer for this kernel). */
TARGET_BF16 static void round_values(const float *source, int64_t count, void *target) {
    bf16_convert(source, count, (uint16_t *)target);
}

/*
 * The padded rows that output positions [first, end) read, rounded to bfloat16. Returns them; padded
 * row R starts at values + (R − *first_row) · Wp · C.
 */
TARGET_BF16 static const uint16_t *converted_rows(const fv_patches *patches, int64_t first, int64_t end,
                                                  int64_t *first_row) {
    int64_t end_row;
    patches_rows_read(patches, first, end, first_row, &end_row);
    const size_t count = (size_t)((end_row - *first_row) * patches_padded_row_values(patches));
    uint16_t *values = grown_workspace(&image_workspace, &image_capacity, count * sizeof(uint16_t));
    patches_write_padded_rows(patches, *first_row, end_row, sizeof(uint16_t), round_values, values);
    return values;
}

/* Where each k pair of block [k0, k0 + steps) lies in a patch (kernel rows of KW · C values are of even
 * length, so that no pair straddles two rows). */
static void block_pair_offsets(const fv_patches *patches, int64_t k0, int64_t steps, int32_t offsets[KC / 2]) {
    for (int64_t k = k0; k < k0 + steps; k += 2) offsets[(k - k0) / 2] = (int32_t)patches_offset(patches, k);
}

/* Where the patches of output positions position ..< position + rows start in `values` (padded rows from
 * first_row on; Patches.h). */
static void tile_patches(const fv_patches *patches, const uint16_t *values, int64_t first_row, int64_t position,
                         int64_t rows, const uint16_t *starts[MR]) {
    int64_t offsets[MR];
    patches_tile_offsets(patches, first_row, position, rows, MR, offsets);
    for (int r = 0; r < MR; r++) starts[r] = values + offsets[r];
}

/*
 * The blocked loop over C's columns [first_column, first_column + columns) (first_column a multiple
 * of NC, and the end a multiple of NC or n's end, when `prepacked` is given). B comes from `prepacked`
 * (laid out by fv_gemm_bf16_pack: column block i at i · column_block_words(k), its k blocks in order),
 * or is packed into the same layout for one column block at a time (k ≤ WHOLE_K_LIMIT), or else
 * k block by k block into `b_panels`. With B whole, C's rows run in blocks of row_block(), each
 * through every k block before the next. With `patches`, A is their im2col matrix from row
 * `first_position` on, never built or packed: each row block's image rows are rounded to bfloat16 (with
 * the padding's zeros) and the image micro-kernel reads its A words there.
 */
TARGET_BF16 static void gemm_bf16(int transpose_a, int transpose_b, int64_t m, int64_t first_column, int64_t columns_total,
                                  int64_t k, float alpha, const float *a, int64_t lda, const fv_patches *patches,
                                  int64_t first_position, const float *b, int64_t ldb,
                                  const uint32_t *prepacked, float beta, float *c, int64_t ldc,
                                  const float *bias, int relu, uint32_t *a_panel, uint32_t *b_panels) {
    const int64_t block_words = column_block_words(k);
    const int64_t end_column = first_column + columns_total;
    const int whole = prepacked != NULL || k <= WHOLE_K_LIMIT;
    const int64_t rows_per_block = whole ? row_block() : m;
    for (int64_t n0 = first_column; n0 < end_column; n0 += NC) {
        const int64_t columns = end_column - n0 < NC ? end_column - n0 : NC;
        const int64_t padded = (columns + NR - 1) / NR * NR;
        const uint32_t *whole_panels = NULL;
        if (prepacked) {
            whole_panels = prepacked + (n0 / NC) * block_words;
        } else if (whole) {
            uint32_t *packed = whole_b((size_t)block_words);
            whole_panels = packed;
            for (int64_t k0 = 0; k0 < k; k0 += KC) {
                const int64_t steps = k - k0 < KC ? k - k0 : KC;
                bf16_pack_b(transpose_b, b, ldb, k0, steps, n0, columns, packed);
                packed += (steps + 1) / 2 * padded;
            }
        }
        for (int64_t block_start = 0; block_start < m; block_start += rows_per_block) {
            const int64_t block_end = m - block_start < rows_per_block ? m : block_start + rows_per_block;
            const uint32_t *next_panels = whole_panels;
            const uint16_t *image = NULL;
            int64_t first_row = 0;
            if (patches) image = converted_rows(patches, first_position + block_start, first_position + block_end, &first_row);
            for (int64_t k0 = 0; k0 < k; k0 += KC) {
                const int64_t steps = k - k0 < KC ? k - k0 : KC;
                const int64_t pairs = (steps + 1) / 2;
                const int last_block = k0 + KC >= k;
                const bf16_epilogue block_epilogue = {alpha, k0 == 0 ? beta : 1.0f, NULL, last_block && relu};
                int32_t pair_offsets[KC / 2];
                if (patches) block_pair_offsets(patches, k0, steps, pair_offsets);
                const uint32_t *panels = b_panels;
                if (next_panels) {
                    panels = next_panels;
                    next_panels += pairs * padded;
                } else {
                    bf16_pack_b(transpose_b, b, ldb, k0, steps, n0, columns, b_panels);
                }
                for (int64_t m0 = block_start; m0 < block_end; m0 += MR) {
                    const int64_t rows = block_end - m0 < MR ? block_end - m0 : MR;
                    const uint16_t *starts[MR];
                    if (patches) {
                        tile_patches(patches, image, first_row, first_position + m0, rows, starts);
                    } else {
                        bf16_pack_a(transpose_a, a, lda, m0, rows, k0, steps, a_panel);
                    }
                    for (int64_t j = 0; j < columns; j += NR) {
                        bf16_epilogue tile_epilogue = block_epilogue;
                        if (last_block && bias) tile_epilogue.bias = bias + n0 + j;  /* bias is indexed like the columns of c */
                        if (patches) {
                            bf16_micro_kernel_image(pairs, starts, pair_offsets, panels + (j / NR) * pairs * NR,
                                                    c + m0 * ldc + n0 + j, ldc, rows, columns - j, &tile_epilogue);
                        } else if (rows == 1) {
                            bf16_micro_kernel_one_row(pairs, a_panel, panels + (j / NR) * pairs * NR,
                                                 c + m0 * ldc + n0 + j, columns - j, &tile_epilogue);
                        } else {
                            bf16_micro_kernel(pairs, a_panel, panels + (j / NR) * pairs * NR,
                                         c + m0 * ldc + n0 + j, ldc, rows, columns - j, &tile_epilogue);
                        }
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
        empty_sum(m, n, beta, c, ldc, bias, relu);
        return 0;
    }
    *a_panel = grown_workspace(&a_workspace, &a_capacity, (size_t)MR * (KC / 2) * sizeof(uint32_t));
    *b_panels = grown_workspace(&b_workspace, &b_capacity, (size_t)NC * (KC / 2) * sizeof(uint32_t));
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
            bf16_pack_b(transpose_b, b, ldb, k0, steps, n0, columns, packed);
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
    if ((patches->kernel_width * patches->channels) % 2 != 0) abort();   /* a k pair would straddle two kernel rows */
    if (!patches_offsets_fit(patches)) abort();   /* pair offsets are 32-bit */
    uint32_t *a_panel, *b_panels;
    if (!prepare(positions, output_channels, k, 0, y, output_channels, bias, relu, &a_panel, &b_panels)) return;
    gemm_bf16(0, 0, positions, 0, output_channels, k, 1, NULL, 0, patches, first_position,
              packed_weight ? NULL : weight, output_channels, packed_weight, 0, y, output_channels, bias, relu,
              a_panel, b_panels);
}
