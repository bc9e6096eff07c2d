#!/usr/bin/env bash
# Koch's headline experiment, as closely as the data allows (issue 15): a general verifier trained on Omniglot's
# background alphabets, judged by 20-way one-shot classification on Lake's 20 evaluation runs.
#   Scripts/omniglot-experiment.sh OMNIGLOT_DIR [EPOCHS=60]
# e.g. Scripts/omniglot-experiment.sh ../shared/data/omniglot
#
# OMNIGLOT_DIR holds images_background_small1.zip, images_background_small2.zip (8 alphabets, 242 characters,
# 4,840 drawings; Koch had 30 alphabets) and all_runs.zip (Lake's runs, on the evaluation alphabets). The
# background alphabets are unzipped into one tree (Alphabet/characterNN/…), and `facever train --identities
# --episodes` trains conv4-omniglot on them: 100 episodes an epoch of 60-way 1-shot with 5 queries a class,
# each quarter turn of a character a class of its own, Koch's affine distortions, 10 % of the characters held out
# to pick the best epoch, stopping after 10 epochs without a better one. `evaluate --one-shot` then scores
# the runs. Extra options for `facever train`: FACEVER_TRAIN_OPTIONS="--augment turns" …
# Work folder: $FACEVER_OMNIGLOT_DIR (default .build/omniglot-experiment). Nothing here is committed.
set -euo pipefail
cd "$(dirname "$0")/.."

omniglot="$(realpath "${1:?usage: Scripts/omniglot-experiment.sh OMNIGLOT_DIR [EPOCHS]}")"
epochs="${2:-60}"
work="${FACEVER_OMNIGLOT_DIR:-.build/omniglot-experiment}"
for zip in images_background_small1 images_background_small2 all_runs; do
    [ -f "$omniglot/$zip.zip" ] || { echo "omniglot-experiment: $omniglot/$zip.zip not found" >&2; exit 2; }
done

swift build -c release --product facever >&2
facever=.build/release/facever
rm -rf "$work"
mkdir -p "$work/unzipped" "$work/background" "$work/runs"
# Greek and Latin are in both zips with the same files: the two trees are merged, not moved into each other.
for part in small1 small2; do
    unzip -q "$omniglot/images_background_$part.zip" -d "$work/unzipped"
    cp -R -n "$work/unzipped/images_background_$part/." "$work/background/"
done
unzip -q "$omniglot/all_runs.zip" -d "$work/runs"
echo "$(ls "$work/background" | wc -l) alphabets, $(find "$work/background" -mindepth 2 -maxdepth 2 -type d | wc -l) characters, $(find "$work/background" -name '*.png' | wc -l) drawings"

start=$(date +%s)
# shellcheck disable=SC2086  # the options are words on purpose
"$facever" train --identities "$work/background" --architecture conv4-omniglot --crop centre --episodes 100 --way 60 --shots 1 \
    --queries 5 --augment turns,distort --patience 10 --epochs "$epochs" --test-fraction 0.1 --pairs 2000 --seed 1 \
    --data "$work/data" --model "$work/model.safetensors" ${FACEVER_TRAIN_OPTIONS:-} | tee "$work/train.log"
echo "training: $(( $(date +%s) - start )) s"
"$facever" evaluate --one-shot "$work/runs" --model "$work/model.safetensors" --crop centre --data "$work/data" | tee "$work/one-shot.txt"
