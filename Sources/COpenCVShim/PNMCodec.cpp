// PNMCodec.cpp — PGM and PPM (P2, P3, P5, P6) decoding, behind facever_opencv.h.
//
// Header: magic, width, height, maxval, separated by whitespace, with '#' comments to the end of a
// line; then samples, ASCII (P2, P3) or binary (P5, P6; two bytes big-endian when maxval > 255).
// Samples are scaled to 0...255; grey becomes three channels. The size is checked against the
// caller's pixel limit before any allocation; a file with fewer samples than its header declares is
// an error.
#include "ImageFormats.hpp"

#include <cctype>
#include <cstdlib>

namespace facever_shim {
namespace {

struct Cursor {
    const uint8_t *bytes;
    size_t length;
    size_t offset = 0;

    void skip_space_and_comments() {
        while (offset < length) {
            if (bytes[offset] == '#') {
                while (offset < length && bytes[offset] != '\n') offset++;
            } else if (std::isspace(bytes[offset])) {
                offset++;
            } else {
                return;
            }
        }
    }

    // The next decimal number, or -1 when there is none (or it is absurdly large).
    long number() {
        skip_space_and_comments();
        long value = -1;
        while (offset < length && std::isdigit(bytes[offset])) {
            value = (value < 0 ? 0 : value * 10) + (bytes[offset] - '0');
            if (value > 1000000) return -1;
            offset++;
        }
        return value;
    }
};

} // namespace

DecodeResult decode_pnm(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out) {
    Cursor cursor{bytes, length};
    if (length < 2 || bytes[0] != 'P') return DecodeResult::failure("not a PGM/PPM file");
    const char kind = char(bytes[1]);
    const bool ascii = kind == '2' || kind == '3';
    const int channels = (kind == '3' || kind == '6') ? 3 : 1;
    if (kind != '2' && kind != '3' && kind != '5' && kind != '6') {
        return DecodeResult::failure("unsupported PNM kind P" + std::string(1, kind));
    }
    cursor.offset = 2;
    const long width = cursor.number(), height = cursor.number(), maxval = cursor.number();
    if (width <= 0 || height <= 0 || width > 65536 || height > 65536 || maxval <= 0 || maxval > 65535) {
        return DecodeResult::failure("not a readable PGM/PPM (bad header)");
    }
    if (exceeds_pixel_limit(uint64_t(width), uint64_t(height), max_pixels)) {
        char message[160];
        describe_pixel_limit(message, sizeof message, uint64_t(width), uint64_t(height), max_pixels);
        return DecodeResult::over_limit(message);
    }
    if (!ascii) cursor.offset++;  // exactly one whitespace byte before binary samples
    const size_t samples = size_t(width) * size_t(height) * size_t(channels);
    const size_t sampleBytes = maxval > 255 ? 2 : 1;
    if (!ascii && cursor.offset + samples * sampleBytes > length) {
        return DecodeResult::failure("not a readable PGM/PPM (the file ends early: truncated)");
    }
    auto *pixels = static_cast<uint8_t *>(std::malloc(size_t(width) * size_t(height) * 3));
    if (pixels == nullptr) return DecodeResult::failure("out of memory");
    for (size_t index = 0; index < samples; index++) {
        long value;
        if (ascii) {
            value = cursor.number();
            if (value < 0) {
                std::free(pixels);
                return DecodeResult::failure("not a readable PGM/PPM (the file ends early: truncated)");
            }
        } else if (sampleBytes == 2) {
            value = long(bytes[cursor.offset] << 8 | bytes[cursor.offset + 1]);
            cursor.offset += 2;
        } else {
            value = bytes[cursor.offset++];
        }
        if (value > maxval) value = maxval;
        const auto scaled = uint8_t(maxval == 255 ? value : (value * 255 + maxval / 2) / maxval);
        if (channels == 3) {
            pixels[index] = scaled;
        } else {
            pixels[index * 3] = pixels[index * 3 + 1] = pixels[index * 3 + 2] = scaled;
        }
    }
    out->pixels = pixels;
    out->width = int32_t(width);
    out->height = int32_t(height);
    return DecodeResult();
}

} // namespace facever_shim
