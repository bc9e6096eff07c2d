#!/usr/bin/env python3
"""face_recognition doing what `facever verify PROBE` does, as one process: its gallery's encodings read from a
cache, the probe's face found (dlib's HOG detector, face_recognition's default) and encoded (5-point landmarks, one
jitter: its defaults), and the probe verified when more than half of the gallery lies within dlib's distance 0.6.
Prints one line, `PROBE verified|not-verified share=S`; exit status 0 verified, 1 not.

  face_recognition_verify.py --make-cache CACHE.npy PHOTO...   encodes the gallery photos once (those without a
                                                               face are left out) and writes the cache
  face_recognition_verify.py CACHE.npy PROBE                   verifies the probe against the cache
"""
import sys

import face_recognition
import numpy as np


def encoding(path):
    """The encoding of the first face HOG finds in the photo, or None."""
    image = face_recognition.load_image_file(path)
    encodings = face_recognition.face_encodings(image, face_recognition.face_locations(image))
    return encodings[0] if encodings else None


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--make-cache":
        encodings = [e for e in (encoding(path) for path in sys.argv[3:]) if e is not None]
        np.save(sys.argv[2], np.array(encodings))
        print("%d of %d gallery photos encoded into %s" % (len(encodings), len(sys.argv) - 3, sys.argv[2]))
        return 0
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    gallery, probe = np.load(sys.argv[1]), encoding(sys.argv[2])
    if probe is None:
        print("%s no-face" % sys.argv[2])
        return 1
    share = float(np.mean(face_recognition.face_distance(gallery, probe) <= 0.6))
    verified = share > 0.5
    print("%s %s share=%.2f" % (sys.argv[2], "verified" if verified else "not-verified", share))
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
