// ImageFormats.hpp — the decoders and encoders behind facever_opencv.h, one file per format:
// JPEGCodec.cpp (libjpeg), PNGCodec.cpp (libpng), PNMCodec.cpp (PGM/PPM). ImageCodec.cpp picks one
// by the file's first bytes. Pixels are packed RGB8, malloc'd (released with fv_image_free).
#pragma once

#include "facever_opencv.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace facever_shim {

struct DecodeResult {
    bool ok = true;
    // The header declares more pixels than the caller's limit: a photo to shrink, not a damaged file.
    bool over_pixel_limit = false;
    std::string message;

    static DecodeResult failure(std::string message) {
        DecodeResult result;
        result.ok = false;
        result.message = std::move(message);
        return result;
    }

    static DecodeResult over_limit(std::string message) {
        DecodeResult result = failure(std::move(message));
        result.over_pixel_limit = true;
        return result;
    }
};

// Each decoder refuses, from the header and before allocating pixels, an image of more than
// `max_pixels` pixels (exceeds_pixel_limit).
DecodeResult decode_jpeg(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out);
DecodeResult decode_png(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out);
DecodeResult decode_pnm(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out);

DecodeResult encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality, fv_buffer *out);
DecodeResult encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out);

// Whether a header's width × height is over the caller's limit (both below 2^32: no overflow), and
// the message that says so (written with snprintf: the JPEG and PNG decoders call these between a
// setjmp and a longjmp, where no C++ object with a destructor may live).
inline bool exceeds_pixel_limit(uint64_t width, uint64_t height, uint64_t max_pixels) {
    return width * height > max_pixels;
}

inline void describe_pixel_limit(char *message, size_t capacity, uint64_t width, uint64_t height, uint64_t max_pixels) {
    std::snprintf(message, capacity,
                  "the image declares %llux%llu pixels, over the limit of %llu",
                  (unsigned long long)width, (unsigned long long)height, (unsigned long long)max_pixels);
}

} // namespace facever_shim
