/*
 * CacheSizes.c — the CPU's data cache sizes as the system reports them, the one place the kernels' blocking
 * (and Tensor's chunk sizes) read them from; a size the system does not report falls back to a common one.
 */
#include "MatrixKernels.h"

#include <unistd.h>

static int64_t reported(int name, int64_t fallback) {
    const long bytes = sysconf(name);
    return bytes > 0 ? (int64_t)bytes : fallback;
}

int64_t fv_l1_data_cache_bytes(void) { return reported(_SC_LEVEL1_DCACHE_SIZE, 32 * 1024); }

int64_t fv_l2_cache_bytes(void) { return reported(_SC_LEVEL2_CACHE_SIZE, 1024 * 1024); }
