#!/usr/bin/env bash
# facever's pretrained model beside deepface (PyPI deepface 0.0.103 with its "Dlib" model: dlib's face
# recognition ResNet, the network facever imports, run by PyPI's dlib-bin), on the same photos, in one run:
#   - per photo, from the file to every face's descriptor, face detection included: `facever embed`'s time_ms
#     against DeepFace.represent with deepface's default detector (opencv: Haar cascades) and with dlib's HOG
#     detector (medians over the photos; Scripts/deepface_speed.py);
#   - pairs accuracy through each tool's face detection: `facever evaluate --pairs --crop face`, and deepface's
#     pair scores (Scripts/deepface_pairs.py) reported by `facever evaluate --scored-pairs`, the same protocol;
#     on LFW's pairs with SHARED_LFW (default ../shared/data/lfw_dev: about 40 minutes more), else on every pair
#     of the bundled ORL faces (WITH_PAIRS=0: neither).
# deepface downloads its weights at first use; Scripts/deepface-setup.sh gives it the files instead.
# Usage: Scripts/benchmark-vs-deepface.sh [PHOTO_LIST]   (default: Scripts/benchmark-photos.sh's 200 photos)
set -euo pipefail
cd "$(dirname "$0")/.."

model=models/dlib-resnet-v1.safetensors
[ -f "$model" ] || { echo "run Scripts/setup.sh first ($model)" >&2; exit 2; }
lfw="${SHARED_LFW:-../shared/data/lfw_dev}"
work=.build/benchmark-deepface
venv=.build/deepface-venv
mkdir -p "$work"

swift build -c release --product facever-bench >&2
swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2
swift build -c release --product FaceverDetect >&2
DEEPFACE_HOME="$(bash Scripts/deepface-setup.sh)"
export DEEPFACE_HOME

list="${1:-}"
if [ -z "$list" ]; then
    list="$work/photos.txt"
    bash Scripts/benchmark-photos.sh "$lfw" > "$list"
fi
mapfile -t photos < "$list"

echo "== machine =="
.build/release/facever-bench machine
echo "== per photo, file to descriptors, face detection included (${#photos[@]} photos) =="
.build/release/facever embed --model "$model" "${photos[@]}" > "$work/embed.jsonl" 2> "$work/embed.err" || true
python3 - "$work/embed.jsonl" <<'PY'
import json, statistics, sys
times = {}
for line in open(sys.argv[1]):
    answer = json.loads(line)
    if "time_ms" in answer: times.setdefault(answer["image"], answer["time_ms"])
print(json.dumps({"framework": "facever embed (pretrained, precision auto)", "photos": len(times),
                  "median_milliseconds_per_photo": statistics.median(times.values())}))
PY
for detector in opencv dlib; do
    "$venv/bin/python" Scripts/deepface_speed.py "$list" --detector "$detector" 2> "$work/speed-$detector.err"
done

# The LFW pairs where there are, else every pair of the bundled ORL faces (1,850, a minute or two).
pairs="$lfw/pairs.tsv"
[ -f "$pairs" ] || pairs=data/samples/orl/pairs.tsv
if [ "${WITH_PAIRS:-1}" != 0 ]; then
    echo "== pairs ($pairs), each tool's face detection =="
    .build/release/facever evaluate --pairs "$pairs" --model "$model" --crop face --json --data "$work/data"
    for detector in opencv dlib; do
        "$venv/bin/python" Scripts/deepface_pairs.py "$pairs" "$work/pairs-$detector.tsv" --detector "$detector" \
            2> "$work/pairs-$detector.err"
        .build/release/facever evaluate --scored-pairs "$work/pairs-$detector.tsv" --json
    done
fi
