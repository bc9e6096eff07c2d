#!/usr/bin/env bash
# facever against TensorFlow on this machine, side by side in one run (release build). facever runs
# twice: the same work as TensorFlow (pair batches, float32 products) and its defaults (bfloat16
# products on AVX512-BF16, triplet batches); see Scripts/benchmark_vs_tensorflow.py.
#   Scripts/benchmark-vs-tensorflow.sh [--rounds 3] [--steps 5] [--isa avx2]
# (--isa avx2: both sides held to AVX2 kernels, what a CPU without AVX-512 runs; emulated on this one)
# Makes a virtualenv with tensorflow-cpu from PyPI under .build/bench-venv on first use.
# PyTorch is not compared: PyPI serves only its CUDA build (several GB of GPU libraries); the CPU
# build lives on an index this machine does not reach.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tensorflow" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check tensorflow-cpu
fi
swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2   # other image formats and video, loaded at run time
swift build -c release --product FaceverDetect >&2    # the face pipeline's detector, loaded at run time
swift build -c release --product facever-bench >&2
"$venv/bin/python" -c "import tensorflow as tf; print('TensorFlow', tf.__version__)" 2>/dev/null
"$venv/bin/python" Scripts/benchmark_vs_tensorflow.py "$@"
