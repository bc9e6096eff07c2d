#!/usr/bin/env bash
# Which face-chip border the pretrained model should use (README, "Accuracy, unseen people"), measured so that
# the choice costs the figure nothing: the model imported with each border (`import-dlib --chip-border`),
# every LFW pair scored by each (`evaluate --pairs --write-scores`), then nested cross-validation over the
# folds: for each fold, the border whose LFW-protocol accuracy on the four other folds is best, measured on
# that fold with a threshold chosen on the four. Prints each border's own figure and the nested one.
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

# LFW's protocol is facever's own (`evaluate --scored-pairs`): over all folds, each fold at the threshold chosen on
# the others (fold_accuracies), and over the four folds other than k, to choose the border for fold k.
folds=$(tail -n +2 "$work/scores-black.tsv" | cut -f1 | sort -un)
for border in black mirror; do
    .build/release/facever evaluate --scored-pairs "$work/scores-$border.tsv" --json > "$work/all-$border.json"
    for k in $folds; do
        awk -F'\t' -v k="$k" 'NR == 1 || $1 != k' "$work/scores-$border.tsv" > "$work/without-$k-$border.tsv"
        .build/release/facever evaluate --scored-pairs "$work/without-$k-$border.tsv" --json > "$work/without-$k-$border.json"
    done
done
python3 - "$work" $folds <<'PY'
import json, statistics, sys
work, folds = sys.argv[1], [int(k) for k in sys.argv[2:]]
borders = ["black", "mirror"]
whole = {b: json.load(open(f"{work}/all-{b}.json")) for b in borders}
for b in borders:
    print(f"{b}: LFW protocol {whole[b]['accuracy']:.4f}")
nested = []
for index, k in enumerate(folds):
    inner = {b: json.load(open(f"{work}/without-{k}-{b}.json"))["accuracy"] for b in borders}
    choice = max(borders, key=lambda b: inner[b])   # a tie keeps dlib's black
    nested.append(whole[choice]["fold_accuracies"][index])
    print(f"fold {k}: the other folds give " + ", ".join(f"{b} {a:.4f}" for b, a in inner.items())
          + f" -> {choice}; fold {k} {nested[-1]:.4f}")
print(f"nested: {statistics.mean(nested):.4f} ± {statistics.pstdev(nested):.4f}")
PY
