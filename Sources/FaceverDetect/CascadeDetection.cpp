// CascadeDetection.cpp — OpenCV's Haar and LBP cascades (objdetect): loading one, finding faces with it.
#include "facever_cascade.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
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

