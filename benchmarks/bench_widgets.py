"""Time per slider change of `widgets.explore`, graph and plot included (target: median <= 30 ms).

    python benchmarks/bench_widgets.py [--changes 60] [--kernel]

A change is `slider.value = v`, the path a browser drag takes: fresh leaves, the function,
backward, the readout, the SVG graph, the PNG plot, and the widget state serialized for the
frontend. Coalescing is switched off, so every change renders. `--kernel` runs the same inside a
fresh ipykernel, where the widgets have live comms and their updates are really sent.
Also reported: making the explorer (sampling the curve or contour map, first render).
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FUNCTIONS = {  # the seed article's examples: source, slider ranges
    "y = 2x + 1": ("lambda x: 2 * x + 1", {"x": (-3, 3, 0.01, 1.0)}),
    "z = (2x + 1)**2": ("lambda x: (2 * x + 1) ** 2", {"x": (-3, 3, 0.01, 1.0)}),
    "y = x1**2 + x2**3": ("lambda x1, x2: x1 ** 2 + x2 ** 3",
                          {"x1": (-2, 2, 0.01, 1.0), "x2": (-2, 2, 0.01, 2.0)}),
}


def measure(changes):
    """{name: {"make": ms, "changes": [ms per change]}} for every function."""
    from autograd_lab.widgets import explore

    results = {}
    for name, (source, ranges) in FUNCTIONS.items():
        start = time.perf_counter()
        w = explore(eval(source), **ranges)
        make = time.perf_counter() - start
        w._changed.interval = 0  # render every change
        sliders = list(w.sliders.values())
        times = []
        for k in range(changes):
            slider = sliders[k % len(sliders)]
            value = round(slider.min + (k * 7 % 97 + 1) / 99 * (slider.max - slider.min), 2)
            start = time.perf_counter()
            slider.value = value
            times.append(time.perf_counter() - start)
            assert w.error is None and w.grads[slider.description] is not None
        results[name] = {"make": 1e3 * make, "changes": [1e3 * t for t in times]}
    return results


def measure_in_kernel(changes):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(HERE.parent))
    try:
        code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r})\n"
                f"import bench_widgets\n"
                f"print(json.dumps(bench_widgets.measure({changes})))")
        reply = kc.execute_interactive(code, timeout=600, output_hook=_collect)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("\n".join(reply["content"].get("traceback", [])))
        return json.loads("".join(_collect.out))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _collect(msg):
    if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
        _collect.out.append(msg["content"]["text"])


_collect.out = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--kernel", action="store_true", help="run inside a fresh ipykernel")
    args = parser.parse_args()
    results = measure_in_kernel(args.changes) if args.kernel else measure(args.changes)
    where = "in an ipykernel (comms live)" if args.kernel else "in this process (no kernel)"
    print(f"explore(): ms per slider change, {args.changes} changes, {where}")
    print(f"{'function':<20} {'median':>7} {'p90':>7} {'max':>7} {'make':>7}")
    for name, r in results.items():
        t = sorted(r["changes"])
        p90 = t[int(0.9 * (len(t) - 1))]
        print(f"{name:<20} {statistics.median(t):7.1f} {p90:7.1f} {t[-1]:7.1f} {r['make']:7.1f}")


if __name__ == "__main__":
    main()
