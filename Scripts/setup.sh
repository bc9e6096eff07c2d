#!/usr/bin/env bash
# Sets up a fresh Debian machine (root or sudo, apt) for building and testing facever. Idempotent:
# when everything is already there it only checks, in a second or so.
#   - Debian packages: OpenBLAS; libjpeg and libpng (facever's own codecs); the OpenCV 4.6 modules
#     (core and imgproc in facever; imgcodecs, videoio, objdetect and highgui in libFaceverCapture.so,
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
