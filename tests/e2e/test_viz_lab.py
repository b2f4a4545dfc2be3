"""The graph display in a real JupyterLab, light and dark theme: a tensor as a cell's result
renders as an inline SVG graph (screenshots of the graphs land in e2e-artifacts/)."""
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lab_harness import make_notebook, open_notebook, run_all

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "e2e-artifacts"
CODE = """\
import autograd_lab as torch
x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
y = x1 ** 2 + x2 ** 3
y.backward()
y"""
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_graph_renders_inline(theme, lab_server, browser_page, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout
    server = lab_server({"graph.ipynb": make_notebook(CODE)})
    themes = server.log.parent / "lab-settings" / "@jupyterlab" / "apputils-extension"
    (themes / "themes.jupyterlab-settings").write_text(json.dumps({"theme": THEMES[theme]}))
    open_notebook(browser_page, server, "graph.ipynb")
    run_all(browser_page)
    graph = browser_page.locator(".jp-OutputArea-output .ag-graph svg")
    expect(graph).to_be_visible()
    text = graph.text_content()
    for label in ("x1", "x2", "PowBackward0", "AddBackward0", "grad 12."):
        assert label in text.replace("\u00a0", " ")
    box = graph.bounding_box()
    assert box["width"] > 500 and box["height"] > 150
    ARTIFACTS.mkdir(exist_ok=True)
    browser_page.locator(".jp-OutputArea-output").last.screenshot(
        path=ARTIFACTS / f"viz_lab_{theme}.png")
