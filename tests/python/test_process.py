"""Process-level behaviour: memory stays flat over many small calls, the GIL is released during
heavy work, Ctrl-C reaches Python, and the package installs into a prefix and imports from a
clean interpreter."""
import os
import subprocess
import sys
import threading
import time

import pytest

import gradflow as gf


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_no_leak_over_10000_small_calls():
    def step():
        x = gf.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x + 1.0).sum()
        y.backward()
        _ = x.grad.numpy()
        _ = repr(y.grad_fn)
    for _ in range(1000):
        step()
    before = rss_kb()
    for _ in range(10000):
        step()
    grown = rss_kb() - before
    assert grown < 2048, f"RSS grew by {grown} kB over 10,000 calls"


def heavy_matmul():
    a = gf.randn(600, 600)
    return lambda: a @ a


def heavy_conv():
    x, w = gf.randn(4, 16, 64, 64), gf.randn(32, 16, 3, 3)
    return lambda: gf.nn.functional.conv2d(x, w, padding=1)


def heavy_backward():
    w = gf.randn(400, 400, requires_grad=True)

    def run():
        y = w
        for _ in range(4):
            y = (y @ w).tanh()
        y.sum().backward()
    return run


@pytest.mark.parametrize("make", [heavy_matmul, heavy_conv, heavy_backward],
                         ids=["matmul", "conv2d", "backward"])
def test_gil_released_during_heavy_work(make):
    work = make()
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)
    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    start = len(ticks)
    began = time.perf_counter()
    for _ in range(4):
        work()
    took = time.perf_counter() - began
    got = len(ticks) - start
    stop.set()
    t.join()
    # With the GIL held the ticker would get at most one tick per call (Python's switch interval
    # is 5 ms, but a C++ call never yields); released, it ticks about every millisecond.
    assert got > 4 + took * 100, f"the other thread ran {got} times in {took:.3f} s"


def test_install_into_prefix_imports_from_clean_interpreter(tmp_path):
    build = os.environ.get("GF_BUILD_DIR")
    if not build:
        pytest.skip("GF_BUILD_DIR not set (run through ctest)")
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build, "--prefix", str(prefix), "--component", "python"],
                   check=True, capture_output=True)
    site = [str(p.parent.parent) for p in prefix.rglob("gradflow/__init__.py")]
    assert len(site) == 1
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": site[0], "PYTHONNOUSERSITE": "1"}
    code = ("import gradflow as gf; x = gf.tensor(3., requires_grad=True); (x*x).backward(); "
            "print(gf.__file__, x.grad.item())")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(tmp_path),
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith(site[0]) and out.strip().endswith("6.0")
