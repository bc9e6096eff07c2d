// Drawing.cpp — lines, rectangles, circles and text on RGB8 pixels, for facever's plots (imgproc's
// drawing functions, which clip to the image). Every entry point catches every exception.
#include "facever_opencv.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

using facever_shim::guarded;
using facever_shim::write_error;

namespace {

bool valid(const uint8_t *rgb, int32_t width, int32_t height, char *error, size_t capacity) {
    if (rgb == nullptr || width <= 0 || height <= 0 || width > 16384 || height > 16384) {
        write_error(error, capacity, "draw: invalid image (null pixels or bad size)");
        return false;
    }
    return true;
}

cv::Scalar scalar(const uint8_t *colour) { return cv::Scalar(colour[0], colour[1], colour[2]); }

}  // namespace

extern "C" int fv_draw_line(uint8_t *rgb, int32_t width, int32_t height, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                            const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity) {
    return guarded("draw line", error, error_capacity, [&]() -> int {
        if (!valid(rgb, width, height, error, error_capacity) || colour == nullptr) return 1;
        cv::Mat image(height, width, CV_8UC3, rgb);
        cv::line(image, cv::Point(x0, y0), cv::Point(x1, y1), scalar(colour), std::max(1, thickness), cv::LINE_AA);
        return 0;
    });
}

extern "C" int fv_fill_rectangle(uint8_t *rgb, int32_t width, int32_t height, int32_t x, int32_t y, int32_t rectangle_width,
                                 int32_t rectangle_height, const uint8_t *colour, char *error, size_t error_capacity) {
    return guarded("fill rectangle", error, error_capacity, [&]() -> int {
        if (!valid(rgb, width, height, error, error_capacity) || colour == nullptr) return 1;
        if (rectangle_width <= 0 || rectangle_height <= 0) return 0;
        cv::Mat image(height, width, CV_8UC3, rgb);
        cv::rectangle(image, cv::Rect(x, y, rectangle_width, rectangle_height), scalar(colour), cv::FILLED);
        return 0;
    });
}

extern "C" int fv_draw_circle(uint8_t *rgb, int32_t width, int32_t height, int32_t x, int32_t y, int32_t radius,
                              const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity) {
    return guarded("draw circle", error, error_capacity, [&]() -> int {
        if (!valid(rgb, width, height, error, error_capacity) || colour == nullptr) return 1;
        cv::Mat image(height, width, CV_8UC3, rgb);
        cv::circle(image, cv::Point(x, y), std::max(0, radius), scalar(colour), thickness < 0 ? cv::FILLED : thickness, cv::LINE_AA);
        return 0;
    });
}

extern "C" int fv_draw_text(uint8_t *rgb, int32_t width, int32_t height, const char *text, int32_t x, int32_t y, double scale,
                            const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity) {
    return guarded("draw text", error, error_capacity, [&]() -> int {
        if (!valid(rgb, width, height, error, error_capacity) || colour == nullptr || text == nullptr) return 1;
        cv::Mat image(height, width, CV_8UC3, rgb);
        cv::putText(image, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, scale, scalar(colour), std::max(1, thickness), cv::LINE_AA);
        return 0;
    });
}

extern "C" int fv_text_size(const char *text, double scale, int32_t thickness, int32_t *text_width, int32_t *text_height,
                            int32_t *baseline, char *error, size_t error_capacity) {
    return guarded("text size", error, error_capacity, [&]() -> int {
        if (text == nullptr || text_width == nullptr || text_height == nullptr || baseline == nullptr) {
            write_error(error, error_capacity, "text size: null argument");
            return 1;
        }
        int below = 0;
        cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, std::max(1, thickness), &below);
        *text_width = size.width;
        *text_height = size.height;
        *baseline = below;
        return 0;
    });
}
