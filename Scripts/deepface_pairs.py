#!/usr/bin/env python3
"""deepface (PyPI deepface, model "Dlib": dlib's face recognition ResNet, the network facever imports) on a
pairs list in facever's format (header `fold image_a image_b same`, paths relative to the list): every photo
through DeepFace.represent as a user calls it (its detector, its eye alignment, enforce_detection off so that
a photo without a detection is embedded whole), each pair scored as DeepFace.verify scores it (the smallest
Euclidean distance between a face of one photo and a face of the other). Writes the pairs, paths absolute,
with the score 1 / (1 + exp(10 (distance - 0.6))): higher is the same person, 0.5 at deepface's own threshold
for this model (0.6), so that `facever evaluate --scored-pairs` gives LFW's k-fold accuracy and, as its
accuracy at the threshold, deepface's verdicts. Prints one JSON line: photos, those without a detection, the
median time per photo (decoded picture in, its faces' embeddings out).

  deepface_pairs.py PAIRS.tsv SCORED.tsv --detector dlib|opencv [--limit N]
DEEPFACE_HOME must hold .deepface/weights/ with dlib's two model files (deepface would download them).
"""
import json
import math
import os
import statistics
import sys
import time

import cv2
import numpy as np
from deepface import DeepFace


def option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    pairs_path, scored_path = sys.argv[1], sys.argv[2]
    detector = option("--detector", "dlib")
    limit = int(option("--limit", "0")) or None
    folder = os.path.dirname(os.path.abspath(pairs_path))
    rows = [line.rstrip("\n").split("\t") for line in open(pairs_path)][1:][:limit]
    faces, milliseconds, undetected = {}, [], 0
    for path in sorted({p for row in rows for p in row[1:3]}):
        picture = cv2.imread(os.path.join(folder, path))   # decoded first, as facever's timings start
        start = time.perf_counter()
        found = DeepFace.represent(picture, model_name="Dlib", detector_backend=detector, enforce_detection=False, align=True)
        milliseconds.append((time.perf_counter() - start) * 1000)
        undetected += all(face.get("face_confidence", 0) == 0 for face in found)
        faces[path] = [np.array(face["embedding"]) for face in found]
    with open(scored_path, "w") as scored:
        scored.write("fold\timage_a\timage_b\tsame\tscore\n")
        for fold, a, b, same in rows:
            distance = min(np.linalg.norm(x - y) for x in faces[a] for y in faces[b])
            score = 1 / (1 + math.exp(10 * (distance - 0.6)))
            scored.write("%s\t%s\t%s\t%s\t%.8f\n" % (fold, os.path.join(folder, a), os.path.join(folder, b), same, score))
    print(json.dumps({"framework": "deepface %s (model Dlib, detector %s)" % (DeepFace.__version__, detector),
                      "pairs": len(rows), "photos": len(faces), "photos_without_detection": undetected,
                      "median_milliseconds_per_photo": statistics.median(milliseconds)}))


if __name__ == "__main__":
    main()
