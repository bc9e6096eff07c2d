// AreaShrink.hpp — facever's own shrink by area averaging (AreaShrink.cpp), OpenCV's INTER_AREA to the bit
// for the shrinks it covers.
#pragma once

#include <cstdint>

namespace facever_shim {

// Whether shrink_by_area covers resizing width × height to target_width × target_height: smaller on both
// axes, by a scale that is not a whole number on both (OpenCV averages whole blocks then).
bool is_area_shrink(int32_t width, int32_t height, int32_t target_width, int32_t target_height);

// RGB8 `rgb` (width × height) shrunk into `destination` (target_width × target_height × 3 bytes), as
// cv::resize with INTER_AREA does. Only for sizes is_area_shrink accepts.
void shrink_by_area(const uint8_t *rgb, int32_t width, int32_t height, uint8_t *destination, int32_t target_width,
                    int32_t target_height);

}  // namespace facever_shim
