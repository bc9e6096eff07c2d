// DetectAPI.cpp — the one symbol libFaceverDetect.so exports for facever: its table of entry points
// (facever_detect.h). Assigning each function to its slot checks, at compile time, that the table and the
// functions agree.
#include "facever_cascade.h"

extern "C" __attribute__((visibility("default"))) const fv_detect_api *fv_detect_api_v1(void) {
    static const fv_detect_api table = {
        FV_DETECT_API_VERSION,
        fv_cascade_load,
        fv_cascade_detect,
        fv_cascade_free,
    };
    return &table;
}
