/*
 * BenchmarkKernels.h — a machine probe for the benchmarks: how many single-precision FMAs this core
 * can retire per second. Compiled for the baseline target; the AVX-512 and AVX2 loops are chosen at
 * run time by CPU feature (never by compiling for this exact CPU).
 */
#ifndef BENCHMARK_KERNELS_H
#define BENCHMARK_KERNELS_H

#include <stdint.h>

/* Runs `iterations` rounds of independent FMAs on the calling thread with the widest vectors the CPU
 * supports, at most `widest` floats (16, 8 or 4: the peak of the kernel path in use, so that
 * FACEVER_KERNEL=avx2 on an AVX-512 CPU measures what an AVX2 CPU would); returns the floating-point
 * operations done (2 per lane per FMA). `width` receives the vector width in floats. */
double fv_fma_probe(int64_t iterations, int32_t widest, int32_t *width);

#endif
