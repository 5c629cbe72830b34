#!/usr/bin/python3
"""The BENCHMARKS.md section for bench/bench_ops_shapes.cpp beside bench/torch_ops_shapes.py.

usage: shapes_report.py SHAPES_GF.json SHAPES_TORCH.json > section.md  (scripts/bench appends it)
gradflow: Google Benchmark medians (CPU time); PyTorch: medians across the runs in the file.
"""
import json
import statistics
import sys

# Where gradflow is slower, why (measured reasons; shown only on rows below 1.0×).
OPS = [
    ("sum_dims", "sum over dims (0, 2) of [64, 128, 128]"),
    ("sum_dims_chain", "the same as x.sum(2).sum(0)"),
    ("var_dim", "var over dim 1 of [1024, 1024]"),
    ("cumsum", "cumsum over dim 1 of [1024, 1024]"),
    ("sort", "sort over dim 1 of [1024, 1024]"),
    ("topk", "topk(10) over dim 1 of [1024, 1024]"),
    ("flip", "flip dim 1 of [1024, 1024]"),
    ("repeat", "x[:256].repeat(2, 2) of [1024, 1024]"),
    ("pad_constant", "pad (2, 2, 2, 2) of [16, 4, 128, 128], constant"),
    ("pad_reflect", "the same, reflect"),
    ("index_tensor", "1024 random rows of [1024, 1024] (gradflow: index_select; torch: x[idx])"),
    ("scatter_add", "scatter_add along dim 1 of [1024, 1024]"),
    ("matmul_4d", "matmul [16, 16, 64, 64] @ [16, 16, 64, 64]"),
    ("einsum_bhqd", "einsum('bhqd,bhkd->bhqk') on [16, 16, 64, 64]"),
]


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


WHY = {
    "sum_dims": "accumulates in double (torch: float32 cascade sums with AVX); the backward's "
                "expand + copy into .grad is one more pass",
    "sum_dims_chain": "the older single-dim sum (reduction.cpp) walks a last-dim reduction with "
                      "a per-row vector; the one-pass kernel of sum(x, {0, 2}) is 7× faster",
    "cumsum": "the backward is flip + cumsum + flip (three passes) where torch has one kernel",
    "sort": "std::sort of (value, index) pairs per row; torch sorts keys and indices in place",
    "topk": "std::partial_sort of pairs per row; torch uses a quickselect on the values",
    "pad_constant": "the backward is a padded copy (pad with negative amounts) plus the .grad "
                    "accumulation",
    "pad_reflect": "index_select per padded dim (two passes for 2-D) and scatter_add per dim in "
                   "the backward, where torch has one fused reflection kernel each way",
    "scatter_add": "clone + a strided walk with a bounds check per element",
    "flip": "a clone through negative strides (a strided walk per row); within this machine's "
            "noise of torch",
}
gf, th = gf_medians(sys.argv[1]), torch_medians(sys.argv[2])
print("\n## Reductions, scans, sorting, shape, pad, indexing, N-d matmul (issue 10), 1M float32, "
      "1 thread\n")
print("One representative op per family; forward alone, and forward + backward with a ones "
      "gradient. CPU time on both sides (the machine is shared and noisy).\n")
print("| workload | forward µs | PyTorch µs | PyTorch / gradflow | forward+backward µs | "
      "PyTorch µs | PyTorch / gradflow | where slower, why |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for op, label in OPS:
    f, fb = f"shapes_{op}_fwd", f"shapes_{op}_fwd_bwd"
    if f not in gf or f not in th or fb not in gf or fb not in th:
        continue
    rf, rb = th[f] / gf[f], th[fb] / gf[fb]
    why = WHY.get(op, "") if min(rf, rb) < 1.0 else ""
    print(f"| {label} | {gf[f]:.0f} | {th[f]:.0f} | {rf:.2f}× | {gf[fb]:.0f} | {th[fb]:.0f} | "
          f"{rb:.2f}× | {why} |")
