// ShimSupport.hpp — the one place where C++ exceptions stop. Every extern "C" entry point runs its body
// through guarded(), which turns any exception into status 1 and a one-line message.
#pragma once

#include "facever_opencv.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

namespace facever_shim {

inline void write_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    std::string one_line = message;
    for (char &c : one_line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    std::snprintf(error, capacity, "%s", one_line.c_str());
}

// OpenCV reports decoder failures on stderr itself (its logger, and std::cerr directly in imdecode);
// facever reports them as one line of its own. The shim is the only C++ in the process, so muting
// std::cerr once, in a thread-safe static initialiser, silences nothing else.
inline void silence_opencv_logging() {
    static const bool silenced = [] {
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
        std::cerr.rdbuf(nullptr);
        return true;
    }();
    (void)silenced;
}

template <typename Body>
int guarded(const char *operation, char *error, size_t capacity, Body body) noexcept {
    try {
        silence_opencv_logging();
        return body();
    } catch (const cv::Exception &exception) {
        write_error(error, capacity, std::string(operation) + ": OpenCV error: " + exception.err);
    } catch (const std::exception &exception) {
        write_error(error, capacity, std::string(operation) + ": " + exception.what());
    } catch (...) {
        write_error(error, capacity, std::string(operation) + ": unknown C++ exception");
    }
    return 1;
}

// Copies a continuous 8-bit RGB Mat into a malloc'd fv_image (released with fv_image_free).
inline bool copy_to_image(const cv::Mat &rgb, fv_image *out) {
    size_t byte_count = rgb.total() * 3;
    out->pixels = static_cast<uint8_t *>(std::malloc(byte_count));
    if (out->pixels == nullptr) return false;
    std::memcpy(out->pixels, rgb.data, byte_count);
    out->width = rgb.cols;
    out->height = rgb.rows;
    return true;
}

} // namespace facever_shim
