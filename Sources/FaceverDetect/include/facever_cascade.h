/*
 * facever_cascade.h — OpenCV's Haar and LBP cascades: the functions of libFaceverDetect.so, reached by
 * facever through the table in facever_detect.h. Same contract as facever_opencv.h.
 */
#ifndef FACEVER_CASCADE_H
#define FACEVER_CASCADE_H

#include "facever_detect.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads a Haar or LBP cascade (OpenCV's XML format). */
int fv_cascade_load(const char *path, fv_cascade **out, char *error, size_t error_capacity);

/* Finds faces at least `minimum_size` pixels wide; writes up to `capacity` boxes, largest first, and
 * the number found into `count`. */
int fv_cascade_detect(fv_cascade *cascade, const uint8_t *rgb, int32_t width, int32_t height, int32_t minimum_size,
                      fv_rect *boxes, int32_t capacity, int32_t *count, char *error, size_t error_capacity);

void fv_cascade_free(fv_cascade *cascade);

#ifdef __cplusplus
}
#endif

#endif /* FACEVER_CASCADE_H */
