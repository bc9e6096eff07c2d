/*
 * facever_opencv.h — the plain C face of facever's image shim: codecs and resizing.
 *
 * Contract:
 *  - Every function returns 0 on success. On failure it returns non-zero and writes a one-line,
 *    NUL-terminated message into `error` (truncated to `error_capacity` bytes). No C++ exception
 *    ever leaves the shim.
 *  - Images cross the boundary as packed 8-bit RGB: `height` rows of `width * 3` bytes, no padding.
 *  - Memory the shim allocates (fv_image.pixels, fv_buffer.bytes) is released with fv_image_free /
 *    fv_buffer_free, never with free() from the caller's allocator.
 */
#ifndef FACEVER_OPENCV_H
#define FACEVER_OPENCV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A packed RGB8 image owned by the shim. */
typedef struct fv_image {
    int32_t width;
    int32_t height;
    uint8_t *pixels; /* width * height * 3 bytes */
} fv_image;

/* An encoded file (JPEG, PNG) owned by the shim. */
typedef struct fv_buffer {
    uint8_t *bytes;
    size_t length;
} fv_buffer;

/* Decodes JPEG (libjpeg, EXIF orientation applied), PNG (libpng) and PGM/PPM into RGB8. Greyscale
 * is expanded to three channels, 16-bit samples are reduced to 8 bits, and an alpha channel is
 * dropped. Returns 2 (with a message) for a file in none of these formats, which the capture
 * library's OpenCV decoder may still read (facever_capture.h).
 * Bounded: an image whose header declares more than `max_pixels` pixels is refused before any
 * pixel memory is allocated (returning 3), and damaged data (a truncated file, a corrupt JPEG entropy stream)
 * is an error, never a picture with the missing part filled in. */
int fv_decode_image(const uint8_t *bytes, size_t length, uint64_t max_pixels, fv_image *out, char *error,
                    size_t error_capacity);

/* Encodes RGB8 pixels as a baseline JPEG at `quality` (1...100). */
int fv_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality, fv_buffer *out,
                   char *error, size_t error_capacity);

/* Encodes RGB8 pixels as a lossless PNG. */
int fv_encode_png(const uint8_t *rgb, int32_t width, int32_t height, fv_buffer *out, char *error,
                  size_t error_capacity);

/* Resizes RGB8 pixels into `destination` (destination_width * destination_height * 3 bytes, caller-owned).
 * Area averaging when shrinking, bilinear when enlarging: OpenCV's INTER_AREA and INTER_LINEAR, the usual
 * shrink computed by facever itself to the same bytes. */
int fv_resize_rgb(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination,
                  int32_t destination_width, int32_t destination_height, char *error, size_t error_capacity);

/* The same with OpenCV's cv::resize for every size: fv_resize_rgb's reference in the tests. */
int fv_resize_rgb_opencv(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination,
                         int32_t destination_width, int32_t destination_height, char *error, size_t error_capacity);

/* Maps RGB8 pixels through the 2×3 affine `matrix` (destination = matrix · [x, y, 1] of the source, row-major)
 * into `destination` (destination_width * destination_height * 3 bytes, caller-owned), bilinear, with the
 * border replicated: the similarity transform that levels the eyes and scales a face to the stored crop. */
int fv_warp_affine_rgb(const uint8_t *rgb, int32_t width, int32_t height, const double *matrix, uint8_t *destination,
                       int32_t destination_width, int32_t destination_height, char *error, size_t error_capacity);

/* Drawing on RGB8 pixels in place (the plots of `facever report`), with OpenCV's imgproc: antialiased
 * lines and circles, filled rectangles, and text in the Hershey simplex font (`x`, `y`: the left end of the
 * text's baseline). `colour` is 3 bytes, R G B. A negative thickness fills a circle. */
int fv_draw_line(uint8_t *rgb, int32_t width, int32_t height, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                 const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity);
int fv_fill_rectangle(uint8_t *rgb, int32_t width, int32_t height, int32_t x, int32_t y, int32_t rectangle_width,
                      int32_t rectangle_height, const uint8_t *colour, char *error, size_t error_capacity);
int fv_draw_circle(uint8_t *rgb, int32_t width, int32_t height, int32_t x, int32_t y, int32_t radius,
                   const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity);
int fv_draw_text(uint8_t *rgb, int32_t width, int32_t height, const char *text, int32_t x, int32_t y, double scale,
                 const uint8_t *colour, int32_t thickness, char *error, size_t error_capacity);
/* The size of `text` as fv_draw_text would draw it: width, height above the baseline, depth below it. */
int fv_text_size(const char *text, double scale, int32_t thickness, int32_t *text_width, int32_t *text_height,
                 int32_t *baseline, char *error, size_t error_capacity);

void fv_image_free(fv_image *image);
void fv_buffer_free(fv_buffer *buffer);

#ifdef __cplusplus
}
#endif

#endif /* FACEVER_OPENCV_H */
