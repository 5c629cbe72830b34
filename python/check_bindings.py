#!/usr/bin/python3
"""Lists the public C++ names (free functions of gf:: in the op headers, gf::nn modules,
gf::nn::functional functions) that the built Python package does not expose under torch's place
for them, so binding gaps show up. Exit status 0; prints one line per missing name.

usage: PYTHONPATH=build/python /usr/bin/python3 python/check_bindings.py
"""
import pathlib
import re
import sys

# Import the built package (PYTHONPATH), not the sources next to this script.
sys.path = [p for p in sys.path if pathlib.Path(p or ".").resolve() != pathlib.Path(__file__).resolve().parent]
import gradflow as gf  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent / "include" / "gradflow"
FUNC = re.compile(r"^(?:inline\s+)?(?:Tensor|std::tuple<[^>]*>|std::vector<Tensor>|bool|double|int64_t)&?\s+(\w+)\(", re.M)
MODULE = re.compile(r"^class\s+(\w+)\s*(?:final\s*)?:\s*public\s+(?:\w+::)*(\w+)", re.M)


# C++ names with no torch counterpart of that name, reached another way from Python.
NOT_BOUND = {
    "index": "Tensor.__getitem__",
    "index_put": "Tensor.index_put / __setitem__",
    "slice": "Tensor.__getitem__ with a slice",
    "sum_to": "gf's own helper (autograd's reduction to a shape); torch has no such function",
    "softplus": "gradflow.nn.functional.softplus, torch's only public place for it",
    "ConvNd": "the base class of Conv1d / Conv2d",
}


def names(paths, pattern):
    out = set()
    for p in paths:
        for m in pattern.finditer(p.read_text()):
            out.add(m.group(1))
    return out


def main():
    ops = names([ROOT / "ops.hpp", ROOT / "factories.hpp", ROOT / "indexing.hpp"], FUNC)
    functional = names(sorted((ROOT / "nn" / "functional").glob("*.hpp")) + [ROOT / "nn" / "functional.hpp"], FUNC)
    modules = {m for m in names(sorted((ROOT / "nn").glob("*.hpp")), MODULE)
               if not m.endswith("Base") and not m.endswith("Impl")}
    missing = []
    ops -= NOT_BOUND.keys()
    modules -= NOT_BOUND.keys()
    for n in sorted(ops):
        if not hasattr(gf, n) and not hasattr(gf.Tensor, n):
            missing.append(f"gf::{n}: neither gradflow.{n} nor Tensor.{n}")
    for n in sorted(functional):
        if not hasattr(gf.nn.functional, n):
            missing.append(f"gf::nn::functional::{n}: no gradflow.nn.functional.{n}")
    for n in sorted(modules):
        if not hasattr(gf.nn, n):
            missing.append(f"gf::nn::{n}: no gradflow.nn.{n}")
    print("\n".join(missing) if missing else "every scanned C++ name has a binding")
    print(f"({len(ops)} ops, {len(functional)} functional, {len(modules)} modules scanned)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
