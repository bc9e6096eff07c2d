/*
 * FuzzerDriver.h — libFuzzer's entry for programs that have a main of their own.
 *
 * SwiftPM links each executable's entry point as `<Module>_main` and points `main` at it, so the
 * targets here cannot use libFuzzer's own main: each has an @main type that hands its argument list
 * and its test function to this driver (clang's -fsanitize=fuzzer runtime provides it).
 */
#ifndef FACEVER_FUZZER_DRIVER_H
#define FACEVER_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
