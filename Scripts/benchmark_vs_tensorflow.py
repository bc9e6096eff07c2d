#!/usr/bin/env python3
"""Runs facever and TensorFlow side by side, alternating, on the same network and batch sizes, and
prints each figure for both with their ratio and the issue's target. Called by
Scripts/benchmark-vs-tensorflow.sh (which builds facever and makes the TensorFlow virtualenv).

Each measurement runs in a fresh process (warm-up inside it), `--rounds` times, alternating which side
goes first; the figure is the median of the rounds and the spread (max/min - 1) says how noisy it was.
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


def run_json(command):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def spread(values):
    return max(values) / min(values) - 1 if min(values) > 0 else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    tasks = {
        "train": (["train", "--steps", str(args.steps), "--batch", "16"], "pairs_per_second"),
        "embed1": (["embed", "--batch", "1", "--repeats", "20"], "milliseconds"),
        "embed32": (["embed", "--batch", "32", "--repeats", "5"], "images_per_second"),
    }
    results = {name: {"facever": [], "tensorflow": []} for name in tasks}
    extra = {"facever_train": [], "tensorflow_train": [], "tf_verify": [], "facever_verify": []}
    verify_folder = os.path.join(ROOT, ".build/bench-verify")
    os.makedirs(verify_folder, exist_ok=True)
    run_json([BENCH, "prepare-verify", verify_folder])

    for round_index in range(args.rounds):
        for name, (arguments, key) in tasks.items():
            sides = [("facever", [BENCH] + arguments), ("tensorflow", TF + arguments)]
            if round_index % 2 == 1:
                sides.reverse()
            for side, command in sides:
                measured = run_json(command)
                results[name][side].append(measured[key])
                if name == "train":
                    extra[f"{side}_train"].append(measured)
            print(f"round {round_index + 1}: {name} done", file=sys.stderr, flush=True)
        verify_sides = [("facever", [BENCH, "verify", verify_folder]), ("tensorflow", TF + ["verify"])]
        for side, command in (verify_sides if round_index % 2 == 0 else verify_sides[::-1]):
            extra[f"{'tf' if side == 'tensorflow' else 'facever'}_verify"].append(run_json(command))

    # The whole `facever verify` process, start to exit, gallery cache warm.
    probe = os.path.join(verify_folder, "probe.jpg")
    data = os.path.join(verify_folder, "data")
    process_times = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([FACEVER, "verify", probe, "--data", data], cwd=ROOT, capture_output=True)
        process_times.append(time.perf_counter() - start)
    peak = run_json([BENCH, "peak", "--seconds", "1"])

    def median_of(side, name):
        return statistics.median(results[name][side])

    rows = []
    train_f, train_t = median_of("facever", "train"), median_of("tensorflow", "train")
    rows.append(("training, pairs/s (batch 16)", train_f, train_t, train_f / train_t, ">= 1.25", train_f / train_t >= 1.25,
                 spread(results["train"]["facever"]), spread(results["train"]["tensorflow"])))
    e1_f, e1_t = median_of("facever", "embed1"), median_of("tensorflow", "embed1")
    rows.append(("one-image embedding, ms", e1_f, e1_t, e1_f / e1_t, "<= 0.6", e1_f / e1_t <= 0.6,
                 spread(results["embed1"]["facever"]), spread(results["embed1"]["tensorflow"])))
    e32_f, e32_t = median_of("facever", "embed32"), median_of("tensorflow", "embed32")
    rows.append(("batch-32 embedding, images/s", e32_f, e32_t, e32_f / e32_t, ">= 1.0", e32_f / e32_t >= 1.0,
                 spread(results["embed32"]["facever"]), spread(results["embed32"]["tensorflow"])))
    v_f = statistics.median(m["milliseconds"] for m in extra["facever_verify"])
    v_t = statistics.median(m["milliseconds"] for m in extra["tf_verify"])
    v_loop = statistics.median(m["tutorial_loop_milliseconds"] for m in extra["tf_verify"])
    rows.append(("verify vs 50 (in process), ms", v_f, v_t, v_f / v_t, "<= 20 ms", v_f <= 20,
                 spread([m["milliseconds"] for m in extra["facever_verify"]]), spread([m["milliseconds"] for m in extra["tf_verify"]])))

    print(f"{'figure':34} {'facever':>10} {'TensorFlow':>11} {'ratio':>7}  {'target':>9} {'met':>4}  noise f/tf")
    for name, f, t, ratio, target, met, noise_f, noise_t in rows:
        print(f"{name:34} {f:10.2f} {t:11.2f} {ratio:7.2f}  {target:>9} {'yes' if met else 'no':>4}  {noise_f:.0%}/{noise_t:.0%}")
    process = statistics.median(process_times)
    print(f"{'whole `facever verify` process, s':34} {process:10.3f} {'-':>11} {'':>7}  {'<= 0.3 s':>9} {'yes' if process <= 0.3 else 'no':>4}  {spread(process_times):.0%}")
    print(f"TensorFlow, the tutorial's loop of 50 predict calls: {v_loop:.0f} ms")
    rss_f = statistics.median(m["peak_rss_mib"] for m in extra["facever_train"])
    rss_t = statistics.median(m["peak_rss_mib"] for m in extra["tensorflow_train"])
    print(f"{'training peak RSS, MiB':34} {rss_f:10.0f} {rss_t:11.0f} {rss_f / rss_t:7.2f}  {'<= 1024':>9} {'yes' if rss_f <= 1024 else 'no':>4}")
    f_train = extra["facever_train"][0]
    embed_gflops = e32_f * 1.867  # GFLOP per image forward
    print(f"machine FMA peak ({peak['threads']} threads, {peak['vector_floats']}-float vectors): {peak['gflops']:.1f} GFLOP/s")
    train_gflops = train_f * f_train["gflop_per_pair"]
    print(f"facever training: {train_gflops:.1f} GFLOP/s = {train_gflops / peak['gflops']:.0%} of peak; "
          f"sgemm alone on the same shapes: {f_train['sgemm_only_gflops']:.1f} GFLOP/s ({f_train['gflop_per_pair']:.2f} GFLOP per pair)")
    print(f"facever batch-32 embedding: {embed_gflops:.1f} GFLOP/s = {embed_gflops / peak['gflops']:.0%} of peak")
    print(f"TensorFlow training: {train_t * f_train['gflop_per_pair']:.1f} GFLOP/s = {train_t * f_train['gflop_per_pair'] / peak['gflops']:.0%} of peak "
          f"(same FLOP count); batch-32 embedding {e32_t * 1.867:.1f} GFLOP/s")
    print(f"rounds: {args.rounds}, alternating; noise = max/min - 1 over rounds")


if __name__ == "__main__":
    main()
