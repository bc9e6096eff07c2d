#!/usr/bin/env bash
# facever's pretrained model (dlib's ResNet on facever's engine) beside face_recognition (dlib's own C++
# through PyPI's dlib-bin), on the same photos, in one run:
#   - per face, from the decoded photo to the descriptor given the face: landmarks, chip, network (median);
#   - batch: 32 chips through the network at once (faces/s);
#   - pairs accuracy of both (`evaluate --pairs` and Scripts/face_recognition_pairs.py, the same protocol): with
#     SHARED_LFW (default ../shared/data/lfw_dev) LFW's pairs, about 6 minutes more; without it every pair of the
#     bundled ORL faces (WITH_PAIRS=0: neither).
# Usage: Scripts/benchmark-vs-face-recognition.sh [PHOTO_LIST]   (default: 200 LFW photos, or the 200 bundled
# ORL faces without LFW). Needs Scripts/setup.sh first (the converted model, the downloaded package, .venv-dlib).
set -euo pipefail
cd "$(dirname "$0")/.."

model=models/dlib-resnet-v1.safetensors
archive=models/download/face_recognition_models-0.3.0.tar.gz
[ -f "$model" ] && [ -f "$archive" ] || { echo "run Scripts/setup.sh first ($model, $archive)" >&2; exit 2; }
lfw="${SHARED_LFW:-../shared/data/lfw_dev}"
work=.build/benchmark-face-recognition
mkdir -p "$work"

swift build -c release --product facever-bench >&2
swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2
swift build -c release --product FaceverDetect >&2    # the face pipeline's detector, loaded at run time
# face_recognition 1.3.0 itself (pure Python) on dlib-bin; its models from the package setup checked.
if ! .venv-dlib/bin/python -c "import face_recognition" 2>/dev/null; then
    .venv-dlib/bin/pip install --quiet --disable-pip-version-check --no-deps face_recognition==1.3.0 "$archive"
    .venv-dlib/bin/pip install --quiet --disable-pip-version-check click
fi

list="${1:-}"
if [ -z "$list" ]; then
    list="$work/photos.txt"
    bash Scripts/benchmark-photos.sh "$lfw" > "$list"
fi

echo "== machine =="
.build/release/facever-bench machine
echo "== per face and batch ($(wc -l < "$list") photos) =="
# float32 everywhere; bfloat16 too where the CPU has AVX512-BF16 (the model's default where it multiplies faster
# there: `facever-bench machine` says what precision auto picks).
precisions=float32
if .build/release/facever-bench machine | grep -q avx512_bf16; then precisions="float32 bfloat16"; fi
: > "$work/facever.jsonl"
for precision in $precisions; do
    .build/release/facever-bench pretrained "$model" "$list" --precision "$precision" | tee -a "$work/facever.jsonl"
done
.venv-dlib/bin/python Scripts/face_recognition_speed.py "$list" | tee "$work/face_recognition.json"
python3 - "$work/facever.jsonl" "$work/face_recognition.json" <<'PY'
import json, sys
theirs = json.load(open(sys.argv[2]))
for line in open(sys.argv[1]):
    ours = json.loads(line)
    print("%s: per face facever %.1f ms, face_recognition %.1f ms: %.1fx faster; batch of %d: %.0f against %.0f faces/s: %.1fx" % (
        ours["precision"], ours["per_face_milliseconds"], theirs["per_face_milliseconds"],
        theirs["per_face_milliseconds"] / ours["per_face_milliseconds"], ours["batch"], ours["batch_faces_per_second"],
        theirs["batch_faces_per_second"], ours["batch_faces_per_second"] / theirs["batch_faces_per_second"]))
PY
if [ "${WITH_PAIRS:-1}" != 0 ]; then
    if [ -f "$lfw/pairs.tsv" ]; then
        echo "== LFW pairs ($lfw/pairs.tsv), centre crops =="
        .build/release/facever evaluate --pairs "$lfw/pairs.tsv" --model "$model" --crop centre --data "$work/data"
        .venv-dlib/bin/python Scripts/face_recognition_pairs.py "$lfw/pairs.tsv"
    else
        # Without LFW, every pair of the bundled ORL faces, each tool finding the faces (a minute or two).
        echo "== the bundled ORL faces' pairs (data/samples/orl/pairs.tsv), faces found by each tool =="
        .build/release/facever evaluate --pairs data/samples/orl/pairs.tsv --model "$model" --crop face --data "$work/data"
        .venv-dlib/bin/python Scripts/face_recognition_pairs.py data/samples/orl/pairs.tsv
    fi
fi
