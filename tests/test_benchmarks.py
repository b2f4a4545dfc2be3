"""The speed scripts in benchmarks/ still run (tiny sizes) and check their own results."""
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script, *args):
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_engine_benchmark_compares_every_contender():
    out = run("bench_engine.py", "--ops", "40", "--repeat", "1")
    assert out.count("40-op chain") == 2
    assert out.count("numpy floor") == 2 and out.count("autograd_lab") == 2
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    assert out.count("pytorch") == 2


def test_mlp_benchmark_reaches_the_same_loss_in_every_contender():
    out = run("bench_mlp.py", "--steps", "1", "--repeats", "1")  # exits non-zero if losses differ
    assert "float64:" in out and "float32:" in out and out.count("autograd_lab") == 2


def test_small_ops_benchmark_times_every_case_in_every_mode():
    out = run("bench_small_ops.py", "--number", "10", "--repeat", "1")
    header, *rows = out.splitlines()[1:]
    assert header.split() == "v @ M B @ M B @ C t[1, 2:5] t[None, 0]".split()
    names = [row.rsplit(maxsplit=5)[0].strip() for row in rows]
    assert names[:4] == ["numpy", "autograd_lab recording", "autograd_lab no input grad",
                         "autograd_lab no_grad()"]
    assert all(float(us) > 0 for row in rows for us in row.split()[-5:])
