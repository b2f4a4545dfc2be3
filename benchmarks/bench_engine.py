"""Forward + backward of a long chain of small ops: microseconds per op.

    python benchmarks/bench_engine.py [--ops 1000] [--repeat 20]

The chain cycles through `y * 0.9`, `y + 0.1`, `tanh(y)`, `y * y` (so both scalar-operand and
tensor-operand binaries, and a saved-output unary, are measured), then `.sum().backward()`.
Compared with hand-written numpy forward/backward (the floor) and PyTorch when installed, each
contender in its own fresh process.
"""
import argparse
import statistics
import subprocess
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


CONTENDERS = ("numpy floor", "autograd_lab", "pytorch")


def run_one(name, x0, n_ops, repeat):
    """Time one contender in this process (after checking its gradient against the floor)."""
    if name == "numpy floor":
        fn = lambda: numpy_chain(x0, n_ops)  # noqa: E731
    else:
        lib = autograd_lab
        if name == "pytorch":
            import torch
            torch.set_num_threads(1)
            lib = torch
        grad = chain(lib, x0, n_ops)
        grad = grad._data if lib is autograd_lab else grad.numpy()
        assert np.allclose(grad, numpy_chain(x0, n_ops), rtol=1e-4, atol=1e-6), "grad mismatch"
        fn = lambda: chain(lib, x0, n_ops)  # noqa: E731
    return best_us_per_op(fn, n_ops, repeat)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ops", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--only", choices=CONTENDERS, help=argparse.SUPPRESS)
    a = p.parse_args()
    inputs = (("shape (4,)", [0.5, -0.25, 0.1, 0.3]), ("0-d", 0.5))
    if a.only:  # the child: one contender, both inputs
        for _, x0 in inputs:
            print(*run_one(a.only, x0, a.ops, a.repeat))
        return
    # Each contender runs in a fresh process: a library's imports (torch brings ~10^5 objects)
    # must not make the garbage collector slower for another's graph.
    results = {}
    for name in CONTENDERS:
        child = subprocess.run([sys.executable, __file__, "--ops", str(a.ops), "--repeat",
                                str(a.repeat), "--only", name], capture_output=True, text=True)
        if child.returncode:
            if name == "pytorch" and "No module named 'torch'" in child.stderr:
                continue
            sys.exit(f"{name} failed:\n{child.stderr}")
        results[name] = [tuple(map(float, line.split())) for line in child.stdout.splitlines()]
    for i, (label, _) in enumerate(inputs):
        print(f"{a.ops}-op chain, {label}:")
        for name, rows in results.items():
            best, med = rows[i]
            print(f"  {name:<13} {best:6.2f} us/op (median {med:6.2f})")


if __name__ == "__main__":
    main()
