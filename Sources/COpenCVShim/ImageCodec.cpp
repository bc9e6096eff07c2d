// ImageCodec.cpp — decode, encode and resize for facever, behind facever_opencv.h.
// Every entry point catches every exception and turns it into a status code and a one-line message.
#include "facever_opencv.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
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

// Wraps caller-owned RGB8 bytes as a BGR Mat copy, the channel order OpenCV's codecs expect.
cv::Mat bgr_copy_of(const uint8_t *rgb, int32_t width, int32_t height) {
    cv::Mat rgb_view(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
    cv::Mat bgr;
    cv::cvtColor(rgb_view, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

int encode(const char *extension, const std::vector<int> &parameters, const uint8_t *rgb, int32_t width,
           int32_t height, fv_buffer *out, char *error, size_t error_capacity) {
    if (rgb == nullptr || out == nullptr || !valid_dimensions(width, height)) {
        write_error(error, error_capacity, "encode: invalid image (null pixels or bad size)");
        return 1;
    }
    std::vector<uint8_t> encoded;
    if (!cv::imencode(extension, bgr_copy_of(rgb, width, height), encoded, parameters)) {
        write_error(error, error_capacity, "encode: OpenCV could not encode the image");
        return 1;
    }
    out->bytes = static_cast<uint8_t *>(std::malloc(encoded.size()));
    if (out->bytes == nullptr) {
        write_error(error, error_capacity, "encode: out of memory");
        return 1;
    }
    std::memcpy(out->bytes, encoded.data(), encoded.size());
    out->length = encoded.size();
    return 0;
}

} // namespace

extern "C" int fv_decode_image(const uint8_t *bytes, size_t length, fv_image *out, char *error,
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
        cv::Mat encoded(1, static_cast<int>(length), CV_8UC1, const_cast<uint8_t *>(bytes));
        // IMREAD_COLOR: greyscale becomes 3 channels, 16-bit becomes 8-bit, alpha is dropped.
        cv::Mat bgr = cv::imdecode(encoded, cv::IMREAD_COLOR);
        if (bgr.empty()) {
            write_error(error, error_capacity, "not a readable image (corrupt, truncated or unknown format)");
            return 1;
        }
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        if (!rgb.isContinuous()) rgb = rgb.clone();
        if (!facever_shim::copy_to_image(rgb, out)) {
            write_error(error, error_capacity, "decode: out of memory");
            return 1;
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
        return encode(".jpg", {cv::IMWRITE_JPEG_QUALITY, quality}, rgb, width, height, out, error,
                      error_capacity);
    });
}

extern "C" int fv_encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out, char *error,
                             size_t error_capacity) {
    return guarded("encode PNG", error, error_capacity, [&]() -> int {
        return encode(".png", {}, rgb, width, height, out, error, error_capacity);
    });
}

extern "C" int fv_resize_rgb(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination,
                             int32_t destination_width, int32_t destination_height, char *error,
                             size_t error_capacity) {
    return guarded("resize", error, error_capacity, [&]() -> int {
        if (rgb == nullptr || destination == nullptr || !valid_dimensions(width, height) ||
            !valid_dimensions(destination_width, destination_height)) {
            write_error(error, error_capacity, "resize: invalid image (null pixels or bad size)");
            return 1;
        }
        cv::Mat source(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat target(destination_height, destination_width, CV_8UC3, destination);
        bool shrinking = destination_width < width && destination_height < height;
        cv::resize(source, target, target.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        if (target.data != destination) {
            write_error(error, error_capacity, "resize: OpenCV reallocated the destination");
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
