#!/usr/bin/env bash
# Runs facever's libFuzzer targets (clang's -fsanitize=fuzzer with AddressSanitizer) on the readers of
# files a user or an attacker can hand it: the JPEG, PNG and PNM decoders (C++, Fuzz/Decoders), and the
# safetensors, checkpoint and gallery-cache readers, and the landmark models a model file carries, run on a
# photo (Swift, Fuzz/Sources).
#
# Usage: Scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 20 seconds each, every target)
#   targets: jpeg png pnm safetensors checkpoint cache landmarks
# The seed corpus is made by Scripts/make_fuzz_seeds.py from generated pictures and a tiny training
# run; each target's corpus grows in .build-fuzz/corpus/TARGET across runs, and an input that crashes
# a target is kept in .build-fuzz/findings/ (replay it: .build-fuzz/fuzz-TARGET FILE). CI runs each
# target for 20 seconds; for a longer hunt: Scripts/fuzz.sh 3600 jpeg
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(jpeg png pnm safetensors checkpoint cache landmarks); fi
work=.build-fuzz
mkdir -p "$work/findings"

# cjpeg writes the progressive, greyscale and restart-marker JPEG seeds (Scripts/setup.sh installs it).
command -v cjpeg >/dev/null 2>&1 || { echo "fuzz: cjpeg not found: run Scripts/setup.sh first" >&2; exit 2; }

echo "fuzz: building facever (for seeds) and the fuzz targets"
# The builds' output is kept out of the way, and shown when one fails (a fuzz target that no longer
# compiles must say why, not end the run in silence).
built() {
    local log="$work/build.log"
    "$@" > "$log" 2>&1 && return 0
    echo "fuzz: the build failed: $*" >&2
    grep -E "error" "$log" | head -20 >&2 || tail -20 "$log" >&2
    return 1
}
built swift build -c release --product facever
built swift build --package-path Fuzz --scratch-path "$work" -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
for format in jpeg png pnm; do
    clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address -fuse-ld=lld -DFUZZ_FORMAT="decode_$format" \
        -ISources/COpenCVShim -ISources/COpenCVShim/include \
        Fuzz/Decoders/fuzz_decoder.cpp Sources/COpenCVShim/JPEGCodec.cpp Sources/COpenCVShim/PNGCodec.cpp \
        Sources/COpenCVShim/PNMCodec.cpp -ljpeg -lpng16 -o "$work/fuzz-$format"
done
ln -sf debug/FuzzSafetensors "$work/fuzz-safetensors"
ln -sf debug/FuzzCheckpoint "$work/fuzz-checkpoint"
ln -sf debug/FuzzGalleryCache "$work/fuzz-cache"
ln -sf debug/FuzzLandmarks "$work/fuzz-landmarks"

rm -rf "$work/seeds"
python3 Scripts/make_fuzz_seeds.py "$work/seeds" .build/release/facever "$(command -v cjpeg)"

failed=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    mkdir -p "$corpus"
    cp -n "$work/seeds/$target"/* "$corpus"/ 2>/dev/null || true
    log="$work/fuzz-$target.log"
    # -rss_limit_mb: the decoders' 40-megapixel limit needs 120 MB a picture; anything near 2 GB is a finding.
    if "$work/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/findings/$target-" "$corpus" >"$log" 2>&1; then
        runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -Eo '[0-9]+' | head -1)
        coverage=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
        echo "fuzz: $target: ${runs:-?} runs in $seconds s, no finding ($coverage, corpus $(ls "$corpus" | wc -l) inputs)"
    else
        failed=1
        echo "fuzz: $target: FINDING (log: $log; input in $work/findings/)"
        grep -E "ERROR|SUMMARY|Fatal error|==[0-9]+==" "$log" | head -5 || true
    fi
done
exit $failed
