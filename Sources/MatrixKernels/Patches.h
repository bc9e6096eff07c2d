/*
 * Patches.h — a convolution's im2col matrix seen in a padded copy of its image, for the kernels that read
 * their A operand there instead of building and packing that matrix (private to MatrixKernels).
 *
 * The padded copy is the image [N, H, W, C] with `padding` rows of zeros above and below each image and
 * `padding` columns of zeros on each side: [N, Hp, Wp, C], Hp = H + 2Q, Wp = W + 2Q, its rows counted
 * across images (padded row R = n · Hp + h + Q). Output position p = (n, oh, ow) has its patch at padded
 * row n · Hp + oh · S, column ow · S; the patch is KH runs of KW · C consecutive values, run i at
 * i · Wp · C past its first value, so im2col(x)[p, k] = patch start[k / (KW · C) · Wp · C + k % (KW · C)].
 */
#ifndef PATCHES_H
#define PATCHES_H

#include "MatrixKernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Values in one padded row: Wp · C. */
static inline int64_t patches_padded_row_values(const fv_patches *patches) {
    return (patches->width + 2 * patches->padding) * patches->channels;
}

/* The padded row where the patch of output position p starts, and its column. */
static inline void patches_origin(const fv_patches *patches, int64_t p, int64_t *row, int64_t *column) {
    const int64_t per_image = patches->output_height * patches->output_width;
    const int64_t n = p / per_image, oh = p % per_image / patches->output_width, ow = p % patches->output_width;
    *row = n * (patches->height + 2 * patches->padding) + oh * patches->stride;
    *column = ow * patches->stride;
}

/* The padded rows that output positions [first, end) read: from the first one's patch row to the last
 * one's + KH − 1 (consecutive across images). */
static inline void patches_rows_read(const fv_patches *patches, int64_t first, int64_t end, int64_t *first_row,
                                     int64_t *end_row) {
    int64_t column, last_row;
    patches_origin(patches, first, first_row, &column);
    patches_origin(patches, end - 1, &last_row, &column);
    *end_row = last_row + patches->kernel_height;
}

/* The image's row (W · C values) that padded row R shows, or NULL where R is a padding row. */
static inline const float *patches_image_row(const fv_patches *patches, int64_t row) {
    const int64_t padded_height = patches->height + 2 * patches->padding;
    const int64_t n = row / padded_height, h = row % padded_height - patches->padding;
    if (h < 0 || h >= patches->height) return NULL;
    return patches->x + (n * patches->height + h) * patches->width * patches->channels;
}

/* Where the patches of output positions position ..< position + rows start, in values past the start of
 * padded row first_row; entries rows ..< count repeat the first, so that a kernel's whole tile reads valid
 * memory. One division for the first position, then a step along its output row (and on to the next row or
 * image) per position. */
static inline void patches_tile_offsets(const fv_patches *patches, int64_t first_row, int64_t position, int64_t rows,
                                        int count, int64_t offsets[]) {
    const int64_t per_image = patches->output_height * patches->output_width;
    int64_t n = position / per_image, oh = position % per_image / patches->output_width, ow = position % patches->output_width;
    const int64_t padded_height = patches->height + 2 * patches->padding, row_values = patches_padded_row_values(patches);
    for (int r = 0; r < count; r++) {
        if (r >= rows) {
            offsets[r] = offsets[0];
            continue;
        }
        offsets[r] = (n * padded_height + oh * patches->stride - first_row) * row_values + ow * patches->stride * patches->channels;
        if (++ow == patches->output_width) {
            ow = 0;
            if (++oh == patches->output_height) {
                oh = 0;
                n++;
            }
        }
    }
}

/* Where k step k lies in a patch, in values past the patch's first one. */
static inline int64_t patches_offset(const fv_patches *patches, int64_t k) {
    const int64_t run = patches->kernel_width * patches->channels;
    return k / run * patches_padded_row_values(patches) + k % run;
}

/* Whether offsets within a patch fit 32 bits, as the kernels keep them. */
static inline int patches_offsets_fit(const fv_patches *patches) {
    return patches->kernel_height * patches_padded_row_values(patches) <= INT32_MAX;
}

/* Writes `count` image values, converted as a kernel reads them, to `target`. */
typedef void (*patches_value_writer)(const float *source, int64_t count, void *target);

/* Padded rows [first_row, end_row) into `values` (Wp · C elements of `element_size` bytes each): zeros for
 * padding rows and columns, the image's row through `write` otherwise. */
static inline void patches_write_padded_rows(const fv_patches *patches, int64_t first_row, int64_t end_row, size_t element_size,
                                             patches_value_writer write, void *values) {
    const int64_t row_values = patches->width * patches->channels, margin = patches->padding * patches->channels;
    const size_t padded_bytes = (size_t)patches_padded_row_values(patches) * element_size;
    for (int64_t row = first_row; row < end_row; row++) {
        char *target = (char *)values + (size_t)(row - first_row) * padded_bytes;
        const float *source = patches_image_row(patches, row);
        if (source == NULL) {
            memset(target, 0, padded_bytes);
            continue;
        }
        memset(target, 0, (size_t)margin * element_size);
        write(source, row_values, target + (size_t)margin * element_size);
        memset(target + (size_t)(margin + row_values) * element_size, 0, (size_t)margin * element_size);
    }
}

#endif
