"""A notebook that uses all three widgets, stored with its outputs, passes strict nbval.

Widget callbacks change widget state only, so moving a slider from a later cell adds no output
to any cell; reprs and the static form are deterministic.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbval")
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    """\
import autograd_lab as torch
from autograd_lab import nn, optim
from autograd_lab.widgets import explore, backprop_player, train_live""",
    """\
w = explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1, 1.0))
w""",
    """\
w.sliders["x"].value = 2.0
w.sliders["x"].value = 2.5
w.grads, w.value""",
    """\
explore(lambda x1, x2: x1 ** 2 + x2 ** 3, x1=(-2, 2, 0.1, 1.0), x2=(-2, 2, 0.1, 2.0),
        static=True)""",
    """\
explore(lambda x: x.item() * 2, x=(0, 1, 0.5)).error""",
    """\
x = torch.tensor(1.0, requires_grad=True)
z = (2 * x + 1) ** 2
p = backprop_player(z)
p.step = 3
p""",
    """\
torch.manual_seed(0)
model = nn.Linear(1, 1)
x = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
y_true = torch.tensor([[2.0], [4.0], [6.0]])
t = train_live(model, nn.functional.mse_loss, (x, y_true),
               optim.SGD(model.parameters(), lr=0.01), steps=100, block=True)
t""",
    """\
print(len(t.losses), round(t.losses[-1], 3))""",
]


def test_widget_notebook_passes_nbval(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, kernel_name="python3", timeout=120, record_timing=False,
                   store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "widgets.ipynb"
    nbformat.write(nb, path)

    outputs = [c.outputs for c in nb.cells]
    assert outputs[2][0]["data"]["text/plain"] == "({'x': 24.0}, 36.0)"
    assert [o.output_type for o in outputs[3]] == ["display_data", "display_data"]
    assert 'data-arg="x2">tensor(12.)' in outputs[3][0]["data"]["text/html"]
    assert "image/png" in outputs[3][1]["data"]
    assert "returned float, not a Tensor" in outputs[4][0]["data"]["text/plain"]
    assert outputs[5][0]["data"]["text/plain"] == "BackpropPlayer(PowBackward0: 4 steps)"
    assert outputs[7][0]["text"].startswith("100 ")

    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
                          "-p", "no:cacheprovider", "-q", str(path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{len(CELLS)} passed" in run.stdout
