/*
 * MatrixKernels.h — a row-major GEMM that rounds its inputs to bfloat16 and sums in float32, for the
 * AVX512-BF16 instruction VDPBF16PS. Compiled for the baseline target; the AVX-512 code is chosen at
 * run time by CPU feature (never by compiling for this exact CPU). Callers fall back to sgemm when
 * `fv_gemm_bf16_available()` is 0.
 *
 *   C[m, n] = relu?(alpha · Σ_k bf16(op(A)[m, k]) · bf16(op(B)[k, n]) + beta · C[m, n] + bias[n])
 *
 * op(A) is A ([m, k], leading dimension lda) or, with transpose_a, Aᵀ where A is stored [k, m];
 * likewise op(B) is B ([k, n]) or Bᵀ (B stored [n, k]). bf16(x) rounds to nearest, ties to even.
 * With beta = 0, C is only written (it may hold garbage). `column_bias` (n floats, or NULL) and `relu`
 * (max(0, ·) when non-zero) are applied as each tile is stored, so neither costs a pass over C; the
 * bias is indexed like the columns of c (for fv_gemm_bf16_prepacked, bias[first_column] belongs to
 * column first_column). Runs on the calling thread; packing buffers are per thread and reused.
 */
#ifndef MATRIX_KERNELS_H
#define MATRIX_KERNELS_H

#include <stdint.h>

/* 1 when this CPU has AVX512F, AVX512BW, AVX512VL and AVX512_BF16; 0 otherwise. */
int fv_gemm_bf16_available(void);

void fv_gemm_bf16(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                  float beta, float *c, int64_t ldc, const float *column_bias, int relu);

/*
 * Packing op(B) once for many products (weights that do not change between calls):
 * fv_gemm_bf16_pack writes columns [first_column, first_column + columns) of op(B) [k, n] into their
 * place in `packed` (fv_gemm_bf16_packed_words(k, n) words for all n columns; threads may pack
 * disjoint column ranges at once), and fv_gemm_bf16_prepacked computes
 * C[:, first_column ..< first_column + columns] of alpha · op(A) · op(B) + beta · C from it. In both,
 * first_column is a multiple of fv_gemm_bf16_column_block() and so is first_column + columns, unless
 * it is n. Results are bit-identical to fv_gemm_bf16 on the same operands.
 */
int64_t fv_gemm_bf16_column_block(void);
int64_t fv_gemm_bf16_packed_words(int64_t k, int64_t n);
void fv_gemm_bf16_pack(int transpose_b, int64_t k, int64_t n, const float *b, int64_t ldb,
                       int64_t first_column, int64_t columns, uint32_t *packed);
void fv_gemm_bf16_prepacked(int transpose_a, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const uint32_t *packed_b, int64_t first_column, int64_t columns,
                            float beta, float *c, int64_t ldc, const float *column_bias, int relu);

/*
 * A convolution's input seen as its im2col matrix, for fv_conv_bf16_forward: x is NHWC
 * [N, height, width, channels]; row p of the matrix is output position p = n·OH·OW + oh·OW + ow
 * and holds the kernel_height × kernel_width × channels patch at (oh·stride − padding,
 * ow·stride − padding), zeros outside the image.
 */
typedef struct fv_patches {
    const float *x;
    int64_t height, width, channels;
    int64_t kernel_height, kernel_width;
    int64_t stride, padding;
    int64_t output_height, output_width;
} fv_patches;

/*
 * y[p − first_position, o] = relu?(Σ_k bf16(im2col(x)[p, k]) · bf16(weight[k, o]) + bias[o]) for the
 * `positions` output positions from first_position on: the product reads its A words from a copy of
 * the image's rows rounded to bfloat16 (and padded) a block of rows at a time, so no im2col matrix is
 * built or packed. A kernel row (kernel_width · channels values) must be of even length, so that no k
 * pair straddles two kernel rows, and a patch must span less than 2^31 values of the padded image (the
 * function aborts otherwise). weight is
 * [kernel_height · kernel_width · channels, O]; packed_weight, when not NULL, is that weight packed by
 * fv_gemm_bf16_pack (then weight is unused).
 */
void fv_conv_bf16_forward(const fv_patches *patches, int64_t first_position, int64_t positions, const float *weight,
                          const uint32_t *packed_weight, int64_t output_channels, const float *bias, int relu, float *y);

/*
 * facever's float32 GEMM, on the kernel path given (it must be one this CPU runs):
 *   C[m, n] = relu?(alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n] + bias[n])
 * with the same operands and conventions as fv_gemm_bf16, float32 throughout, on the calling thread.
 * Paths, best first: AVX-512 (AVX512F, AVX512VL, FMA), AVX2 (AVX2, FMA), scalar. The blocking follows
 * the CPU's reported L1 and L2 sizes, never a table of CPU models.
 */
typedef enum { FV_KERNEL_SCALAR = 0, FV_KERNEL_AVX2 = 1, FV_KERNEL_AVX512 = 2 } fv_kernel_path;

/*
 * float32 products with B (a weight, [k, n] row-major) packed once for `path`, for inference:
 * fv_gemm_f32_packed_floats gives the pack's size; fv_gemm_f32_pack fills columns [first_column,
 * first_column + columns) of it (multiples of the column block, or n's end; threads pack disjoint bands);
 * fv_gemm_f32_prepacked computes C[m, first_column ..< + columns] = relu?(A · B + bias) (alpha 1, beta 0,
 * A not transposed) from the pack, for columns starting at a multiple of fv_gemm_f32_panel_columns(path),
 * with the same bits as fv_gemm_f32 on the unpacked B for more than 8 rows (fewer rows use fv_gemm_f32's
 * streaming path, whose sums differ in order).
 */
int64_t fv_gemm_f32_packed_floats(fv_kernel_path path, int64_t k, int64_t n);
/* Products of at most this many rows stream B unpacked (faster than any pack for so few rows). */
int64_t fv_gemm_f32_few_rows_max(void);
int64_t fv_gemm_f32_panel_columns(fv_kernel_path path);
void fv_gemm_f32_pack(fv_kernel_path path, int64_t k, int64_t n, const float *b, int64_t first_column, int64_t columns,
                      float *packed);
void fv_gemm_f32_prepacked(fv_kernel_path path, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                           const float *packed, int64_t first_column, int64_t columns, float *c, int64_t ldc,
                           const float *column_bias, int relu);

/* The best path this CPU runs. */
fv_kernel_path fv_kernel_best_supported(void);
/* The best path, or a lower one named by the environment variable FACEVER_KERNEL (avx512, avx2 or
 * scalar; a path the CPU cannot run, or any other value, is ignored). */
fv_kernel_path fv_kernel_selected(void);
/* 1 and the path when `name` is avx512, avx2 or scalar; 0 otherwise. */
int fv_kernel_path_named(const char *name, fv_kernel_path *path);
const char *fv_kernel_name(fv_kernel_path path);
/* The CPU's L1 data and L2 cache sizes in bytes, as the system reports them (32 KiB and 1 MiB when it does
 * not): what the kernels' blocking and Tensor's chunk sizes are derived from. */
int64_t fv_l1_data_cache_bytes(void);
int64_t fv_l2_cache_bytes(void);

/* The number of CPUs in this process's affinity mask (taskset, a container's cpuset); 0 when the system does
 * not say. AllowedCPUs.c. */
int64_t fv_allowed_cpu_count(void);

/* Multiply-adds per second one core reaches in independent 512-bit chains of float32 FMAs, and of bfloat16
 * dot products (two multiply-adds a lane), over `iterations` rounds on the calling thread (ThroughputProbe.c);
 * 0 when the CPU lacks the instructions. */
double fv_probe_float32_multiply_adds(int64_t iterations);
double fv_probe_bfloat16_multiply_adds(int64_t iterations);

/* The micro-tile and block sizes `path` uses on this machine (for benchmarks and tests). */
void fv_gemm_f32_blocking(fv_kernel_path path, int64_t *mr, int64_t *nr, int64_t *kc, int64_t *nc);

void fv_gemm_f32(fv_kernel_path path, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                 const float *column_bias, int relu);

/*
 * A float32 convolution's forward product on `path` (F32Convolution.c): for the `positions` output
 * positions from first_position on,
 *   y[p − first_position, o] = relu?(Σ_k im2col(x)[p, k] · weight[k, o] + bias[o])
 * with A read in place from a padded copy of the image's rows, a block of rows at a time, so that no im2col
 * matrix is built or packed. weight is [kernel_height · kernel_width · channels, O]; packed_weight, when not
 * NULL, is that weight packed by fv_gemm_f32_pack for `path` (then weight is unused). The sums are
 * fv_gemm_f32's (and fv_gemm_f32_prepacked's) on the im2col matrix, bit for bit, for more than
 * fv_gemm_f32_few_rows_max() positions. Aborts when a patch spans 2^31 values of the padded image or more.
 */
void fv_conv_f32_forward(fv_kernel_path path, const fv_patches *patches, int64_t first_position, int64_t positions,
                         const float *weight, const float *packed_weight, int64_t output_channels, const float *bias,
                         int relu, float *y);

/*
 * Spectral convolution (SpectralConvolution.c): a stride-1 float32 convolution of one image [H, W, C]
 * (zero padding `padding`) with a weight [KH, KW, C, O], computed in T × T tiles in the frequency domain.
 * Tile t (row-major over tiles_y × tiles_x, each tile giving (T − KH + 1) × (T − KW + 1) output pixels)
 * has F = T · (T/2 + 1) frequencies, f = b · T + a for the a-th vertical and b-th horizontal (b ≤ T/2);
 * per frequency f, with the GEMM in between:
 *   fv_spectral_weight:  matrices[f − first][2C, 2O]   (row-major; the kernel's transform, / T²)
 *   fv_spectral_forward: spectrum[f][first_row + t − first_tile][2C]   (real parts, then imaginary)
 *   products[f][row] = spectrum[f][row] · matrices[f]                 ([2O]: real parts, then imaginary)
 *   fv_spectral_inverse: y[OH, OW, O] = relu?(inverse transform + bias) on the pixels of tiles
 *                        [first_tile, first_tile + tiles), from products[f][first_row + t − first_tile].
 * T is even and at most 64, and each kernel side at most T (fv_spectral_geometry_valid).
 * A weight gradient uses the same two functions: the spectra of x's tiles and of dy's blocks (the first
 * T − K + 1 rows and columns of each tile: `block`) meet in one GEMM per frequency, and fv_spectral_inverse
 * reads the result back as K × K pixels of one tile.
 */
typedef struct {
    int64_t height, width, channels;
    int64_t kernel_height, kernel_width, padding;
    int64_t output_height, output_width, output_channels;
    int64_t tile;
    int64_t block;   /* fv_spectral_forward reads the first `block` rows and columns of each tile (0: all T) */
} fv_spectral_geometry;

int fv_spectral_geometry_valid(const fv_spectral_geometry *g);
int64_t fv_spectral_frequencies(int64_t tile);
int64_t fv_spectral_tiles(const fv_spectral_geometry *g);
void fv_spectral_weight(fv_kernel_path path, const fv_spectral_geometry *g, const float *weight,
                        int64_t first_frequency, int64_t frequencies, float *matrices);
void fv_spectral_forward(fv_kernel_path path, const fv_spectral_geometry *g, const float *image, int64_t first_tile,
                         int64_t tiles, float *spectrum, int64_t spectrum_rows, int64_t first_row);
void fv_spectral_inverse(fv_kernel_path path, const fv_spectral_geometry *g, const float *products,
                         int64_t product_rows, int64_t first_row, int64_t first_tile, int64_t tiles,
                         const float *bias, int relu, float *y);

/* The rounding the kernel applies to its inputs, for tests: float32 → bfloat16 → float32. */
float fv_round_to_bf16(float value);

#endif
