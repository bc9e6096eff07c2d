/*
 * F32Packing.c — operands into the float32 GEMM's packed layouts (F32Blocking.h), from a matrix in
 * either orientation; rows and columns beyond the matrix are packed as zeros.
 */
#include "F32Blocking.h"

#include <string.h>

void f32_pack_a(int transpose_a, const float *a, int64_t lda, int64_t m0, int64_t rows, int64_t k0, int64_t steps,
                int mr, float *panel) {
    if (transpose_a) {
        /* A is stored [k, m]: op(A)[r, p] = a[(k0 + p) · lda + m0 + r], rows contiguous per step. */
        for (int64_t p = 0; p < steps; p++) {
            const float *source = a + (k0 + p) * lda + m0;
            float *target = panel + p * mr;
            memcpy(target, source, (size_t)rows * sizeof(float));
            for (int64_t r = rows; r < mr; r++) target[r] = 0;
        }
    } else {
        for (int64_t r = 0; r < mr; r++) {
            if (r < rows) {
                const float *source = a + (m0 + r) * lda + k0;
                for (int64_t p = 0; p < steps; p++) panel[p * mr + r] = source[p];
            } else {
                for (int64_t p = 0; p < steps; p++) panel[p * mr + r] = 0;
            }
        }
    }
}

void f32_pack_b(int transpose_b, const float *b, int64_t ldb, int64_t k0, int64_t steps, int64_t n0, int64_t columns,
                int nr, float *panels) {
    for (int64_t j0 = 0; j0 < columns; j0 += nr) {
        const int64_t width = columns - j0 < nr ? columns - j0 : nr;
        float *panel = panels + j0 * steps;   /* panel j0 / nr holds steps · nr floats */
        if (transpose_b) {
            /* B is stored [n, k]: op(B)[p, j] = b[(n0 + j) · ldb + k0 + p]. */
            for (int64_t j = 0; j < nr; j++) {
                if (j < width) {
                    const float *source = b + (n0 + j0 + j) * ldb + k0;
                    for (int64_t p = 0; p < steps; p++) panel[p * nr + j] = source[p];
                } else {
                    for (int64_t p = 0; p < steps; p++) panel[p * nr + j] = 0;
                }
            }
        } else {
            for (int64_t p = 0; p < steps; p++) {
                const float *source = b + (k0 + p) * ldb + n0 + j0;
                float *target = panel + p * nr;
                memcpy(target, source, (size_t)width * sizeof(float));
                for (int64_t j = width; j < nr; j++) target[j] = 0;
            }
        }
    }
}
