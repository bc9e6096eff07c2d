#!/usr/bin/env python3
"""dlib's own answers on the bundled photos, for facever's parity tests (and the measurement behind
FaceChipper's box rule). Runs in the venv Scripts/setup.sh makes with PyPI's dlib-bin; dlib is used only
here, to compare against, never by facever.

  dlib_reference.py MODELS_DIR OUT_DIR PHOTO...   writes OUT_DIR/cases.json and OUT_DIR/chipNN.png:
      for each photo: the box (dlib's HOG detector with one upsampling, else the middle 80 %), dlib's five
      landmarks in that box, dlib's 150×150 face chip (padding 0.25) and dlib's descriptor of that chip.
  dlib_reference.py --fit-box MODELS_DIR PHOTO...  prints the medians of dlib's detector box around its own
      five landmarks, in units of the landmarks' RMS radius (FaceChipper.boxOffset and boxSide).
  dlib_reference.py --mirror-ratio MODELS_DIR PHOTO...  prints the median, over all pairs of the photos, of the
      distance between mirror-averaged descriptors over the distance between dlib's own (DlibImport.mirrorDistanceRatio).
"""
import json
import os
import sys

import dlib
import numpy as np
from PIL import Image


def load(path, side=None):
    image = Image.open(path).convert("RGB")
    if side:
        image = image.resize((side, side), Image.BILINEAR)
    return np.array(image)


def models(folder):
    return (dlib.get_frontal_face_detector(),
            dlib.shape_predictor(os.path.join(folder, "shape_predictor_5_face_landmarks.dat")),
            dlib.face_recognition_model_v1(os.path.join(folder, "dlib_face_recognition_resnet_model_v1.dat")))


def box_for(detector, image):
    found = detector(image, 1)
    if len(found):
        return found[0]
    height, width = image.shape[:2]
    return dlib.rectangle(width // 10, height // 10, width * 9 // 10, height * 9 // 10)


def reference(model_folder, out_folder, photos):
    detector, predictor, recogniser = models(model_folder)
    os.makedirs(out_folder, exist_ok=True)
    cases = []
    for index, photo in enumerate(photos):
        image = load(photo)
        box = box_for(detector, image)
        shape = predictor(image, box)
        chip = dlib.get_face_chip(image, shape, size=150, padding=0.25)
        chip_name = "chip%02d.png" % index
        Image.fromarray(chip).save(os.path.join(out_folder, chip_name))
        descriptor = recogniser.compute_face_descriptor(chip)
        whole = recogniser.compute_face_descriptor(image, shape)  # dlib's own chip inside: the same numbers
        assert np.abs(np.array(descriptor) - np.array(whole)).max() < 1e-5
        cases.append({
            "photo": photo,  # as given: setup passes paths relative to the repository
            "box": [box.left(), box.top(), box.right(), box.bottom()],
            "landmarks": [[shape.part(i).x, shape.part(i).y] for i in range(5)],
            "chip": chip_name,
            "descriptor": [float(v) for v in descriptor],
        })
    with open(os.path.join(out_folder, "cases.json"), "w") as out:
        json.dump({"dlib": dlib.__version__, "cases": cases}, out)
    print("dlib_reference: %d cases in %s" % (len(cases), out_folder))


def fit_box(model_folder, photos):
    detector, predictor, _ = models(model_folder)
    rows = []
    for photo in photos:
        image = load(photo, side=250)
        found = detector(image, 1)
        if not len(found):
            continue
        box = found[0]
        shape = predictor(image, box)
        points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], float)
        centre = points.mean(0)
        radius = np.sqrt(((points - centre) ** 2).sum(1).mean())
        rows.append(((box.left() + box.right()) / 2 - centre[0], (box.top() + box.bottom()) / 2 - centre[1],
                     box.right() - box.left(), box.bottom() - box.top()))
        rows[-1] = np.array(rows[-1]) / radius
    medians = np.median(np.array(rows), 0)
    print("%d faces: centre offset (%.3f, %.3f) r, box %.2f r x %.2f r" % (len(rows), *medians))


def mirror_ratio(model_folder, photos):
    detector, predictor, recogniser = models(model_folder)
    plain, averaged = [], []
    for photo in photos:
        image = load(photo)
        chip = dlib.get_face_chip(image, predictor(image, box_for(detector, image)), size=150, padding=0.25)
        direct = np.array(recogniser.compute_face_descriptor(chip))
        mirror = np.array(recogniser.compute_face_descriptor(np.ascontiguousarray(chip[:, ::-1])))
        plain.append(direct)
        averaged.append((direct + mirror) / 2)
    plain, averaged = np.array(plain), np.array(averaged)
    upper = np.triu_indices(len(plain), 1)
    ratio = (np.linalg.norm(averaged[:, None] - averaged[None], axis=2)[upper]
             / np.linalg.norm(plain[:, None] - plain[None], axis=2)[upper])
    print("%d photos, %d pairs: median distance ratio %.4f" % (len(photos), len(ratio), np.median(ratio)))


if __name__ == "__main__":
    if sys.argv[1] == "--fit-box":
        fit_box(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "--mirror-ratio":
        mirror_ratio(sys.argv[2], sys.argv[3:])
    else:
        reference(sys.argv[1], sys.argv[2], sys.argv[3:])
