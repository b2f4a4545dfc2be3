"""One SGD training step of an MNIST-sized CNN, batch 64: Conv2d(1, 8, 3), ReLU, MaxPool2d(2),
Conv2d(8, 16, 3), ReLU, MaxPool2d(2), Flatten, Linear(400, 10), cross-entropy.

autograd_lab against PyTorch when it is installed, in float32 and float64.

    python benchmarks/bench_cnn.py [--steps 5] [--repeats 20] [--threads 1] [--wall]

Prints CPU ms/step (the best over repeats of the mean over `steps` steps; the contenders take
turns). Both start from the same weights and do the same number of steps, and the script checks
that they reach the same loss.
"""
import argparse
import sys

from bench_mlp import THREADS, time_runners  # (sets the BLAS threads before numpy loads)

import numpy as np  # noqa: E402

import autograd_lab  # noqa: E402  (bench_mlp put the repository on sys.path)

BATCH, LR = 64, 0.01
SHAPES = [(8, 1, 3, 3), (8,), (16, 8, 3, 3), (16,), (10, 400), (10,)]


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, s) / np.sqrt(np.prod(s[1:]) if len(s) > 1 else s[0]))
            .astype(dtype) for s in SHAPES]


def batch(dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, 1, 28, 28)).astype(dtype), rng.integers(0, 10, BATCH)


class Engine:
    """The step with a library that speaks PyTorch's API (autograd_lab or torch)."""

    def __init__(self, lib, weights, x, y):
        nn = lib.nn
        dtype = {np.float32: lib.float32, np.float64: lib.float64}[weights[0].dtype.type]
        self.model = nn.Sequential(
            nn.Conv2d(1, 8, 3, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 10, dtype=dtype))
        with lib.no_grad():
            for p, w in zip(self.model.parameters(), weights):
                p.copy_(lib.from_numpy(w.copy()))
        self.opt = lib.optim.SGD(self.model.parameters(), lr=LR)
        self.loss_fn = nn.CrossEntropyLoss()
        self.x, self.y = lib.from_numpy(x), lib.from_numpy(y)

    def step(self):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=THREADS, help="BLAS threads")
    parser.add_argument("--wall", action="store_true", help="elapsed instead of CPU time")
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    clock = "elapsed" if args.wall else "CPU"
    print(f"CNN, batch {BATCH}, SGD lr={LR}, {args.threads} BLAS thread(s): {clock} ms/step "
          f"(best of {args.repeats} x {args.steps} steps)")
    for dtype in (np.float32, np.float64):
        weights, (x, y) = initial_weights(dtype), batch(dtype)
        runners = {"autograd_lab": Engine(autograd_lab, weights, x, y)}
        if torch is not None:
            runners["torch"] = Engine(torch, weights, x, y)
        results = time_runners(runners, args.steps, args.repeats)
        print(f"{np.dtype(dtype).name}:")
        for name, (ms, loss) in results.items():
            print(f"  {name:13s} {ms:8.3f} ms  (loss {loss:.6f})")
        losses = [loss for _, loss in results.values()]
        tol = 1e-9 if dtype is np.float64 else 1e-4
        if max(losses) - min(losses) > tol * max(1.0, abs(losses[0])):
            sys.exit(f"losses differ after the same steps: {losses}")


if __name__ == "__main__":
    main()
