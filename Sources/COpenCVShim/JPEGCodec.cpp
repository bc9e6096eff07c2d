// JPEGCodec.cpp — JPEG decode and encode with libjpeg(-turbo) directly, behind facever_opencv.h.
//
// Decoding gives RGB8 for greyscale, YCbCr, CMYK and YCCK files, and applies the EXIF orientation
// (tag 0x0112) as OpenCV's imread does, so a phone photo stands upright. libjpeg reports fatal
// errors through error_exit, which here jumps back (longjmp) to the call that started the work;
// the jump never crosses a C++ object with a destructor.
//
// libjpeg only *warns* about missing or damaged image data (a truncated file is padded with grey,
// a corrupt entropy stream is resynchronised), and a picture decoded that way is not the photo the
// user gave: such warnings make the decode fail (damaging_warning). The image size is checked
// against the caller's pixel limit from the header, before libjpeg allocates anything for pixels.
#include "ImageFormats.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <jpeglib.h>
#include <jerror.h>

namespace facever_shim {
namespace {

struct JumpingErrorManager {
    jpeg_error_mgr base;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    bool damaged;  // a warning said that image data is missing or corrupt
};

void jump_on_error(j_common_ptr info) {
    auto *manager = reinterpret_cast<JumpingErrorManager *>(info->err);
    (*info->err->format_message)(info, manager->message);
    std::longjmp(manager->jump, 1);
}

void ignore_message(j_common_ptr) {}

// Warnings that mean the decoded pixels are not all the file's: it ended early, or its entropy-coded
// data is corrupt. Others (an unknown JFIF version, extraneous bytes between markers, a bad ICC
// profile) leave the picture intact and are common in real cameras' files.
bool damaging_warning(int code) {
    switch (code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
        return true;
    default:
        return false;
    }
}

// Level -1 is a warning; higher levels are trace messages.
void record_warning(j_common_ptr info, int level) {
    if (level >= 0) return;
    auto *manager = reinterpret_cast<JumpingErrorManager *>(info->err);
    if (!manager->damaged && damaging_warning(info->err->msg_code)) {
        manager->damaged = true;
        (*info->err->format_message)(info, manager->message);
    }
    info->err->num_warnings++;
}

// libjpeg's error manager, set to jump back (to the caller's setjmp) instead of exiting, quiet, and
// noting damaging warnings.
jpeg_error_mgr *jumping_errors(JumpingErrorManager &manager) {
    jpeg_error_mgr *errors = jpeg_std_error(&manager.base);
    errors->error_exit = jump_on_error;
    errors->output_message = ignore_message;
    errors->emit_message = record_warning;
    manager.damaged = false;
    manager.message[0] = 0;
    return errors;
}

uint16_t read16(const uint8_t *p, bool little) {
    return little ? uint16_t(p[0] | p[1] << 8) : uint16_t(p[0] << 8 | p[1]);
}

uint32_t read32(const uint8_t *p, bool little) {
    return little ? uint32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24)
                  : uint32_t(uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]);
}

// The orientation (1...8) in an APP1 "Exif" payload, or 1 when absent or malformed. Every offset
// read from the file is compared with what is left (`size - offset`), never added to first, so no
// value in the file can wrap a bound check.
int exif_orientation(const uint8_t *data, size_t length) {
    if (length < 14 || std::memcmp(data, "Exif\0\0", 6) != 0) return 1;
    const uint8_t *tiff = data + 6;
    const size_t size = length - 6;  // at least 8: the TIFF header
    bool little;
    if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
    else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
    else return 1;
    const size_t ifd = read32(tiff + 4, little);
    if (ifd > size || size - ifd < 2) return 1;
    const uint16_t entries = read16(tiff + ifd, little);
    for (size_t i = 0; i < entries; i++) {
        const size_t entry = ifd + 2 + i * 12;  // ifd <= size and i < 2^16: no overflow
        if (entry > size || size - entry < 12) return 1;
        if (read16(tiff + entry, little) == 0x0112) {
            const uint16_t value = read16(tiff + entry + 8, little);
            return value >= 1 && value <= 8 ? value : 1;
        }
    }
    return 1;
}

struct DecodeState {
    jpeg_decompress_struct info;
    JumpingErrorManager errors;
    uint8_t *pixels = nullptr;       // RGB8 output, malloc'd
    uint8_t *row = nullptr;          // one scanline of the decoder's output (4 channels for CMYK)
    bool over_limit = false;         // refused for its declared size (errors.message says which)
};

// Runs libjpeg; returns false with errors.message set on failure. No C++ objects with destructors
// live in this frame, so longjmp out of libjpeg is safe.
bool run_decoder(DecodeState &state, const uint8_t *bytes, size_t length, uint64_t max_pixels, int &orientation) {
    jpeg_decompress_struct &info = state.info;
    info.err = jumping_errors(state.errors);
    if (setjmp(state.errors.jump)) return false;
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, static_cast<unsigned long>(length));
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(&info, TRUE);
    orientation = 1;
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker != nullptr; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1) orientation = exif_orientation(marker->data, marker->data_length);
    }
    if (exceeds_pixel_limit(info.image_width, info.image_height, max_pixels)) {
        describe_pixel_limit(state.errors.message, sizeof state.errors.message, info.image_width, info.image_height,
                             max_pixels);
        state.over_limit = true;
        return false;
    }
    const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&info);
    const size_t width = info.output_width, height = info.output_height;
    state.pixels = static_cast<uint8_t *>(std::malloc(width * height * 3));
    state.row = static_cast<uint8_t *>(std::malloc(width * 4));
    if (state.pixels == nullptr || state.row == nullptr) {
        std::snprintf(state.errors.message, sizeof state.errors.message, "out of memory");
        return false;
    }
    while (info.output_scanline < info.output_height) {
        const size_t y = info.output_scanline;
        JSAMPROW target = cmyk ? state.row : state.pixels + y * width * 3;
        jpeg_read_scanlines(&info, &target, 1);
        if (cmyk) {
            // Adobe writes inverted CMYK: each channel already holds 255 − ink.
            const bool inverted = info.saw_Adobe_marker;
            for (size_t x = 0; x < width; x++) {
                const uint8_t *p = state.row + x * 4;
                const int k = inverted ? p[3] : 255 - p[3];
                for (int c = 0; c < 3; c++) {
                    const int value = inverted ? p[c] : 255 - p[c];
                    state.pixels[(y * width + x) * 3 + c] = uint8_t((value * k + 127) / 255);
                }
            }
        }
    }
    jpeg_finish_decompress(&info);
    return !state.errors.damaged;
}

// Applies EXIF orientation 2...8 to packed RGB8; returns the new buffer (or nullptr when out of memory).
uint8_t *oriented(const uint8_t *pixels, int32_t width, int32_t height, int orientation, int32_t &out_width,
                  int32_t &out_height) {
    const bool swaps = orientation >= 5;
    out_width = swaps ? height : width;
    out_height = swaps ? width : height;
    auto *result = static_cast<uint8_t *>(std::malloc(size_t(width) * size_t(height) * 3));
    if (result == nullptr) return nullptr;
    for (int32_t y = 0; y < out_height; y++) {
        for (int32_t x = 0; x < out_width; x++) {
            int32_t sx = x, sy = y;  // the source pixel that lands at (x, y)
            switch (orientation) {
            case 2: sx = width - 1 - x; break;
            case 3: sx = width - 1 - x; sy = height - 1 - y; break;
            case 4: sy = height - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = height - 1 - x; break;
            case 7: sx = width - 1 - y; sy = height - 1 - x; break;
            case 8: sx = width - 1 - y; sy = x; break;
            default: break;
            }
            std::memcpy(result + (size_t(y) * out_width + x) * 3, pixels + (size_t(sy) * width + sx) * 3, 3);
        }
    }
    return result;
}

struct EncodeState {
    jpeg_compress_struct info;
    JumpingErrorManager errors;
    unsigned char *output = nullptr;
    unsigned long length = 0;
};

bool run_encoder(EncodeState &state, const uint8_t *rgb, int32_t width, int32_t height, int32_t quality) {
    jpeg_compress_struct &info = state.info;
    info.err = jumping_errors(state.errors);
    if (setjmp(state.errors.jump)) return false;
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &state.output, &state.length);
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<uint8_t *>(rgb) + size_t(info.next_scanline) * size_t(width) * 3;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    return true;
}

} // namespace

DecodeResult decode_jpeg(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out) {
    DecodeState state;
    std::memset(&state.info, 0, sizeof state.info);
    int orientation = 1;
    const bool decoded = run_decoder(state, bytes, length, max_pixels, orientation);
    const int32_t width = int32_t(state.info.output_width), height = int32_t(state.info.output_height);
    DecodeResult result;
    if (decoded) {
        if (orientation == 1) {
            out->pixels = state.pixels;
            out->width = width;
            out->height = height;
            state.pixels = nullptr;
        } else {
            out->pixels = oriented(state.pixels, width, height, orientation, out->width, out->height);
            if (out->pixels == nullptr) result = DecodeResult::failure("out of memory");
        }
    } else {
        result = state.over_limit ? DecodeResult::over_limit(state.errors.message)
                                  : DecodeResult::failure(std::string("not a readable JPEG (") + state.errors.message + ")");
    }
    jpeg_destroy_decompress(&state.info);
    std::free(state.pixels);
    std::free(state.row);
    return result;
}

DecodeResult encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality, fv_buffer *out) {
    EncodeState state;
    std::memset(&state.info, 0, sizeof state.info);
    const bool encoded = run_encoder(state, rgb, width, height, quality);
    jpeg_destroy_compress(&state.info);
    if (!encoded) {
        std::free(state.output);
        return DecodeResult::failure(std::string("encode JPEG: ") + state.errors.message);
    }
    out->bytes = state.output;  // malloc'd by libjpeg's memory destination
    out->length = state.length;
    return DecodeResult();
}

} // namespace facever_shim
