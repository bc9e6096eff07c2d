// AreaShrink.cpp — shrinking RGB8 pixels by area averaging, bit for bit what OpenCV's cv::resize with
// INTER_AREA gives for a shrink by a scale that is not a whole number on both axes, in well under half
// its time (most canonical photos are made by such a shrink, a 350-pixel LFW crop to 250 for one; the
// README has the figures). fv_resize_rgb calls it; fv_resize_rgb_opencv keeps OpenCV's own as the tests'
// reference.
//
//   scale     s = 1 / (target / source), per axis, in double (as OpenCV computes it)
//   cell      target pixel t covers source [t·s, t·s + s); each source pixel it overlaps gets the
//             share of the cell it covers (float; slivers under 1e-3 of a pixel dropped)
//   row       for each source row: row[t] = Σ source[i]·share (float, in source order)
//   sum       for each target row: Σ row·share over the source rows it covers (float, in order)
//   pixel     the sum rounded to nearest (ties to even), clamped to 0…255
// Each sum runs in the same order as OpenCV's, in float multiplies and adds that are never fused
// (FP_CONTRACT off, and the baseline x86-64 target has no FMA): the same roundings, so the same bytes
// (AreaShrinkTests compares them on pictures of every size). What is faster: a source row's horizontal
// pass is made once, not once per target row that reads it; a target column's taps are read together, its
// three channels in one vector; the vertical sums and the final rounding run four floats at a time.
#include "AreaShrink.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// A multiply and an add stay two roundings, as OpenCV's are, even where the target has fused multiply-add.
#pragma STDC FP_CONTRACT OFF

namespace facever_shim {

namespace {

// One source pixel's share of one target pixel, along one axis.
struct Tap {
    int source;
    int target;
    float share;
};

// How many source pixels one target pixel covers along an axis, computed as OpenCV computes it (the last
// bit decides where a cell's edges fall).
double area_scale(int source_size, int target_size) {
    return 1.0 / (static_cast<double>(target_size) / source_size);
}

// The taps of every target pixel along an axis, target by target, each target's in source order.
std::vector<Tap> area_taps(int source_size, int target_size, double scale) {
    std::vector<Tap> taps;
    taps.reserve(static_cast<size_t>(source_size) + target_size + 2);
    for (int target = 0; target < target_size; target++) {
        double start = target * scale, end = start + scale;
        double cell = std::min(scale, source_size - start);
        int first_whole = static_cast<int>(std::ceil(start));
        int last = std::min(static_cast<int>(std::floor(end)), source_size - 1);
        first_whole = std::min(first_whole, last);
        if (first_whole - start > 1e-3) {  // the part of a pixel before the first whole one
            taps.push_back({first_whole - 1, target, static_cast<float>((first_whole - start) / cell)});
        }
        for (int source = first_whole; source < last; source++) {
            taps.push_back({source, target, static_cast<float>(1.0 / cell)});
        }
        if (end - last > 1e-3) {  // the part of a pixel after the last whole one
            taps.push_back({last, target, static_cast<float>(std::min(std::min(end - last, 1.0), cell) / cell)});
        }
    }
    return taps;
}

// sum[i] rounded to nearest (ties to even) and clamped to a byte, for i < count.
void store_rounded(const float *sum, uint8_t *pixels, int count) {
    int i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= count; i += 16) {
        __m128i a = _mm_cvtps_epi32(_mm_loadu_ps(sum + i)), b = _mm_cvtps_epi32(_mm_loadu_ps(sum + i + 4));
        __m128i c = _mm_cvtps_epi32(_mm_loadu_ps(sum + i + 8)), d = _mm_cvtps_epi32(_mm_loadu_ps(sum + i + 12));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(pixels + i),
                         _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
    }
#endif
    for (; i < count; i++) {
        long rounded = std::lrint(sum[i]);  // the default rounding mode: to nearest, ties to even
        pixels[i] = static_cast<uint8_t>(std::clamp(rounded, 0L, 255L));
    }
}

}  // namespace

bool is_area_shrink(int32_t width, int32_t height, int32_t target_width, int32_t target_height) {
    if (target_width >= width || target_height >= height || target_width < 1 || target_height < 1) return false;
    double scale_x = area_scale(width, target_width), scale_y = area_scale(height, target_height);
    // OpenCV takes another path (whole blocks of pixels) when both scales are whole numbers.
    const double epsilon = std::numeric_limits<double>::epsilon();
    bool whole_x = std::abs(scale_x - std::lround(scale_x)) < epsilon;
    bool whole_y = std::abs(scale_y - std::lround(scale_y)) < epsilon;
    return !(whole_x && whole_y);
}

void shrink_by_area(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination, int32_t target_width,
                    int32_t target_height) {
    constexpr int channels = 3;
    const std::vector<Tap> columns = area_taps(width, target_width, area_scale(width, target_width));
    const std::vector<Tap> rows = area_taps(height, target_height, area_scale(height, target_height));
    // column_taps[t] … column_taps[t + 1]: the taps of target column t.
    std::vector<size_t> column_taps(static_cast<size_t>(target_width) + 1, 0);
    for (const Tap &tap : columns) column_taps[tap.target + 1]++;
    for (int t = 0; t < target_width; t++) column_taps[t + 1] += column_taps[t];

    const int row_values = target_width * channels;
    // Each pads by one vector: a target column's channels are written four floats at a time.
    std::vector<float> source_row(static_cast<size_t>(width) * channels + 4), row(row_values + 4), sum(row_values + 4, 0.f);
    int current_target = rows.front().target, row_made_from = -1;
    for (const Tap &tap : rows) {
        if (tap.source != row_made_from) {
            const uint8_t *source = rgb + static_cast<size_t>(tap.source) * width * channels;
            for (int i = 0; i < width * channels; i++) source_row[i] = source[i];
            for (int t = 0; t < target_width; t++) {
#if defined(__SSE2__)
                __m128 accumulated = _mm_setzero_ps();  // the three channels (and one lane spare)
                for (size_t k = column_taps[t]; k < column_taps[t + 1]; k++) {
                    __m128 pixel = _mm_loadu_ps(&source_row[static_cast<size_t>(columns[k].source) * channels]);
                    accumulated = _mm_add_ps(accumulated, _mm_mul_ps(pixel, _mm_set1_ps(columns[k].share)));
                }
                _mm_storeu_ps(&row[static_cast<size_t>(t) * channels], accumulated);  // the spare lane: overwritten next
#else
                for (int c = 0; c < channels; c++) {
                    float accumulated = 0;
                    for (size_t k = column_taps[t]; k < column_taps[t + 1]; k++) {
                        accumulated = accumulated + source_row[static_cast<size_t>(columns[k].source) * channels + c] * columns[k].share;
                    }
                    row[static_cast<size_t>(t) * channels + c] = accumulated;
                }
#endif
            }
            row_made_from = tap.source;
        }
        const float share = tap.share;
        if (tap.target != current_target) {  // the target row before is complete
            store_rounded(sum.data(), destination + static_cast<size_t>(current_target) * row_values, row_values);
            for (int i = 0; i < row_values; i++) sum[i] = share * row[i];
            current_target = tap.target;
        } else {
            for (int i = 0; i < row_values; i++) sum[i] += share * row[i];
        }
    }
    store_rounded(sum.data(), destination + static_cast<size_t>(current_target) * row_values, row_values);
}

}  // namespace facever_shim
