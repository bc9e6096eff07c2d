// AnyFormatDecode.cpp — decoding of the image formats facever's own codecs do not read (BMP, TIFF,
// WebP, …) with OpenCV's imgcodecs, which only this library links.
#include "facever_video.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using facever_shim::guarded;
using facever_shim::write_error;

extern "C" int fv_decode_any_image(const uint8_t *bytes, size_t length, fv_image *out, char *error,
                                   size_t error_capacity) {
    return guarded("decode", error, error_capacity, [&]() -> int {
        if (out == nullptr || bytes == nullptr || length == 0) {
            write_error(error, error_capacity, "decode: no input or no output image");
            return 1;
        }
        out->width = 0;
        out->height = 0;
        out->pixels = nullptr;
        cv::Mat encoded(1, static_cast<int>(length), CV_8UC1, const_cast<uint8_t *>(bytes));
        // IMREAD_COLOR: greyscale becomes 3 channels, 16-bit becomes 8-bit, alpha is dropped.
        cv::Mat bgr = cv::imdecode(encoded, cv::IMREAD_COLOR);
        if (bgr.empty()) {
            write_error(error, error_capacity, "not a readable image (corrupt, truncated or unknown format)");
            return 2;
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
