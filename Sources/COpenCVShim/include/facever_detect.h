/*
 * facever_detect.h — the face detector library's table of entry points, as facever sees it.
 *
 * Haar and LBP cascades need OpenCV's objdetect (about 28 shared libraries with its dependencies), not the
 * videoio, highgui and imgcodecs modules of libFaceverCapture.so (some 260). So the face pipeline's detector
 * lives in libFaceverDetect.so of its own: a `facever verify` that finds a face in a photo loads a tenth of
 * the libraries. The library exports one symbol, FV_DETECT_API_SYMBOL: a function returning this table.
 * Every entry keeps the contract of facever_opencv.h (0 on success, a one-line message otherwise, no C++
 * exception escapes).
 */
#ifndef FACEVER_DETECT_H
#define FACEVER_DETECT_H

#include "facever_opencv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fv_cascade fv_cascade;

typedef struct fv_rect {
    int32_t x;
    int32_t y;
    int32_t width;
    int32_t height;
} fv_rect;

#define FV_DETECT_API_SYMBOL "fv_detect_api_v1"
#define FV_DETECT_API_VERSION 1

/* The functions are documented in Sources/FaceverDetect/include/facever_cascade.h. */
typedef struct fv_detect_api {
    uint32_t version; /* FV_DETECT_API_VERSION */
    int (*cascade_load)(const char *path, fv_cascade **out, char *error, size_t error_capacity);
    int (*cascade_detect)(fv_cascade *cascade, const uint8_t *rgb, int32_t width, int32_t height, int32_t minimum_size,
                          fv_rect *boxes, int32_t capacity, int32_t *count, char *error, size_t error_capacity);
    void (*cascade_free)(fv_cascade *cascade);
} fv_detect_api;

typedef const fv_detect_api *(*fv_detect_api_entry)(void);

#ifdef __cplusplus
}
#endif

#endif /* FACEVER_DETECT_H */
