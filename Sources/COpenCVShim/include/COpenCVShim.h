/* COpenCVShim.h — the umbrella header Swift imports: images (facever_opencv.h) and the table of the
 * capture library that facever loads at first use (facever_capture.h). */
#include "facever_opencv.h"
#include "facever_capture.h"
