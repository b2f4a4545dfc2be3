"""`explore(fn, x=(lo, hi, step))`: move an input with a slider, watch the value, `x.grad`, the
graph and the tangent (or gradient arrow) change at once.

Every change runs the real engine: fresh leaves with `requires_grad=True`, `out = fn(**leaves)`,
`out.backward()`. The plot's curve (one argument) or contour map (two) is sampled once, under
`no_grad()`, when the explorer is made; only the tangent or arrow moves.
"""
import inspect
from dataclasses import dataclass, field

import ipywidgets as W
import numpy as np
from matplotlib.patches import FancyArrowPatch

from .._factories import tensor
from .._grad_mode import no_grad
from .._tensor import Tensor
from ._common import (Canvas, Coalescer, Static, error_html, esc, graph_html, graph_widget,
                      message_html, plain, png_output, short)

CURVE_POINTS = 201
CONTOUR_POINTS = 41


def explore(fn, *, static=False, **ranges):
    """Sliders for the arguments of `fn`; the value, every `.grad`, the graph and a plot follow.

        explore(lambda x: (2 * x + 1) ** 2, x=(-3, 3, 0.1))
        explore(lambda x1, x2: x1 ** 2 + x2 ** 3, x1=(-2, 2, 0.1, 1.0), x2=(-2, 2, 0.1, 2.0))

    Each range is `(lo, hi, step)` or `(lo, hi, step, start)` (start defaults to the middle).
    One argument plots `fn` with its tangent at x (slope `x.grad`); two plot a contour map with
    the gradient arrow; more get no plot. A non-scalar result is summed before `backward()`
    (the widget says so). Returns an `Explorer` widget (`.sliders`, `.grads`, `.value`,
    `.error`), or with `static=True` a `Snapshot` at the start values: the same readout, graph
    and plot as plain outputs, for printing, static HTML and nbval.
    """
    model = _Model(fn, ranges)
    return Snapshot(model) if static else Explorer(model)


@dataclass
class Result:
    """One evaluation: the inputs, `out`, the tensor backward ran on, the leaves' grads."""

    values: dict
    out: object = None
    loss: Tensor = None
    grads: dict = field(default_factory=dict)
    note: str = ""
    error: Exception = None

    def grad_values(self):
        """{argument: its .grad as a float (or array), None where no gradient arrived}."""
        return {name: plain(g) for name, g in self.grads.items()}

    def out_value(self):
        """`out` as a float (or array); None after an error."""
        return plain(self.out) if self.error is None else None


class _Model:
    """The function, its slider ranges, the engine run for given inputs, and the plot."""

    def __init__(self, fn, ranges):
        if not callable(fn):
            raise TypeError(f"explore() needs a function, got {type(fn).__name__}")
        if not ranges:
            raise TypeError("explore() needs a range per argument, e.g. explore(f, x=(-3, 3, 0.1))")
        self.fn, self.name = fn, _fn_name(fn)
        self.ranges = {name: _parse_range(name, r) for name, r in ranges.items()}
        _check_signature(fn, self.name, self.ranges)
        lohi = [(name, r[0], r[1]) for name, r in self.ranges.items()]
        self.plot = (_Curve(self, *lohi[0]) if len(lohi) == 1 else
                     _Contour(self, lohi[0], lohi[1]) if len(lohi) == 2 else None)

    def start(self):
        return {name: r[3] for name, r in self.ranges.items()}

    def run(self, values):
        """Fresh leaves, `out = fn(**leaves)`, backward; errors are caught into the Result."""
        leaves = {}
        for name, v in values.items():
            leaves[name] = tensor(float(v), requires_grad=True)
            leaves[name].name = name
        result = Result(dict(values), grads=dict.fromkeys(values))
        try:
            out = result.out = self.fn(**leaves)
            if not isinstance(out, Tensor):
                raise TypeError(
                    f"{self.name} returned {type(out).__name__}, not a Tensor, so there is "
                    f"nothing to call backward() on. Build the result from the tensors it "
                    f"receives (2 * x + 1); x.item(), float(x) and numpy functions leave the "
                    f"graph, and no gradient can flow back through them.")
            loss = out
            if out.numel() != 1:
                loss = out.sum()
                result.note = (f"out has shape {tuple(out.shape)}: backward() ran on out.sum(), "
                               f"since only a scalar gets an implicit gradient.")
            loss.backward()
            result.loss = loss
        except Exception as exc:  # shown in the widget; the next change tries again
            result.error = exc
            return result
        result.grads = {name: leaf.grad for name, leaf in leaves.items()}
        return result

    def value_at(self, values):
        """`fn` summed to one float at plain inputs under no_grad (nan where it fails)."""
        try:
            with no_grad():
                out = self.fn(**{n: tensor(float(v)) for n, v in values.items()})
            return float(np.sum(np.asarray(out, dtype=float)))
        except Exception:
            return float("nan")

    def readout_html(self, result):
        rows = [esc(self.call(result))]
        if result.error is None:
            rows.append(f'out = <span class="ag-value">{esc(result.out)}</span>')
            for name, g in result.grads.items():
                why = "" if g is not None else f"  ({name} is not used: no gradient reaches it)"
                rows.append(f'{esc(name)}.grad = <span class="ag-grad" data-arg="{esc(name)}">'
                            f'{esc(g)}</span>{esc(why)}')
        body = "".join(f"<div>{row}</div>" for row in rows)
        if result.note:
            body += message_html("note", "Note:", result.note)
        if result.error is not None:
            body += error_html(result.error, "\n(The widget keeps working: move a slider.)")
        return f'<div class="ag-readout" style="font-family:monospace">{body}</div>'

    def call(self, result):
        """`f(x=1.5)`: the function and the inputs of `result`."""
        return f"{self.name}({', '.join(f'{n}={short(v)}' for n, v in result.values.items())})"

    def graph_html(self, result):
        if result.loss is None:
            return '<div class="ag-graph"><i>no graph: the function did not run through</i></div>'
        return graph_html(result.loss, names=False)  # the leaves carry their names

    def text(self, result):
        """The readout as plain text."""
        lines = [self.call(result)]
        if result.error is not None:
            lines.append(f"{type(result.error).__name__}: {result.error}")
        else:
            lines.append(f"out = {result.out!r}")
            lines += [f"{n}.grad = {g!r}" for n, g in result.grads.items()]
        if result.note:
            lines.append(f"Note: {result.note}")
        return "\n".join(lines)


class Explorer(W.VBox):
    """The live form of `explore`: sliders, readout, graph and plot (see `explore`)."""

    def __init__(self, model):
        self._model = model
        self.sliders = {name: _slider(name, *r) for name, r in model.ranges.items()}
        self._readout, self._graph = W.HTML(), graph_widget()
        self._plot = W.Image(format="png") if model.plot is not None else None
        top = [self._readout] + ([self._plot] if self._plot is not None else [])
        super().__init__([W.VBox(list(self.sliders.values())), W.HBox(top), self._graph])
        self._changed = Coalescer(self._render)
        self._render()
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")

    def _render(self):
        model = self._model
        self._result = result = model.run({n: s.value for n, s in self.sliders.items()})
        self._readout.value = model.readout_html(result)
        self._graph.value = model.graph_html(result)
        if self._plot is not None:
            self._plot.value = model.plot.png(result)

    @property
    def result(self):
        """The evaluation at the sliders' values (a render still pending is done first)."""
        self._changed.flush()
        return self._result

    @property
    def grads(self):
        """{argument name: its .grad as a float (or array); None where none arrived}."""
        return self.result.grad_values()

    @property
    def value(self):
        """The function's result as a float (or array), None after an error."""
        return self.result.out_value()

    @property
    def error(self):
        """The exception the last evaluation raised, or None."""
        return self.result.error

    def __repr__(self):
        return f"Explorer({self._model.call(self.result)})"


class Snapshot(Static):
    """The static form of `explore`: the readout and graph as HTML, the plot as PNG."""

    def __init__(self, model):
        self._model = model
        self.result = model.run(model.start())
        self.grads, self.value = self.result.grad_values(), self.result.out_value()
        self.error = self.result.error

    def outputs(self):
        """The readout and graph (HTML), then the plot (PNG)."""
        model, result = self._model, self.result
        shown = [{"text/plain": str(self),
                  "text/html": model.readout_html(result) + model.graph_html(result)}]
        if model.plot is not None:
            shown.append(png_output(model.plot.png(result), f"<plot of {model.name}>"))
        return shown

    def __str__(self):
        return self._model.text(self.result)

    def __repr__(self):
        return f"Snapshot({self._model.name})"


class _Curve:
    """One argument: `fn` over the slider's range, the point at x and the tangent (slope x.grad)."""

    def __init__(self, model, name, lo, hi):
        self.name, self.lo, self.hi = name, lo, hi
        self.canvas = c = Canvas()
        xs = np.linspace(lo, hi, CURVE_POINTS)
        ys = np.array([model.value_at({name: x}) for x in xs])
        c.ax.plot(xs, ys, color="C0", lw=2)
        c.ax.set_xlim(lo, hi)
        c.ax.set_ylim(*_padded(ys))
        c.ax.set_xlabel(name)
        c.ax.set_ylabel(f"{model.name}({name})")
        c.ax.grid(alpha=0.3)
        self.tangent, = c.ax.plot([], [], "--", color="C3", lw=1.5)
        self.point, = c.ax.plot([], [], "o", color="C3")
        self.label = c.ax.text(0.03, 0.95, "", transform=c.ax.transAxes, va="top", color="C3")
        c.freeze(self.tangent, self.point, self.label)

    def png(self, result):
        g = result.grads.get(self.name)
        if result.error is None and g is not None:
            x0, y0, slope = result.values[self.name], result.loss.item(), g.item()
            self.point.set_data([x0], [y0])
            self.tangent.set_data([self.lo, self.hi],
                                  [y0 + slope * (self.lo - x0), y0 + slope * (self.hi - x0)])
            self.label.set_text(f"slope = {self.name}.grad = {short(slope)}")
        else:
            self.point.set_data([], [])
            self.tangent.set_data([], [])
            self.label.set_text("")
        return self.canvas.png(self.tangent, self.point, self.label)


class _Contour:
    """Two arguments: contour map of `fn`, the point, and the gradient as an arrow."""

    def __init__(self, model, first, second):
        (self.xname, x0, x1), (self.yname, y0, y1) = first, second
        self.canvas = c = Canvas(height=3.2)
        xs, ys = np.linspace(x0, x1, CONTOUR_POINTS), np.linspace(y0, y1, CONTOUR_POINTS)
        z = np.array([[model.value_at({self.xname: x, self.yname: y}) for x in xs] for y in ys])
        if np.isfinite(z).any() and np.nanmin(z) < np.nanmax(z):
            filled = c.ax.contourf(xs, ys, z, levels=20, cmap="viridis")
            c.ax.contour(xs, ys, z, levels=filled.levels, colors="k", linewidths=0.3, alpha=0.5)
        c.ax.set_xlim(x0, x1)
        c.ax.set_ylim(y0, y1)
        c.ax.set_xlabel(self.xname)
        c.ax.set_ylabel(self.yname)
        # Arrow length ∝ |grad|: the steepest slope on the grid gets a quarter of the plot.
        with np.errstate(all="ignore"):
            dz_dy, dz_dx = np.gradient(z, ys, xs)
            steepest = np.nanmax(np.hypot(dz_dx, dz_dy)) if np.isfinite(z).any() else np.nan
        span = min(x1 - x0, y1 - y0)
        self.scale = 0.25 * span / steepest if np.isfinite(steepest) and steepest > 0 else 0.0
        self.point, = c.ax.plot([], [], "o", color="white", mec="black")
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16,
                                     color="C3", lw=2)
        c.ax.add_patch(self.arrow)
        self.label = c.ax.text(0.03, 0.95, "", transform=c.ax.transAxes, va="top", color="white",
                               bbox={"facecolor": "black", "alpha": 0.5, "lw": 0})
        c.freeze(self.point, self.arrow, self.label)

    def png(self, result):
        gx, gy = (result.grads.get(n) for n in (self.xname, self.yname))
        shown = result.error is None and (gx is not None or gy is not None)
        if shown:
            gx, gy = (0.0 if g is None else float(g) for g in (gx, gy))
            x, y = result.values[self.xname], result.values[self.yname]
            self.point.set_data([x], [y])
            self.arrow.set_positions((x, y), (x + self.scale * gx, y + self.scale * gy))
            self.label.set_text(f"grad = ({short(gx)}, {short(gy)})")
        else:
            self.point.set_data([], [])
            self.label.set_text("")
        self.arrow.set_visible(shown)
        return self.canvas.png(self.point, self.arrow, self.label)


def _fn_name(fn):
    name = getattr(fn, "__name__", None)
    return "f" if not name or name == "<lambda>" else name


def _parse_range(name, r):
    """(lo, hi, step[, start]) checked, as floats; start defaults to the step nearest the middle."""
    if not isinstance(r, (tuple, list)) or len(r) not in (3, 4):
        raise TypeError(f"range for {name!r} must be (lo, hi, step) or (lo, hi, step, start), "
                        f"got {r!r}")
    lo, hi, step = (float(v) for v in r[:3])
    if not lo < hi or step <= 0:
        raise ValueError(f"range for {name!r} needs lo < hi and step > 0, got {tuple(r)!r}")
    start = float(r[3]) if len(r) == 4 else lo + round((hi - lo) / 2 / step) * step
    if not lo <= start <= hi:
        raise ValueError(f"start {start} for {name!r} is outside [{lo}, {hi}]")
    return lo, hi, step, start


def _check_signature(fn, name, ranges):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: calling will tell
        return
    try:
        sig.bind(**ranges)
    except TypeError as exc:
        raise TypeError(f"explore({name}, {'=..., '.join(ranges)}=...): {exc} (give each "
                        f"argument of {name} a range, and only those)") from None


def _slider(name, lo, hi, step, start):
    decimals = len(np.format_float_positional(step, trim="-").partition(".")[2])
    return W.FloatSlider(value=start, min=lo, max=hi, step=step, description=name,
                         continuous_update=True, readout_format=f".{decimals}f")


def _padded(ys):
    """y-limits around the finite samples, with a margin."""
    finite = ys[np.isfinite(ys)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad
