#!/usr/bin/python3
"""Fashion-MNIST training, gradflow vs PyTorch, side by side in one run (issue 3's table).

Runs `gradflow train` and bench/torch_train.py on the same config, takes samples/s over the
training loop, test accuracy and each process's peak resident memory (wait4 rusage), and prints
a Markdown section for BENCHMARKS.md. usage: train_compare.py [--epochs N] [--quick]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GF = os.environ.get("GF_BENCH_BINARY", os.path.join(ROOT, "build/tools/gradflow/gradflow"))


def run(cmd, env=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out}")
    return out, usage.ru_maxrss / 1024.0  # MiB


def number(text):
    text = text.replace(",", "")
    scale = 1000 if text.endswith("k") else 1
    return float(text.rstrip("k")) * scale


def gradflow(model, epochs, optimizer, lr, momentum, threads, recipe=False):
    out_dir = tempfile.mkdtemp(prefix="gf-bench-")
    cmd = [GF, "train", "--data", "fashion-mnist", "--model", model, "--epochs", str(epochs),
           "--batch-size", "128", "--seed", "0", "--out", out_dir, "--no-plots"]
    if not recipe:
        cmd += ["--optimizer", optimizer, "--lr", str(lr), "--momentum", str(momentum)]
    if threads:
        cmd += ["--threads", str(threads)]
    out, rss = run(cmd)
    acc = float(re.search(r"test accuracy ([0-9.]+)%", out).group(1)) / 100
    sps = number(re.search(r"training throughput ([0-9.,k]+) samples/s", out).group(1))
    return {"samples_per_s": sps, "test_accuracy": acc, "rss": rss}


def torch(model, epochs, optimizer, lr, momentum, threads):
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "bench/torch_train.py"), "--model", model,
           "--epochs", str(epochs), "--optimizer", optimizer, "--lr", str(lr),
           "--momentum", str(momentum), "--threads", str(threads)]
    out, rss = run(cmd)
    r = json.loads(out.strip().splitlines()[-1])
    r["rss"] = rss
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    a = p.parse_args()
    e = a.epochs
    rows = []
    # (label, model, optimizer, lr, momentum, gradflow threads, torch threads)
    configs = [
        ("MLP, matched SGD lr 0.1 m 0.9, both default threads", "mlp", "sgd", 0.1, 0.9, 0, 0),
        ("MLP, matched SGD lr 0.1 m 0.9, both 1 thread", "mlp", "sgd", 0.1, 0.9, 1, 1),
        ("softmax regression, SGD lr 0.1, both default threads", "softmax", "sgd", 0.1, 0.0, 0, 0),
    ]
    for label, model, opt, lr, mom, gt, tt in configs:
        g = gradflow(model, e, opt, lr, mom, gt)
        t = torch(model, e, opt, lr, mom, tt)
        rows.append((label, g, t))
    recipe_mlp = gradflow("mlp", e, None, None, None, 0, recipe=True)
    recipe_softmax = gradflow("softmax", e, None, None, None, 0, recipe=True)

    print(f"\n## Training on Fashion-MNIST (issue 3), {e} epochs, batch 128\n")
    print("| config | gradflow samples/s | PyTorch samples/s | speed ratio | gradflow test acc |"
          " PyTorch test acc | gradflow peak RSS MiB | PyTorch peak RSS MiB | RSS ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, g, t in rows:
        print(f"| {label} | {g['samples_per_s']:,.0f} | {t['samples_per_s']:,.0f} | "
              f"{g['samples_per_s'] / t['samples_per_s']:.2f}× | {100 * g['test_accuracy']:.2f}% | "
              f"{100 * t['test_accuracy']:.2f}% | {g['rss']:.0f} | {t['rss']:.0f} | "
              f"{g['rss'] / t['rss']:.2f} |")
    print(f"\nDefault recipe of `gradflow train` ({e} epochs): MLP test accuracy "
          f"{100 * recipe_mlp['test_accuracy']:.2f}% (target ≥ 89.0%), softmax regression "
          f"{100 * recipe_softmax['test_accuracy']:.2f}% (target ≥ 84.2%).")


if __name__ == "__main__":
    main()
