"""Re-execute notebooks in place to refresh the stored outputs that nbval compares against.

    python tools/regen_notebooks.py                     # every notebooks/**/*.ipynb
    python tools/regen_notebooks.py notebooks/zh/01.ipynb

Strips old outputs, per-cell timing metadata and saved widget state first, then executes in a
fresh python3 kernel with timing/widget-state recording off, so a re-run only changes what really
changed (plus widget model_ids, which are random and which nbval ignores). Review the diff.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
paths = [Path(arg) for arg in sys.argv[1:]] or sorted(
    p for p in NOTEBOOKS.glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
for path in paths:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False,
                   store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    print("regenerated", path)
