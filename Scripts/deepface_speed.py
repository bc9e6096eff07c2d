#!/usr/bin/env python3
"""deepface's time per photo on a list of photos (one path per line), as `facever embed` reports facever's
(`time_ms`: the photo file read, its faces found and cut, each face's descriptor): DeepFace.represent with
model "Dlib" (dlib's face recognition ResNet) and the detector given, enforce_detection off; one run a photo
after one run to load the models; the median over the photos. Prints one JSON line.

  deepface_speed.py LIST --detector dlib|opencv
DEEPFACE_HOME must hold .deepface/weights/ with dlib's two model files (deepface would download them).
"""
import json
import statistics
import sys
import time

from deepface import DeepFace


def main():
    paths = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    detector = sys.argv[sys.argv.index("--detector") + 1] if "--detector" in sys.argv else "dlib"
    represent = lambda path: DeepFace.represent(path, model_name="Dlib", detector_backend=detector, enforce_detection=False)
    represent(paths[0])   # loads the models
    milliseconds = []
    for path in paths:
        start = time.perf_counter()
        represent(path)
        milliseconds.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"framework": "deepface %s (model Dlib, detector %s)" % (DeepFace.__version__, detector),
                      "photos": len(paths), "median_milliseconds_per_photo": statistics.median(milliseconds)}))


if __name__ == "__main__":
    main()
