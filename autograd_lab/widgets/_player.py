"""`backprop_player(output)`: the real backward pass of `output`, replayed one node at a time.

The engine runs once, when the player is made, exactly as `backward()` would (same order, same
rules), with a `trace` callback recording each step: the node, the gradient it received, and
what it sent along each edge. It runs with `keep_graph=True` and a `capture` dict, like
`torch.autograd.grad(output, ...)` with `retain_graph=True`: the leaves' `.grad` is not touched
and the graph can still be backpropagated afterwards. As with `autograd.grad`, tensor hooks run
and `retain_grad()` tensors receive their gradient.
"""
from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from .._node import Node
from .._tensor import Tensor
from ..autograd import _NOT_CONNECTED, _engine
from ..viz import _names
from ._common import esc, graph_html, graph_widget, message_html, plain, short


def backprop_player(output, interval=800):
    """A player for the backward pass of `output`: Play / Step / Reset through its nodes.

    Each step highlights the active node in the graph and shows the gradient it received, the
    local derivative and gradient on each of its edges, and every `+=` into a leaf's `.grad`.
    A non-scalar `output` is replayed as `output.sum()` (gradient of ones), and says so.
    The replay changes no `.grad` and keeps the graph: `output.backward()` still works after.
    `interval` is the time per step in milliseconds when playing.
    """
    return BackpropPlayer(output, _names.lookup(), interval)


@dataclass
class Step:
    """One node of the backward pass: `node` (a Node, or a leaf Tensor), the gradient it
    received, and `edges`: (input, gradient sent to it) for each input that needs one."""

    node: object
    grad: np.ndarray
    edges: list


def record(output):
    """The steps of `output`'s backward pass, in the engine's order, leaving `.grad` untouched."""
    if not isinstance(output, Tensor):
        raise TypeError(f"backprop_player() needs a Tensor, got {type(output).__name__}")
    if not output.requires_grad:
        raise RuntimeError(_NOT_CONNECTED.format(i=0))
    steps = []
    _engine.run([output], [np.ones_like(output._data)], keep_graph=True, create_graph=False,
                capture={}, trace=lambda node, g, edges: steps.append(Step(node, g, list(edges))))
    return steps


class BackpropPlayer(W.VBox):
    """The backward pass of a tensor as steps (see `backprop_player`). `.steps` lists them,
    `.step` is how many are shown (set it to jump), `.grads` the leaves' gradients so far."""

    def __init__(self, output, names, interval):
        self.output, self.steps = output, record(output)
        self._names = names
        n = len(self.steps)
        self.play = W.Play(value=0, min=0, max=n, step=1, interval=interval,
                           description="Play")
        self.step_button, self.reset_button = (
            W.Button(description=text, icon=icon, layout=W.Layout(width="auto"))
            for text, icon in (("Step", "step-forward"), ("Reset", "undo")))
        self._header, self._graph, self._detail = W.HTML(), graph_widget(), W.HTML()
        controls = W.HBox([self.play, self.step_button, self.reset_button, self._header])
        super().__init__([controls, self._graph, self._detail])
        self.step_button.on_click(lambda _: setattr(self, "step", self.step + 1))
        self.reset_button.on_click(lambda _: setattr(self, "step", 0))
        self.play.observe(lambda _: self._render(), names="value")
        self._render()

    @property
    def step(self):
        """How many steps of the backward pass are done (0 = before it starts)."""
        return self.play.value

    @step.setter
    def step(self, k):
        self.play.value = max(0, min(int(k), len(self.steps)))

    @property
    def grads(self):
        """{leaf label: its gradient after the steps done so far} for leaves reached already."""
        return {self._label(s.node): plain(s.grad) for s in self.steps[:self.step]
                if not isinstance(s.node, Node)}

    def _label(self, obj):
        if isinstance(obj, Node):
            return obj.name()
        return obj.name or self._names.tensor(obj) or f"leaf {tuple(obj.shape)}"

    def _render(self):
        k, n = self.step, len(self.steps)
        active = self.steps[k - 1].node if k else None
        self._header.value = f'<span class="ag-step">step {k} / {n}</span>'
        self._graph.value = graph_html(self.output, highlight=active)
        self._detail.value = self._detail_html(k)

    def _detail_html(self, k):
        intro = ("backward() starts at the output with gradient 1." if self.output.numel() == 1
                 else f"output has shape {tuple(self.output.shape)}: replaying output.sum(), "
                 f"i.e. starting from a gradient of ones.")
        intro += " The player only shows the += into .grad; output.backward() does it for real."
        rows = [f"<li>{self._step_html(s, i == k - 1)}</li>"
                for i, s in enumerate(self.steps[:k])]
        note = message_html("note", "Press Play or Step:", intro) if k == 0 else ""
        return (f'<div class="ag-player" style="font-family:monospace">{note}'
                f'<ol>{"".join(rows)}</ol></div>')

    def _step_html(self, s, active):
        style = ' style="background:#fff3c4"' if active else ""
        if not isinstance(s.node, Node):
            leaf = s.node
            total = s.grad if leaf.grad is None else leaf.grad._data + s.grad
            what = f"{esc(self._label(leaf))}.grad += {_fmt(s.grad)}  → {_fmt(total)}"
            return f'<span class="ag-accumulate"{style}>{what}</span>'
        parts = [f"<b>{esc(s.node.name())}</b> receives grad {_fmt(s.grad)}"]
        for edge, gi in s.edges:
            local = _local(s.grad, gi)
            chain = f"local derivative {local} × {_fmt(s.grad)} = " if local else ""
            parts.append(f"&nbsp;&nbsp;→ {esc(self._label(edge))}: {chain}{_fmt(gi)}")
        return f'<span class="ag-node"{style}>{"<br>".join(parts)}</span>'

    def __repr__(self):
        fn, n = self.output.grad_fn, len(self.steps)
        return f"BackpropPlayer({fn.name() if fn else 'leaf'}: {n} step{'s' * (n != 1)})"


def _fmt(a):
    """A gradient for the log: a number, or the array (4 significant digits)."""
    a = np.asarray(a)
    if a.size == 1:
        return esc(short(float(a.reshape(()))))
    return esc(np.array2string(a, precision=4, threshold=8))


def _local(g, gi):
    """The local derivative d(out)/d(input) as gi / g, when both are single numbers and g != 0."""
    g, gi = np.asarray(g), np.asarray(gi)
    if g.size != 1 or gi.size != 1 or float(g.reshape(())) == 0:
        return ""
    return esc(short(float(gi.reshape(())) / float(g.reshape(()))))

