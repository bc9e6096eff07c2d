// ShimSupport.hpp — the one place where C++ exceptions stop. Every extern "C" entry point runs its body
// through guarded(), which turns any exception into status 1 and a one-line message.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <cstddef>
#include <cstdio>
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

} // namespace facever_shim
