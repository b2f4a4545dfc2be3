"""`train_live(model, loss_fn, data, optimizer, steps)`: the usual training loop, with a loss
curve and the parameters updating live, and a Stop button.

Each step is the article's: `optimizer.zero_grad()`, `loss = loss_fn(model(inputs), targets)`,
`loss.backward()`, `optimizer.step()`. In a Jupyter kernel the loop runs as a task on the
kernel's event loop and yields after every step, so the kernel stays responsive (Stop works)
and the cell returns at once; elsewhere, or with `block=True`, it runs to the end in the call.
"""
import asyncio
import itertools
import time

import ipywidgets as W
import numpy as np

from .._tensor import Tensor
from ._common import Canvas, error_html, esc, running_loop, short

REDRAW = 0.1  # seconds between redraws while training


def train_live(model, loss_fn, data, optimizer, steps, block=False):
    """Train `model` for `steps` optimizer steps, showing the loss curve and parameters live.

        model = nn.Linear(1, 1)
        train_live(model, nn.functional.mse_loss, (x, y_true),
                   optim.SGD(model.parameters(), lr=0.01), steps=200)

    `data` is one batch `(inputs, targets)` used at every step, or an iterable of such
    batches, cycled. Returns a `TrainLive` widget: `.losses`, `.stop()`, `.done`, `.error`.
    With `block=True` (use it in notebooks checked by nbval) training ends before the call
    returns; Stop cannot interrupt it then.
    """
    trainer = TrainLive(model, loss_fn, data, optimizer, steps)
    if block or running_loop() is None:
        trainer.run()
    else:
        trainer.task = asyncio.ensure_future(trainer.run_async())
    return trainer


class TrainLive(W.VBox):
    """A training run on display (see `train_live`)."""

    def __init__(self, model, loss_fn, data, optimizer, steps):
        self.model, self.loss_fn, self.optimizer, self.steps = model, loss_fn, optimizer, steps
        self._batches = _batches(data)
        self.losses, self.error, self.task = [], None, None
        self._stopped, self._drawn = False, -float("inf")
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger")
        self.stop_button.on_click(lambda _: self.stop())
        self._status, self._params = W.HTML(), W.HTML()
        self._plot = W.Image(format="png")
        self._curve = _LossCurve(steps)
        super().__init__([W.HBox([self.stop_button, self._status]),
                          W.HBox([self._plot, self._params])])
        self._render()

    @property
    def done(self):
        """True once all steps ran, or training was stopped or failed."""
        return self._stopped or self.error is not None or len(self.losses) >= self.steps

    def stop(self):
        """Stop after the current step."""
        self._stopped = True

    def run(self):
        """Run the remaining steps now."""
        while not self.done:
            self._step()
        self._render()

    async def run_async(self):
        """Run the remaining steps, giving the event loop a turn after each one."""
        while not self.done:
            self._step()
            await asyncio.sleep(0)
        self._render()

    def _step(self):
        try:
            inputs, targets = next(self._batches)
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()
        except Exception as exc:  # shown in the widget; training stops there
            self.error = exc
            return
        self.losses.append(float(loss))
        if time.monotonic() - self._drawn >= REDRAW:
            self._render()

    def _render(self):
        n = len(self.losses)
        if self.error is not None:
            state = "failed"
        elif n >= self.steps:
            state = "done"
        else:
            state = "stopped" if self._stopped else "training"
        loss = f", loss {short(self.losses[-1])}" if self.losses else ""
        self._status.value = (f'<span class="ag-status" style="font-family:monospace">'
                              f'{state}: step {n} / {self.steps}{loss}</span>'
                              + (error_html(self.error) if self.error is not None else ""))
        self.stop_button.disabled = self.done
        self._params.value = _params_html(self.model)
        self._plot.value = self._curve.png(self.losses)
        self._drawn = time.monotonic()

    def __repr__(self):
        return f"TrainLive({type(self.model).__name__}, steps={self.steps})"


class _LossCurve:
    """Loss against step; the axes are redrawn only when a loss leaves the y-range."""

    def __init__(self, steps):
        self.canvas = c = Canvas(width=4.6, height=2.8)
        c.ax.set_xlim(0, max(steps, 1))
        c.ax.set_xlabel("step")
        c.ax.set_ylabel("loss")
        c.ax.grid(alpha=0.3)
        self.line, = c.ax.plot([], [], color="C0", lw=1.8)
        self.top = None

    def png(self, losses):
        finite = [v for v in losses if np.isfinite(v)]
        if finite and (self.top is None or max(finite) > self.top):
            self.top = 1.1 * max(finite) if max(finite) > 0 else 1.0
            self.canvas.ax.set_ylim(min(0.0, min(finite)), self.top)
            self.canvas.freeze(self.line)
        self.line.set_data(np.arange(1, len(losses) + 1), losses)
        return self.canvas.png(self.line)


def _batches(data):
    """An endless iterator of (inputs, targets): one batch repeated, or batches cycled."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(
            isinstance(d, Tensor) for d in data):
        return itertools.repeat(tuple(data))
    return itertools.cycle(data)


def _params_html(model):
    rows = []
    for name, p in model.named_parameters():
        grad = "None" if p.grad is None else _array(p.grad._data)
        rows.append(f"<tr><td>{esc(name)}</td><td>{_array(p._data)}</td>"
                    f"<td>{grad}</td></tr>")
    return ('<table class="ag-params" style="font-family:monospace">'
            '<tr><th>parameter</th><th>value</th><th>.grad</th></tr>'
            f'{"".join(rows)}</table>')


def _array(a):
    return esc(np.array2string(np.asarray(a), precision=4, threshold=6, suppress_small=True))
