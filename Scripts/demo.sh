#!/usr/bin/env bash
# The whole facever workflow on the ORL faces bundled in data/samples/orl (AT&T Laboratories Cambridge):
# subject s1 plays the user, s2 … s19 are the other people, s20 is someone the model never saw.
#   s1 photos 1-3 → anchors, 4-6 → positives, 7-9 → the verification gallery, 10 → an unseen probe.
# import → augment → train (a few epochs) → model info → evaluate → verify the unseen s1 photo and an s20 photo.
# Every photo goes through the face pipeline (--crop face, the default): the face found, aligned by the
# eyes, cropped; train records the crop mode and verify crops the probes the same way.
# Usage: Scripts/demo.sh [EPOCHS]   (work folder: $FACEVER_DEMO_DIR, default .build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."

epochs="${1:-3}"
samples=data/samples/orl
work="${FACEVER_DEMO_DIR:-.build/demo}"

swift build -c release --product facever >&2
swift build -c release --product FaceverCapture >&2   # other image formats and video, loaded at run time
swift build -c release --product FaceverDetect >&2    # the face pipeline's detector, loaded at run time
facever=.build/release/facever

rm -rf "$work"
mkdir -p "$work/staging/anchor" "$work/staging/positive" "$work/staging/verification" "$work/staging/negative"
for n in 1 2 3; do cp "$samples/s1/$n.pgm" "$work/staging/anchor/s1_$n.pgm"; done
for n in 4 5 6; do cp "$samples/s1/$n.pgm" "$work/staging/positive/s1_$n.pgm"; done
for n in 7 8 9; do cp "$samples/s1/$n.pgm" "$work/staging/verification/s1_$n.pgm"; done
for s in $(seq 2 19); do
    for n in $(seq 1 10); do cp "$samples/s$s/$n.pgm" "$work/staging/negative/s${s}_$n.pgm"; done
done
data="$work/data"

set -x
"$facever" import "$work/staging/anchor" --into anchor --data "$data"
"$facever" import "$work/staging/positive" --into positive --data "$data"
"$facever" import "$work/staging/verification" --into verification --data "$data"
"$facever" import "$work/staging/negative" --into negative --data "$data"
"$facever" augment --copies 9 --seed 1 --data "$data"
"$facever" train --epochs "$epochs" --pairs 200 --seed 1 --data "$data"
"$facever" model info --data "$data"
"$facever" evaluate --data "$data"
status=0
"$facever" verify "$samples/s1/10.pgm" "$samples/s20/1.pgm" --data "$data" || status=$?
set +x
echo "verify exit status: $status (0 all verified, 1 some not verified)"
echo "what to expect: $samples/s20/1.pgm (a stranger) not-verified; $samples/s1/10.pgm (the user, never seen in"
echo "training) is accepted about as often as evaluate's held-out TAR above says: a network trained for 3 epochs on"
echo "6 photos of the user is not a reliable verifier, and evaluate's probe figures are there to say so"

# With dlib's pretrained ResNet (Scripts/setup.sh converts it into models/): the same two probes against the
# same three gallery photos with no training at all, and every pair of the bundled faces (data/samples/orl/pairs.tsv).
pretrained=models/dlib-resnet-v1.safetensors
if [ -f "$pretrained" ]; then
    status=0
    set -x
    "$facever" verify "$samples/s1/10.pgm" "$samples/s20/1.pgm" --model "$pretrained" --data "$data" || status=$?
    "$facever" evaluate --pairs "$samples/pairs.tsv" --model "$pretrained" --data "$data"
    set +x
    echo "pretrained verify exit status: $status (1: the stranger s20 is not verified, as expected; s1/10 is)"
else
    echo "($pretrained not found: Scripts/setup.sh converts dlib's pretrained model there)"
fi
