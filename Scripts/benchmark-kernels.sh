#!/usr/bin/env bash
# float32 products on facever's own GEMM (each kernel path this CPU runs) beside OpenBLAS's sgemm, side by
# side in one run: the network's product shapes on one thread, then whole workloads (training steps,
# one-image and batch-32 embeddings) in fresh processes, rotating the order each round; medians and
# ratios to OpenBLAS. The machine report first says which CPU, flags and kernels produced the figures.
#   Scripts/benchmark-kernels.sh [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
swift build -c release --product facever-bench >&2
bench=.build/release/facever-bench
python3 - "$bench" "$rounds" <<'PY'
import json, statistics, subprocess, sys
bench, rounds = sys.argv[1], int(sys.argv[2])
machine = json.loads(subprocess.run([bench, "machine"], capture_output=True, text=True, check=True).stdout)
print("machine:", json.dumps(machine, sort_keys=True))
best = machine["kernel_path_best_supported"]
kernels = ["openblas"] + [p for p in ["avx512", "avx2", "scalar"] if ["scalar", "avx2", "avx512"].index(p) <= ["scalar", "avx2", "avx512"].index(best)]

print("\nproducts on one thread, GFLOP/s (batch 8):")
for line in subprocess.run([bench, "gemm", "--batch", "8", "--repeats", "5"], capture_output=True, text=True, check=True).stdout.splitlines():
    d = json.loads(line)
    row = {k[:-7]: v for k, v in d.items() if k.endswith("_gflops")}
    print(f"  {d['layer']:6} m={d['m']:6} n={d['n']:5} k={d['k']:5}  " + "  ".join(f"{k} {v:6.1f}" for k, v in sorted(row.items())))

workloads = [("training, pairs/s (batch 16, pairs)", ["train", "--steps", "6", "--batch", "16", "--batches", "pairs"], "pairs_per_second"),
             ("one-image embedding, ms", ["embed", "--batch", "1", "--repeats", "20"], "milliseconds"),
             ("batch-32 embedding, images/s", ["embed", "--batch", "32", "--repeats", "5"], "images_per_second")]
print(f"\nworkloads in float32, all threads, median of {rounds} rounds:")
for title, arguments, key in workloads:
    samples = {kernel: [] for kernel in kernels if kernel != "scalar"}
    for round_index in range(rounds):
        order = list(samples)[round_index % len(samples):] + list(samples)[:round_index % len(samples)]
        for kernel in order:
            env = dict(__import__("os").environ, FACEVER_KERNEL=kernel)
            out = subprocess.run([bench, *arguments, "--precision", "float32"], capture_output=True, text=True, check=True, env=env).stdout
            samples[kernel].append(json.loads(out.strip().splitlines()[-1])[key])
    reference = statistics.median(samples["openblas"])
    print(f"  {title:38} " + "  ".join(f"{k} {statistics.median(v):8.2f} ({statistics.median(v) / reference:.2f}×)" for k, v in samples.items()))
PY
