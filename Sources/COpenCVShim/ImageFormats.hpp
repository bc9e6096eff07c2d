// ImageFormats.hpp — the decoders and encoders behind facever_opencv.h, one file per format:
// JPEGCodec.cpp (libjpeg), PNGCodec.cpp (libpng), PNMCodec.cpp (PGM/PPM). ImageCodec.cpp picks one
// by the file's first bytes. Pixels are packed RGB8, malloc'd (released with fv_image_free).
#pragma once

#include "facever_opencv.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace facever_shim {

struct DecodeResult {
    bool ok = true;
    std::string message;

    static DecodeResult failure(std::string message) {
        DecodeResult result;
        result.ok = false;
        result.message = std::move(message);
        return result;
    }
};

DecodeResult decode_jpeg(const uint8_t *bytes, size_t length, fv_image *out);
DecodeResult decode_png(const uint8_t *bytes, size_t length, fv_image *out);
DecodeResult decode_pnm(const uint8_t *bytes, size_t length, fv_image *out);

DecodeResult encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality, fv_buffer *out);
DecodeResult encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out);

} // namespace facever_shim
