// ImageCodec.cpp — decode, encode and resize for facever, behind facever_opencv.h.
// Decoding picks the format by the file's first bytes (ImageFormats.hpp); resizing is OpenCV's
// imgproc, except the usual shrink, which facever does itself to the same bytes (AreaShrink.cpp). Every
// entry point catches every exception and turns it into a status code and a one-line message.
#include "facever_opencv.h"
#include "AreaShrink.hpp"
#include "ImageFormats.hpp"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

using facever_shim::guarded;
using facever_shim::write_error;

namespace {

bool valid_dimensions(int32_t width, int32_t height) {
    return width > 0 && height > 0 && width <= 65536 && height <= 65536;
}

bool starts_with(const uint8_t *bytes, size_t length, const char *magic, size_t count) {
    return length >= count && std::memcmp(bytes, magic, count) == 0;
}

} // namespace

extern "C" int fv_decode_image(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out, char *error,
                               size_t error_capacity) {
    return guarded("decode", error, error_capacity, [&]() -> int {
        if (out == nullptr) {
            write_error(error, error_capacity, "decode: no output image");
            return 1;
        }
        out->width = 0;
        out->height = 0;
        out->pixels = nullptr;
        if (bytes == nullptr || length == 0) {
            write_error(error, error_capacity, "empty file");
            return 1;
        }
        facever_shim::DecodeResult result;
        if (starts_with(bytes, length, "\xff\xd8\xff", 3)) {
            result = facever_shim::decode_jpeg(bytes, length, max_pixels, out);
        } else if (starts_with(bytes, length, "\x89PNG\r\n\x1a\n", 8)) {
            result = facever_shim::decode_png(bytes, length, max_pixels, out);
        } else if (length >= 2 && bytes[0] == 'P' && std::strchr("2356", bytes[1]) != nullptr && bytes[1] != 0) {
            result = facever_shim::decode_pnm(bytes, length, max_pixels, out);
        } else {
            write_error(error, error_capacity, "not a readable image (corrupt, truncated or unknown format)");
            return 2;
        }
        if (!result.ok) {
            write_error(error, error_capacity, result.message);
            return result.over_pixel_limit ? 3 : 1;
        }
        return 0;
    });
}

extern "C" int fv_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                              fv_buffer *out, char *error, size_t error_capacity) {
    return guarded("encode JPEG", error, error_capacity, [&]() -> int {
        if (quality < 1 || quality > 100) {
            write_error(error, error_capacity, "encode JPEG: quality must be 1...100");
            return 1;
        }
        if (rgb == nullptr || out == nullptr || !valid_dimensions(width, height)) {
            write_error(error, error_capacity, "encode JPEG: invalid image (null pixels or bad size)");
            return 1;
        }
        facever_shim::DecodeResult result = facever_shim::encode_jpeg(rgb, width, height, quality, out);
        if (!result.ok) write_error(error, error_capacity, result.message);
        return result.ok ? 0 : 1;
    });
}

extern "C" int fv_encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out, char *error,
                             size_t error_capacity) {
    return guarded("encode PNG", error, error_capacity, [&]() -> int {
        if (rgb == nullptr || out == nullptr || !valid_dimensions(width, height)) {
            write_error(error, error_capacity, "encode PNG: invalid image (null pixels or bad size)");
            return 1;
        }
        facever_shim::DecodeResult result = facever_shim::encode_png(rgb, width, height, out);
        if (!result.ok) write_error(error, error_capacity, result.message);
        return result.ok ? 0 : 1;
    });
}

namespace {

// fv_resize_rgb's checks, then `resize` on valid pixels and sizes.
template <typename Resize>
int checked_resize(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination, int32_t destination_width,
                   int32_t destination_height, char *error, size_t error_capacity, Resize resize) {
    return guarded("resize", error, error_capacity, [&]() -> int {
        if (rgb == nullptr || destination == nullptr || !valid_dimensions(width, height) ||
            !valid_dimensions(destination_width, destination_height)) {
            write_error(error, error_capacity, "resize: invalid image (null pixels or bad size)");
            return 1;
        }
        return resize();
    });
}

int opencv_resize(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination, int32_t destination_width,
                  int32_t destination_height, char *error, size_t error_capacity) {
    cv::Mat source(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
    cv::Mat target(destination_height, destination_width, CV_8UC3, destination);
    bool shrinking = destination_width < width && destination_height < height;
    cv::resize(source, target, target.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (target.data != destination) {
        write_error(error, error_capacity, "resize: OpenCV reallocated the destination");
        return 1;
    }
    return 0;
}

} // namespace

extern "C" int fv_resize_rgb(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination,
                             int32_t destination_width, int32_t destination_height, char *error,
                             size_t error_capacity) {
    return checked_resize(rgb, width, height, destination, destination_width, destination_height, error, error_capacity, [&] {
        if (facever_shim::is_area_shrink(width, height, destination_width, destination_height)) {
            facever_shim::shrink_by_area(rgb, width, height, destination, destination_width, destination_height);
            return 0;
        }
        return opencv_resize(rgb, width, height, destination, destination_width, destination_height, error, error_capacity);
    });
}

extern "C" int fv_resize_rgb_opencv(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination,
                                    int32_t destination_width, int32_t destination_height, char *error,
                                    size_t error_capacity) {
    return checked_resize(rgb, width, height, destination, destination_width, destination_height, error, error_capacity, [&] {
        return opencv_resize(rgb, width, height, destination, destination_width, destination_height, error, error_capacity);
    });
}

extern "C" int fv_warp_affine_rgb(const uint8_t *rgb, int32_t width, int32_t height, const double *matrix,
                                  uint8_t *destination, int32_t destination_width, int32_t destination_height,
                                  char *error, size_t error_capacity) {
    return guarded("warp", error, error_capacity, [&]() -> int {
        if (rgb == nullptr || destination == nullptr || matrix == nullptr || !valid_dimensions(width, height) ||
            !valid_dimensions(destination_width, destination_height)) {
            write_error(error, error_capacity, "warp: invalid image (null pixels or bad size)");
            return 1;
        }
        cv::Mat source(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat target(destination_height, destination_width, CV_8UC3, destination);
        cv::Mat transform(2, 3, CV_64F, const_cast<double *>(matrix));
        cv::warpAffine(source, target, transform, target.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        if (target.data != destination) {
            write_error(error, error_capacity, "warp: OpenCV reallocated the destination");
            return 1;
        }
        return 0;
    });
}

extern "C" void fv_image_free(fv_image *image) {
    if (image == nullptr) return;
    std::free(image->pixels);
    image->pixels = nullptr;
}

extern "C" void fv_buffer_free(fv_buffer *buffer) {
    if (buffer == nullptr) return;
    std::free(buffer->bytes);
    buffer->bytes = nullptr;
    buffer->length = 0;
}
