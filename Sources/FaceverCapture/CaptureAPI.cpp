// CaptureAPI.cpp — the one symbol libFaceverCapture.so exports for facever: its table of entry points
// (facever_capture.h). Assigning each function to its slot checks, at compile time, that the table
// and the functions agree.
#include "facever_video.h"

extern "C" __attribute__((visibility("default"))) const fv_capture_api *fv_capture_api_v2(void) {
    static const fv_capture_api table = {
        FV_CAPTURE_API_VERSION,
        fv_capture_open_device,
        fv_capture_open_file,
        fv_capture_read,
        fv_capture_fps,
        fv_capture_close,
        fv_video_writer_open,
        fv_video_writer_write,
        fv_video_writer_close,
        fv_draw_rectangle,
        fv_preview_show,
        fv_preview_close_all,
        fv_decode_any_image,
    };
    return &table;
}
