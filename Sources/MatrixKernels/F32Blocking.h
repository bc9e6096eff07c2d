/*
 * F32Blocking.h — what the float32 GEMM's files share (private to MatrixKernels): the kernel paths and
 * their micro-tile shapes, the blocking sizes taken from the CPU's caches, and the packing and
 * micro-kernel functions GEMMF32.c's driver calls.
 *
 * The same three-level blocking as the bfloat16 GEMM (BF16Blocking.h):
 *   for each block of NC columns of C
 *     for each block of KC steps of k:   pack op(B)[k-block, n-block] into panels of NR columns (L2)
 *       for each tile of MR rows of C:   pack op(A)[m-tile, k-block] into one panel (L1)
 *         for each panel of B:           the MR × NR micro-kernel updates C[m-tile, panel]
 * Packed layouts: A panel a[p · MR + r] = op(A)[r, p]; B panel b[p · NR + j] = op(B)[p, j]; rows and
 * columns beyond the matrix are zeros, so micro-kernels compute whole tiles and mask only their stores.
 * A convolution's A (its im2col matrix) is not packed at all: the image micro-kernels read each tile row's
 * patch in a padded copy of the image (f32_image, F32Convolution.c, Patches.h).
 *
 * Tiles per path (registers: AVX-512 has 32 vectors, AVX2 16):
 *   AVX-512  12 × 32   24 accumulators, 2 B vectors, 1 broadcast: 14 loads per 24 FMAs, so two FMA
 *                      ports (recent Xeons) are not starved by the two load ports
 *   AVX2      6 × 16   12 accumulators, 2 B vectors, 1 broadcast
 *   scalar    4 × 4    plain C (the compiler's baseline vectors at most)
 * KC is chosen so that an A panel fills at most half of L1, NC so that a packed B block fills at most
 * half of L2 (sysconf's cache sizes; 32 KiB and 1 MiB when the system does not say).
 */
#ifndef F32_BLOCKING_H
#define F32_BLOCKING_H

#include "MatrixKernels.h"
#include "Patches.h"

#include <stdint.h>

#define INTERNAL_F32 __attribute__((visibility("hidden")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

/* The largest MR and KC of any path (the AVX-512 tile's rows; make_blocking's cap). */
enum { F32_MR_MAX = 12, F32_KC_MAX = 1024 };

typedef struct {
    int mr, nr;             /* micro-tile */
    int64_t kc, nc;         /* k steps per block, columns per B block (a multiple of nr) */
} f32_blocking;

/* The blocking of `path` on this machine (computed once). */
INTERNAL_F32 const f32_blocking *f32_blocking_for(fv_kernel_path path);

/* How a tile's sums become C: every k block but the last stores alpha · acc + beta · C (beta is 1
 * after the first block); the last one also adds the column bias and applies max(0, ·) when asked. */
typedef struct {
    float alpha, beta;
    const float *bias;   /* NULL, or this tile's first column of the bias */
    int relu;
} f32_epilogue;

/* Packs op(A)[m0 ..< m0 + rows, k0 ..< k0 + steps] into one mr-row panel. */
INTERNAL_F32 void f32_pack_a(int transpose_a, const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0,
                             int64_t steps, int mr, float *panel);

/* The same for A as stored [m, k] into a 12-row panel, with AVX-512 transposes (the AVX-512 path's). */
INTERNAL_F32 TARGET_AVX512 void f32_pack_a_avx512(const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0,
                                                  int64_t steps, float *panel);

/* And into a 6-row panel with AVX2 transposes (the AVX2 path's). */
INTERNAL_F32 TARGET_AVX2 void f32_pack_a_avx2(const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0,
                                              int64_t steps, float *panel);

/* Packs op(B)[k0 ..< k0 + steps, n0 ..< n0 + columns] into consecutive nr-column panels. */
INTERNAL_F32 void f32_pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                             int64_t columns, int nr, float *panels);

/* Bᵀ panels with AVX-512 (32 columns) or AVX2 (16 columns) transposes, each the path's NR. */
INTERNAL_F32 TARGET_AVX512 void f32_pack_b_transposed_avx512(const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                                                             int64_t columns, float *panels);
INTERNAL_F32 TARGET_AVX2 void f32_pack_b_transposed_avx2(const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                                                         int64_t columns, float *panels);

/* `steps` rows of `count` contiguous floats, `ld` apart, into rows of `width` ≥ count floats, zeros past
 * `count`: op(A) panels when A is stored [k, m] (width MR), op(B) panels when B is stored [k, n] (width NR). */
INTERNAL_F32 TARGET_AVX512 void f32_pack_strips_avx512(const float *source, int64_t ld, int64_t count, int64_t steps,
                                                       int width, float *target);
INTERNAL_F32 TARGET_AVX2 void f32_pack_strips_avx2(const float *source, int64_t ld, int64_t count, int64_t steps,
                                                   int width, float *target);

/* C[0 ..< rows, 0 ..< columns] (rows ≤ MR, columns ≤ NR of the path) from one A and one B panel over
 * `steps` k, through `e`. */
INTERNAL_F32 TARGET_AVX512 void f32_micro_kernel_avx512(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                                        int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e);
INTERNAL_F32 TARGET_AVX2 void f32_micro_kernel_avx2(int64_t steps, const float *a_panel, const float *b_panel, float *c,
                                                    int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e);
INTERNAL_F32 void f32_micro_kernel_scalar(int64_t steps, const float *a_panel, const float *b_panel, float *c, int64_t ldc,
                                          int64_t rows, int64_t columns, const f32_epilogue *e);

/* The same tiles with A read from a convolution's padded image instead of a panel: row r's k step p at
 * image_rows[r][offsets[p]] (Patches.h); the same sums, in the same order, as from a packed panel. */
#define F32_IMAGE_KERNEL_PARAMETERS int64_t steps, const float *const image_rows[], const int32_t *offsets, \
    const float *b_panel, float *c, int64_t ldc, int64_t rows, int64_t columns, const f32_epilogue *e
INTERNAL_F32 TARGET_AVX512 void f32_micro_kernel_image_avx512(F32_IMAGE_KERNEL_PARAMETERS);
INTERNAL_F32 TARGET_AVX2 void f32_micro_kernel_image_avx2(F32_IMAGE_KERNEL_PARAMETERS);
INTERNAL_F32 void f32_micro_kernel_image_scalar(F32_IMAGE_KERNEL_PARAMETERS);

/* A convolution's im2col matrix as the A of a product, read in place (Patches.h): A's row i is output
 * position first_position + i, whose patch starts in `values`, a padded copy of the image's rows from
 * padded row first_row on. */
typedef struct {
    const fv_patches *patches;
    const float *values;
    int64_t first_row;
    int64_t first_position;
} f32_image;

/* The blocked loop (GEMMF32.c) over C's columns [first_column, end_column): op(A) from `a` (packed a tile at
 * a time) or, when `image` is not NULL, read from it in place; op(B) from `packed` (fv_gemm_f32_pack's
 * layout) or packed a block at a time when `packed` is NULL. */
INTERNAL_F32 void f32_gemm_blocked(fv_kernel_path path, int transpose_a, int transpose_b, int64_t m, int64_t n,
                                   int64_t first_column, int64_t end_column, int64_t k, float alpha, const float *a,
                                   int64_t lda, const f32_image *image, const float *b, int64_t ldb, const float *packed,
                                   float beta, float *c, int64_t ldc, const float *column_bias, int relu);

/* Products with at most F32_FEW_ROWS_MAX rows of C skip packing (F32FewRows.c). */
enum { F32_FEW_ROWS_MAX = 8 };

#define F32_FEW_ROWS_PARAMETERS int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha, \
    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc, const float *bias, int relu
INTERNAL_F32 TARGET_AVX512 void f32_few_rows_avx512(F32_FEW_ROWS_PARAMETERS);
INTERNAL_F32 TARGET_AVX2 void f32_few_rows_avx2(F32_FEW_ROWS_PARAMETERS);
INTERNAL_F32 void f32_few_rows_scalar(F32_FEW_ROWS_PARAMETERS);

#endif
