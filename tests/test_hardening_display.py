"""The graph display under hostile input: huge tensors, hostile names, NaN, deep module scopes."""
import xml.etree.ElementTree as ET

import pytest

import autograd_lab as torch

pytest.importorskip("networkx")
from autograd_lab import viz  # noqa: E402

HOSTILE = ['<script>alert("x")</script>', "a & b < c > d", "\"quoted\" 'single'", "]]>",
           "\u202eevil", "x" * 5000, "line\nbreak", "{{template}}", "\x00nul"]


def _svg(t, **options):
    svg = viz.to_svg(t, **options)
    ET.fromstring(svg)  # well-formed XML: every label was escaped
    return svg


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_are_escaped(name):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.name = name
    y = (x * 2).sum()
    y.backward()
    svg = _svg(y)
    assert "<script" not in svg and "\x00" not in svg
    bundle = y._repr_mimebundle_()
    assert "<script" not in bundle["text/html"]


def test_huge_tensors_display_abbreviated():
    big = torch.zeros(1000, 1000, requires_grad=True)
    y = (big * 2).sum()
    y.backward()
    svg = _svg(y)
    assert len(svg) < 100_000 and ("..." in svg or "…" in svg), len(svg)


def test_nan_inf_and_empty_tensors_display():
    x = torch.tensor([float("nan"), float("inf"), -float("inf")], requires_grad=True)
    e = torch.zeros(0, 3, requires_grad=True)
    for t in ((x * 2).sum(), e.sum() + x.sum(), torch.tensor(1.0)):
        _svg(t)
        assert t._repr_mimebundle_()["text/plain"] == repr(t)


def test_deeply_nested_module_scopes_display():
    model = torch.nn.Linear(2, 2)
    for _ in range(30):
        model = torch.nn.Sequential(model, torch.nn.Tanh())
    out = model(torch.ones(1, 2)).sum()
    _svg(out)
    _svg(out, budget=None)
