#!/usr/bin/env bash
# facever on fewer CPUs than the machine has (`taskset`, a container's cpuset): per face with dlib's ResNet
# (`facever-bench pretrained`) confined to one CPU, running as many threads as that CPU (one: what facever
# runs there) beside as many as the machine has processors online (what it ran before it read the affinity
# mask), in alternating runs: each run's per-face and network medians, then the medians over runs and their
# ratio.
# Usage: Scripts/benchmark-allowed-cpus.sh [RUNS] [PRECISION]   (default 4 runs, float32). Needs Scripts/setup.sh
# first; times LFW photos (SHARED_LFW, default ../shared/data/lfw_dev) or, without them, the bundled ORL faces.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-4}"
precision="${2:-float32}"
model=models/dlib-resnet-v1.safetensors
[ -f "$model" ] || { echo "run Scripts/setup.sh first ($model)" >&2; exit 2; }
online="$(getconf _NPROCESSORS_ONLN)"
[ "$online" -ge 2 ] || { echo "this machine has one processor: nothing to compare" >&2; exit 2; }
cpu="$(awk -F'[:,-]' '/^Cpus_allowed_list/ { gsub(/[ \t]/, "", $2); print $2 }' /proc/self/status)"

swift build -c release --product facever-bench >&2
photos="$(mktemp)"
trap 'rm -f "$photos"' EXIT
bash Scripts/benchmark-photos.sh "${SHARED_LFW:-../shared/data/lfw_dev}" > "$photos"

echo "== machine =="
.build/release/facever-bench machine
echo "== per face, $precision, confined to CPU $cpu (taskset -c $cpu): 1 thread beside $online, $runs alternating runs =="
for ((run = 1; run <= runs; run++)); do
    for threads in 1 "$online"; do
        taskset -c "$cpu" .build/release/facever-bench pretrained "$model" "$photos" --precision "$precision" --threads "$threads" \
            | python3 -c "import json, sys; d = json.load(sys.stdin); print($threads, d['per_face_milliseconds'], d['network_milliseconds'])"
    done
done | python3 -c '
import statistics, sys
rows = [line.split() for line in sys.stdin]
for threads, face, network in rows:
    print(f"{threads} thread(s): {float(face):.2f} ms a face, network {float(network):.2f} ms")
by = {}
for threads, face, _ in rows:
    by.setdefault(int(threads), []).append(float(face))
one, many = sorted(by)
print(f"median over runs: {statistics.median(by[one]):.2f} ms with {one} thread, {statistics.median(by[many]):.2f} ms with {many}; "
      f"{statistics.median(by[many]) / statistics.median(by[one]):.3f} times as long with {many}")
'
