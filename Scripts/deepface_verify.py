#!/usr/bin/env python3
"""deepface doing what `facever verify PROBE` does, as one process: DeepFace.find, deepface's search of a folder
of photos (their descriptors cached in a pickle inside the folder after the first search), with model "Dlib"
(dlib's face recognition ResNet), its default detector (opencv) and dlib's Euclidean distance under deepface's
threshold for it (0.6); the probe verified when more than half of the folder's photos match.
Prints one line, `PROBE verified|not-verified share=S`; exit status 0 verified, 1 not.

  deepface_verify.py GALLERY_FOLDER PROBE
DEEPFACE_HOME must hold .deepface/weights/ with dlib's model file and OpenCV's cascades (deepface would
download them).
"""
import glob
import os
import sys

from deepface import DeepFace


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    gallery, probe = sys.argv[1], sys.argv[2]
    photos = len(glob.glob(os.path.join(gallery, "*.jpg")))
    if photos == 0:
        print("%s: no .jpg photos to verify against" % gallery, file=sys.stderr)
        return 2
    found = DeepFace.find(img_path=probe, db_path=gallery, model_name="Dlib", detector_backend="opencv",
                          distance_metric="euclidean", enforce_detection=False, silent=True)
    matches = len(found[0]) if found else 0
    share = matches / photos
    verified = share > 0.5
    print("%s %s share=%.2f" % (probe, "verified" if verified else "not-verified", share))
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
