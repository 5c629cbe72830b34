"""Shared timing for the PyTorch side of the benchmarks: median microseconds per call."""
import time


def median_us(fn, min_time=0.5, repeats=7, clock=time.perf_counter):
    fn()  # warm up
    results = []
    for _ in range(repeats):
        n, start = 0, clock()
        while True:
            fn()
            n += 1
            elapsed = clock() - start
            if elapsed >= min_time / repeats:
                break
        results.append(elapsed / n * 1e6)
    results.sort()
    return results[len(results) // 2]
