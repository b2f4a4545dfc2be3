"""The inline display contract: mime bundle, portable SVG, names, options, determinism."""
import hashlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import pytest
from IPython.core.formatters import DisplayFormatter

import autograd_lab as torch
from autograd_lab import viz

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = (" id=", "url(#", "href", "<style", "<script", "<marker", "<defs")


def assert_portable(svg):
    """Well-formed XML, none of the constructs that break on a shared page, explicit size."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for bad in FORBIDDEN:
        assert bad not in svg, bad
    w, h = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    background = root.find("{http://www.w3.org/2000/svg}rect")
    assert background.get("fill") == "#ffffff" and w > 0 and h > 0
    return root


def texts(svg):
    root = ET.fromstring(svg)
    return [t.text.replace("\u00a0", " ") for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_bundle_as_ipython_formats_it():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    data, _ = DisplayFormatter().format(y)
    assert set(data) == {"text/plain", "image/svg+xml", "text/html"}
    assert data["text/plain"] == repr(y) == "tensor([3., 5., 7., 9.], grad_fn=<AddBackward0>)"
    svg = data["image/svg+xml"]
    width = re.search(r' width="([\d.]+)"', svg).group(1)
    fitted = svg.replace("<svg ", f'<svg style="width:100%;max-width:{float(width):g}px;'
                         f'min-width:{0.75 * float(width):.0f}px;height:auto" ', 1)
    shown_repr = ('<pre class="ag-repr" style="margin:0 0 6px 0;'
                  'font-family:var(--jp-code-font-family,monospace);'
                  'font-size:var(--jp-code-font-size,13px);'
                  'line-height:var(--jp-code-line-height,1.3)">'
                  'tensor([3., 5., 7., 9.], grad_fn=&lt;AddBackward0&gt;)</pre>')
    printed = "<style>@media print{.ag-graph svg{min-width:0!important}}</style>"
    assert data["text/html"] == \
        f'<div class="ag-graph" style="overflow-x:auto">{printed}{shown_repr}{fitted}</div>'
    assert_portable(svg)
    assert svg == viz.to_svg(y)
    shown = texts(svg)
    assert {"x", "y", "*", "+", "MulBackward0", "AddBackward0", "[3., 5., 7., 9.]"} <= set(shown)


def test_include_exclude():
    x = torch.tensor(1.0, requires_grad=True)
    assert set(x._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert set(x._repr_mimebundle_(exclude={"text/html"})) == {"text/plain", "image/svg+xml"}


def test_leaf_without_history_is_one_node():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    g = viz.to_networkx(x)
    assert list(g.nodes) == ["t0"] and g.nodes["t0"]["role"] == "leaf"
    assert g.nodes["t0"]["name"] == "x"
    assert viz.to_networkx(c).nodes["t0"]["role"] == "const"
    data, _ = DisplayFormatter().format(c)
    assert data["text/plain"] == repr(c)
    assert_portable(data["image/svg+xml"])


def test_model_attributes_after_backward():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    z = y ** 2
    z.sum().backward()
    g = viz.to_networkx(z)
    kinds = {n: a["kind"] for n, a in g.nodes(data=True)}
    assert sorted(kinds.values()) == ["op"] * 3 + ["tensor"] * 4
    ops = [a["grad_fn"] for _, a in g.nodes(data=True) if a["kind"] == "op"]
    assert sorted(ops) == ["AddBackward0", "MulBackward0", "PowBackward0"]
    by_name = {a["name"]: a for _, a in g.nodes(data=True) if a["kind"] == "tensor" and a["name"]}
    assert set(by_name) == {"x", "y", "z"}  # y is found through its grad_fn
    assert by_name["x"]["grad"] == "[12., 20., 28., 36.]"
    assert by_name["x"]["role"] == "leaf" and by_name["z"]["role"] == "output"
    assert by_name["z"]["value"] == "[ 9., 25., 49., 81.]"
    assert by_name["y"]["shape"] == (4,) and by_name["y"]["dtype"] == "torch.float32"
    # edges follow the data: x -> MulBackward0 -> (2x) -> AddBackward0 -> y -> Pow -> z
    path = ["x"]
    node = next(n for n, a in g.nodes(data=True) if a.get("name") == "x")
    while g.succ[node]:
        node = next(iter(g.succ[node]))
        path.append(g.nodes[node].get("name") or g.nodes[node].get("grad_fn"))
    assert path == ["x", "MulBackward0", "MulBackward0", "AddBackward0", "y", "PowBackward0", "z"]


def test_t_name_wins_and_retained_grad_is_shown():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    a.name = "weights"
    h = a * 3
    h.retain_grad()
    out = h.sum()
    out.backward()
    g = viz.to_networkx(out)
    names = {at["name"]: at for _, at in g.nodes(data=True) if at["kind"] == "tensor"}
    assert "weights" in names and "a" not in names
    assert names["h"]["grad"] == "[1., 1.]"


def test_names_option():
    x = torch.tensor(1.0, requires_grad=True)
    y = x * 2
    assert "x" not in texts(viz.to_svg(y, names=False))
    assert "input" in texts(viz.to_svg(y, names={"input": x}))
    with pytest.raises(TypeError):
        viz.to_svg(y, names=3)


def test_names_from_ipython_user_namespace():
    x = torch.tensor(1.0, requires_grad=True)
    shell = mock.Mock(user_ns={"alpha": x, "_": x, "_3": x})
    with mock.patch("IPython.get_ipython", return_value=shell):
        g = viz.to_networkx(x * 2)
    assert [a["name"] for _, a in g.nodes(data=True) if a.get("role") == "leaf"] == ["alpha"]


def test_parameter_role():
    class Parameter(torch.Tensor):
        pass

    w = Parameter([0.5, -1.0]).requires_grad_()
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = viz.to_networkx((w * x).sum())
    roles = {a["name"]: a["role"] for _, a in g.nodes(data=True) if a["kind"] == "tensor"}
    assert roles["w"] == "param" and roles["x"] == "leaf"
    assert "parameter" in texts(viz.to_svg(w * x))


@pytest.mark.parametrize("hostile", ['<script>alert("x")</script>', "a & b 'q' \"dq\"",
                                     "]]><!--", "tab\tnl\nnul\x00esc\x1b"])
def test_hostile_names_are_escaped(hostile):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.name = hostile
    y = (x * 2).sum()
    svg = viz.to_svg(y)
    assert_portable(svg)
    assert "<script" not in svg and "<!--" not in svg
    titles = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}title")]
    assert any(hostile.split("\x00")[0] in t for t in titles)


def test_inline_option_and_show():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    viz.set_options(inline=False)
    try:
        assert y._repr_mimebundle_() == {"text/plain": repr(y)}
        with mock.patch("IPython.display.display") as display:
            viz.show(y, legend=False, budget=10)
        shown = display.call_args.args[0]._repr_mimebundle_()
        assert set(shown) == {"text/plain", "image/svg+xml", "text/html"}
        assert "leaf, requires grad" not in shown["image/svg+xml"]
    finally:
        viz.set_options(inline=True)
    assert viz.get_options()["inline"] is True
    with pytest.raises(TypeError, match="unknown viz option"):
        viz.set_options(colour="red")
    with pytest.raises(ValueError):
        viz.set_options(budget=1)


def test_values_and_grads_options():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    shown = texts(viz.to_svg(x, values=False, grads=False))
    assert "[1., 2.]" not in shown and not any(t.startswith("grad") for t in shown)
    assert "grad [3., 3.]" in texts(viz.to_svg(x))


def test_grads_mapping_shows_given_gradients_instead_of_dot_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    s = y.sum()
    mapping = {s.grad_fn: 1.0, y.grad_fn: torch.ones(2), x: torch.tensor([3.0, 3.0])}
    shown = texts(viz.to_svg(s, grads=mapping, names={"x": x, "y": y, "s": s}))
    assert shown.count("grad 1.") == 1 and "grad [1., 1.]" in shown
    assert "grad [3., 3.]" in shown and x.grad is None
    assert not any(t.startswith("grad") for t in texts(viz.to_svg(s, grads={})))
    with pytest.raises(TypeError, match="grads must be True, False or a mapping"):
        viz.to_svg(s, grads="yes")


def test_big_values_are_abbreviated_like_pytorch():
    x = torch.arange(100.0, requires_grad=True)
    m = torch.ones(10, 10, requires_grad=True)
    assert viz.to_networkx(x).nodes["t0"]["value"] == "[ 0.,  1.,  ..., 98., 99.]"
    lines = viz.to_networkx(m).nodes["t0"]["value"].split("\n")
    assert lines == ["[[1., 1.,  ..., 1., 1.],", " [1., 1.,  ..., 1., 1.],", " ...,",
                     " [1., 1.,  ..., 1., 1.],", " [1., 1.,  ..., 1., 1.]]"]
    assert viz.to_networkx(x).nodes["t0"]["tooltip"].startswith(f"x = {x!r}\n")
    big = torch.arange(1000.0)
    assert viz.to_networkx(big).nodes["t0"]["tooltip"].startswith(
        "big = tensor([  0.,   1.,   2.,  ..., 997., 998., 999.])")


def test_deterministic_in_process():
    def make():
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        return ((a * b).exp() + a - b).sum()

    assert viz.to_svg(make(), names=False) == viz.to_svg(make(), names=False)


SNIPPET = """
import hashlib, sys
sys.path[:0] = [{root!r}, {tests!r}]
from autograd_lab import viz
from viz_seeds import SEEDS
import autograd_lab as torch
out = []
for make in SEEDS.values():
    t, ns = make()
    out.append(viz.to_svg(t, names=ns))
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x
for i in range(300):
    y = (y * 1.5 + x).tanh() if i % 3 else y - x.exp()
out.append(viz.to_svg(y))
print(hashlib.sha256("".join(out).encode()).hexdigest())
"""


def test_byte_identical_across_fresh_processes():
    code = SNIPPET.format(root=str(ROOT), tests=str(ROOT / "tests"))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and re.fullmatch(r"[0-9a-f]{64}\n", runs[0])
