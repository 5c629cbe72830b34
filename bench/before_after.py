#!/usr/bin/env python3
"""Two builds of bench_engine side by side in one run: wall-time medians (the runs alternate,
old/new, so both see the same load) and callgrind instruction counts per iteration (exact,
unaffected by the load of a shared machine).

usage: bench/before_after.py OLD/bench_engine NEW/bench_engine [FILTER]   (prints a Markdown table)
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

old, new = sys.argv[1], sys.argv[2]
FILTER = sys.argv[3] if len(sys.argv) > 3 else "chain_1000|tiny_full_batch_step"
ROUNDS = 5
env = dict(os.environ, OMP_NUM_THREADS="1")


def wall(binary):
    out = subprocess.run([binary, f"--benchmark_filter={FILTER}", "--benchmark_min_time=0.3",
                          "--benchmark_format=json"], capture_output=True, text=True, env=env,
                         check=True).stdout
    return {b["name"]: b["real_time"] for b in json.loads(out)["benchmarks"]}


def backward_calls(cg):
    """How many times gf::Tensor::backward was called (once per iteration of both benchmarks)."""
    names, calls, target = {}, 0, None
    for line in open(cg):
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            target = names.get(m.group(1), "") if line.startswith("cfn=") else None
        elif line.startswith("calls=") and target and target.startswith("gf::Tensor::backward"):
            calls += int(line.split()[0][6:])
    return calls


def instructions(binary, name):
    """Instructions per iteration of benchmark `name`: callgrind's cost of the benchmark function
    (all its runs, calibration included) divided by the calls of Tensor::backward in them."""
    with tempfile.TemporaryDirectory() as d:
        cg = os.path.join(d, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}",
                        f"--toggle-collect={name}(benchmark::State&)", binary,
                        f"--benchmark_filter=^{name}$", "--benchmark_min_time=0.05"],
                       capture_output=True, text=True, env=env, check=True)
        total = subprocess.run(["callgrind_annotate", cg], capture_output=True, text=True,
                               check=True).stdout
        ir = int(re.search(r"([\d,]+)\s+(?:\(100.0%\)\s+)?PROGRAM TOTALS", total).group(1)
                 .replace(",", ""))
        return ir / backward_calls(cg)


times = {"old": [], "new": []}
for _ in range(ROUNDS):
    times["old"].append(wall(old))
    times["new"].append(wall(new))
names = sorted(times["old"][0])
print("| benchmark | before µs (median of 5) | after µs | after / before | before instr./iter | "
      "after instr./iter | after / before |")
print("|---|---:|---:|---:|---:|---:|---:|")
for n in names:
    to = statistics.median(r[n] for r in times["old"])
    tn = statistics.median(r[n] for r in times["new"])
    io, inn = instructions(old, n), instructions(new, n)
    print(f"| {n} | {to:.1f} | {tn:.1f} | {tn / to:.3f} | {io:,.0f} | {inn:,.0f} | {inn / io:.3f} |")
