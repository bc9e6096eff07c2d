/*
 * GEMMF32.c — C = alpha · op(A) · op(B) + beta · C in float32 (see MatrixKernels.h): the kernel path
 * chosen from the CPU's features (and FACEVER_KERNEL), the blocking from its caches, the blocked loop of
 * F32Blocking.h over the packing (F32Packing.c) and a path's micro-kernel (F32MicroKernels.c), with
 * per-thread packing buffers.
 */
#include "EmptySum.h"
#include "F32Blocking.h"
#include "Workspace.h"

#include <stdlib.h>
#include <string.h>

fv_kernel_path fv_kernel_best_supported(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) {
        return FV_KERNEL_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return FV_KERNEL_AVX2;
    return FV_KERNEL_SCALAR;
}

int fv_kernel_path_named(const char *name, fv_kernel_path *path) {
    if (name == NULL) return 0;
    if (strcmp(name, "avx512") == 0) { *path = FV_KERNEL_AVX512; return 1; }
    if (strcmp(name, "avx2") == 0) { *path = FV_KERNEL_AVX2; return 1; }
    if (strcmp(name, "scalar") == 0) { *path = FV_KERNEL_SCALAR; return 1; }
    return 0;
}

fv_kernel_path fv_kernel_selected(void) {
    const fv_kernel_path best = fv_kernel_best_supported();
    fv_kernel_path asked;
    if (fv_kernel_path_named(getenv("FACEVER_KERNEL"), &asked) && asked < best) return asked;
    return best;
}

const char *fv_kernel_name(fv_kernel_path path) {
    switch (path) {
    case FV_KERNEL_AVX512: return "avx512";
    case FV_KERNEL_AVX2: return "avx2";
    default: return "scalar";
    }
}

static f32_blocking blockings[3];
static int blockings_ready;

static f32_blocking make_blocking(int mr, int nr) {
    const int64_t l1 = fv_l1_data_cache_bytes(), l2 = fv_l2_cache_bytes();
    /* An A panel (mr · kc floats) in half of L1; a B block (kc · nc floats) in half of L2. */
    int64_t kc = (l1 / 2) / (mr * (int64_t)sizeof(float));
    kc = kc < 64 ? 64 : (kc > F32_KC_MAX ? F32_KC_MAX : kc / 16 * 16);
    int64_t nc = (l2 / 2) / (kc * (int64_t)sizeof(float));
    nc = nc < nr ? nr : (nc > 4096 ? 4096 : nc / nr * nr);
    return (f32_blocking){mr, nr, kc, nc};
}

const f32_blocking *f32_blocking_for(fv_kernel_path path) {
    if (!__atomic_load_n(&blockings_ready, __ATOMIC_ACQUIRE)) {
        /* Racing threads compute the same values: no lock needed. */
        blockings[FV_KERNEL_SCALAR] = make_blocking(4, 4);
        blockings[FV_KERNEL_AVX2] = make_blocking(6, 16);
        blockings[FV_KERNEL_AVX512] = make_blocking(12, 32);
        __atomic_store_n(&blockings_ready, 1, __ATOMIC_RELEASE);
    }
    return &blockings[path];
}

void fv_gemm_f32_blocking(fv_kernel_path path, int64_t *mr, int64_t *nr, int64_t *kc, int64_t *nc) {
    const f32_blocking *blocking = f32_blocking_for(path);
    *mr = blocking->mr;
    *nr = blocking->nr;
    *kc = blocking->kc;
    *nc = blocking->nc;
}

/* Per-thread packing buffers (Workspace.h). */
static _Thread_local void *a_workspace, *b_workspace;
static _Thread_local size_t a_capacity, b_capacity;

static float *workspace(void **slot, size_t *capacity, size_t floats) {
    return grown_workspace(slot, capacity, floats * sizeof(float));
}

/* Floats of B packed for columns [n0, n0 + NC) and k steps [k0, k0 + KC): its panels, each `steps` · NR. */
static int64_t block_offset(const f32_blocking *blocking, int64_t n, int64_t k, int64_t n0, int64_t k0) {
    const int64_t remaining = n - n0 < blocking->nc ? n - n0 : blocking->nc;
    const int64_t padded = (remaining + blocking->nr - 1) / blocking->nr * blocking->nr;
    return n0 * k + k0 * padded;   /* whole column blocks before n0 hold k · NC floats each */
}

/* op(B) = B stored [k, n], columns [n0, n0 + columns), k steps [k0, k0 + steps): its nr-column panels as strips,
 * in bands of 16 rows across all the panels. Panel by panel, each panel walked every row of the block again
 * (a row every ldb floats: for the dense layer's 4,096 columns a new 16 KB stride, and page, per step), and the
 * dense layer's forward took a quarter longer. */
static void pack_b_strips(fv_kernel_path path, const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0,
                          int64_t columns, int nr, float *panels) {
    enum { BAND = 16 };
    for (int64_t p0 = 0; p0 < steps; p0 += BAND) {
        const int64_t rows = steps - p0 < BAND ? steps - p0 : BAND;
        for (int64_t j0 = 0; j0 < columns; j0 += nr) {
            const int64_t width = columns - j0 < nr ? columns - j0 : nr;
            const float *source = b + (k0 + p0) * ldb + n0 + j0;
            float *target = panels + j0 * steps + p0 * nr;
            if (path == FV_KERNEL_AVX512) {
                f32_pack_strips_avx512(source, ldb, width, rows, nr, target);
            } else {
                f32_pack_strips_avx2(source, ldb, width, rows, nr, target);
            }
        }
    }
}

/* op(B)[k0 ..< k0 + steps, n0 ..< n0 + columns] into the path's NR-column panels: the one packer of B, for
 * the products that pack it a block at a time and for fv_gemm_f32_pack's once-for-all packs alike. */
static void pack_b(fv_kernel_path path, int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps,
                   int64_t n0, int64_t columns, float *panels) {
    const int nr = f32_blocking_for(path)->nr;
    if (transpose_b && path == FV_KERNEL_AVX512) {
        f32_pack_b_transposed_avx512(b, ldb, k0, steps, n0, columns, panels);
    } else if (transpose_b && path == FV_KERNEL_AVX2) {
        f32_pack_b_transposed_avx2(b, ldb, k0, steps, n0, columns, panels);
    } else if (path != FV_KERNEL_SCALAR) {
        pack_b_strips(path, b, ldb, k0, steps, n0, columns, nr, panels);
    } else {
        f32_pack_b(transpose_b, b, ldb, k0, steps, n0, columns, nr, panels);
    }
}

/* Where each row of the tile of A's rows [m0, m0 + rows) starts in the image (Patches.h). */
static void image_tile_rows(const f32_image *image, int64_t m0, int64_t rows, const float *starts[F32_MR_MAX]) {
    int64_t offsets[F32_MR_MAX];
    patches_tile_offsets(image->patches, image->first_row, image->first_position + m0, rows, F32_MR_MAX, offsets);
    for (int r = 0; r < F32_MR_MAX; r++) starts[r] = image->values + offsets[r];
}

/*
 * The blocked loop of F32Blocking.h over C's columns [first_column, end_column) (multiples of NR, or n's
 * end): op(B) from `packed` (laid out by fv_gemm_f32_pack: column block n0 at block_offset, its k blocks in
 * order, each NR-column panel `steps` · NR floats), or packed here a block at a time when `packed` is NULL;
 * op(A) packed a tile at a time, or read in place from `image`.
 */
void f32_gemm_blocked(fv_kernel_path path, int transpose_a, int transpose_b, int64_t m, int64_t n,
                      int64_t first_column, int64_t end_column, int64_t k, float alpha, const float *a,
                      int64_t lda, const f32_image *image, const float *b, int64_t ldb, const float *packed,
                      float beta, float *c, int64_t ldc, const float *column_bias, int relu) {
    const f32_blocking *blocking = f32_blocking_for(path);
    const int mr = blocking->mr, nr = blocking->nr;
    const int64_t kc = blocking->kc, nc = blocking->nc;
    float *a_panel = image ? NULL : workspace(&a_workspace, &a_capacity, (size_t)(mr * kc));
    float *b_panels = packed ? NULL : workspace(&b_workspace, &b_capacity, (size_t)(kc * nc));
    int32_t offsets[F32_KC_MAX];   /* with `image`: where each k step of the block lies in a patch */
    for (int64_t n0 = first_column / nc * nc; n0 < end_column; n0 += nc) {
        const int64_t start = n0 > first_column ? n0 : first_column;
        const int64_t columns = (end_column - n0 < nc ? end_column - n0 : nc) - (start - n0);
        for (int64_t k0 = 0; k0 < k; k0 += kc) {
            const int64_t steps = k - k0 < kc ? k - k0 : kc;
            const int last_block = k0 + kc >= k;
            const f32_epilogue block = {alpha, k0 == 0 ? beta : 1.0f, NULL, last_block && relu};
            const float *panels;   /* the panel of column `start` */
            if (packed) {
                panels = packed + block_offset(blocking, n, k, n0, k0) + (start - n0) * steps;
            } else {
                pack_b(path, transpose_b, b, ldb, k0, steps, start, columns, b_panels);
                panels = b_panels;
            }
            if (image) {
                for (int64_t step = 0; step < steps; step++) offsets[step] = (int32_t)patches_offset(image->patches, k0 + step);
            }
            for (int64_t m0 = 0; m0 < m; m0 += mr) {
                const int64_t rows = m - m0 < mr ? m - m0 : mr;
                const float *starts[F32_MR_MAX];
                if (image) {
                    image_tile_rows(image, m0, rows, starts);
                } else if (path == FV_KERNEL_AVX512 && !transpose_a) {
                    f32_pack_a_avx512(a, lda, m0, rows, k0, steps, a_panel);
                } else if (path == FV_KERNEL_AVX2 && !transpose_a) {
                    f32_pack_a_avx2(a, lda, m0, rows, k0, steps, a_panel);
                } else if (path == FV_KERNEL_AVX512) {
                    f32_pack_strips_avx512(a + k0 * lda + m0, lda, rows, steps, mr, a_panel);
                } else if (path == FV_KERNEL_AVX2) {
                    f32_pack_strips_avx2(a + k0 * lda + m0, lda, rows, steps, mr, a_panel);
                } else {
                    f32_pack_a(transpose_a, a, lda, m0, rows, k0, steps, mr, a_panel);
                }
                for (int64_t j = 0; j < columns; j += nr) {
                    f32_epilogue tile = block;
                    if (last_block && column_bias) tile.bias = column_bias + start + j;
                    const float *b_panel = panels + j * steps;
                    float *target = c + m0 * ldc + start + j;
                    const int64_t width = columns - j < nr ? columns - j : nr;
                    switch (path) {
                    case FV_KERNEL_AVX512:
                        if (image) {
                            f32_micro_kernel_image_avx512(steps, starts, offsets, b_panel, target, ldc, rows, width, &tile);
                        } else {
                            f32_micro_kernel_avx512(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                        }
                        break;
                    case FV_KERNEL_AVX2:
                        if (image) {
                            f32_micro_kernel_image_avx2(steps, starts, offsets, b_panel, target, ldc, rows, width, &tile);
                        } else {
                            f32_micro_kernel_avx2(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                        }
                        break;
                    default:
                        if (image) {
                            f32_micro_kernel_image_scalar(steps, starts, offsets, b_panel, target, ldc, rows, width, &tile);
                        } else {
                            f32_micro_kernel_scalar(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                        }
                    }
                }
            }
        }
    }
}

int64_t fv_gemm_f32_packed_floats(fv_kernel_path path, int64_t k, int64_t n) {
    const f32_blocking *blocking = f32_blocking_for(path);
    return n <= 0 || k <= 0 ? 0 : block_offset(blocking, n, k, (n - 1) / blocking->nc * blocking->nc, k);
}

int64_t fv_gemm_f32_panel_columns(fv_kernel_path path) { return f32_blocking_for(path)->nr; }

int64_t fv_gemm_f32_few_rows_max(void) { return F32_FEW_ROWS_MAX; }

void fv_gemm_f32_pack(fv_kernel_path path, int64_t k, int64_t n, const float *b, int64_t first_column, int64_t columns,
                      float *packed) {
    if (path > fv_kernel_best_supported()) abort();
    const f32_blocking *blocking = f32_blocking_for(path);
    const int64_t end = first_column + columns;
    if (k <= 0 || columns <= 0) return;
    if (first_column < 0 || first_column % blocking->nc != 0 || end > n || (end % blocking->nc != 0 && end != n)) abort();
    for (int64_t n0 = first_column; n0 < end; n0 += blocking->nc) {
        const int64_t width = end - n0 < blocking->nc ? end - n0 : blocking->nc;
        for (int64_t k0 = 0; k0 < k; k0 += blocking->kc) {
            const int64_t steps = k - k0 < blocking->kc ? k - k0 : blocking->kc;
            pack_b(path, 0, b, n, k0, steps, n0, width, packed + block_offset(blocking, n, k, n0, k0));
        }
    }
}

void fv_gemm_f32_prepacked(fv_kernel_path path, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                           const float *packed, int64_t first_column, int64_t columns, float *c, int64_t ldc,
                           const float *column_bias, int relu) {
    if (path > fv_kernel_best_supported()) abort();
    const int64_t nr = f32_blocking_for(path)->nr, end = first_column + columns;
    if (first_column < 0 || first_column % nr != 0 || end > n || (end % nr != 0 && end != n)) abort();
    if (m <= 0 || columns <= 0) return;
    if (k <= 0) {
        empty_sum(m, columns, 0, c + first_column, ldc, column_bias ? column_bias + first_column : NULL, relu);
        return;
    }
    f32_gemm_blocked(path, 0, 0, m, n, first_column, end, k, 1, a, lda, NULL, NULL, 0, packed, 0, c, ldc, column_bias, relu);
}

void fv_gemm_f32(fv_kernel_path path, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                 const float *column_bias, int relu) {
    if (m <= 0 || n <= 0) return;
    if (path > fv_kernel_best_supported()) abort();   /* a path this CPU cannot run is a caller's bug */
    if (k <= 0) {
        empty_sum(m, n, beta, c, ldc, column_bias, relu);
        return;
    }
    if (m <= F32_FEW_ROWS_MAX) {
        switch (path) {
        case FV_KERNEL_AVX512:
            f32_few_rows_avx512(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, column_bias, relu);
            return;
        case FV_KERNEL_AVX2:
            f32_few_rows_avx2(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, column_bias, relu);
            return;
        default:
            f32_few_rows_scalar(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, column_bias, relu);
            return;
        }
    }
    f32_gemm_blocked(path, transpose_a, transpose_b, m, n, 0, n, k, alpha, a, lda, NULL, b, ldb, NULL, beta, c, ldc,
                     column_bias, relu);
}
