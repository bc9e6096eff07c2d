#!/usr/bin/env bash
# The tutorial's experiment on real faces from LFW (lfw_dev): Colin_Powell plays the user.
#   Scripts/lfw-experiment.sh LFW_DEV_DIR [EPOCHS=5] [PAIRS_PER_CLASS=1000]
# e.g. Scripts/lfw-experiment.sh ../shared/data/lfw_dev
#
# Colin_Powell's 234 photos, in a seeded order: 60 anchors, 60 positives, 50 for the verification
# gallery, and the remaining 64 as unseen probes. Negatives: LFW's pool of people who appear in no
# View 2 pair (1,563 photos). Unseen other people: the first photo of each of 300 people of the View 2
# pairs (never imported). Anchors and positives get the tutorial's 9 augmented copies.
# Reports evaluate's figures on the held-out 30 %, the verify acceptance rates on unseen photos
# (TAR: Colin_Powell accepted; FAR: others accepted), the training time and pairs/s; then the same
# acceptance rates with thresholds calibrated at FAR 1 % on the held-out split (`evaluate --target-far
# 0.01 --save`): the 300 strangers were seen neither in training nor in the calibration.
# LFW's images are tight face crops already: every photo goes through the face pipeline with --crop centre
# (FACEVER_CROP=face detects and aligns them instead), which train records so that verify crops the same way.
# Work folder: $FACEVER_LFW_DIR (default .build/lfw-experiment). Nothing here is committed.
# Extra options for `facever train` (evaluate and verify then use the model's precision):
#   FACEVER_TRAIN_OPTIONS="--batches triplets --precision bfloat16" Scripts/lfw-experiment.sh …
# With a pretrained or general model (dlib's ResNet, which Scripts/setup.sh converts; a `train --identities` model),
# first the same acceptance rates with no training at all (the model's own head), then `train --from` it (a
# ResNet: the head alone on the user's pairs; a general model: all of it, starting from its weights):
#   FACEVER_FROM=models/dlib-resnet-v1.safetensors Scripts/lfw-experiment.sh ../shared/data/lfw_dev 20
#   FACEVER_FROM=general.safetensors FACEVER_TRAIN_OPTIONS="--architecture conv4-faces" Scripts/lfw-experiment.sh …
set -euo pipefail
cd "$(dirname "$0")/.."

lfw="${1:?usage: Scripts/lfw-experiment.sh LFW_DEV_DIR [EPOCHS] [PAIRS_PER_CLASS]}"
epochs="${2:-5}"
pairs="${3:-1000}"
work="${FACEVER_LFW_DIR:-.build/lfw-experiment}"
crop="${FACEVER_CROP:-centre}"
user=Colin_Powell
[ -d "$lfw/images/$user" ] || { echo "lfw-experiment: $lfw/images/$user not found" >&2; exit 2; }

swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2   # other image formats and video, loaded at run time
swift build -c release --product FaceverDetect >&2    # the face pipeline's detector, loaded at run time
facever=.build/release/facever

# A reproducible order that does not depend on the file system: sort by a hash of seed + name.
seeded_order() { while read -r name; do printf '%s %s\n' "$(printf 'facever-1%s' "$name" | md5sum | cut -c1-12)" "$name"; done | sort | cut -d' ' -f2; }

rm -rf "$work"
mkdir -p "$work"/staging/{anchor,positive,verification,probes,negative,others}
mapfile -t photos < <(ls "$lfw/images/$user" | seeded_order)
for i in "${!photos[@]}"; do
    if   [ "$i" -lt 60 ];  then target=anchor
    elif [ "$i" -lt 120 ]; then target=positive
    elif [ "$i" -lt 170 ]; then target=verification
    else                        target=probes
    fi
    ln -s "$(realpath "$lfw/images/$user/${photos[$i]}")" "$work/staging/$target/${photos[$i]}"
done

# Negatives: people in no View 2 pair. Others: people in the pairs (but not the user), one photo each.
cut -f2,3 "$lfw/pairs.tsv" | tail -n +2 | tr '\t' '\n' | cut -d/ -f2 | sort -u > "$work/pair-people.txt"
tail -n +2 "$lfw/identities.tsv" | cut -f1 | sort > "$work/all-people.txt"
comm -23 "$work/all-people.txt" "$work/pair-people.txt" | while read -r person; do
    ln -s "$(realpath "$lfw/images/$person")" "$work/staging/negative/$person"
done
# (The order goes to a file first: `head` closing a pipe early would fail the pipeline under pipefail.)
grep -vx "$user" "$work/pair-people.txt" | seeded_order > "$work/others-order.txt"
head -300 "$work/others-order.txt" | while read -r person; do
    first=$(ls "$lfw/images/$person" | sort | head -1)
    ln -s "$(realpath "$lfw/images/$person/$first")" "$work/staging/others/$first"
done

data="$work/data"
from="${FACEVER_FROM:-}"
verify_rate() {  # folder [verify options…] → "accepted/total"
    local folder="$1" accepted total
    shift
    "$facever" verify "$folder"/* --json --data "$data" "$@" > "$work/verify-$(basename "$folder").jsonl" 2>/dev/null || true
    accepted=$(grep -c '"verified":true' "$work/verify-$(basename "$folder").jsonl" || true)
    total=$(grep -c '"image"' "$work/verify-$(basename "$folder").jsonl" || true)
    echo "$accepted/$total"
}
for class in anchor positive verification negative; do
    "$facever" import "$work/staging/$class" --into "$class" --crop "$crop" --data "$data"
done
"$facever" augment --copies 9 --seed 1 --data "$data"
if [ -n "$from" ]; then
    echo "== $from with no training (its own head, thresholds 0.5/0.5) =="
    echo "verify on unseen $user photos (TAR): $(verify_rate "$work/staging/probes" --model "$from" --crop "$crop") accepted"
    echo "verify on unseen other people (FAR): $(verify_rate "$work/staging/others" --model "$from" --crop "$crop") accepted"
    FACEVER_TRAIN_OPTIONS="--from $from ${FACEVER_TRAIN_OPTIONS:-}"
fi
# shellcheck disable=SC2086  # the options are words on purpose
"$facever" train --epochs "$epochs" --pairs "$pairs" --seed 1 --crop "$crop" --data "$data" ${FACEVER_TRAIN_OPTIONS:-} | tee "$work/train.log"
"$facever" evaluate --data "$data" | tee "$work/evaluate.txt"
"$facever" evaluate --json --data "$data" > "$work/evaluate.json"

tar=$(verify_rate "$work/staging/probes")
far=$(verify_rate "$work/staging/others")

echo
echo "== LFW experiment: $user as the user, $epochs epochs, $pairs pairs per class ${FACEVER_TRAIN_OPTIONS:-} =="
grep -E "^[0-9]+ photos" "$work/train.log" || true
grep -E "^epoch|^trained" "$work/train.log" | tail -4
cat "$work/evaluate.txt"
echo "verify on unseen $user photos (TAR): $tar accepted"
echo "verify on unseen other people (FAR): $far accepted"

echo
echo "== thresholds calibrated at FAR 1 % on the held-out split =="
"$facever" evaluate --target-far 0.01 --save --data "$data" 2>&1 | grep -E "^(thresholds|held-out probes|at the thresholds|TAR at|note)|saved in" || true
echo "verify on unseen $user photos (TAR): $(verify_rate "$work/staging/probes") accepted"
echo "verify on unseen other people (FAR): $(verify_rate "$work/staging/others") accepted"
