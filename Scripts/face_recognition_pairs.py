#!/usr/bin/env python3
"""face_recognition (dlib's HOG detector, 5-point landmarks, ResNet; PyPI face_recognition 1.3.0 on dlib-bin)
on a pairs list in facever's format (header `fold image_a image_b same`, paths relative to the list), with
the protocol `facever evaluate --pairs` uses: per fold, the distance threshold that is most accurate on the
other folds; mean ± standard deviation of the folds' accuracies; ROC AUC.

  face_recognition_pairs.py PAIRS.tsv [--limit N]
A photo in which the detector finds no face is encoded with the whole picture as its box (what a user of
face_recognition would do for a face crop). Prints one JSON line.
"""
import json
import os
import sys
import time

import face_recognition
import numpy as np


def main():
    pairs_path = sys.argv[1]
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    folder = os.path.dirname(os.path.abspath(pairs_path))
    rows = [line.rstrip("\n").split("\t") for line in open(pairs_path)][1:]
    rows = [(int(f), a, b, int(s)) for f, a, b, s in rows][:limit]
    encodings, undetected, seconds = {}, 0, 0.0
    for path in sorted({p for _, a, b, _ in rows for p in (a, b)}):
        image = face_recognition.load_image_file(os.path.join(folder, path))
        start = time.perf_counter()
        boxes = face_recognition.face_locations(image, number_of_times_to_upsample=1)
        if not boxes:
            undetected += 1
            boxes = [(0, image.shape[1] - 1, image.shape[0] - 1, 0)]
        encodings[path] = face_recognition.face_encodings(image, known_face_locations=boxes[:1])[0]
        seconds += time.perf_counter() - start
    distances = np.array([np.linalg.norm(encodings[a] - encodings[b]) for _, a, b, _ in rows])
    same = np.array([s for *_, s in rows])
    folds = np.array([f for f, *_ in rows])
    accuracies = []
    for fold in sorted(set(folds)):
        train, test = folds != fold, folds == fold
        candidates = np.unique(distances[train])
        best = max(candidates, key=lambda t: ((distances[train] <= t) == (same[train] == 1)).mean())
        accuracies.append(((distances[test] <= best) == (same[test] == 1)).mean())
    order = np.argsort(distances)
    positives, negatives = same.sum(), len(same) - same.sum()
    # AUC: the chance that a same pair is closer than a different one (ties count half).
    ranks = np.empty(len(distances)); ranks[order] = np.arange(1, len(distances) + 1)
    auc = 1 - (ranks[same == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    print(json.dumps({"pairs": len(rows), "images": len(encodings), "undetected": undetected,
                      "accuracy": float(np.mean(accuracies)), "accuracy_std": float(np.std(accuracies)),
                      "folds": [float(a) for a in accuracies], "auc": float(auc),
                      "seconds_per_image_detect_and_encode": seconds / len(encodings)}))


if __name__ == "__main__":
    main()
