/*
 * AllowedCPUs.c — how many CPUs this process may run on: the CPUs in its affinity mask, which `taskset`,
 * a container's cpuset (docker --cpuset-cpus) or systemd's CPUAffinity narrow. Tensor's thread count starts
 * here: threads beyond these CPUs only take turns on them. 0 when the system does not say.
 */
#define _GNU_SOURCE
#include "MatrixKernels.h"

#include <sched.h>
#include <stdlib.h>

int64_t fv_allowed_cpu_count(void) {
    /* A mask sized for far more CPUs than cpu_set_t's 1,024, grown until the kernel's fits. */
    for (size_t cpus = 1024; cpus <= 1024 * 1024; cpus *= 8) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        if (set == NULL) return 0;
        const size_t bytes = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(bytes, set);
        if (sched_getaffinity(0, bytes, set) == 0) {
            const int count = CPU_COUNT_S(bytes, set);
            CPU_FREE(set);
            return count;
        }
        CPU_FREE(set);
    }
    return 0;
}
