"""`import autograd_lab` stays light: numpy only; viz and widgets load their libraries lazily."""
import json
import subprocess
import sys

HEAVY = ["networkx", "matplotlib", "ipywidgets", "IPython", "scipy", "torch"]


def test_import_loads_numpy_and_nothing_heavier():
    code = "import json, sys, autograd_lab; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    top_level = {name.partition(".")[0] for name in json.loads(out.stdout)}
    assert "numpy" in top_level
    assert not top_level.intersection(HEAVY), sorted(top_level.intersection(HEAVY))
