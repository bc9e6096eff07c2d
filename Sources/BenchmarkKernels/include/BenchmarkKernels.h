/*
 * BenchmarkKernels.h — a machine probe for the benchmarks: how many single-precision FMAs this core
 * can retire per second. Compiled for the baseline target; the AVX-512 and AVX2 loops are chosen at
 * run time by CPU feature (never by compiling for this exact CPU).
 */
#ifndef BENCHMARK_KERNELS_H
#define BENCHMARK_KERNELS_H

#include <stdint.h>

/* Runs `iterations` rounds of independent FMAs on the calling thread with the widest vectors the CPU
 * supports; returns the floating-point operations done (2 per lane per FMA). `width` receives the
 * vector width in floats (16, 8 or 4). */
double fv_fma_probe(int64_t iterations, int32_t *width);

#endif
