// fuzz_decoder.cpp — libFuzzer target for one of facever's image decoders (JPEG, PNG or PNM, chosen at
// build time with -DFUZZ_FORMAT=decode_jpeg …): any bytes in, an image or an error out, under the
// standard 40-megapixel limit. A crash, a leak, an out-of-bounds access or an image whose size
// disagrees with its buffer is a finding.
#include "ImageFormats.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t length) {
    fv_image image{0, 0, nullptr};
    facever_shim::DecodeResult result = facever_shim::FUZZ_FORMAT(bytes, length, 40000000, &image);
    if (result.ok) {
        if (image.pixels == nullptr || image.width <= 0 || image.height <= 0) std::abort();
        // Touch the last byte: ASan reports a buffer smaller than width × height × 3.
        volatile uint8_t last = image.pixels[size_t(image.width) * size_t(image.height) * 3 - 1];
        (void)last;
    }
    std::free(image.pixels);
    return 0;
}
