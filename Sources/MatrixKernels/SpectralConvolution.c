/*
 * SpectralConvolution.c — the transforms of a stride-1 float32 convolution computed in the frequency
 * domain, tile by tile (MatrixKernels.h, "Spectral convolution", states the layouts).
 *
 * A T × T tile of the (zero-padded) image and the kernel zero-padded to T × T have discrete Fourier
 * transforms X and W; the correlation the convolution computes is the inverse transform of X · Ŵ (Ŵ the
 * transform of the flipped kernel, i.e. the conjugate of W), exact (no wrap-around) on the first
 * T − K + 1 rows and columns of the tile. The image is real, so only T · (T/2 + 1) frequencies are kept.
 * Per frequency, the channels mix by a complex matrix product, done as a real one by the float32 GEMM
 * ([Xr | Xi] · [[Ŵr, Ŵi], [−Ŵi, Ŵr]]); these functions make its operands and read its results back:
 *   fv_spectral_weight    the kernel → one [2C, 2O] matrix per frequency (once per model, or per training step)
 *   fv_spectral_forward   image tiles (or their first `block` rows and columns) → [frequency][tile][2C]
 *   fv_spectral_inverse   [frequency][tile][2O] → output pixels, + bias, max(0, ·)
 * (The weight gradient, Tensor's SpectralGradients.swift, uses the last two on x's tiles and dy's blocks.)
 * The transforms are discrete Fourier sums written out (T² · (T/2 + 1) terms a channel), separable by
 * rows then columns; they run over 16 channels at a time, so the compiler turns each step into vector
 * FMAs on each path's instruction set.
 */
#include "F32Blocking.h"
#include "Workspace.h"

#include <math.h>
#include <stdlib.h>

enum { LANES = 16, MAX_TILE = 64 };

/* The tile's twiddles: cos and sin of 2π·q/T for q in [0, T). */
typedef struct {
    float cosine[MAX_TILE], sine[MAX_TILE];
} twiddles;

static void twiddles_for(int64_t tile, twiddles *t) {
    for (int64_t q = 0; q < tile; q++) {
        const double angle = 2.0 * M_PI * (double)q / (double)tile;
        t->cosine[q] = (float)cos(angle);
        t->sine[q] = (float)sin(angle);
    }
}

int64_t fv_spectral_frequencies(int64_t tile) { return tile * (tile / 2 + 1); }

int64_t fv_spectral_tiles(const fv_spectral_geometry *g) {
    const int64_t step_y = g->tile - g->kernel_height + 1, step_x = g->tile - g->kernel_width + 1;
    return ((g->output_height + step_y - 1) / step_y) * ((g->output_width + step_x - 1) / step_x);
}

int fv_spectral_geometry_valid(const fv_spectral_geometry *g) {
    return g->tile >= 2 && g->tile <= MAX_TILE && g->tile % 2 == 0 && g->kernel_height >= 1 &&
           g->kernel_width >= 1 && g->kernel_height <= g->tile && g->kernel_width <= g->tile && g->channels >= 1 &&
           g->output_channels >= 1 && g->output_height >= 1 && g->output_width >= 1 && g->padding >= 0 && g->block >= 0;
}

/* Per-thread scratch: the transform of one tile along its rows. */
static _Thread_local void *row_transforms;
static _Thread_local size_t row_transforms_capacity;

/* ---- The kernel: W'(a, b) = Σ_{u, v} w[u, v] · e^{+2πi(a·u + b·v)/T} / T², per channel pair ----
 * Separably: first along each kernel row, V[u, b] = Σ_v w[u, v] · e^{+2πi·b·v/T} (for the b of the
 * frequencies asked for, kept per thread: KH · (T/2 + 1) · C · 2O floats at most), then down the rows,
 * W'(a, b) = Σ_u V[u, b] · e^{+2πi·a·u/T}. */
static _Thread_local void *kernel_rows;
static _Thread_local size_t kernel_rows_capacity;

#define WEIGHT_BODY                                                                                            \
    const int64_t tile = g->tile, half = tile / 2 + 1, c_count = g->channels, o_count = g->output_channels;   \
    const int64_t width = 2 * o_count, kh = g->kernel_height, kw = g->kernel_width;                            \
    twiddles t;                                                                                                \
    twiddles_for(tile, &t);                                                                                    \
    const float scale = 1.0f / (float)(tile * tile);                                                           \
    /* V[u, b, c] = [real parts | imaginary parts] over the output channels. */                               \
    const int64_t b_first = first / tile, b_end = (first + count + tile - 1) / tile;                           \
    float *rows = grown_workspace(&kernel_rows, &kernel_rows_capacity,                                         \
                                  (size_t)(kh * half * c_count * width) * sizeof(float));                      \
    for (int64_t u = 0; u < kh; u++) {                                                                         \
        for (int64_t b = b_first; b < b_end; b++) {                                                            \
            for (int64_t c = 0; c < c_count; c++) {                                                            \
                float *v_row = rows + ((u * half + b) * c_count + c) * width;                                  \
                for (int64_t o = 0; o < width; o++) v_row[o] = 0;                                              \
                for (int64_t v = 0; v < kw; v++) {                                                             \
                    const int64_t q = (b * v) % tile;                                                          \
                    const float cosine = t.cosine[q] * scale, sine = t.sine[q] * scale;                        \
                    const float *w = weight + ((u * kw + v) * c_count + c) * o_count;                          \
                    for (int64_t o = 0; o < o_count; o++) {                                                    \
                        v_row[o] += cosine * w[o];                                                             \
                        v_row[o_count + o] += sine * w[o];                                                     \
                    }                                                                                          \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    for (int64_t f = first; f < first + count; f++) {                                                          \
        const int64_t a = f % tile, b = f / tile;                                                              \
        float *matrix = out + (f - first) * (2 * c_count) * width;                                             \
        for (int64_t c = 0; c < c_count; c++) {                                                                \
            float *real_row = matrix + c * width, *imaginary_row = matrix + (c_count + c) * width;             \
            for (int64_t o = 0; o < width; o++) real_row[o] = 0;                                               \
            for (int64_t u = 0; u < kh; u++) {                                                                 \
                const int64_t q = (a * u) % tile;                                                              \
                const float cosine = t.cosine[q], sine = t.sine[q];                                            \
                const float *v_row = rows + ((u * half + b) * c_count + c) * width;                            \
                for (int64_t o = 0; o < o_count; o++) {                                                        \
                    real_row[o] += v_row[o] * cosine - v_row[o_count + o] * sine;                              \
                    real_row[o_count + o] += v_row[o] * sine + v_row[o_count + o] * cosine;                    \
                }                                                                                              \
            }                                                                                                  \
            /* The rows the imaginary parts of X meet: [−sine sums | cosine sums]. */                          \
            for (int64_t o = 0; o < o_count; o++) {                                                            \
                imaginary_row[o] = -real_row[o_count + o];                                                     \
                imaginary_row[o_count + o] = real_row[o];                                                      \
            }                                                                                                  \
        }                                                                                                      \
    }

static TARGET_AVX512 void weight_avx512(const fv_spectral_geometry *g, const float *weight, int64_t first,
                                        int64_t count, float *out) {
    WEIGHT_BODY
}
static TARGET_AVX2 void weight_avx2(const fv_spectral_geometry *g, const float *weight, int64_t first, int64_t count,
                                    float *out) {
    WEIGHT_BODY
}
static void weight_scalar(const fv_spectral_geometry *g, const float *weight, int64_t first, int64_t count,
                          float *out) {
    WEIGHT_BODY
}

void fv_spectral_weight(fv_kernel_path path, const fv_spectral_geometry *g, const float *weight,
                        int64_t first_frequency, int64_t frequencies, float *matrices) {
    switch (path) {
    case FV_KERNEL_AVX512: weight_avx512(g, weight, first_frequency, frequencies, matrices); break;
    case FV_KERNEL_AVX2: weight_avx2(g, weight, first_frequency, frequencies, matrices); break;
    default: weight_scalar(g, weight, first_frequency, frequencies, matrices); break;
    }
}

/* ---- Image tiles → spectra ---- */

/* One tile's transform for `lanes` (≤ 16) channels from c0, into spectrum rows `row` of every frequency.
 * rows[r][b] holds the transform along the tile's row r: 2 × 16 floats (real parts, imaginary parts). */
static inline __attribute__((always_inline)) void forward_lanes(
    const fv_spectral_geometry *g, const twiddles *t, const float *image, int64_t top, int64_t left, int64_t c0,
    int64_t lanes, float *rows, float *spectrum, int64_t spectrum_rows, int64_t row) {
    const int64_t tile = g->tile, half = tile / 2 + 1, c_count = g->channels;
    /* The rows and columns read: the tile's first `block` (all T when 0), within the image. */
    const int64_t block = g->block > 0 && g->block < tile ? g->block : tile;
    const int64_t r_first = top < 0 ? -top : 0, r_end = top + block > g->height ? g->height - top : block;
    const int64_t s_first = left < 0 ? -left : 0, s_end = left + block > g->width ? g->width - left : block;
    /* Along each row: Z[r, b] = Σ_s x[r, s] · e^{−2πi·b·s/T}. */
    for (int64_t r = r_first; r < r_end; r++) {
        const float *pixels = image + ((top + r) * g->width + left) * c_count + c0;
        for (int64_t b = 0; b < half; b++) {
            float re[LANES] = {0}, im[LANES] = {0};
            for (int64_t s = s_first; s < s_end; s++) {
                const int64_t q = (b * s) % tile;
                const float cosine = t->cosine[q], sine = t->sine[q];
                const float *x = pixels + s * c_count;
                for (int64_t l = 0; l < lanes; l++) {
                    re[l] += cosine * x[l];
                    im[l] -= sine * x[l];
                }
            }
            float *z = rows + (r * half + b) * 2 * LANES;
            for (int64_t l = 0; l < lanes; l++) {
                z[l] = re[l];
                z[LANES + l] = im[l];
            }
        }
    }
    /* Down each column: X[a, b] = Σ_r Z[r, b] · e^{−2πi·a·r/T}. */
    for (int64_t b = 0; b < half; b++) {
        for (int64_t a = 0; a < tile; a++) {
            float re[LANES] = {0}, im[LANES] = {0};
            for (int64_t r = r_first; r < r_end; r++) {
                const int64_t q = (a * r) % tile;
                const float cosine = t->cosine[q], sine = t->sine[q];
                const float *z = rows + (r * half + b) * 2 * LANES;
                for (int64_t l = 0; l < lanes; l++) {
                    re[l] += z[l] * cosine + z[LANES + l] * sine;
                    im[l] += z[LANES + l] * cosine - z[l] * sine;
                }
            }
            float *out = spectrum + ((b * tile + a) * spectrum_rows + row) * 2 * c_count + c0;
            for (int64_t l = 0; l < lanes; l++) {
                out[l] = re[l];
                out[c_count + l] = im[l];
            }
        }
    }
}

#define FORWARD_BODY                                                                                           \
    const int64_t tile = g->tile, half = tile / 2 + 1;                                                         \
    const int64_t step_y = tile - g->kernel_height + 1, step_x = tile - g->kernel_width + 1;                   \
    const int64_t tiles_x = (g->output_width + step_x - 1) / step_x;                                           \
    twiddles t;                                                                                                \
    twiddles_for(tile, &t);                                                                                    \
    float *rows = grown_workspace(&row_transforms, &row_transforms_capacity,                                   \
                                  (size_t)(tile * half * 2 * LANES) * sizeof(float));                          \
    for (int64_t index = first_tile; index < first_tile + tiles; index++) {                                    \
        const int64_t top = (index / tiles_x) * step_y - g->padding, left = (index % tiles_x) * step_x - g->padding; \
        const int64_t row = first_row + (index - first_tile);                                                  \
        int64_t c0 = 0;                                                                                        \
        for (; c0 + LANES <= g->channels; c0 += LANES)                                                         \
            forward_lanes(g, &t, image, top, left, c0, LANES, rows, spectrum, spectrum_rows, row);             \
        if (c0 < g->channels)                                                                                  \
            forward_lanes(g, &t, image, top, left, c0, g->channels - c0, rows, spectrum, spectrum_rows, row);  \
        /* Rows of the tile outside the image were skipped: their part of every sum is zero. */                \
    }

static TARGET_AVX512 void forward_avx512(const fv_spectral_geometry *g, const float *image, int64_t first_tile,
                                         int64_t tiles, float *spectrum, int64_t spectrum_rows, int64_t first_row) {
    FORWARD_BODY
}
static TARGET_AVX2 void forward_avx2(const fv_spectral_geometry *g, const float *image, int64_t first_tile,
                                     int64_t tiles, float *spectrum, int64_t spectrum_rows, int64_t first_row) {
    FORWARD_BODY
}
static void forward_scalar(const fv_spectral_geometry *g, const float *image, int64_t first_tile, int64_t tiles,
                           float *spectrum, int64_t spectrum_rows, int64_t first_row) {
    FORWARD_BODY
}

void fv_spectral_forward(fv_kernel_path path, const fv_spectral_geometry *g, const float *image, int64_t first_tile,
                         int64_t tiles, float *spectrum, int64_t spectrum_rows, int64_t first_row) {
    switch (path) {
    case FV_KERNEL_AVX512: forward_avx512(g, image, first_tile, tiles, spectrum, spectrum_rows, first_row); break;
    case FV_KERNEL_AVX2: forward_avx2(g, image, first_tile, tiles, spectrum, spectrum_rows, first_row); break;
    default: forward_scalar(g, image, first_tile, tiles, spectrum, spectrum_rows, first_row); break;
    }
}

/* ---- Products' spectra → output pixels ---- */

/* One tile's inverse transform for `lanes` (≤ 16) output channels from o0. columns[i][b] holds the
 * inverse along the tile's columns for output row i: 2 × 16 floats. */
static inline __attribute__((always_inline)) void inverse_lanes(
    const fv_spectral_geometry *g, const twiddles *t, const float *products, int64_t product_rows, int64_t row,
    int64_t top, int64_t left, int64_t heights, int64_t widths, int64_t o0, int64_t lanes, const float *bias,
    int relu, float *columns, float *y) {
    const int64_t tile = g->tile, half = tile / 2 + 1, o_count = g->output_channels;
    /* Z[i, b] = Σ_a P[a, b] · e^{+2πi·a·i/T}, for the output rows the tile keeps. */
    for (int64_t b = 0; b < half; b++) {
        for (int64_t i = 0; i < heights; i++) {
            float re[LANES] = {0}, im[LANES] = {0};
            for (int64_t a = 0; a < tile; a++) {
                const int64_t q = (a * i) % tile;
                const float cosine = t->cosine[q], sine = t->sine[q];
                const float *p = products + ((b * tile + a) * product_rows + row) * 2 * o_count + o0;
                for (int64_t l = 0; l < lanes; l++) {
                    re[l] += p[l] * cosine - p[o_count + l] * sine;
                    im[l] += p[l] * sine + p[o_count + l] * cosine;
                }
            }
            float *z = columns + (i * half + b) * 2 * LANES;
            for (int64_t l = 0; l < lanes; l++) {
                z[l] = re[l];
                z[LANES + l] = im[l];
            }
        }
    }
    /* y[i, j] = Re Σ_b Z[i, b] · e^{+2πi·b·j/T} over the whole (Hermitian) row: b = 0 and T/2 once, the
     * others twice. */
    for (int64_t i = 0; i < heights; i++) {
        for (int64_t j = 0; j < widths; j++) {
            const float *z0 = columns + (i * half) * 2 * LANES, *zn = columns + (i * half + half - 1) * 2 * LANES;
            const float sign = (j % 2) ? -1.0f : 1.0f;
            float value[LANES];
            for (int64_t l = 0; l < lanes; l++) value[l] = z0[l] + sign * zn[l];
            for (int64_t b = 1; b < half - 1; b++) {
                const int64_t q = (b * j) % tile;
                const float cosine = 2 * t->cosine[q], sine = 2 * t->sine[q];
                const float *z = columns + (i * half + b) * 2 * LANES;
                for (int64_t l = 0; l < lanes; l++) value[l] += z[l] * cosine - z[LANES + l] * sine;
            }
            float *out = y + ((top + i) * g->output_width + left + j) * o_count + o0;
            for (int64_t l = 0; l < lanes; l++) {
                float v = value[l] + (bias ? bias[o0 + l] : 0.0f);
                out[l] = relu && v < 0 ? 0.0f : v;
            }
        }
    }
}

#define INVERSE_BODY                                                                                           \
    const int64_t tile = g->tile, half = tile / 2 + 1;                                                         \
    const int64_t step_y = tile - g->kernel_height + 1, step_x = tile - g->kernel_width + 1;                   \
    const int64_t tiles_x = (g->output_width + step_x - 1) / step_x;                                           \
    twiddles t;                                                                                                \
    twiddles_for(tile, &t);                                                                                    \
    float *columns = grown_workspace(&row_transforms, &row_transforms_capacity,                                \
                                     (size_t)(tile * half * 2 * LANES) * sizeof(float));                       \
    for (int64_t index = first_tile; index < first_tile + tiles; index++) {                                    \
        const int64_t top = (index / tiles_x) * step_y, left = (index % tiles_x) * step_x;                     \
        const int64_t heights = top + step_y > g->output_height ? g->output_height - top : step_y;             \
        const int64_t widths = left + step_x > g->output_width ? g->output_width - left : step_x;              \
        const int64_t row = first_row + (index - first_tile);                                                  \
        int64_t o0 = 0;                                                                                        \
        for (; o0 + LANES <= g->output_channels; o0 += LANES)                                                  \
            inverse_lanes(g, &t, products, product_rows, row, top, left, heights, widths, o0, LANES, bias, relu, \
                          columns, y);                                                                         \
        if (o0 < g->output_channels)                                                                           \
            inverse_lanes(g, &t, products, product_rows, row, top, left, heights, widths, o0,                  \
                          g->output_channels - o0, bias, relu, columns, y);                                    \
    }

static TARGET_AVX512 void inverse_avx512(const fv_spectral_geometry *g, const float *products, int64_t product_rows,
                                         int64_t first_row, int64_t first_tile, int64_t tiles, const float *bias,
                                         int relu, float *y) {
    INVERSE_BODY
}
static TARGET_AVX2 void inverse_avx2(const fv_spectral_geometry *g, const float *products, int64_t product_rows,
                                     int64_t first_row, int64_t first_tile, int64_t tiles, const float *bias, int relu,
                                     float *y) {
    INVERSE_BODY
}
static void inverse_scalar(const fv_spectral_geometry *g, const float *products, int64_t product_rows,
                           int64_t first_row, int64_t first_tile, int64_t tiles, const float *bias, int relu,
                           float *y) {
    INVERSE_BODY
}

void fv_spectral_inverse(fv_kernel_path path, const fv_spectral_geometry *g, const float *products,
                         int64_t product_rows, int64_t first_row, int64_t first_tile, int64_t tiles,
                         const float *bias, int relu, float *y) {
    switch (path) {
    case FV_KERNEL_AVX512:
        inverse_avx512(g, products, product_rows, first_row, first_tile, tiles, bias, relu, y);
        break;
    case FV_KERNEL_AVX2: inverse_avx2(g, products, product_rows, first_row, first_tile, tiles, bias, relu, y); break;
    default: inverse_scalar(g, products, product_rows, first_row, first_tile, tiles, bias, relu, y); break;
    }
}
