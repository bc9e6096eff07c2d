// PreviewWindow.cpp — rectangles drawn on frames, and the optional preview window.
#include "facever_video.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <vector>

using facever_shim::guarded;
using facever_shim::write_error;

extern "C" int fv_draw_rectangle(uint8_t *rgb, int32_t width, int32_t height, fv_rect box, uint8_t red,
                                 uint8_t green, uint8_t blue, int32_t thickness, char *error,
                                 size_t error_capacity) {
    return guarded("draw", error, error_capacity, [&]() -> int {
        cv::Mat view(height, width, CV_8UC3, rgb);
        cv::rectangle(view, cv::Rect(box.x, box.y, box.width, box.height), cv::Scalar(red, green, blue), thickness);
        return 0;
    });
}

extern "C" int fv_preview_show(const char *title, const uint8_t *rgb, int32_t width, int32_t height,
                               int32_t wait_milliseconds, int32_t *key, char *error, size_t error_capacity) {
    return guarded("preview", error, error_capacity, [&]() -> int {
        *key = -1;
        if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
            write_error(error, error_capacity, "no display (DISPLAY and WAYLAND_DISPLAY are unset)");
            return 1;
        }
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat bgr;
        cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
        cv::imshow(title, bgr);
        *key = cv::waitKey(std::max(1, wait_milliseconds));
        return 0;
    });
}

extern "C" void fv_preview_close_all(void) {
    try {
        cv::destroyAllWindows();
    } catch (...) {
    }
}
