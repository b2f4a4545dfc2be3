"""Forward + backward of a long chain of small ops: microseconds per op.

    python benchmarks/bench_engine.py [--ops 1000] [--repeat 20]

The chain cycles through `y * 0.9`, `y + 0.1`, `tanh(y)`, `y * y` (so both scalar-operand and
tensor-operand binaries, and a saved-output unary, are measured), then `.sum().backward()`.
Compared with hand-written numpy forward/backward (the floor) and PyTorch when installed.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import autograd_lab  # noqa: E402


def chain(lib, x0, n_ops):
    x = lib.tensor(x0, requires_grad=True)
    y = x
    for i in range(n_ops // 4):
        y = y * 0.9
        y = y + 0.1
        y = y.tanh()
        y = y * y
    y.sum().backward()
    return x.grad


def numpy_chain(x0, n_ops):
    """The floor: the same values and gradients, written by hand in numpy."""
    y = np.array(x0, dtype=np.float32)
    saved = []
    for i in range(n_ops // 4):
        y = y * 0.9
        y = y + 0.1
        y = np.tanh(y)
        saved.append(y)
        y = y * y
    g = np.ones_like(y)
    for t in reversed(saved):
        g = g * t + g * t
        g = g * (1 - t * t)
        g = g * 0.9
    return g


def best_us_per_op(fn, n_ops, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) / n_ops * 1e6, statistics.median(times) / n_ops * 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ops", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=20)
    a = p.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    for label, x0 in (("shape (4,)", [0.5, -0.25, 0.1, 0.3]), ("0-d", 0.5)):
        ours = chain(autograd_lab, x0, a.ops)
        floor = numpy_chain(x0, a.ops)
        assert np.allclose(ours._data, floor, rtol=1e-4, atol=1e-6), "gradient mismatch"
        rows = [("numpy floor", lambda: numpy_chain(x0, a.ops)),
                ("autograd_lab", lambda: chain(autograd_lab, x0, a.ops))]
        if torch is not None:
            rows.append(("pytorch", lambda: chain(torch, x0, a.ops)))
        print(f"{a.ops}-op chain, {label}:")
        for name, fn in rows:
            best, med = best_us_per_op(fn, a.ops, a.repeat)
            print(f"  {name:<13} {best:6.2f} us/op (median {med:6.2f})")


if __name__ == "__main__":
    main()
