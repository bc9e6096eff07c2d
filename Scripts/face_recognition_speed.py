#!/usr/bin/env python3
"""face_recognition's time per face on a list of photos (one path per line), as facever-bench pretrained
measures facever's: from the decoded photo to the descriptor given the face's box (landmarks, chip,
network: face_recognition.face_encodings with known_face_locations), the median over the photos of the
fastest of three runs; and, for reference, the same with dlib's HOG detector finding the box first.
Batch: the network on 32 chips at once (dlib's compute_face_descriptor on a list). Prints one JSON line."""
import json
import sys
import time

import dlib
import face_recognition
import numpy as np
from face_recognition import api


def best_of(runs, body):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    paths = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    encode, detect_and_encode, chips = [], [], []
    for path in paths:
        image = face_recognition.load_image_file(path)
        boxes = face_recognition.face_locations(image) or [(0, image.shape[1] - 1, image.shape[0] - 1, 0)]
        encode.append(best_of(3, lambda: face_recognition.face_encodings(image, known_face_locations=boxes[:1])))
        detect_and_encode.append(best_of(3, lambda: face_recognition.face_encodings(image)))
        if len(chips) < 32:
            shape = api.pose_predictor_5_point(image, api._css_to_rect(boxes[0]))
            chips.append(dlib.get_face_chip(image, shape, size=150, padding=0.25))
    batch = best_of(3, lambda: api.face_encoder.compute_face_descriptor(chips))
    print(json.dumps({"framework": "face_recognition 1.3.0 (dlib %s)" % dlib.__version__, "photos": len(paths),
                      "per_face_milliseconds": float(np.median(encode)) * 1000,
                      "detect_and_encode_milliseconds": float(np.median(detect_and_encode)) * 1000,
                      "batch": len(chips), "batch_faces_per_second": len(chips) / batch}))


if __name__ == "__main__":
    main()
