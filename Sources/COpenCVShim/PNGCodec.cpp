// PNGCodec.cpp — PNG decode and encode with libpng directly, behind facever_opencv.h.
//
// Decoding gives RGB8 whatever the file holds: palette and 1/2/4-bit grey are expanded, grey becomes
// three channels, 16-bit samples keep their high byte, alpha is dropped (as OpenCV's IMREAD_COLOR
// does). libpng reports fatal errors by longjmp to the setjmp of the call; no C++ object with a
// destructor lives between the two. The size is checked against the caller's pixel limit as soon as
// the header is read; a file that ends early or has a damaged critical chunk is an error.
#include "ImageFormats.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <png.h>

namespace facever_shim {
namespace {

struct MemoryReader {
    const uint8_t *bytes;
    size_t length;
    size_t offset;
};

void read_from_memory(png_structp png, png_bytep target, png_size_t count) {
    auto *reader = static_cast<MemoryReader *>(png_get_io_ptr(png));
    if (count > reader->length - reader->offset) png_error(png, "the file ends early (truncated)");
    std::memcpy(target, reader->bytes + reader->offset, count);
    reader->offset += count;
}

struct ErrorText {
    char message[256] = "unknown libpng error";
    bool over_limit = false;  // refused for its declared size (message says which)
};

void record_error(png_structp png, png_const_charp message) {
    auto *text = static_cast<ErrorText *>(png_get_error_ptr(png));
    std::snprintf(text->message, sizeof text->message, "%s", message);
    png_longjmp(png, 1);
}

void ignore_warning(png_structp, png_const_charp) {}

struct DecodeState {
    png_structp png = nullptr;
    png_infop info = nullptr;
    uint8_t *pixels = nullptr;
    png_bytep *rows = nullptr;
    uint32_t width = 0, height = 0;
};

bool run_decoder(DecodeState &state, MemoryReader &reader, ErrorText &text, uint64_t max_pixels) {
    state.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &text, record_error, ignore_warning);
    if (state.png == nullptr) return false;
    state.info = png_create_info_struct(state.png);
    if (state.info == nullptr) return false;
    if (setjmp(png_jmpbuf(state.png))) return false;
    png_set_read_fn(state.png, &reader, read_from_memory);
    png_read_info(state.png, state.info);
    const uint32_t declared_width = png_get_image_width(state.png, state.info);
    const uint32_t declared_height = png_get_image_height(state.png, state.info);
    if (exceeds_pixel_limit(declared_width, declared_height, max_pixels)) {
        describe_pixel_limit(text.message, sizeof text.message, declared_width, declared_height, max_pixels);
        text.over_limit = true;
        return false;
    }
    const int colour = png_get_color_type(state.png, state.info);
    png_set_strip_16(state.png);
    png_set_strip_alpha(state.png);
    png_set_packing(state.png);
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(state.png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_expand_gray_1_2_4_to_8(state.png);
        png_set_gray_to_rgb(state.png);
    }
    png_set_interlace_handling(state.png);
    png_read_update_info(state.png, state.info);
    state.width = png_get_image_width(state.png, state.info);
    state.height = png_get_image_height(state.png, state.info);
    if (png_get_rowbytes(state.png, state.info) != size_t(state.width) * 3) {
        std::snprintf(text.message, sizeof text.message, "unexpected PNG layout after conversion to RGB");
        return false;
    }
    state.pixels = static_cast<uint8_t *>(std::malloc(size_t(state.width) * state.height * 3));
    state.rows = static_cast<png_bytep *>(std::malloc(sizeof(png_bytep) * state.height));
    if (state.pixels == nullptr || state.rows == nullptr) {
        std::snprintf(text.message, sizeof text.message, "out of memory");
        return false;
    }
    for (uint32_t y = 0; y < state.height; y++) state.rows[y] = state.pixels + size_t(y) * state.width * 3;
    png_read_image(state.png, state.rows);
    png_read_end(state.png, nullptr);
    return true;
}

struct GrowingBuffer {
    uint8_t *bytes = nullptr;
    size_t length = 0, capacity = 0;
};

void write_to_memory(png_structp png, png_bytep data, png_size_t count) {
    auto *buffer = static_cast<GrowingBuffer *>(png_get_io_ptr(png));
    if (buffer->length + count > buffer->capacity) {
        size_t capacity = buffer->capacity == 0 ? 65536 : buffer->capacity;
        while (capacity < buffer->length + count) capacity *= 2;
        auto *grown = static_cast<uint8_t *>(std::realloc(buffer->bytes, capacity));
        if (grown == nullptr) png_error(png, "out of memory");
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    std::memcpy(buffer->bytes + buffer->length, data, count);
    buffer->length += count;
}

void flush_nothing(png_structp) {}

bool run_encoder(png_structp png, png_infop info, const uint8_t *rgb, int32_t width, int32_t height,
                 GrowingBuffer &buffer) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_write_fn(png, &buffer, write_to_memory, flush_nothing);
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int32_t y = 0; y < height; y++) {
        png_write_row(png, const_cast<png_bytep>(rgb + size_t(y) * size_t(width) * 3));
    }
    png_write_end(png, nullptr);
    return true;
}

} // namespace

DecodeResult decode_png(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out) {
    DecodeState state;
    MemoryReader reader{bytes, length, 0};
    ErrorText text;
    const bool decoded = run_decoder(state, reader, text, max_pixels);
    png_destroy_read_struct(&state.png, &state.info, nullptr);
    std::free(state.rows);
    if (!decoded) {
        std::free(state.pixels);
        return text.over_limit ? DecodeResult::over_limit(text.message)
                               : DecodeResult::failure(std::string("not a readable PNG (") + text.message + ")");
    }
    out->pixels = state.pixels;
    out->width = int32_t(state.width);
    out->height = int32_t(state.height);
    return DecodeResult();
}

DecodeResult encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out) {
    ErrorText text;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &text, record_error, ignore_warning);
    png_infop info = png == nullptr ? nullptr : png_create_info_struct(png);
    GrowingBuffer buffer;
    const bool encoded = info != nullptr && run_encoder(png, info, rgb, width, height, buffer);
    png_destroy_write_struct(&png, &info);
    if (!encoded) {
        std::free(buffer.bytes);
        return DecodeResult::failure(std::string("encode PNG: ") + text.message);
    }
    out->bytes = buffer.bytes;
    out->length = buffer.length;
    return DecodeResult();
}

} // namespace facever_shim
