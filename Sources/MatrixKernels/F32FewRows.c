/*
 * F32FewRows.c — the float32 GEMM for a few rows of C (a dense layer's small batch): packing op(B)
 * would cost more than the product, so B is streamed once, straight from memory.
 *   B as stored [k, n]:  sums[r, :] += A[r, p] · B[p, :] for every p: B read once, front to back (pages in
 *                        order, which the prefetchers follow), the m rows of sums in L2;
 *   Bᵀ (stored [n, k]):  C[r, j] = dot(A[r, :], B[j, :]) for every j, each row of B read once for all r.
 * The loops are plain C compiled for each path's instruction set, which the compiler vectorises.
 */
#include "F32Blocking.h"
#include "Workspace.h"

#include <stdlib.h>

enum { COLUMN_BLOCK = 512 };

/* B as stored is read a row at a time, and a thread's part of a row (a band of columns) is a few KB
 * followed by a jump to the next row: the hardware prefetchers stop at each jump (and each page), so
 * the rows PREFETCH_ROWS ahead are asked for into L2 explicitly. */
enum { PREFETCH_ROWS = 8 };

static inline void prefetch_row(const float *row, int64_t n) {
    for (int64_t j = 0; j < n; j += 16) __builtin_prefetch(row + j, 0, 2);
}

/* The m × n sums of the B-as-stored case: per thread, grown when needed. */
static _Thread_local void *row_sums;
static _Thread_local size_t row_sums_capacity;

static float *sums_for(int64_t m, int64_t n) {
    return grown_workspace(&row_sums, &row_sums_capacity, (size_t)(m * n) * sizeof(float));
}

#define FEW_ROWS_BODY                                                                                          \
    if (!transpose_b) {                                                                                        \
        float *sums = sums_for(m, n);                                                                          \
        for (int64_t i = 0; i < m * n; i++) sums[i] = 0;                                                       \
        for (int64_t p = 0; p < k; p++) {                                                                      \
            const float *row = b + p * ldb;                                                                    \
            if (p + PREFETCH_ROWS < k) prefetch_row(row + PREFETCH_ROWS * ldb, n);                             \
            for (int64_t r = 0; r < m; r++) {                                                                  \
                const float x = transpose_a ? a[p * lda + r] : a[r * lda + p];                                 \
                float *target = sums + r * n;                                                                  \
                for (int64_t j = 0; j < n; j++) target[j] += x * row[j];                                       \
            }                                                                                                  \
        }                                                                                                      \
        finish(m, n, alpha, sums, n, beta, c, ldc, bias, relu);                                                \
        return;                                                                                                \
    }                                                                                                          \
    for (int64_t n0 = 0; n0 < n; n0 += COLUMN_BLOCK) {                                                        \
        const int64_t width = n - n0 < COLUMN_BLOCK ? n - n0 : COLUMN_BLOCK;                                   \
        float sums[F32_FEW_ROWS_MAX][COLUMN_BLOCK];                                                            \
        for (int64_t j = 0; j < width; j++) {                                                                  \
            const float *row = b + (n0 + j) * ldb;                                                             \
            for (int64_t r = 0; r < m; r++) {                                                                  \
                float total = 0;                                                                               \
                if (transpose_a) {                                                                             \
                    for (int64_t p = 0; p < k; p++) total += a[p * lda + r] * row[p];                          \
                } else {                                                                                       \
                    const float *left = a + r * lda;                                                           \
                    for (int64_t p = 0; p < k; p++) total += left[p] * row[p];                                 \
                }                                                                                              \
                sums[r][j] = total;                                                                            \
            }                                                                                                  \
        }                                                                                                      \
        finish(m, width, alpha, &sums[0][0], COLUMN_BLOCK, beta, c + n0, ldc, bias ? bias + n0 : NULL, relu); \
    }

/* C = relu?(alpha · sums + beta · C + bias). */
static inline void finish(int64_t m, int64_t n, float alpha, const float *sums, int64_t lds, float beta, float *c,
                          int64_t ldc, const float *bias, int relu) {
    for (int64_t r = 0; r < m; r++) {
        float *target = c + r * ldc;
        for (int64_t j = 0; j < n; j++) {
            float value = alpha * sums[r * lds + j];
            if (beta != 0) value += beta * target[j];
            if (bias) value += bias[j];
            if (relu && value < 0) value = 0;
            target[j] = value;
        }
    }
}

TARGET_AVX512 void f32_few_rows_avx512(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                                       int64_t ldc, const float *bias, int relu) {
    FEW_ROWS_BODY
}

TARGET_AVX2 void f32_few_rows_avx2(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                                   const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                                   int64_t ldc, const float *bias, int relu) {
    FEW_ROWS_BODY
}

void f32_few_rows_scalar(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                         int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc, const float *bias,
                         int relu) {
    FEW_ROWS_BODY
}
