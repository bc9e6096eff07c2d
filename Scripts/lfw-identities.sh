#!/usr/bin/env bash
# A general face verifier trained from scratch on LFW identities, judged on people it never saw (issue 15).
#   Scripts/lfw-identities.sh LFW_DEV_DIR [FOLDS="1"] [EPOCHS=25]
# e.g. Scripts/lfw-identities.sh ../shared/data/lfw_dev "1 2 3 4 5"   (about 40 minutes a fold on 2 cores)
#
# For each View 2 fold K: the training identities are every lfw_dev person who appears in no pair of fold K
# (LFW's folds are disjoint by person), linked into one folder a person; `facever train --identities
# --episodes` trains conv4-faces-sphere on them (64-way 1-shot episodes, one query a class, 32 exemplar classes
# and 64 distractors of people photographed once; mirror, Koch's distortions and lighting; 10 % of those
# identities held out to pick the best epoch, stopping after 8 epochs without a better one). Fold K's pairs are
# then scored by `evaluate --pairs`, split in two interleaved halves so that each half's threshold is chosen on the other: the
# accuracy of people the network never saw. Prints one line a fold and the mean ± std over the folds run. Each fold's
# scores are also kept (fold K's model scoring fold K's pairs: $work/foldK/scores.tsv); the last line is LFW's own
# protocol over every fold whose scores are there (`evaluate --scored-pairs`: each fold's threshold chosen on the
# other folds' scores, each made by a model that never saw those people).
# Extra options for `facever train`: FACEVER_TRAIN_OPTIONS="--way 32" …; another network:
# FACEVER_ARCHITECTURE=conv4-faces; other episodes: FACEVER_EPISODE_OPTIONS (default below).
# Work folder: $FACEVER_LFW_DIR (default .build/lfw-identities). Nothing here is committed.
set -euo pipefail
cd "$(dirname "$0")/.."

lfw="$(realpath "${1:?usage: Scripts/lfw-identities.sh LFW_DEV_DIR [FOLDS] [EPOCHS]}")"
folds="${2:-1}"
epochs="${3:-25}"
work="${FACEVER_LFW_DIR:-.build/lfw-identities}"
[ -f "$lfw/pairs.tsv" ] || { echo "lfw-identities: $lfw/pairs.tsv not found" >&2; exit 2; }

swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2
facever=.build/release/facever
mkdir -p "$work"
tail -n +2 "$lfw/identities.tsv" | cut -f1 | sort > "$work/all-people.txt"

results=()
for fold in $folds; do
    run="$work/fold$fold"
    rm -rf "$run"
    mkdir -p "$run/people"
    # Fold K's people, and its pairs with absolute paths.
    awk -F'\t' -v k="$fold" 'NR > 1 && $1 == k { print $2; print $3 }' "$lfw/pairs.tsv" | cut -d/ -f2 | sort -u > "$run/fold-people.txt"
    comm -23 "$work/all-people.txt" "$run/fold-people.txt" | while read -r person; do
        ln -s "$lfw/images/$person" "$run/people/$person"
    done
    awk -F'\t' -v k="$fold" -v root="$lfw" 'NR == 1 { print; next } $1 == k { print $1 "\t" root "/" $2 "\t" root "/" $3 "\t" $4 }' \
        "$lfw/pairs.tsv" > "$run/fold-pairs.tsv"
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$facever" train --identities "$run/people" --architecture "${FACEVER_ARCHITECTURE:-conv4-faces-sphere}" --crop centre \
        --episodes 100 --way 64 --shots 1 --queries 1 \
        ${FACEVER_EPISODE_OPTIONS:---augment mirror,distort,light --distractors 64 --exemplars 32 --patience 8} \
        --epochs "$epochs" --test-fraction 0.1 --pairs 2000 --seed 1 \
        --data "$run/data" --model "$run/model.safetensors" ${FACEVER_TRAIN_OPTIONS:-} | tee "$run/train.log"
    seconds=$(( $(date +%s) - start ))
    # Each image embedded once: fold K's scores, then the same scores in two interleaved halves, 1 and 2 (LFW lists
    # a fold's same pairs first: halves by position would put every same pair in one).
    "$facever" evaluate --pairs "$run/fold-pairs.tsv" --model "$run/model.safetensors" --crop centre --json --data "$run/data" \
        --write-scores "$run/scores.tsv" > /dev/null
    awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { print; next } { $1 = (NR % 2 ? 2 : 1); print }' "$run/scores.tsv" > "$run/halves.tsv"
    "$facever" evaluate --scored-pairs "$run/halves.tsv" --json > "$run/pairs.json"
    accuracy=$(python3 -c 'import json,sys; print(round(json.loads(open(sys.argv[1]).read().splitlines()[-1])["accuracy"], 4))' "$run/pairs.json")
    echo "fold $fold: $(wc -l < "$run/fold-people.txt") people held out, $(ls "$run/people" | wc -l) trained on; ${seconds} s of training; pair accuracy $accuracy"
    results+=("$accuracy")
done
python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print("folds %s: accuracy %.4f ± %.4f" % (" ".join(sys.argv[1:]), statistics.mean(v), statistics.pstdev(v) if len(v) > 1 else 0))' "${results[@]}"
scored=()
for file in "$work"/fold*/scores.tsv; do [ -f "$file" ] && scored+=(--scored-pairs "$file"); done
if [ "${#scored[@]}" -gt 2 ]; then
    "$facever" evaluate "${scored[@]}" --json | python3 -c 'import json,sys; r=json.loads(sys.stdin.read());
print("LFW protocol over %d folds (one model a fold): accuracy %.4f ± %.4f, per fold %s; ROC AUC %.3f" % (r["folds"], r["accuracy"],
      r["accuracy_std"], " ".join("%.3f" % a for a in r["fold_accuracies"]), r["roc_auc"]))'
fi
