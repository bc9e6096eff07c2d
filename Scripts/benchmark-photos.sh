#!/usr/bin/env bash
# The photos the comparison benchmarks time, one path a line on stdout: the first photo of every 17th person
# of an LFW tree (200 people, in name order), or the 200 bundled ORL faces where there is no LFW.
# Usage: Scripts/benchmark-photos.sh LFW_FOLDER   (run from the repository's top folder)
set -euo pipefail
lfw="$1"
if [ -d "$lfw/images" ]; then
    find "$lfw/images" -mindepth 1 -maxdepth 1 -type d | sort | awk 'NR % 17 == 1' | head -200 \
        | while read -r person; do find "$person" -name '*.jpg' | sort | head -1; done
else
    find data/samples/orl -name '*.pgm' | sort
fi
