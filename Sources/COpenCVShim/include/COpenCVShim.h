/* COpenCVShim.h — the umbrella header Swift imports: images (facever_opencv.h) and video (facever_video.h). */
#include "facever_opencv.h"
#include "facever_video.h"
