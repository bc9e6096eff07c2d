/*
 * FuzzerDriver.h — libFuzzer's entry for programs that have a main of their own.
 *
 * SwiftPM links each executable's entry point as `<Module>_main` and points `main` at it, so the
 * targets here cannot use libFuzzer's own main: each has an @main type that calls runFuzzer
 * (FuzzSupport), which hands the arguments and the test function to this driver (clang's
 * -fsanitize=fuzzer runtime defines it).
 */
#ifndef FACEVER_FUZZER_DRIVER_H
#define FACEVER_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
