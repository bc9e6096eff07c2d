#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus: small valid files of every kind facever reads, made here.

Usage: make_fuzz_seeds.py OUT FACEVER [CJPEG]
  OUT/pnm, OUT/png: PGM/PPM (ASCII and binary, 8 and 16 bits) and PNG (grey, 16-bit grey, RGB, RGBA,
    palette) pictures written by this script;
  OUT/jpeg: baseline, progressive, greyscale and restart-marker JPEGs from cjpeg (libjpeg-turbo-progs) of
    a generated PPM, a JPEG written by `facever import`, and copies of one with EXIF blocks (a valid
    orientation, and offsets that point outside the block);
  OUT/safetensors: small archives written here, plus a tiny model that `facever train` wrote;
  OUT/checkpoint: the checkpoint of that training run;
  OUT/cache: gallery caches under the key the gallery-cache fuzzer uses (see FuzzGalleryCache.swift);
  OUT/landmarks: small landmark models in the landmark fuzzer's layout (see FuzzLandmarks.swift).
No image in the corpus is copied from anywhere: every picture is a generated pattern.
"""
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def pattern(width, height, seed):
    """RGB rows of a smooth pattern with some noise, deterministic for a seed."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            r = int(127 + 120 * math.sin((x + seed) / 5.0))
            g = int(127 + 120 * math.cos((y - seed) / 7.0))
            b = (x * y + rng.randrange(32)) % 256
            row += bytes((r, g, b))
        rows.append(bytes(row))
    return rows


def grey(rows):
    return [bytes(row[i] for i in range(0, len(row), 3)) for row in rows]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def pnm_seeds(folder):
    rows = pattern(34, 33, 1)
    w, h = 34, 33
    write(f"{folder}/p6.ppm", b"P6\n%d %d\n255\n" % (w, h) + b"".join(rows))
    write(f"{folder}/p5.pgm", b"P5\n# a comment\n%d %d\n255\n" % (w, h) + b"".join(grey(rows)))
    sixteen = b"".join(struct.pack(">H", v * 257) for row in grey(rows) for v in row)
    write(f"{folder}/p5-16.pgm", b"P5 %d %d 65535\n" % (w, h) + sixteen)
    small = pattern(4, 3, 2)
    write(f"{folder}/p3.ppm", ("P3\n4 3\n255\n" + " ".join(str(v) for row in small for v in row) + "\n").encode())
    write(f"{folder}/p2.pgm", ("P2\n4 3\n15\n" + " ".join(str(v % 16) for row in grey(small) for v in row) + "\n").encode())


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(width, height, depth, colour, scanlines, extra=b""):
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    raw = b"".join(b"\x00" + line for line in scanlines)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + extra
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def png_seeds(folder):
    w, h = 33, 32
    rows = pattern(w, h, 3)
    write(f"{folder}/rgb.png", png(w, h, 8, 2, rows))
    write(f"{folder}/grey.png", png(w, h, 8, 0, grey(rows)))
    write(f"{folder}/grey16.png", png(w, h, 16, 0, [b"".join(struct.pack(">H", v * 257) for v in r) for r in grey(rows)]))
    write(f"{folder}/rgba.png", png(w, h, 8, 6, [b"".join(r[i:i + 3] + bytes((i % 256,)) for i in range(0, len(r), 3)) for r in rows]))
    palette = png_chunk(b"PLTE", bytes(v for i in range(16) for v in (i * 16, 255 - i * 16, (i * 37) % 256)))
    write(f"{folder}/palette.png", png(8, 4, 4, 3, [bytes(((x * 2) << 4) | (x * 2 + 1) for x in range(4)) for _ in range(4)], palette))


def exif(tiff):
    return b"\xff\xe1" + struct.pack(">H", len(tiff) + 8) + b"Exif\x00\x00" + tiff


def jpeg_seeds(folder, facever, cjpeg, work):
    ppm = f"{work}/pattern.ppm"
    write(ppm, b"P6\n48 40\n255\n" + b"".join(pattern(48, 40, 4)))
    if cjpeg:
        for name, options in [("baseline", []), ("progressive", ["-progressive"]), ("grey", ["-grayscale"]),
                              ("restart", ["-restart", "1"]), ("optimized", ["-optimize", "-quality", "60"])]:
            with open(f"{folder}/{name}.jpg", "wb") as out:
                subprocess.run([cjpeg, *options, ppm], stdout=out, check=True)
    staging, data = f"{work}/jpeg-staging", f"{work}/jpeg-data"
    os.makedirs(staging)
    shutil.copy(ppm, staging)
    subprocess.run([facever, "import", staging, "--into", "negative", "--crop", "centre", "--data", data], check=True, stdout=subprocess.DEVNULL)
    written = os.path.join(f"{data}/negative", os.listdir(f"{data}/negative")[0])
    with open(written, "rb") as f:
        jpeg = f.read()
    write(f"{folder}/facever.jpg", jpeg)
    rotate = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 6) + b"\0\0\0\0"
    write(f"{folder}/exif-rotated.jpg", jpeg[:2] + exif(rotate) + jpeg[2:])
    for offset in (0xFFFFFFFE, 0x7FFFFFFF, 60):
        write(f"{folder}/exif-{offset:x}.jpg", jpeg[:2] + exif(b"MM\x00*" + struct.pack(">I", offset) + b"\xff\xff") + jpeg[2:])


def safetensors(tensors, metadata):
    """tensors: {name: (shape, [floats])} → the file's bytes (F32, in name order)."""
    header, data = {}, b""
    for name in sorted(tensors):
        shape, values = tensors[name]
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds(folder):
    write(f"{folder}/empty.safetensors", safetensors({}, {}))
    write(f"{folder}/small.safetensors", safetensors({"a": ([2, 3], [0.5 * i for i in range(6)]), "b": ([], [1.0]), "c": ([0], [])},
                                                     {"format": "pt", "note": "seed"}))


def cache_seeds(folder):
    key = {"format": "facever-gallery-cache-3", "weights": "w64:0000000000000000", "precision": "float32", "crop": "face"}
    rng = random.Random(5)
    for size in (128, 8):
        entries = {"%016x" % rng.getrandbits(64): ([size], [rng.random() for _ in range(size)]) for _ in range(3)}
        write(f"{folder}/cache-{size}.safetensors", safetensors(entries, dict(key, embedding_size=str(size))))


def landmark_seeds(folder):
    """Valid cascades (five points, and others) that find their points in the fuzzer's photo."""
    rng = random.Random(7)
    # The last: an initial shape whose points lie just far enough apart to be accepted (a spread of 0.002 of
    # the box), so that mutations reach the check that refuses closer ones.
    for number, (points, levels, trees, depth, features, spread) in enumerate(
            [(5, 2, 3, 2, 6, 1), (5, 3, 4, 3, 8, 1), (2, 1, 1, 1, 2, 1), (6, 2, 2, 2, 4, 1), (5, 2, 2, 2, 4, 0.004)]):
        splits = 2 ** depth - 1
        header = bytes((points - 2, levels - 1, trees - 1, depth - 1, features - 2)) + struct.pack("<4b", -24, -24, 24, 24)
        shape = [0.5 + spread * ((0.6 * (i % 2) - 0.3) if axis == 0 else (0.5 * i / points - 0.25))
                 for i in range(points) for axis in (0, 1)]
        values = shape
        values += [float(rng.randrange(features)) for _ in range(levels * trees * splits * 2)]
        values += [rng.uniform(-20, 20) for _ in range(levels * trees * splits)]
        values += [rng.uniform(-0.03, 0.03) for _ in range(levels * trees * (splits + 1) * 2 * points)]
        values += [float(rng.randrange(points)) for _ in range(levels * features)]
        values += [rng.uniform(-0.2, 0.2) for _ in range(levels * features * 2)]
        write(f"{folder}/cascade-{number}.bin", header + struct.pack(f"<{len(values)}f", *values))


def training_seeds(safetensors_folder, checkpoint_folder, facever, work):
    """A tiny model and its checkpoint, from one short training run on generated pictures."""
    staging = f"{work}/train-staging"
    for kind, seeds in (("anchor", range(10, 14)), ("positive", range(20, 24)), ("negative", range(30, 38))):
        os.makedirs(f"{staging}/{kind}")
        for seed in seeds:
            write(f"{staging}/{kind}/{seed}.ppm", b"P6\n40 40\n255\n" + b"".join(pattern(40, 40, seed)))
        subprocess.run([facever, "import", f"{staging}/{kind}", "--into", kind, "--crop", "centre", "--data", f"{work}/train-data"],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([facever, "train", "--architecture", "tiny", "--epochs", "1", "--pairs", "8", "--batch", "2",
                    "--precision", "float32", "--crop", "centre", "--data", f"{work}/train-data"], check=True, stdout=subprocess.DEVNULL)
    shutil.copy(f"{work}/train-data/model.safetensors", f"{safetensors_folder}/tiny-model.safetensors")
    shutil.copy(f"{work}/train-data/model.checkpoint.safetensors", f"{checkpoint_folder}/tiny.checkpoint.safetensors")


def main():
    out, facever = sys.argv[1], os.path.abspath(sys.argv[2])
    cjpeg = sys.argv[3] if len(sys.argv) > 3 else None
    folders = {name: os.path.join(out, name) for name in ("pnm", "png", "jpeg", "safetensors", "checkpoint", "cache", "landmarks")}
    for folder in folders.values():
        os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        pnm_seeds(folders["pnm"])
        png_seeds(folders["png"])
        jpeg_seeds(folders["jpeg"], facever, cjpeg, work)
        safetensors_seeds(folders["safetensors"])
        cache_seeds(folders["cache"])
        landmark_seeds(folders["landmarks"])
        training_seeds(folders["safetensors"], folders["checkpoint"], facever, work)
    for name, folder in sorted(folders.items()):
        print(f"seeds: {name}: {len(os.listdir(folder))} files")


if __name__ == "__main__":
    main()
