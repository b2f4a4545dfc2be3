"""Microseconds per call of matmul forms and basic indexing that PyTorch records as several
steps: while recording, with no input requiring grad, and under no_grad (where no step is
needed), against plain numpy and PyTorch when it is installed.

    python benchmarks/bench_small_ops.py [--number 20000] [--repeat 5]

CPU time of this process (the best of `repeat` runs of `number` calls).
"""
import argparse
import sys
import time
import timeit
from contextlib import nullcontext
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import autograd_lab  # noqa: E402

SHAPES = {"v": (64,), "M": (64, 32), "B": (8, 16, 64), "C": (8, 64, 4), "t": (16, 32)}
CASES = {"v @ M": lambda v, M, B, C, t: v @ M, "B @ M": lambda v, M, B, C, t: B @ M,
         "B @ C": lambda v, M, B, C, t: B @ C, "t[1, 2:5]": lambda v, M, B, C, t: t[1, 2:5],
         "t[None, 0]": lambda v, M, B, C, t: t[None, 0]}


def per_call_us(fn, number, repeat):
    return min(timeit.repeat(fn, number=number, repeat=repeat, timer=time.process_time)) \
        / number * 1e6


def contenders():
    """(name, operands from numpy arrays, context to run in) for each way of running the cases
    (torch is imported after autograd_lab ran: its objects would slow the garbage collector)."""
    yield "numpy", lambda x: x, nullcontext
    for name in ("autograd_lab", "pytorch"):
        if name == "pytorch":
            try:
                import torch
            except ImportError:
                return
            torch.set_num_threads(1)
        lib = autograd_lab if name == "autograd_lab" else torch
        leaf = lambda x, lib=lib: lib.tensor(x, requires_grad=True)  # noqa: E731
        yield f"{name} recording", leaf, nullcontext
        yield f"{name} no input grad", lib.tensor, nullcontext
        yield f"{name} no_grad()", leaf, lib.no_grad


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--number", type=int, default=20000)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in SHAPES.values()]
    print(f"us per call (CPU time, best of {a.repeat} x {a.number} calls):")
    print(f"  {'':26}" + "".join(f"{case:>12}" for case in CASES))
    for name, make, context in contenders():
        operands = [make(x) for x in arrays]
        with context():
            times = [per_call_us(lambda f=f: f(*operands), a.number, a.repeat)
                     for f in CASES.values()]
        print(f"  {name:26}" + "".join(f"{us:12.2f}" for us in times))


if __name__ == "__main__":
    main()
