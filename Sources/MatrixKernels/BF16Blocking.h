/*
 * BF16Blocking.h — what the three files of the bfloat16 GEMM share (private to MatrixKernels):
 * the blocking sizes, the packed layouts, and the functions of BF16Packing.c and BF16MicroKernel.c
 * that GEMMBF16.c's driver calls.
 *
 * The classic three-level blocking (GEMMBF16.c):
 *   for each block of NC columns of C
 *     for each block of KC steps of k:   pack op(B)[k-block, n-block] into panels of NR columns (L2)
 *       for each tile of MR rows of C:   pack op(A)[m-tile, k-block] into one panel (L1)
 *         for each panel of B:           the MR × NR micro-kernel updates C[m-tile, panel]
 *
 * Packed layouts (BF16Packing.c) hold pairs of consecutive k as one 32-bit word (the even k in the
 * low half), which is what VDPBF16PS multiplies and adds per float32 lane:
 *   A panel: word[p · MR + r]  = (A[r, 2p], A[r, 2p + 1])      for the MR rows r of the tile
 *   B panel: word[p · NR + j]  = (B[2p, j], B[2p + 1, j])      for the NR columns j of the panel
 * Rows, columns and the odd last k beyond the matrix are packed as zeros, so the micro-kernel
 * (BF16MicroKernel.c) always computes a full tile and masks only its stores.
 */
#ifndef BF16_BLOCKING_H
#define BF16_BLOCKING_H

#include "MatrixKernels.h"

#include <immintrin.h>
#include <stdint.h>

enum {
    MR = 8,     /* rows of C per micro-tile: 8 broadcasts per k pair */
    NR = 32,    /* columns of C per micro-tile: two 16-lane vectors */
    KC = 512,   /* k steps per block (even): an A panel is MR · KC · 2 bytes = 8 KiB */
    NC = 256,   /* columns per B block: KC · NC · 2 bytes = 256 KiB, kept in L2 */
};

#define TARGET_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define INTERNAL __attribute__((visibility("hidden")))

/* A mask of the first `count` of 16 lanes (none for count ≤ 0, all for count ≥ 16). */
static inline __mmask16 first_lanes(int64_t count) {
    if (count >= 16) return (__mmask16)0xffff;
    if (count <= 0) return 0;
    return (__mmask16)((1u << count) - 1u);
}

/* Packs op(A)[m0 ..< m0 + rows, k0 ..< k0 + steps] into one MR-row panel. */
INTERNAL TARGET_BF16 void bf16_pack_a(int transpose_a, const float *a, int64_t lda, int64_t m0, int64_t rows,
                                      int64_t k0, int64_t steps, uint32_t *panel);

/* Packs op(B)[k0 ..< k0 + steps, n0 ..< n0 + columns] into consecutive NR-column panels. */
INTERNAL TARGET_BF16 void bf16_pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps,
                                      int64_t n0, int64_t columns, uint32_t *panels);

/*
 * How a tile's sums become C. Every k block but the last stores alpha · acc + beta · C (beta is 1
 * after the first block); the last one also adds the column bias and applies max(0, ·) when asked.
 */
typedef struct {
    float alpha, beta;
    const float *bias;   /* NULL, or this tile's first column of the bias */
    int relu;
} bf16_epilogue;

/* C[0 ..< rows, 0 ..< columns] from an A panel and a B panel over `pairs` k pairs, through `e`. */
INTERNAL TARGET_BF16 void bf16_micro_kernel(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel, float *c,
                                            int64_t ldc, int64_t rows, int64_t columns, const bf16_epilogue *e);

/* The tile with A's row r read from a bfloat16 image: k pair p of the block at rows[r] + offsets[p]. */
INTERNAL TARGET_BF16 void bf16_micro_kernel_image(int64_t pairs, const uint16_t *const rows[MR], const int32_t *offsets,
                                                  const uint32_t *b_panel, float *c, int64_t ldc, int64_t tile_rows,
                                                  int64_t columns, const bf16_epilogue *e);

/* Rounds count floats to bfloat16 (as the packing does: VCVTNEPS2BF16). */
INTERNAL TARGET_BF16 void bf16_convert(const float *x, int64_t count, uint16_t *out);

/* The same for a single row of C (a batch of one through a dense layer). */
INTERNAL TARGET_BF16 void bf16_micro_kernel_one_row(int64_t pairs, const uint32_t *a_panel, const uint32_t *b_panel,
                                                    float *c, int64_t columns, const bf16_epilogue *e);

#endif
