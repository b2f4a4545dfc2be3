"""Layout and collapse: nodes never overlap, edges run left to right, big graphs summarise fast."""
import re
import sys

import pytest
from hypothesis import given, settings, strategies as st

import autograd_lab as torch
from autograd_lab import viz
from autograd_lab._node import scope
from autograd_lab.viz import _display

from test_viz import assert_portable


def check_scene(scene):
    """No two shapes overlap; every edge leaves a right side and enters a left side, rightwards."""
    shapes = scene.shapes
    for i, a in enumerate(shapes):
        assert 0 <= a.x and a.x + a.w <= scene.width and 0 <= a.y and a.y + a.h <= scene.height
        for b in shapes[i + 1:]:
            apart = (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y)
            assert apart, (a.texts[0].text, b.texts[0].text)

    def on_side(x, y, right):
        return any(abs((s.x + s.w if right else s.x) - x) < 0.2 and s.y <= y <= s.y + s.h
                   for s in shapes)

    lanes = []  # (y, x from, x to) of the straight runs drawn so far
    for e in scene.edges:
        (x0, y0), tip = e.start, e.arrow[1]
        assert x0 < tip[0] and e.arrow[0][0] < tip[0]  # arrowheads point right
        branch = any(y == y0 and a < x0 <= b for y, a, b in lanes)
        assert on_side(x0, y0, right=True) or branch  # leaves a node, or branches off a lane
        assert on_side(*tip, right=False)
        x, y = e.start
        for seg in e.path:
            if seg[0] == "H":
                lanes.append((y, x, seg[1]))
                x = seg[1]
            else:
                assert seg[5] > x  # curves run rightwards too
                x, y = seg[5:7]
            assert 0 <= x <= scene.width and 0 <= y <= scene.height


def n_nodes(t, **options):
    return len(viz.to_networkx(t, budget=options.get("budget", 60)))


def chain(n, x=None):
    x = torch.tensor([1.0, 2.0], requires_grad=True) if x is None else x
    y = x
    for i in range(n):
        y = y * 1.0001 if i % 2 else y + x
    return x, y


def test_seed_graphs_lay_out_cleanly():
    from viz_seeds import SEEDS

    for make in SEEDS.values():
        t, ns = make()
        check_scene(_display.scene(t, {"names": ns}))


def test_diamond_and_long_edges():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    h = (a * b).exp()
    out = ((h + a).tanh() * h - b.sum()).mean()
    check_scene(_display.scene(out, {}))


def test_collapses_chains_past_the_budget():
    x, y = chain(100)
    assert n_nodes(y, budget=None) == 201
    g = viz.to_networkx(y, budget=60)
    assert len(g) <= 60 and "collapsed" in g.graph["summary"]
    assert g.nodes["t0"]["role"] == "output" and g.nodes["op0"]["kind"] == "op"
    kinds = [a["kind"] for _, a in g.nodes(data=True)]
    collapsed = sum(a["count"] for _, a in g.nodes(data=True) if a["kind"] == "summary")
    assert "summary" in kinds and collapsed + kinds.count("op") == 100
    check_scene(_display.scene(y, {}))


def test_module_scopes_collapse_into_named_summaries():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x
    for layer in ("model.0", "model.1", "model.2"):
        scope.current = layer  # what nn.Module.__call__ sets
        try:
            for _ in range(12):
                h = (h * 0.5).tanh()
        finally:
            scope.current = None
    g = viz.to_networkx(h.sum(), budget=20)
    labels = sorted(a["label"] for _, a in g.nodes(data=True) if a["kind"] == "summary")
    assert labels == ["model.0", "model.1", "model.2"]
    assert len(g) <= 20
    check_scene(_display.scene(h.sum(), {"budget": 20}))
    coarse = viz.to_networkx(h.sum(), budget=4)  # per layer does not fit: the whole model
    assert [a["label"] for _, a in coarse.nodes(data=True) if a["kind"] == "summary"] == ["model"]
    assert len(coarse) <= 4


def test_scopes_that_would_make_a_cycle_are_not_merged():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    scope.current = "m"
    a = x * 2
    scope.current = None
    b = a.exp()  # outside the scope, between two ops of scope "m"
    scope.current = "m"
    c = b * 3
    scope.current = None
    out = c
    for _ in range(40):
        out = out + x
    g = viz.to_networkx(out, budget=20)
    assert len(g) <= 20
    assert "m" not in [a["label"] for _, a in g.nodes(data=True) if a["kind"] == "summary"]


def test_many_leaves_fit_the_budget():
    leaves = [torch.tensor(float(i), requires_grad=True) for i in range(150)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    for n in (3, 10, 60):
        g = viz.to_networkx(total, budget=n)
        assert len(g) <= n
    check_scene(_display.scene(total, {"budget": 10}))


def test_no_recursion_on_deep_graphs():
    x, y = chain(600)
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 60)  # a walk recursing per node would need 1,200 more
    try:
        svg = viz.to_svg(y, budget=None)
    finally:
        sys.setrecursionlimit(limit)
    assert_portable(svg)
    assert svg.count("<polygon") == len(viz.to_networkx(y).edges) == 1499


@pytest.fixture(scope="module")
def huge():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x
    for _ in range(50_000):  # 100,000 ops
        y = y * 1.0001 + x
    return y


def test_100k_op_graph_shows_a_small_summary(huge):
    """(How long it takes: benchmarks/bench_viz.py.)"""
    svg = huge._repr_mimebundle_()["image/svg+xml"]
    assert len(svg.encode()) < 100_000
    assert_portable(svg)
    assert "200,001 nodes, collapsed to 60 (budget 60)" in svg
    g = viz.to_networkx(huge, budget=60)
    summaries = [a for _, a in g.nodes(data=True) if a["kind"] == "summary"]
    ops = sum(1 for _, a in g.nodes(data=True) if a["kind"] == "op")
    assert len(g) <= 60 and len(summaries) == 1 and summaries[0]["count"] + ops == 100_000
    assert re.search(r">99,9\d\d ops<", svg)  # the summary node, then the last ops near y


OPS = ["add", "mul", "sub", "exp", "tanh", "pow", "sum_keep", "matmul"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=40),
       st.sampled_from([None, 8, 25]))
def test_random_graphs_lay_out_cleanly(program, budget):
    pool = [torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True),
            torch.tensor([[1.0, 1.5], [-0.5, 3.0]], requires_grad=True)]
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append({"add": lambda: a + b, "mul": lambda: a * b, "sub": lambda: a - b,
                     "exp": lambda: (a * 0.1).exp(), "tanh": a.tanh, "pow": lambda: a ** 2,
                     "sum_keep": lambda: a.sum(0, keepdim=True) + b,
                     "matmul": lambda: a @ b}[op]())
    out = pool[-1]
    scene = _display.scene(out, {"budget": budget})
    check_scene(scene)
    assert_portable(viz.to_svg(out, budget=budget))


def test_rest_summary_around_a_chain_summary_stays_acyclic():
    """Found by the random-graph test: 'rest' ops on both sides of a chain summary made a cycle."""
    program = [("add", 0, 0), ("add", 0, 1), ("add", 0, 0), ("add", 0, 0), ("sum_keep", 0, 39),
               ("add", 3, 6), ("add", 6, 7)]
    pool = [torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True),
            torch.tensor([[1.0, 1.5], [-0.5, 3.0]], requires_grad=True)]
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(a.sum(0, keepdim=True) + b if op == "sum_keep" else a + b)
    scene = _display.scene(pool[-1], {"budget": 8})
    check_scene(scene)
    assert_portable(viz.to_svg(pool[-1], budget=8))
