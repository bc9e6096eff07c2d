/*
 * facever_capture.h — the capture library's table of entry points, as facever sees it.
 *
 * Cameras, video files, the preview window and decoding of any other image format
 * need OpenCV's videoio, highgui and imgcodecs, which bring some 250 shared libraries
 * (FFmpeg, GStreamer, GDAL, Qt). They live in libFaceverCapture.so, which facever loads with dlopen
 * only when a command needs them, so that `facever verify` on a photo starts without them. The
 * library exports one symbol, FV_CAPTURE_API_SYMBOL: a function returning this table. Every entry
 * keeps the contract of facever_opencv.h (0 on success, a one-line message otherwise, no C++
 * exception escapes, packed RGB8 images released with fv_image_free).
 */
#ifndef FACEVER_CAPTURE_H
#define FACEVER_CAPTURE_H

#include "facever_detect.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fv_capture fv_capture;
typedef struct fv_video_writer fv_video_writer;

#define FV_CAPTURE_API_SYMBOL "fv_capture_api_v2"
#define FV_CAPTURE_API_VERSION 2

/* The functions are documented in Sources/FaceverCapture/include/facever_video.h. */
typedef struct fv_capture_api {
    uint32_t version; /* FV_CAPTURE_API_VERSION */
    int (*capture_open_device)(const char *device, fv_capture **out, char *error, size_t error_capacity);
    int (*capture_open_file)(const char *path, fv_capture **out, char *error, size_t error_capacity);
    int (*capture_read)(fv_capture *capture, fv_image *frame, double *milliseconds, char *error, size_t error_capacity);
    double (*capture_fps)(fv_capture *capture);
    void (*capture_close)(fv_capture *capture);
    int (*video_writer_open)(const char *path, int32_t width, int32_t height, double fps, fv_video_writer **out,
                             char *error, size_t error_capacity);
    int (*video_writer_write)(fv_video_writer *writer, const uint8_t *rgb, int32_t width, int32_t height, char *error,
                              size_t error_capacity);
    void (*video_writer_close)(fv_video_writer *writer);
    int (*draw_rectangle)(uint8_t *rgb, int32_t width, int32_t height, fv_rect box, uint8_t red, uint8_t green,
                          uint8_t blue, int32_t thickness, char *error, size_t error_capacity);
    int (*preview_show)(const char *title, const uint8_t *rgb, int32_t width, int32_t height, int32_t wait_milliseconds,
                        int32_t *key, char *error, size_t error_capacity);
    void (*preview_close_all)(void);
    int (*decode_any)(const uint8_t *bytes, size_t length, fv_image *out, char *error, size_t error_capacity);
} fv_capture_api;

typedef const fv_capture_api *(*fv_capture_api_entry)(void);

#ifdef __cplusplus
}
#endif

#endif /* FACEVER_CAPTURE_H */
