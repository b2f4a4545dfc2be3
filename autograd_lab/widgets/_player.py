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
from ._common import Static, esc, graph_html, graph_widget, message_html, plain, short


def backprop_player(output, interval=800, static=False):
    """A player for the backward pass of `output`: Play / Step / Reset through its nodes.

    Each step highlights the active node in the graph and shows the gradient it received, the
    local derivative and gradient on each of its edges, and every `+=` into a leaf's `.grad`;
    the graph shows the gradients found so far. A non-scalar `output` is replayed as
    `output.sum()` (gradient of ones), and says so. The replay changes no `.grad` and keeps the
    graph: `output.backward()` still works after. `interval` is the time per step in
    milliseconds when playing. With `static=True` it returns a `PlayerSnapshot`: where the
    replay ends (every step's line, the graph with every gradient) as plain HTML and text, for
    printing, static HTML and nbval.
    """
    replay = Replay(output, _names.lookup())
    return PlayerSnapshot(replay) if static else BackpropPlayer(replay, interval)


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


class Replay:
    """The recorded backward pass of `output`, and how it looks after `k` of its steps."""

    def __init__(self, output, names):
        self.output, self.steps = output, record(output)
        self._names = names

    def label(self, obj):
        if isinstance(obj, Node):
            return type(obj).__name__
        return obj.name or self._names.tensor(obj) or f"leaf {tuple(obj.shape)}"

    def leaf_grads(self, k):
        """{leaf label: the gradient backward sends it} for the leaves among the first k steps."""
        return {self.label(s.node): plain(s.grad) for s in self.steps[:k]
                if not isinstance(s.node, Node)}

    def header_html(self, k):
        return f'<span class="ag-step">step {k} / {len(self.steps)}</span>'

    def graph_html(self, k, active):
        """The graph with the gradients of the first k steps (a leaf's: its `.grad` after the
        `+=`), the k-th step's node highlighted if `active`."""
        shown = {s.node: s.grad if isinstance(s.node, Node) else _total(s.node, s.grad)
                 for s in self.steps[:k]}
        return graph_html(self.output, highlight=self.steps[k - 1].node if k and active else None,
                          grads=shown)

    def intro(self):
        text = ("backward() starts at the output with gradient 1." if self.output.numel() == 1
                else f"output has shape {tuple(self.output.shape)}: replaying output.sum(), "
                f"i.e. starting from a gradient of ones.")
        return (text + " The replay only shows the += into .grad; output.backward() does it "
                "for real.")

    def steps_html(self, k, active):
        """The first k steps as a numbered list, the k-th marked if `active`."""
        rows = "".join(f"<li>{self._step_html(s, active and i == k - 1)}</li>"
                       for i, s in enumerate(self.steps[:k]))
        return f"<ol>{rows}</ol>"

    def _step_html(self, s, active):
        style = ' style="background:#fff3c4"' if active else ""
        first, *rest = self.lines(s)
        if not isinstance(s.node, Node):
            return f'<span class="ag-accumulate"{style}>{esc(first)}</span>'
        name = type(s.node).__name__
        head = f"<b>{esc(name)}</b>{esc(first.removeprefix(name))}"
        return f'<span class="ag-node"{style}>{"<br>".join([head] + [esc(r) for r in rest])}</span>'

    def lines(self, s):
        """Step `s` as text: the gradient a node receives and what it sends along each edge
        (with the chain rule when the numbers are scalars), or a leaf's `.grad +=`."""
        if not isinstance(s.node, Node):
            leaf = s.node
            return [f"{self.label(leaf)}.grad += {_fmt(s.grad)}  → {_fmt(_total(leaf, s.grad))}"]
        lines = [f"{type(s.node).__name__} receives grad {_fmt(s.grad)}"]
        for edge, gi in s.edges:
            local = _local(s.grad, gi)
            chain = f"local derivative {local} × {_fmt(s.grad)} = " if local else ""
            lines.append(f"  → {self.label(edge)}: {chain}{_fmt(gi)}")
        return lines

    def text(self, k):
        """The first k steps as plain text, numbered."""
        rows = [self.intro()]
        for i, s in enumerate(self.steps[:k], 1):
            first, *rest = self.lines(s)
            rows += [f"{i}. {first}"] + [f"   {r}" for r in rest]
        return "\n".join(rows)

    def summary(self):
        fn, n = self.output.grad_fn, len(self.steps)
        return f"{type(fn).__name__ if fn else 'leaf'}: {n} step{'s' * (n != 1)}"


class BackpropPlayer(W.VBox):
    """The backward pass of a tensor as steps (see `backprop_player`). `.steps` lists them,
    `.step` is how many are shown (set it to jump), `.grads` the leaves' gradients so far."""

    def __init__(self, replay, interval):
        self._replay = replay
        self.output, self.steps = replay.output, replay.steps
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
        return self._replay.leaf_grads(self.step)

    def _render(self):
        replay, k = self._replay, self.step
        self._header.value = replay.header_html(k)
        self._graph.value = replay.graph_html(k, active=True)
        note = message_html("note", "Press Play or Step:", replay.intro()) if k == 0 else ""
        self._detail.value = _detail_html(note + replay.steps_html(k, active=True))

    def __repr__(self):
        return f"BackpropPlayer({self._replay.summary()})"


class PlayerSnapshot(Static):
    """The static form of `backprop_player`: the end of the replay as HTML and text."""

    def __init__(self, replay):
        self._replay = replay
        self.output, self.steps = replay.output, replay.steps
        self.grads = replay.leaf_grads(len(self.steps))

    def outputs(self):
        """The step count, the graph with every gradient, and each step's line (HTML)."""
        replay, n = self._replay, len(self.steps)
        detail = message_html("note", "Replayed:", replay.intro()) + replay.steps_html(n, False)
        return [{"text/plain": str(self), "text/html": replay.header_html(n)
                 + replay.graph_html(n, active=False) + _detail_html(detail)}]

    def __str__(self):
        return self._replay.text(len(self.steps))

    def __repr__(self):
        return f"PlayerSnapshot({self._replay.summary()})"


def _detail_html(body):
    """The step list's box: monospace, spaces and line breaks kept."""
    return f'<div class="ag-player" style="font-family:monospace;white-space:pre-wrap">{body}</div>'


def _total(leaf, g):
    """What `leaf.grad` holds after backward adds `g` to it."""
    return g if leaf.grad is None else leaf.grad._data + g


def _fmt(a):
    """A gradient for the log: a number, or the array (4 significant digits)."""
    a = np.asarray(a)
    if a.size == 1:
        return short(float(a.reshape(())))
    return np.array2string(a, precision=4, threshold=8)


def _local(g, gi):
    """The local derivative d(out)/d(input) as gi / g, when both are single numbers and g != 0."""
    g, gi = np.asarray(g), np.asarray(gi)
    if g.size != 1 or gi.size != 1 or float(g.reshape(())) == 0:
        return ""
    return short(float(gi.reshape(())) / float(g.reshape(())))

