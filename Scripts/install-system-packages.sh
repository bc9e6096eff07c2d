#!/usr/bin/env bash
# Installs the Debian packages facever builds and runs with. Idempotent: when every package is already
# installed it only checks, in a second or so. Needs root (or sudo) and apt.
set -euo pipefail

packages=(
    pkg-config
    libopenblas-dev
    libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
    libopencv-videoio-dev libopencv-objdetect-dev
    opencv-data
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-packages: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo_prefix=()
if [ "$(id -u)" -ne 0 ]; then sudo_prefix=(sudo); fi

echo "install-system-packages: installing ${missing[*]}"
"${sudo_prefix[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_prefix[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
