/*
 * Workspace.h — the GEMMs' per-thread scratch buffers (packed panels, row sums): 64-byte aligned, grown
 * when a product needs more, kept for the thread's lifetime. Private to MatrixKernels.
 */
#ifndef WORKSPACE_H
#define WORKSPACE_H

#include <stdlib.h>

/* The buffer in `*slot`, at least `bytes` long (its contents are not kept when it grows). */
static inline void *grown_workspace(void **slot, size_t *capacity, size_t bytes) {
    if (*capacity < bytes) {
        free(*slot);
        *slot = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (*slot == NULL) abort();
        *capacity = bytes;
    }
    return *slot;
}

#endif
