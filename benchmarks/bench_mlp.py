"""One SGD training step of an MLP 784-256-10 (ReLU, cross-entropy), batch 256.

autograd_lab against the floor (the same step written by hand in numpy: forward, backward and
update, nothing else) and against PyTorch when it is installed, in float64 and float32.

    python benchmarks/bench_mlp.py [--steps 5] [--repeats 40] [--threads 1] [--wall]

Prints CPU ms/step (the best over repeats of the mean over `steps` steps; the contenders take
turns) and the ratio to the floor. Every contender starts from the same weights and does the
same number of steps, and the script checks that all reach the same loss. autograd_lab's
optimizer pins glibc's malloc thresholds for the whole process (see optim/_heap.py), so every
contender runs with them.
"""
import argparse
import os
import sys
import time


def _threads_from_argv(default=1):
    """BLAS threads (--threads, default 1): set before numpy loads, for steadier timings."""
    args = sys.argv[1:]
    n = args[args.index("--threads") + 1] if "--threads" in args else str(default)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = n
    return int(n)


THREADS = _threads_from_argv()

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_lab  # noqa: E402

SIZES, BATCH, LR = (784, 256, 10), 256, 0.01
# CPU time of this process: with BLAS on one thread it is the work done, whatever else the
# machine runs (pass --wall for elapsed time, e.g. with several BLAS threads).
CLOCK = time.perf_counter if "--wall" in sys.argv else time.process_time


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    (n_in, n_hidden, n_out) = SIZES
    shapes = [(n_hidden, n_in), (n_hidden,), (n_out, n_hidden), (n_out,)]
    fans = [n_in, n_in, n_hidden, n_hidden]
    return [rng.uniform(-1, 1, s).astype(dtype) / np.sqrt(f).astype(dtype)
            for s, f in zip(shapes, fans)]


def batch(dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, SIZES[0])).astype(dtype), rng.integers(0, SIZES[2], BATCH)


class NumpyFloor:
    """The step written by hand: what the engine's overhead is measured against."""

    def __init__(self, weights, x, y):
        self.w1, self.b1, self.w2, self.b2 = (w.copy() for w in weights)
        self.x, self.y, self.rows = x, y, np.arange(len(y))

    def step(self):
        w1, b1, w2, b2, x, y, rows = self.w1, self.b1, self.w2, self.b2, self.x, self.y, \
            self.rows
        h = x @ w1.T
        h += b1
        np.maximum(h, 0, out=h)
        z = h @ w2.T
        z += b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = np.log(s[:, 0]).mean() - z[rows, y].mean()
        dz = e / s
        dz[rows, y] -= 1
        dz /= len(y)
        dh = dz @ w2
        dh *= h > 0
        for p, g in ((w2, dz.T @ h), (b2, dz.sum(0)), (w1, dh.T @ x), (b1, dh.sum(0))):
            g *= LR
            p -= g
        return float(loss)


class Engine:
    """The same step with a library that speaks PyTorch's API (autograd_lab or torch)."""

    def __init__(self, lib, weights, x, y):
        nn = lib.nn
        dtype = {np.float32: lib.float32, np.float64: lib.float64}[weights[0].dtype.type]
        self.model = self.make_model(nn, dtype)
        with lib.no_grad():
            for p, w in zip(self.model.parameters(), weights):
                p.copy_(lib.from_numpy(w.copy()))
        self.opt = lib.optim.SGD(self.model.parameters(), lr=LR)
        self.loss_fn = nn.CrossEntropyLoss()
        self.x, self.y = lib.from_numpy(x), lib.from_numpy(y)

    @staticmethod
    def make_model(nn, dtype):
        return nn.Sequential(nn.Linear(SIZES[0], SIZES[1], dtype=dtype), nn.ReLU(),
                             nn.Linear(SIZES[1], SIZES[2], dtype=dtype))

    def step(self):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()


def time_runners(runners, steps, repeats):
    """For each runner, the best over repeats of the mean time of `steps` steps (ms), and its
    last loss. Runners take turns, so that load from other processes hits all of them alike."""
    for r in runners.values():
        r.step()  # warm-up
    best, losses = dict.fromkeys(runners, float("inf")), {}
    for _ in range(repeats):
        for name, r in runners.items():
            t0 = CLOCK()
            for _ in range(steps):
                losses[name] = r.step()
            best[name] = min(best[name], (CLOCK() - t0) / steps * 1e3)
    return {name: (best[name], losses[name]) for name in runners}


def arguments(description, repeats):
    """The command line of a training benchmark, and torch set to its BLAS threads (None when
    it is not installed)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--threads", type=int, default=THREADS, help="BLAS threads")
    parser.add_argument("--wall", action="store_true", help="elapsed instead of CPU time")
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    return args, torch


def check_losses(results, dtype):
    """Exit with an error unless every contender reached the same loss."""
    losses = [loss for _, loss in results.values()]
    tol = 1e-9 if dtype is np.float64 else 1e-4
    if max(losses) - min(losses) > tol * max(1.0, abs(losses[0])):
        sys.exit(f"losses differ after the same steps: {losses}")


def main():
    args, torch = arguments(__doc__.splitlines()[0], repeats=40)
    clock = "elapsed" if args.wall else "CPU"
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, SGD lr={LR}, {args.threads} BLAS "
          f"thread(s): {clock} ms/step (best of {args.repeats} x {args.steps} steps)")
    for dtype in (np.float64, np.float32):
        weights, (x, y) = initial_weights(dtype), batch(dtype)
        runners = {"numpy floor": NumpyFloor(weights, x, y),
                   "autograd_lab": Engine(autograd_lab, weights, x, y)}
        if torch is not None:
            runners["torch"] = Engine(torch, weights, x, y)
        results = time_runners(runners, args.steps, args.repeats)
        floor = results["numpy floor"][0]
        print(f"{np.dtype(dtype).name}:")
        for name, (ms, loss) in results.items():
            print(f"  {name:13s} {ms:8.3f} ms  {ms / floor:5.2f}x floor  (loss {loss:.6f})")
        check_losses(results, dtype)


if __name__ == "__main__":
    main()
