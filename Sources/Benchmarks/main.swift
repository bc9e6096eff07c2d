print("benchmarks: see Scripts/")
