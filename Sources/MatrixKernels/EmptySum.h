/*
 * EmptySum.h — what both GEMM drivers do when there is nothing to sum (k = 0): C = beta · C, plus the
 * column bias, then max(0, ·) when asked. Private to MatrixKernels.
 */
#ifndef EMPTY_SUM_H
#define EMPTY_SUM_H

#include <stdint.h>

static inline void empty_sum(int64_t m, int64_t n, float beta, float *c, int64_t ldc, const float *bias, int relu) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            float value = beta == 0 ? 0 : beta * c[i * ldc + j];
            if (bias) value += bias[j];
            if (relu && value < 0) value = 0;
            c[i * ldc + j] = value;
        }
    }
}

#endif
