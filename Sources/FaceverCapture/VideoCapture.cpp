// VideoCapture.cpp — cameras (V4L2), video files and image sequences in; MJPEG AVI files out.
#include "facever_video.h"
#include "ShimSupport.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>

using facever_shim::guarded;
using facever_shim::write_error;

struct fv_capture {
    cv::VideoCapture capture;
    bool is_camera = false;
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
};

struct fv_video_writer {
    cv::VideoWriter writer;
    int width = 0;
    int height = 0;
};

namespace {

bool path_exists(const char *path) {
    struct stat info;
    return stat(path, &info) == 0;
}

int finish_open(fv_capture *capture, fv_capture **out) {
    *out = capture;
    return 0;
}

} // namespace

extern "C" int fv_capture_open_device(const char *device, fv_capture **out, char *error, size_t error_capacity) {
    return guarded("camera", error, error_capacity, [&]() -> int {
        *out = nullptr;
        if (device == nullptr || !path_exists(device)) {
            write_error(error, error_capacity, std::string("no camera at ") + (device ? device : "(null)") +
                                                   " (the device does not exist)");
            return 1;
        }
        auto capture = new fv_capture();
        capture->is_camera = true;
        if (!capture->capture.open(device, cv::CAP_V4L2) || !capture->capture.isOpened()) {
            delete capture;
            write_error(error, error_capacity, std::string("no camera at ") + device +
                                                   " (it exists but V4L2 could not open it: busy, not a camera, or no permission)");
            return 1;
        }
        return finish_open(capture, out);
    });
}

extern "C" int fv_capture_open_file(const char *path, fv_capture **out, char *error, size_t error_capacity) {
    return guarded("video", error, error_capacity, [&]() -> int {
        *out = nullptr;
        std::string name = path ? path : "";
        bool is_sequence = name.find('%') != std::string::npos;
        if (!is_sequence && !path_exists(name.c_str())) {
            write_error(error, error_capacity, "no such file");
            return 1;
        }
        auto capture = new fv_capture();
        bool opened = is_sequence ? capture->capture.open(name, cv::CAP_IMAGES) : capture->capture.open(name, cv::CAP_ANY);
        if (!opened || !capture->capture.isOpened()) {
            delete capture;
            write_error(error, error_capacity, is_sequence ? "no images match this sequence pattern"
                                                           : "not a video OpenCV can read");
            return 1;
        }
        return finish_open(capture, out);
    });
}

extern "C" int fv_capture_read(fv_capture *capture, fv_image *frame, double *milliseconds, char *error,
                               size_t error_capacity) {
    int status = guarded("read frame", error, error_capacity, [&]() -> int {
        frame->width = 0;
        frame->height = 0;
        frame->pixels = nullptr;
        cv::Mat bgr;
        if (!capture->capture.read(bgr) || bgr.empty()) return 2;  // end of stream
        cv::Mat rgb;
        if (bgr.channels() == 1) {
            cv::cvtColor(bgr, rgb, cv::COLOR_GRAY2RGB);
        } else if (bgr.channels() == 4) {
            cv::cvtColor(bgr, rgb, cv::COLOR_BGRA2RGB);
        } else {
            cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        }
        if (rgb.depth() != CV_8U) rgb.convertTo(rgb, CV_8U, 1.0 / 256);
        if (!rgb.isContinuous()) rgb = rgb.clone();
        if (!facever_shim::copy_to_image(rgb, frame)) {
            write_error(error, error_capacity, "read frame: out of memory");
            return 1;
        }
        if (milliseconds != nullptr) {
            if (capture->is_camera) {
                auto elapsed = std::chrono::steady_clock::now() - capture->opened;
                *milliseconds = std::chrono::duration<double, std::milli>(elapsed).count();
            } else {
                *milliseconds = capture->capture.get(cv::CAP_PROP_POS_MSEC);
            }
        }
        return 0;
    });
    if (status == 2) return 1;
    return status == 0 ? 0 : -1;
}

extern "C" double fv_capture_fps(fv_capture *capture) {
    try {
        double fps = capture->capture.get(cv::CAP_PROP_FPS);
        return fps > 0 && fps < 1000 ? fps : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" void fv_capture_close(fv_capture *capture) {
    try {
        delete capture;
    } catch (...) {
    }
}

extern "C" int fv_video_writer_open(const char *path, int32_t width, int32_t height, double fps,
                                    fv_video_writer **out, char *error, size_t error_capacity) {
    return guarded("video writer", error, error_capacity, [&]() -> int {
        *out = nullptr;
        auto writer = new fv_video_writer();
        writer->width = width;
        writer->height = height;
        int fourcc = cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
        if (!writer->writer.open(path, fourcc, fps, cv::Size(width, height), true) || !writer->writer.isOpened()) {
            delete writer;
            write_error(error, error_capacity, "cannot open the video file for writing");
            return 1;
        }
        *out = writer;
        return 0;
    });
}

extern "C" int fv_video_writer_write(fv_video_writer *writer, const uint8_t *rgb, int32_t width, int32_t height,
                                     char *error, size_t error_capacity) {
    return guarded("video writer", error, error_capacity, [&]() -> int {
        if (width != writer->width || height != writer->height) {
            write_error(error, error_capacity, "frame size differs from the video's");
            return 1;
        }
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat bgr;
        cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
        writer->writer.write(bgr);
        return 0;
    });
}

extern "C" void fv_video_writer_close(fv_video_writer *writer) {
    try {
        if (writer != nullptr) writer->writer.release();
        delete writer;
    } catch (...) {
    }
}
