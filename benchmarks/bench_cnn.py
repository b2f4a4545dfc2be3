"""One SGD training step of an MNIST-sized CNN, batch 64: Conv2d(1, 8, 3), ReLU, MaxPool2d(2),
Conv2d(8, 16, 3), ReLU, MaxPool2d(2), Flatten, Linear(400, 10), cross-entropy.

autograd_lab against PyTorch when it is installed, in float32 and float64.

    python benchmarks/bench_cnn.py [--steps 5] [--repeats 20] [--threads 1] [--wall]

Prints CPU ms/step (the best over repeats of the mean over `steps` steps; the contenders take
turns). Both start from the same weights and do the same number of steps, and the script checks
that they reach the same loss.
"""
import bench_mlp  # (sets the BLAS threads before numpy loads)

import numpy as np  # noqa: E402

import autograd_lab  # noqa: E402  (bench_mlp put the repository on sys.path)

BATCH = 64
SHAPES = [(8, 1, 3, 3), (8,), (16, 8, 3, 3), (16,), (10, 400), (10,)]


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, s) / np.sqrt(np.prod(s[1:]) if len(s) > 1 else s[0]))
            .astype(dtype) for s in SHAPES]


def batch(dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, 1, 28, 28)).astype(dtype), rng.integers(0, 10, BATCH)


class Engine(bench_mlp.Engine):
    """The CNN's step with a library that speaks PyTorch's API (autograd_lab or torch), SGD with
    bench_mlp's learning rate."""

    @staticmethod
    def make_model(nn, dtype):
        return nn.Sequential(
            nn.Conv2d(1, 8, 3, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 10, dtype=dtype))


def main():
    args, torch = bench_mlp.arguments(__doc__.splitlines()[0], repeats=20)
    clock = "elapsed" if args.wall else "CPU"
    print(f"CNN, batch {BATCH}, SGD lr={bench_mlp.LR}, {args.threads} BLAS thread(s): {clock} ms/step "
          f"(best of {args.repeats} x {args.steps} steps)")
    for dtype in (np.float32, np.float64):
        weights, (x, y) = initial_weights(dtype), batch(dtype)
        runners = {"autograd_lab": Engine(autograd_lab, weights, x, y)}
        if torch is not None:
            runners["torch"] = Engine(torch, weights, x, y)
        results = bench_mlp.time_runners(runners, args.steps, args.repeats)
        print(f"{np.dtype(dtype).name}:")
        for name, (ms, loss) in results.items():
            print(f"  {name:13s} {ms:8.3f} ms  (loss {loss:.6f})")
        bench_mlp.check_losses(results, dtype)


if __name__ == "__main__":
    main()
