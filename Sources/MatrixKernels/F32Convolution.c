/*
 * F32Convolution.c — a float32 convolution's forward product with its A operand (the im2col matrix) read
 * in place from a padded copy of the image (Patches.h) by the float32 GEMM's blocked loop (GEMMF32.c),
 * instead of being written out by im2col and packed again tile by tile. See fv_conv_f32_forward in
 * MatrixKernels.h for the contract.
 *
 * Output positions run in blocks whose padded rows fill at most a quarter of L2, so that the rows the
 * tiles' broadcasts walk stay there across the k blocks and column blocks; only the rows a block reads are
 * copied, once per block (a tenth to a ninth of what im2col would write for a 3 × 3 kernel).
 */
#include "F32Blocking.h"
#include "Workspace.h"

#include <stdlib.h>
#include <string.h>

/* A per-thread buffer for the padded rows of a block (Workspace.h). */
static _Thread_local void *rows_workspace;
static _Thread_local size_t rows_capacity;

/* The image's values as they are (Patches.h's writer for float32). */
static void copy_values(const float *source, int64_t count, void *target) {
    memcpy(target, source, (size_t)count * sizeof(float));
}

/* Output positions per block: whole output rows whose padded rows fill at most a quarter of L2 (at least one). */
static int64_t positions_per_block(const fv_patches *patches) {
    const int64_t budget = fv_l2_cache_bytes() / 4 / (int64_t)sizeof(float);
    const int64_t row_values = patches_padded_row_values(patches);
    int64_t output_rows = (budget / row_values - patches->kernel_height) / patches->stride + 1;
    if (output_rows < 1) output_rows = 1;
    return output_rows * patches->output_width;
}

void fv_conv_f32_forward(fv_kernel_path path, const fv_patches *patches, int64_t first_position, int64_t positions,
                         const float *weight, const float *packed_weight, int64_t output_channels, const float *bias,
                         int relu, float *y) {
    if (path > fv_kernel_best_supported()) abort();   /* a path this CPU cannot run is a caller's bug */
    if (!patches_offsets_fit(patches)) abort();        /* offsets within a patch are 32-bit */
    const int64_t k = patches->kernel_height * patches->kernel_width * patches->channels;
    if (positions <= 0 || output_channels <= 0) return;
    const int64_t block = positions_per_block(patches);
    for (int64_t first = first_position; first < first_position + positions; first += block) {
        const int64_t end = first + block < first_position + positions ? first + block : first_position + positions;
        int64_t first_row, end_row;
        patches_rows_read(patches, first, end, &first_row, &end_row);
        const size_t count = (size_t)((end_row - first_row) * patches_padded_row_values(patches));
        float *values = grown_workspace(&rows_workspace, &rows_capacity, count * sizeof(float));
        patches_write_padded_rows(patches, first_row, end_row, sizeof(float), copy_values, values);
        const f32_image image = {patches, values, first_row, first};
        f32_gemm_blocked(path, 0, 0, end - first, output_channels, 0, output_channels, k, 1, NULL, 0, &image,
                         packed_weight ? NULL : weight, output_channels, packed_weight, 0,
                         y + (first - first_position) * output_channels, output_channels, bias, relu);
    }
}
