#!/usr/bin/python3
"""The BENCHMARKS.md section for bench/bench_ops_breadth.cpp beside bench/torch_ops_breadth.py.

usage: breadth_report.py BREADTH_GF.json BREADTH_TORCH.json > section.md  (scripts/bench appends it)
gradflow: Google Benchmark medians (CPU time); PyTorch: medians across the runs in the file.
"""
import json
import statistics
import sys

WHY = {  # shown only where gradflow is slower; what the code and disassembly show
    "sin": "",
    "floor": "the flat loop (kernels::map_into, `omp simd` since this round) is memory-bound here; "
             "the remaining gap is not profiled (perf is not permitted in this container)",
    "gelu": "forward: three passes (scale, SLEEF erf, combine) where torch fuses one; backward: "
            "~8 separate elementwise passes, each a new tensor, where torch runs one fused "
            "GeluBackward kernel",
    "leaky_relu": "not explained yet: the forward loop is branch-free and trivial, yet 10× slower "
                  "than floor's; the backward adds gt + mul + where (three passes, two temporaries)",
    "atan2": "libm atan2 per element; torch vectorises it with SLEEF (gradflow's vector table is "
             "unary only)",
    "bitwise_and": "",
    "lt": "",
}


def gf_medians(path):
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            t = b["cpu_time"]
            out[b["run_name"].split("/")[0]] = t if b["time_unit"] == "us" else t / 1e3
    return out


def torch_medians(path):
    runs = json.load(open(path))
    runs = runs if isinstance(runs, list) else [runs]
    keys = [k for k, v in runs[0].items() if isinstance(v, float)]
    return {k: statistics.median(r[k] for r in runs) for k in keys}


gf, th = gf_medians(sys.argv[1]), torch_medians(sys.argv[2])
print("\n## Second-round op families, 1M float32 elements, 1 thread (issue 10)\n")
print("One representative op per family; forward alone, and forward + backward with a ones "
      "gradient. CPU time of the process on both sides (the machine is shared and noisy).\n")
print("| op | forward µs | PyTorch µs | PyTorch / gradflow | forward+backward µs | PyTorch µs | "
      "PyTorch / gradflow | where slower, why |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for op in ("sin", "floor", "gelu", "leaky_relu", "atan2", "bitwise_and", "lt"):
    f, fb = f"breadth_{op}_fwd", f"breadth_{op}_fwd_bwd"
    if f not in gf or f not in th:
        continue
    row = f"| {op} | {gf[f]:.0f} | {th[f]:.0f} | {th[f] / gf[f]:.2f}× |"
    slow = th[f] / gf[f] < 1.0
    if fb in gf and fb in th:
        row += f" {gf[fb]:.0f} | {th[fb]:.0f} | {th[fb] / gf[fb]:.2f}× |"
        slow = slow or th[fb] / gf[fb] < 1.0
    else:
        row += " – | – | – |"
    print(row + f" {WHY[op] if slow else ''} |")
