/*
 * facever_video.h — cameras, video files, image sequences, rectangles, a preview window and a
 * decoder for any image format OpenCV reads: the functions of libFaceverCapture.so, reached by
 * facever through the table in facever_capture.h. Same contract as facever_opencv.h: 0 on success, a one-line
 * message in `error` otherwise, no C++ exception ever escapes, images are packed RGB8.
 */
#ifndef FACEVER_VIDEO_H
#define FACEVER_VIDEO_H

#include "facever_capture.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens a V4L2 device: `device` is a path such as /dev/video0. */
int fv_capture_open_device(const char *device, fv_capture **out, char *error, size_t error_capacity);

/* Opens a video file, or an image sequence when `path` holds a printf pattern (frames/%04d.jpg). */
int fv_capture_open_file(const char *path, fv_capture **out, char *error, size_t error_capacity);

/* Reads the next frame into `frame` (free with fv_image_free) and its time in milliseconds from the
 * start of the stream (the file's timestamps; for a camera, time since opening).
 * Returns 0 for a frame, 1 at the end of the stream, -1 on error. */
int fv_capture_read(fv_capture *capture, fv_image *frame, double *milliseconds, char *error, size_t error_capacity);

/* Frames per second the source declares (0 when unknown). */
double fv_capture_fps(fv_capture *capture);

void fv_capture_close(fv_capture *capture);

/* Writes an MJPEG AVI file. */
int fv_video_writer_open(const char *path, int32_t width, int32_t height, double fps, fv_video_writer **out,
                         char *error, size_t error_capacity);
int fv_video_writer_write(fv_video_writer *writer, const uint8_t *rgb, int32_t width, int32_t height, char *error,
                          size_t error_capacity);
void fv_video_writer_close(fv_video_writer *writer);

/* Draws a rectangle outline into RGB8 pixels in place. */
int fv_draw_rectangle(uint8_t *rgb, int32_t width, int32_t height, fv_rect box, uint8_t red, uint8_t green,
                      uint8_t blue, int32_t thickness, char *error, size_t error_capacity);

/* Shows RGB8 pixels in a window named `title` and waits up to `wait_milliseconds` for a key.
 * `key` receives the key code or -1. Needs a display (DISPLAY or WAYLAND_DISPLAY). */
int fv_preview_show(const char *title, const uint8_t *rgb, int32_t width, int32_t height, int32_t wait_milliseconds,
                    int32_t *key, char *error, size_t error_capacity);
void fv_preview_close_all(void);

/* Decodes any image format OpenCV's imgcodecs reads (BMP, TIFF, WebP, …) into RGB8. Returns 0, 2 when
 * OpenCV cannot decode the bytes, or 1 with the reason in `error` for any other failure. */
int fv_decode_any_image(const uint8_t *bytes, size_t length, fv_image *out, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif /* FACEVER_VIDEO_H */
