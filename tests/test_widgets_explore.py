"""explore(): kernel-free. `slider.value = v` runs the same callback a browser drag runs."""
import asyncio
import base64
import io

import numpy as np
import pytest
from PIL import Image

import autograd_lab as torch
from autograd_lab.widgets import explore
from autograd_lab.widgets._explore import Explorer, Snapshot

ARTICLE = {  # the seed article's functions, their gradients, and slider ranges
    "y=2x+1": (lambda x: 2 * x + 1, lambda x: {"x": 2.0}, {"x": (-3, 3, 0.1, 1.0)}),
    "z=(2x+1)**2": (lambda x: (2 * x + 1) ** 2, lambda x: {"x": 8 * x + 4},
                    {"x": (-3, 3, 0.1, 1.0)}),
    "x1**2+x2**3": (lambda x1, x2: x1 ** 2 + x2 ** 3,
                    lambda x1, x2: {"x1": 2 * x1, "x2": 3 * x2 ** 2},
                    {"x1": (-2, 2, 0.1, 1.0), "x2": (-2, 2, 0.1, 2.0)}),
}


def png_pixels(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def slider_values(w):
    return {n: s.value for n, s in w.sliders.items()}


@pytest.mark.parametrize("name", ARTICLE)
def test_slider_change_updates_grads_readout_graph_and_plot(name):
    fn, grad, ranges = ARTICLE[name]
    w = explore(fn, **ranges)
    assert isinstance(w, Explorer) and set(w.sliders) == set(ranges)
    before = (w._readout.value, w._graph.value, w._plot.value)
    assert w.grads == pytest.approx(grad(**slider_values(w)))
    assert w.value == pytest.approx(fn(**slider_values(w)))

    first = next(iter(w.sliders.values()))
    first.value = -0.5
    assert w.error is None
    assert w.grads == pytest.approx(grad(**slider_values(w)))
    assert w.value == pytest.approx(fn(**slider_values(w)))
    for arg, g in w.grads.items():  # the readout shows each grad as the engine prints it
        assert f'data-arg="{arg}">{torch.tensor(g)!r}</span>' in w._readout.value
    assert w._graph.value.startswith('<div class="ag-graph"') and "<svg" in w._graph.value
    after = (w._readout.value, w._graph.value, w._plot.value)
    assert all(b != a for b, a in zip(before, after))
    assert png_pixels(w._plot.value).shape[:2] == png_pixels(before[2]).shape[:2]


@pytest.mark.parametrize("x", [-1.5, 0.0, 2.3])
def test_tangent_has_slope_x_grad_and_touches_the_curve(x):
    w = explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1))
    w.sliders["x"].value = x
    curve = w._model.plot
    (x0, x1), (y0, y1) = curve.tangent.get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(w.grads["x"], rel=1e-5)
    assert curve.point.get_data()[1][0] == pytest.approx((2 * x + 1) ** 2, rel=1e-5)
    assert curve.label.get_text() == f"slope = x.grad = {w.grads['x']:.4g}"


def test_contour_arrow_follows_the_gradient():
    w = explore(lambda x1, x2: x1 ** 2 + x2 ** 3, x1=(-2, 2, 0.1, 1.0), x2=(-2, 2, 0.1, 1.0))
    plot = w._model.plot
    (ax, ay), (bx, by) = plot.arrow._posA_posB  # matplotlib has no public getter for them
    assert (ax, ay) == (1.0, 1.0)
    direction = np.array([bx - ax, by - ay])
    assert direction / np.linalg.norm(direction) == pytest.approx(
        np.array([2.0, 3.0]) / np.hypot(2, 3))


def test_matches_pytorch():
    ref = pytest.importorskip("torch")
    w = explore(lambda a, b: (a * b + a.sin()) ** 2 / (1 + b.exp()),
                a=(-2, 2, 0.25, 0.5), b=(-2, 2, 0.25, -1.0))
    for a, b in [(0.5, -1.0), (1.75, 0.25), (-2.0, 2.0)]:
        w.sliders["a"].value, w.sliders["b"].value = a, b
        ta, tb = (ref.tensor(v, requires_grad=True) for v in (a, b))
        ((ta * tb + ta.sin()) ** 2 / (1 + tb.exp())).backward()
        assert w.grads == pytest.approx({"a": ta.grad.item(), "b": tb.grad.item()}, rel=1e-5)


def test_error_is_shown_and_the_widget_recovers():
    def f(x):
        if x.item() < 0:
            raise ValueError("only for x >= 0")
        return x.sqrt()

    w = explore(f, x=(-1, 1, 0.5, 1.0))
    w.sliders["x"].value = -0.5
    assert isinstance(w.error, ValueError)
    assert "ValueError:</b> only for x &gt;= 0" in w._readout.value
    assert w.grads == {"x": None} and w.value is None
    assert "no graph" in w._graph.value
    w.sliders["x"].value = 0.5
    assert w.error is None and "ag-error" not in w._readout.value
    assert w.grads["x"] == pytest.approx(0.5 / np.sqrt(0.5))
    assert "<svg" in w._graph.value


def test_non_tensor_result_is_explained():
    w = explore(lambda x: x.item() * 2, x=(-1, 1, 0.5))
    assert isinstance(w.error, TypeError)
    assert "returned float, not a Tensor" in w._readout.value
    assert "x.item()" in w._readout.value


@pytest.mark.parametrize("fn", [lambda x: x.detach() * 2, lambda x: torch.tensor(3.0)],
                         ids=["detach", "constant"])
def test_result_without_grad_is_explained(fn):
    w = explore(fn, x=(-1, 1, 0.5))
    assert isinstance(w.error, RuntimeError)
    assert "does not require grad" in w._readout.value
    assert "detach()" in w._readout.value  # the engine's hint on how this happens


def test_non_scalar_result_is_summed_and_says_so():
    w = explore(lambda x: torch.stack([x, x ** 2, 3 * x]), x=(-2, 2, 0.5, 1.5))
    assert w.grads["x"] == pytest.approx(1 + 2 * 1.5 + 3)
    assert w.value == pytest.approx([1.5, 2.25, 4.5])
    assert "backward() ran on out.sum()" in w._readout.value
    assert "SumBackward0" in w._graph.value


def test_unused_argument_has_no_grad_and_says_why():
    w = explore(lambda x1, x2: x1 * 3, x1=(-1, 1, 0.5), x2=(-1, 1, 0.5))
    assert w.grads == {"x1": 3.0, "x2": None}
    assert "x2 is not used" in w._readout.value


def test_more_than_two_arguments_have_no_plot():
    w = explore(lambda a, b, c: a * b * c, a=(0, 1, 0.5), b=(0, 1, 0.5), c=(0, 1, 0.5))
    assert w._plot is None and w._model.plot is None
    w.sliders["c"].value = 1.0
    assert w.grads == {"a": 0.5 * 1.0, "b": 0.5 * 1.0, "c": 0.25}


@pytest.mark.parametrize("ranges, error, match", [
    ({"x": (0, 1)}, TypeError, r"\(lo, hi, step\)"),
    ({"x": (1, 0, 0.1)}, ValueError, "lo < hi"),
    ({"x": (0, 1, 0)}, ValueError, "step > 0"),
    ({"x": (0, 1, 0.1, 2)}, ValueError, "outside"),
    ({"y": (0, 1, 0.1)}, TypeError, r"explore\(f, y=...\): missing a required argument: 'x'"),
    ({"x": (0, 1, 0.1), "y": (0, 1, 0.1)}, TypeError, "unexpected keyword argument 'y'"),
    ({}, TypeError, "needs a range"),
])
def test_bad_ranges_are_refused(ranges, error, match):
    with pytest.raises(error, match=match):
        explore(lambda x: x * 2, **ranges)


def test_start_defaults_to_the_middle_step():
    w = explore(lambda x: x * 2, x=(0, 1, 0.25))
    assert w.sliders["x"].value == 0.5
    assert (w.sliders["x"].min, w.sliders["x"].max, w.sliders["x"].step) == (0, 1, 0.25)
    assert w.sliders["x"].readout_format == ".2f"


def test_static_form_shows_readout_graph_and_plot():
    s = explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1, 1.0), static=True)
    assert isinstance(s, Snapshot)
    assert s.grads == {"x": 12.0} and s.value == 9.0
    html_out, png_out = s.outputs()
    assert 'class="ag-grad" data-arg="x">tensor(12.)' in html_out["text/html"]
    assert "<svg" in html_out["text/html"]
    assert html_out["text/plain"] == str(s) == (
        "f(x=1)\nout = tensor(9., grad_fn=<PowBackward0>)\nx.grad = tensor(12.)")
    assert png_pixels(base64.b64decode(png_out["image/png"])).ndim == 3
    # deterministic, so nbval can compare what a notebook stored
    again = explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1, 1.0), static=True)
    assert again.outputs()[0] == html_out


@pytest.mark.parametrize("read_at_once", [False, True])
def test_fast_changes_in_an_event_loop_coalesce_into_few_renders(read_at_once):
    w = explore(lambda x: x ** 3, x=(-2, 2, 0.01, 0.0))
    runs = []
    real_run = w._model.run
    w._model.run = lambda values: runs.append(values["x"]) or real_run(values)

    async def drag():
        for k in range(1, 51):  # 50 slider steps arriving faster than one render
            w.sliders["x"].value = k / 100
        assert len(runs) == 1  # the first rendered at once, the rest wait for one render
        if read_at_once:  # reading the state does the pending render now
            assert w.grads["x"] == pytest.approx(3 * 0.5 ** 2) and runs == [0.01, 0.5]
        await asyncio.sleep(0.2)

    asyncio.run(drag())
    assert runs == [0.01, 0.5]  # one more render, and it drew the last position
    assert w.grads["x"] == pytest.approx(3 * 0.5 ** 2)
    assert "tensor(0.7500)" in w._readout.value
