"""What the three widgets share: the inline graph, HTML snippets, the plot canvas, coalescing.

Widgets change only widget state (`HTML.value`, `Image.value`) from callbacks, never print into
an Output widget, so notebooks that store them stay stable under nbval.
"""
import asyncio
import html
import io
import time

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave

from .. import viz
from ..viz import _display
from .._tensor import Tensor


def graph_html(tensor, **options):
    """The graph of `tensor` (`viz.to_svg` options) in the `ag-graph` box, fitted to the width."""
    return _display.html(viz.to_svg(tensor, **options))


def graph_widget():
    """The HTML widget a graph is shown in."""
    return W.HTML()


def esc(obj):
    """`str(obj)` escaped for HTML."""
    return html.escape(str(obj))


def plain(t):
    """A tensor as a Python float (one element) or a numpy array (a copy); None stays None."""
    if t is None:
        return None
    data = t._data if isinstance(t, Tensor) else np.asarray(t)
    return float(data.reshape(())) if data.size == 1 else data.copy()


def short(x):
    """A number for labels: 4 significant digits."""
    return f"{x:.4g}"


def message_html(kind, title, text):
    """A boxed message, kind 'error' (red) or 'note' (amber), with a bold title."""
    colour = {"error": ("#fdecea", "#b3261e"), "note": ("#fff8e1", "#8a6d00")}[kind]
    return (f'<div class="ag-{kind}" style="background:{colour[0]};color:{colour[1]};'
            f'border-left:4px solid {colour[1]};padding:4px 8px;margin:4px 0;'
            f'white-space:pre-wrap;font-family:monospace"><b>{esc(title)}</b> {esc(text)}</div>')


def error_html(exc, hint=""):
    """An exception as the widget shows it: type, message, and what to do next."""
    return message_html("error", f"{type(exc).__name__}:", f"{exc}{hint}")


def running_loop():
    """The event loop running this code (a Jupyter kernel's), or None in plain Python."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Coalescer:
    """Call `render()` for a stream of changes, at most once per `interval` seconds.

    In a kernel, changes that arrive while a render is due later only mark it pending, and the
    one render that follows reads the latest values: a fast drag costs a few renders, not one
    per step, and the last position is always drawn. Without an event loop (plain Python,
    kernel-free tests) every change renders at once.
    """

    def __init__(self, render, interval=0.04):
        self.render, self.interval = render, interval
        self._due = None
        self._done = -float("inf")

    def __call__(self, change=None):
        if self._due is not None:
            return
        loop = running_loop()
        wait = self._done + self.interval - time.monotonic()
        if loop is None or wait <= 0:
            self._run()
        else:
            self._due = loop.call_later(wait, self._run)

    def flush(self):
        """Do a pending render now."""
        if self._due is not None:
            self._due.cancel()
            self._run()

    def _run(self):
        self._due = None
        try:
            self.render()
        finally:
            self._done = time.monotonic()


class Canvas:
    """A reused matplotlib figure (Agg, no pyplot) that renders PNG bytes fast.

    Draw the parts that never change once, then `freeze()`; `png(*artists)` restores that
    background and draws only the moving `artists` (blitting) before encoding.
    """

    def __init__(self, width=4.2, height=3.0, dpi=100):
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self._background = None

    def freeze(self, *moving):
        """Render everything except the `moving` artists as the fixed background."""
        for artist in moving:
            artist.set_animated(True)
        self.figure.tight_layout()
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, *artists):
        """The figure as PNG bytes: the frozen background plus `artists` drawn on top."""
        if self._background is None:
            self.freeze()
        self.canvas.restore_region(self._background)
        for artist in artists:
            self.figure.draw_artist(artist)
        buf = io.BytesIO()
        imsave(buf, np.asarray(self.canvas.buffer_rgba()), format="png",
               pil_kwargs={"compress_level": 1})
        return buf.getvalue()
