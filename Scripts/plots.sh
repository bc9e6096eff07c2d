#!/usr/bin/env bash
# The README's pictures, from the bundled ORL faces: the demo's model (Scripts/demo.sh) drawn by
# `facever report` (history.png, roc.png, scores.png), and identification of ten enrolled people
# (s1–s10, photos 1–5 enrolled; photos 6–8 as probes; s11–s15 as strangers) drawn by `evaluate --identify`.
# Usage: Scripts/plots.sh [OUTPUT=docs/images]   (runs the demo first unless $FACEVER_DEMO_DIR holds a model)
set -euo pipefail
cd "$(dirname "$0")/.."

output="${1:-docs/images}"
work="${FACEVER_DEMO_DIR:-.build/demo}"
samples=data/samples/orl
data="$work/data"

[ -f "$data/model.safetensors" ] || bash Scripts/demo.sh >&2
facever=.build/release/facever

rm -rf "$data/people" "$data/people.embeddings"*.safetensors "$work/labelled"
for s in $(seq 1 10); do
    files=()
    for n in 1 2 3 4 5; do files+=("$samples/s$s/$n.pgm"); done
    "$facever" enroll "s$s" "${files[@]}" --data "$data" > /dev/null
    mkdir -p "$work/labelled/s$s"
    for n in 6 7 8; do cp "$samples/s$s/$n.pgm" "$work/labelled/s$s/"; done
done
mkdir -p "$work/labelled/unknown"
for s in $(seq 11 15); do cp "$samples/s$s/1.pgm" "$work/labelled/unknown/s${s}_1.pgm"; done

"$facever" report --data "$data" --output "$output"
"$facever" evaluate --data "$data" --identify "$work/labelled" --plot "$output"
