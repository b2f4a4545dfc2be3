"""`import autograd_lab` stays light: numpy only; viz and widgets load their libraries lazily."""
import json
import subprocess
import sys

HEAVY = ["networkx", "matplotlib", "ipywidgets", "IPython", "scipy", "torch"]
CODE = """\
import json, sys
before = set(sys.modules)
import autograd_lab
print(json.dumps(sorted(set(sys.modules) - before)))"""


def imported_by_autograd_lab():
    """Top-level names of the modules `import autograd_lab` loads in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", CODE], check=True, capture_output=True, text=True)
    return {name.partition(".")[0] for name in json.loads(out.stdout)}


def test_import_loads_numpy_and_nothing_heavier():
    top_level = imported_by_autograd_lab()
    assert "numpy" in top_level
    assert not top_level.intersection(HEAVY), sorted(top_level.intersection(HEAVY))
    third_party = {name for name in top_level - set(sys.stdlib_module_names)
                   if not name.startswith(("_cython", "cython_runtime"))}  # numpy's own
    assert third_party == {"autograd_lab", "numpy"}
