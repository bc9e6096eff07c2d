/*
 * GEMMF32.c — C = alpha · op(A) · op(B) + beta · C in float32 (see MatrixKernels.h): the kernel path
 * chosen from the CPU's features (and FACEVER_KERNEL), the blocking from its caches, the blocked loop of
 * F32Blocking.h over the packing (F32Packing.c) and a path's micro-kernel (F32MicroKernels.c), with
 * per-thread packing buffers.
 */
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
    kc = kc < 64 ? 64 : (kc > 1024 ? 1024 : kc / 16 * 16);
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

void fv_gemm_f32(fv_kernel_path path, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                 const float *column_bias, int relu) {
    if (m <= 0 || n <= 0) return;
    if (path > fv_kernel_best_supported()) abort();   /* a path this CPU cannot run is a caller's bug */
    if (k <= 0) {
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < n; j++) {
                float value = beta == 0 ? 0 : beta * c[i * ldc + j];
                if (column_bias) value += column_bias[j];
                if (relu && value < 0) value = 0;
                c[i * ldc + j] = value;
            }
        }
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
    const f32_blocking *blocking = f32_blocking_for(path);
    const int mr = blocking->mr, nr = blocking->nr;
    const int64_t kc = blocking->kc, nc = blocking->nc;
    float *a_panel = workspace(&a_workspace, &a_capacity, (size_t)(mr * kc));
    float *b_panels = workspace(&b_workspace, &b_capacity, (size_t)(kc * nc));
    for (int64_t n0 = 0; n0 < n; n0 += nc) {
        const int64_t columns = n - n0 < nc ? n - n0 : nc;
        for (int64_t k0 = 0; k0 < k; k0 += kc) {
            const int64_t steps = k - k0 < kc ? k - k0 : kc;
            const int last_block = k0 + kc >= k;
            const f32_epilogue block = {alpha, k0 == 0 ? beta : 1.0f, NULL, last_block && relu};
            if (transpose_b && path == FV_KERNEL_AVX512) {
                f32_pack_b_transposed_avx512(b, ldb, k0, steps, n0, columns, b_panels);
            } else if (transpose_b && path == FV_KERNEL_AVX2) {
                f32_pack_b_transposed_avx2(b, ldb, k0, steps, n0, columns, b_panels);
            } else {
                f32_pack_b(transpose_b, b, ldb, k0, steps, n0, columns, nr, b_panels);
            }
            for (int64_t m0 = 0; m0 < m; m0 += mr) {
                const int64_t rows = m - m0 < mr ? m - m0 : mr;
                if (path == FV_KERNEL_AVX512 && !transpose_a) {
                    f32_pack_a_avx512(a, lda, m0, rows, k0, steps, a_panel);
                } else if (path == FV_KERNEL_AVX2 && !transpose_a) {
                    f32_pack_a_avx2(a, lda, m0, rows, k0, steps, a_panel);
                } else {
                    f32_pack_a(transpose_a, a, lda, m0, rows, k0, steps, mr, a_panel);
                }
                for (int64_t j = 0; j < columns; j += nr) {
                    f32_epilogue tile = block;
                    if (last_block && column_bias) tile.bias = column_bias + n0 + j;
                    const float *b_panel = b_panels + j * steps;
                    float *target = c + m0 * ldc + n0 + j;
                    const int64_t width = columns - j < nr ? columns - j : nr;
                    switch (path) {
                    case FV_KERNEL_AVX512:
                        f32_micro_kernel_avx512(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                        break;
                    case FV_KERNEL_AVX2:
                        f32_micro_kernel_avx2(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                        break;
                    default:
                        f32_micro_kernel_scalar(steps, a_panel, b_panel, target, ldc, rows, width, &tile);
                    }
                }
            }
        }
    }
}
