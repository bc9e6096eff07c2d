#!/usr/bin/env python3
"""Runs facever and TensorFlow side by side, alternating, on the same network and batch sizes, and
prints each figure for both with their ratio and the issue's target. Called by
Scripts/benchmark-vs-tensorflow.sh (which builds facever and makes the TensorFlow virtualenv).

facever runs twice per figure:
  same work  - the tutorial's pair batches and float32 products (what TensorFlow computes);
  defaults   - what `facever train` / `verify` do on this CPU: the products `precision auto` picks
               (bfloat16 where AVX512-BF16 multiplies faster than float32: `facever-bench machine` says)
               and, for training, triplet batches (3 photos embedded for 2 pairs).
Each measurement runs in a fresh process (warm-up inside it), `--rounds` times, rotating which side
goes first; the figure is the median of the rounds and the spread (max/min - 1) says how noisy it was.

`--isa avx2` measures what a CPU with AVX2 but no AVX-512 would run, on this one: facever's AVX2 path
(FACEVER_KERNEL=avx2; its defaults are then float32, as `precision auto` picks on such a CPU) against
TensorFlow's oneDNN held to AVX2 kernels (ONEDNN_MAX_CPU_ISA=AVX2). The caches, memory and clock stay
this machine's, so it is an emulation of such a CPU, not one.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build/release/facever-bench")
FACEVER = os.path.join(ROOT, ".build/release/facever")
TF = [sys.executable, os.path.join(ROOT, "Scripts/bench_tensorflow.py")]
SIDES = ("same", "defaults", "tensorflow")
SAME = ["--precision", "float32"]
DEFAULTS = []   # set in main(): the precision `facever-bench machine` says `precision auto` picks


ISA_ENVIRONMENT = {"best": ({}, {}), "avx2": ({"FACEVER_KERNEL": "avx2"}, {"ONEDNN_MAX_CPU_ISA": "AVX2"})}
FACEVER_ENV, TF_ENV = {}, {}


def run_json(command):
    extra = TF_ENV if command[:len(TF)] == TF else FACEVER_ENV
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **extra})
    if result.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def spread(values):
    return max(values) / min(values) - 1 if min(values) > 0 else float("nan")


def commands(arguments, defaults_extra=()):
    return {
        "same": [BENCH] + arguments + SAME,
        "defaults": [BENCH] + arguments + DEFAULTS + list(defaults_extra),
        "tensorflow": TF + arguments,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--isa", choices=sorted(ISA_ENVIRONMENT), default="best",
                        help="avx2: both sides held to AVX2 kernels (an AVX2-only CPU, emulated)")
    args = parser.parse_args()
    global DEFAULTS
    FACEVER_ENV.update(ISA_ENVIRONMENT[args.isa][0])
    TF_ENV.update(ISA_ENVIRONMENT[args.isa][1])
    machine = run_json([BENCH, "machine"])   # held to AVX2, `precision auto` is float32: no AVX512-BF16
    DEFAULTS = ["--precision", machine["auto_precision"]]
    print(f"machine: {machine['cpu']} (family {machine['cpu_family']} model {machine['cpu_model']}), "
          f"{machine['threads']} threads, flags {' '.join(machine['flags'])}; "
          f"float32: {machine['float32_kernel']}; bfloat16: {machine['bfloat16_kernel']}; one core's multiply-adds/s: "
          f"float32 {machine['multiply_adds_per_second_float32'] / 1e9:.0f} G, bfloat16 "
          f"{machine['multiply_adds_per_second_bfloat16'] / 1e9:.0f} G; precision auto: {machine['auto_precision']}")
    if args.isa != "best":
        print(f"held to {args.isa}: facever {FACEVER_ENV}, TensorFlow {TF_ENV}")
    verify_folder = os.path.join(ROOT, ".build/bench-verify")
    os.makedirs(verify_folder, exist_ok=True)
    run_json([BENCH, "prepare-verify", verify_folder])
    tasks = {
        "train": commands(["train", "--steps", str(args.steps), "--batch", "16"], ["--batches", "triplets"]),
        "embed1": commands(["embed", "--batch", "1", "--repeats", "50"]),
        "embed32": commands(["embed", "--batch", "32", "--repeats", "5"]),
        "verify": {"same": [BENCH, "verify", verify_folder] + SAME, "defaults": [BENCH, "verify", verify_folder] + DEFAULTS,
                   "tensorflow": TF + ["verify"]},
    }
    measured = {task: {side: [] for side in SIDES} for task in tasks}
    for round_index in range(args.rounds):
        order = SIDES[round_index % 3:] + SIDES[:round_index % 3]
        for task, by_side in tasks.items():
            for side in order:
                measured[task][side].append(run_json(by_side[side]))
            print(f"round {round_index + 1}: {task} done", file=sys.stderr, flush=True)

    # The whole `facever verify` process, start to exit, gallery cache warm, in both precisions.
    probe = os.path.join(verify_folder, "probe.jpg")
    data = os.path.join(verify_folder, "data")
    process_times = {"same": [], "defaults": []}
    for _ in range(10):
        for side, precision in (("same", SAME[1]), ("defaults", DEFAULTS[1])):
            start = time.perf_counter()
            subprocess.run([FACEVER, "verify", probe, "--data", data, "--precision", precision], cwd=ROOT, capture_output=True,
                           env={**os.environ, **FACEVER_ENV})
            process_times[side].append(time.perf_counter() - start)
    peak = run_json([BENCH, "peak", "--seconds", "1"])

    def values(task, side, key):
        return [m[key] for m in measured[task][side]]

    def median(task, side, key):
        return statistics.median(values(task, side, key))

    # Issue 13's targets, for the defaults (and, for training, the same work too: >= 1.0x).
    figures = [
        ("training, pairs/s (batch 16)", "train", "pairs_per_second", "higher", 1.5, ">= 1.5x"),
        ("one-image embedding, ms", "embed1", "milliseconds", "lower", 0.5, "<= 0.5x"),
        ("batch-32 embedding, images/s", "embed32", "images_per_second", "higher", 1.25, ">= 1.25x"),
        ("verify vs 50 (in process), ms", "verify", "milliseconds", "absolute", 10, "<= 10 ms"),
    ]
    header = f"{'figure':31} {'same work':>10} {'defaults':>9} {'TF':>9} {'same/TF':>8} {'dflt/TF':>8}  {'target':>9} {'met':>4}  noise same/dflt/tf"
    print(header)
    for label, task, key, direction, goal, target in figures:
        same, defaults, tf = (median(task, side, key) for side in SIDES)
        if direction == "higher":
            met = defaults / tf >= goal and (task != "train" or same / tf >= 1.0)
        elif direction == "lower":
            met = defaults / tf <= goal
        else:
            met = defaults <= goal
        noise = "/".join(f"{spread(values(task, side, key)):.0%}" for side in SIDES)
        print(f"{label:31} {same:10.2f} {defaults:9.2f} {tf:9.2f} {same / tf:8.2f} {defaults / tf:8.2f}  {target:>9} {'yes' if met else 'no':>4}  {noise}")
    same_process, default_process = (statistics.median(process_times[s]) for s in ("same", "defaults"))
    print(f"{'whole `facever verify`, s':31} {same_process:10.3f} {default_process:9.3f} {'-':>9} {'':>8} {'':>8}  {'<= 0.3 s':>9} "
          f"{'yes' if default_process <= 0.3 else 'no':>4}  {spread(process_times['same']):.0%}/{spread(process_times['defaults']):.0%}")
    loop = median("verify", "tensorflow", "tutorial_loop_milliseconds")
    print(f"TensorFlow verify: 51 embeddings in one call (the TF column above); the tutorial's loop of 50 predict calls: {loop:.0f} ms")
    rss = [median("train", side, "peak_rss_mib") for side in SIDES]
    print(f"{'training peak RSS, MiB':31} {rss[0]:10.0f} {rss[1]:9.0f} {rss[2]:9.0f} {rss[0] / rss[2]:8.2f} {rss[1] / rss[2]:8.2f}  {'<= 1024':>9} "
          f"{'yes' if max(rss[0], rss[1]) <= 1024 else 'no':>4}")

    print(f"machine FMA peak ({peak['threads']} threads, {peak['vector_floats']}-float vectors): {peak['gflops']:.1f} GFLOP/s float32"
          + ("; bfloat16 dot products do twice the work per instruction" if DEFAULTS[1] == "bfloat16" else ""))
    for side, name in (("same", "same work"), ("defaults", "defaults")):
        train = measured["train"][side][0]
        gflops = median("train", side, "gflops")
        # float32 runs conv2 (and, at inference, conv3) in the frequency domain, with fewer multiply-adds than
        # the direct convolutions these rates are counted in.
        counted = (" (counted as direct convolutions; float32 runs conv2 in the frequency domain, conv3 too at"
                   " inference)" if (side == "same" or DEFAULTS[1] == "float32") else "")
        print(f"facever training ({name}): {gflops:.1f} GFLOP/s = {gflops / peak['gflops']:.0%} of the float32 peak{counted}; "
              f"sgemm alone on the same shapes {statistics.median(values('train', side, 'sgemm_only_gflops')):.1f} GFLOP/s; "
              f"{train['gflop_per_pair']:.2f} GFLOP per pair, {train['photos_per_step']} photos per 16 pairs")
        embed = median("embed32", side, "images_per_second") * 1.867
        print(f"facever batch-32 embedding ({name}): {embed:.1f} GFLOP/s = {embed / peak['gflops']:.0%} of the float32 peak{counted}")
    tf_pair = measured["train"]["same"][0]["gflop_per_pair"]
    tf_train = median("train", "tensorflow", "pairs_per_second") * tf_pair
    print(f"TensorFlow training: {tf_train:.1f} GFLOP/s = {tf_train / peak['gflops']:.0%} of peak (same FLOP count); "
          f"batch-32 embedding {median('embed32', 'tensorflow', 'images_per_second') * 1.867:.1f} GFLOP/s")
    print(f"rounds: {args.rounds}, rotating the order; noise = max/min - 1 over rounds")


if __name__ == "__main__":
    main()
