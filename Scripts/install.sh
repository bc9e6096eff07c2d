#!/usr/bin/env bash
# Installs facever so that it runs from anywhere, with no Swift toolchain on the machine:
#   PREFIX/lib/facever/      facever, libFaceverCapture.so, libFaceverDetect.so and the Swift runtime
#                            libraries they were linked against (found through $ORIGIN alone: the build
#                            leaves out the toolchain's path, so another Swift installed later is never
#                            mixed in)
#   PREFIX/bin/facever       a link to it (facever finds its libraries beside the file the link names)
#   PREFIX/share/facever/    dlib-resnet-v1.safetensors, when Scripts/setup.sh has made it
#   PREFIX/share/…           completion for bash, zsh and fish (swift-argument-parser writes them)
# Where it runs, it still needs the Debian packages Scripts/setup.sh installs (OpenCV, OpenBLAS, libjpeg,
# libpng, opencv-data's face cascades). Run as a user who may write to PREFIX.
#   bash Scripts/install.sh [PREFIX]        (default /usr/local)
# FACEVER_INSTALL_FROM=DIR installs the products already built in DIR instead of building (the tests use it).
set -euo pipefail
# Paths given are taken from where the script was run, before it moves to the repository.
prefix="$(realpath -m "${1:-/usr/local}")"
from="${FACEVER_INSTALL_FROM:+$(realpath -m "$FACEVER_INSTALL_FROM")}"
cd "$(dirname "$0")/.."

if [ -n "$from" ]; then
    built="$from"
else
    scratch=.build/install
    echo "install: building facever for $prefix (release, the Swift runtime beside the binary)" >&2
    swift build -c release --scratch-path "$scratch" -Xswiftc -no-toolchain-stdlib-rpath >&2
    built="$scratch/release"
fi
products=("$built/facever" "$built/libFaceverCapture.so" "$built/libFaceverDetect.so")
for product in "${products[@]}"; do
    [ -f "$product" ] || { echo "install: $product is missing; build facever first" >&2; exit 2; }
done

# The toolchain's runtime folder, and the libraries of it that the products need (with their own needs).
swift_binary="$(command -v swift || true)"
if [ -z "$swift_binary" ]; then
    echo "install: no swift on the PATH; the Swift runtime to install beside facever comes from its toolchain" >&2
    exit 2
fi
toolchain_lib="$(dirname "$(readlink -f "$swift_binary")")/../lib/swift/linux"
toolchain_lib="$(readlink -f "$toolchain_lib")"
runtime=$(LD_LIBRARY_PATH="$toolchain_lib" ldd "${products[@]}" | awk -v dir="$toolchain_lib/" 'index($3, dir) == 1 { print $3 }' | sort -u)
if [ -z "$runtime" ]; then
    echo "install: found none of the Swift runtime's libraries in $toolchain_lib" >&2
    exit 2
fi

destination="$prefix/lib/facever"
install -d -m 755 "$destination" "$prefix/bin"
install -m 755 "${products[@]}" "$destination/"
for library in $runtime; do install -m 644 "$library" "$destination/"; done
ln -sfn ../lib/facever/facever "$prefix/bin/facever"
# Shell completion, where bash-completion, zsh and fish look for it under PREFIX/share.
for shell_and_path in "bash bash-completion/completions/facever" "zsh zsh/site-functions/_facever" \
                      "fish fish/vendor_completions.d/facever.fish"; do
    read -r shell path <<< "$shell_and_path"
    install -d -m 755 "$(dirname "$prefix/share/$path")"
    "$destination/facever" --generate-completion-script "$shell" > "$prefix/share/$path"
    chmod 644 "$prefix/share/$path"
done
installed_model=""
if [ -f models/dlib-resnet-v1.safetensors ]; then
    install -d -m 755 "$prefix/share/facever"
    install -m 644 models/dlib-resnet-v1.safetensors "$prefix/share/facever/"
    installed_model="; dlib's model in $prefix/share/facever/dlib-resnet-v1.safetensors"
fi
echo "installed $prefix/bin/facever (with $(echo "$runtime" | wc -l) Swift runtime libraries in $destination)$installed_model"
