// FuzzerDriver.c — nothing to compile: the header declares what libFuzzer's runtime defines.
#include "FuzzerDriver.h"
