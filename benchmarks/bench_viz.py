"""Display time of graphs: the full `_repr_mimebundle_` a notebook runs for a tensor.

    python benchmarks/bench_viz.py

Targets (issue 4): a ~200-node graph in <= 20 ms; the summary of a 100,000-op graph in <= 1 s.
Prints the median and best of several runs after a warm-up (the first display of a session also
imports networkx, about 0.2 s more); on a busy machine the best is the steadier number.
"""
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import autograd_lab as torch  # noqa: E402


def rnn(steps):
    """An unrolled tanh RNN: 5 ops a step, weights shared by every step (long edges)."""
    torch.manual_seed(0)
    wx = torch.randn(3, 4, requires_grad=True)
    wh = torch.randn(4, 4, requires_grad=True)
    b = torch.zeros(4, requires_grad=True)
    h = torch.zeros(2, 4)
    for _ in range(steps):
        h = (torch.randn(2, 3) @ wx + h @ wh + b).tanh()
    return h.sum()


def mlp_chain(layers):
    """A deep stack of small layers, each with its own weights: 4 ops a layer."""
    torch.manual_seed(0)
    h = torch.randn(2, 4)
    for _ in range(layers):
        w = torch.randn(4, 4, requires_grad=True)
        b = torch.zeros(4, requires_grad=True)
        h = (h @ w + b).relu() * 0.5
    return h.mean()


def huge(pairs=50_000):
    """100,000 ops: y = y * c + x, repeated."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x
    for _ in range(pairs):
        y = y * 1.0001 + x
    return y


def timed(t, runs, **options):
    from autograd_lab import viz

    viz.set_options(**options)
    try:
        t._repr_mimebundle_()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            bundle = t._repr_mimebundle_()
            times.append(time.perf_counter() - start)
    finally:
        viz.set_options(budget=60)
    nodes = len(viz.to_networkx(t, budget=options.get("budget", 60)))
    return statistics.median(times), min(times), len(bundle["image/svg+xml"].encode()), nodes


def main():
    from autograd_lab import viz

    cases = [
        ("rnn, 20 steps (203 nodes), default budget 60", rnn(20), 30, {}),
        ("rnn, 20 steps (203 nodes), budget=None: all drawn", rnn(20), 5, {"budget": None}),
        ("mlp, 25 layers (201 nodes), default budget 60", mlp_chain(25), 30, {}),
        ("mlp, 25 layers (201 nodes), budget=None: all drawn", mlp_chain(25), 10,
         {"budget": None}),
        ("100,000 ops (200,001 nodes), default budget 60", huge(), 5, {}),
    ]
    print(f"{'graph':52} {'median':>9} {'best':>9} {'SVG':>9} {'drawn':>6}")
    for label, t, runs, options in cases:
        full = len(viz.to_networkx(t)) if "100,000" not in label else 200_001
        assert full > 150, full
        median, best, size, nodes = timed(t, runs, **options)
        print(f"{label:52} {median * 1000:7.1f} ms {best * 1000:7.1f} ms {size / 1000:7.1f} KB "
              f"{nodes:6}")


if __name__ == "__main__":
    main()
