// FaceDetection.cpp — Haar/LBP cascades, rectangles, and the optional preview window.
#include "facever_video.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <vector>

using facever_shim::guarded;
using facever_shim::write_error;

struct fv_cascade {
    cv::CascadeClassifier classifier;
};

extern "C" int fv_cascade_load(const char *path, fv_cascade **out, char *error, size_t error_capacity) {
    return guarded("cascade", error, error_capacity, [&]() -> int {
        *out = nullptr;
        struct stat info;
        if (path == nullptr || stat(path, &info) != 0) {
            write_error(error, error_capacity, "no such cascade file (install opencv-data, or pass --cascade)");
            return 1;
        }
        auto cascade = new fv_cascade();
        bool loaded = false;
        try {
            loaded = cascade->classifier.load(path) && !cascade->classifier.empty();
        } catch (const cv::Exception &) {
            loaded = false;  // malformed XML: reported below like any other non-cascade file
        }
        if (!loaded) {
            delete cascade;
            write_error(error, error_capacity, "not an OpenCV cascade file");
            return 1;
        }
        *out = cascade;
        return 0;
    });
}

extern "C" int fv_cascade_detect(fv_cascade *cascade, const uint8_t *rgb, int32_t width, int32_t height,
                                 int32_t minimum_size, fv_rect *boxes, int32_t capacity, int32_t *count,
                                 char *error, size_t error_capacity) {
    return guarded("detect faces", error, error_capacity, [&]() -> int {
        *count = 0;
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat grey;
        cv::cvtColor(view, grey, cv::COLOR_RGB2GRAY);
        std::vector<cv::Rect> faces;
        cascade->classifier.detectMultiScale(grey, faces, 1.1, 5, 0, cv::Size(minimum_size, minimum_size));
        std::sort(faces.begin(), faces.end(), [](const cv::Rect &a, const cv::Rect &b) { return a.area() > b.area(); });
        int32_t written = std::min<int32_t>(capacity, static_cast<int32_t>(faces.size()));
        for (int32_t i = 0; i < written; i++) {
            boxes[i] = fv_rect{faces[i].x, faces[i].y, faces[i].width, faces[i].height};
        }
        *count = static_cast<int32_t>(faces.size());
        return 0;
    });
}

extern "C" void fv_cascade_free(fv_cascade *cascade) {
    try {
        delete cascade;
    } catch (...) {
    }
}

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
