#!/usr/bin/env bash
# Per-layer speed of the embedding network at batch 32 (release build), beside raw sgemm on the same shapes.
#   Scripts/benchmark-layers.sh [--batch 32] [--repeats 5] [--precision float32|bfloat16]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product facever-bench >&2
.build/release/facever-bench layers "$@"
