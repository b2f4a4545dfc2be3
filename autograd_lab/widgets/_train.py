"""`train_live(model, loss_fn, data, optimizer, steps)`: the usual training loop, with a loss
curve and the parameters updating live, and a Stop button.

Each step is the article's: `optimizer.zero_grad()`, `loss = loss_fn(model(inputs), targets)`,
`loss.backward()`, `optimizer.step()`. In a Jupyter kernel the loop runs as a task on the
kernel's event loop and yields after every step, so the kernel stays responsive (Stop works)
and the cell returns at once; elsewhere, or with `block=True`, it runs to the end in the call.
`static=True` also runs to the end, and shows the result as plain outputs instead of a widget.
"""
import asyncio
import itertools
import time

import ipywidgets as W
import numpy as np

from .._tensor import Tensor
from ._common import Canvas, Static, error_html, esc, png_output, running_loop, short

REDRAW = 0.1  # seconds between redraws while training


def train_live(model, loss_fn, data, optimizer, steps, block=False, static=False):
    """Train `model` for `steps` optimizer steps, showing the loss curve and parameters live.

        model = nn.Linear(1, 1)
        train_live(model, nn.functional.mse_loss, (x, y_true),
                   optim.SGD(model.parameters(), lr=0.01), steps=200)

    `data` is one batch `(inputs, targets)` used at every step, or an iterable of such
    batches, cycled. Returns a `TrainLive` widget: `.losses`, `.stop()`, `.done`, `.error`.
    With `block=True` training ends before the call returns; Stop cannot interrupt it then.
    With `static=True` it also trains to the end in the call, and returns a `TrainSnapshot`
    (`.losses`, `.error`): the final status and parameters as HTML and text, the loss curve as
    PNG, for printing, static HTML and nbval.
    """
    training = Training(model, loss_fn, data, optimizer, steps)
    if static:
        training.run()
        return TrainSnapshot(training)
    trainer = TrainLive(training)
    if block or running_loop() is None:
        trainer.run()
    else:
        trainer.task = asyncio.ensure_future(trainer.run_async())
    return trainer


class Training:
    """The loop itself: one optimizer step at a time, the losses so far, and how it ended."""

    def __init__(self, model, loss_fn, data, optimizer, steps):
        self.model, self.loss_fn, self.optimizer, self.steps = model, loss_fn, optimizer, steps
        self._batches = _batches(data)
        self.losses, self.error, self.stopped = [], None, False

    @property
    def done(self):
        """True once all steps ran, or training was stopped or failed."""
        return self.stopped or self.error is not None or len(self.losses) >= self.steps

    def step(self):
        """One step of the article's loop; an exception ends training and is kept in `.error`."""
        try:
            inputs, targets = next(self._batches)
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()
        except Exception as exc:  # shown in the widget; training stops there
            self.error = exc
            return
        self.losses.append(loss.item())

    def run(self):
        """Run the remaining steps now."""
        while not self.done:
            self.step()

    def status(self):
        """`done: step 300 / 300, loss 6.51e-06` (or training, stopped, failed)."""
        n = len(self.losses)
        if self.error is not None:
            state = "failed"
        elif n >= self.steps:
            state = "done"
        else:
            state = "stopped" if self.stopped else "training"
        loss = f", loss {short(self.losses[-1])}" if self.losses else ""
        return f"{state}: step {n} / {self.steps}{loss}"

    def status_html(self):
        return (f'<span class="ag-status" style="font-family:monospace">{esc(self.status())}'
                f'</span>' + (error_html(self.error) if self.error is not None else ""))

    def params(self):
        """(name, value, .grad) of each parameter, as text."""
        return [(name, _array(p._data), "None" if p.grad is None else _array(p.grad._data))
                for name, p in self.model.named_parameters()]

    def params_html(self):
        rows = "".join(f"<tr><td>{esc(name)}</td><td>{esc(value)}</td><td>{esc(grad)}</td></tr>"
                       for name, value, grad in self.params())
        return ('<table class="ag-params" style="font-family:monospace">'
                f'<tr><th>parameter</th><th>value</th><th>.grad</th></tr>{rows}</table>')

    def text(self):
        lines = [self.status()]
        if self.error is not None:
            lines.append(f"{type(self.error).__name__}: {self.error}")
        lines += [f"{name} = {value}  .grad = {grad}" for name, value, grad in self.params()]
        return "\n".join(lines)


class TrainLive(W.VBox):
    """A training run on display (see `train_live`)."""

    def __init__(self, training):
        self.training, self.model, self.task = training, training.model, None
        self._drawn = -float("inf")
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger")
        self.stop_button.on_click(lambda _: self.stop())
        self._status, self._params = W.HTML(), W.HTML()
        self._plot = W.Image(format="png")
        self._curve = _LossCurve(training.steps)
        super().__init__([W.HBox([self.stop_button, self._status]),
                          W.HBox([self._plot, self._params])])
        self._render()

    @property
    def losses(self):
        """The loss of every step so far."""
        return self.training.losses

    @property
    def error(self):
        """The exception that ended training, or None."""
        return self.training.error

    @property
    def done(self):
        """True once all steps ran, or training was stopped or failed."""
        return self.training.done

    def stop(self):
        """Stop after the current step."""
        self.training.stopped = True

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
        self.training.step()
        if time.monotonic() - self._drawn >= REDRAW:
            self._render()

    def _render(self):
        training = self.training
        self._status.value = training.status_html()
        self.stop_button.disabled = self.done
        self._params.value = training.params_html()
        self._plot.value = self._curve.png(training.losses)
        self._drawn = time.monotonic()

    def __repr__(self):
        return f"TrainLive({type(self.model).__name__}, steps={self.training.steps})"


class TrainSnapshot(Static):
    """The static form of `train_live`: the run's end as HTML and text, its loss curve as PNG."""

    def __init__(self, training):
        self._training = training
        self.model, self.losses, self.error = training.model, training.losses, training.error

    def outputs(self):
        """The status and parameters (HTML), then the loss curve (PNG)."""
        training = self._training
        png = _LossCurve(training.steps).png(training.losses)
        return [{"text/plain": str(self),
                 "text/html": f"<div>{training.status_html()}</div>{training.params_html()}"},
                png_output(png, f"<loss curve: {len(training.losses)} steps>")]

    def __str__(self):
        return self._training.text()

    def __repr__(self):
        return f"TrainSnapshot({type(self.model).__name__}, steps={self._training.steps})"


class _LossCurve:
    """Loss against step, on a log scale once the losses span more than two decades. The axes
    are redrawn only when a loss leaves the y-range (on a log scale, a decade at a time)."""

    def __init__(self, steps):
        self.canvas = c = Canvas(width=4.6, height=2.8)
        c.ax.set_xlim(0, max(steps, 1))
        c.ax.set_xlabel("step")
        c.ax.set_ylabel("loss")
        c.ax.grid(alpha=0.3)
        self.line, = c.ax.plot([], [], color="C0", lw=1.8)
        self.scale, self.bottom, self.top = "linear", None, None

    def png(self, losses):
        finite = [v for v in losses if np.isfinite(v)]
        if finite:
            lo, hi = min(finite), max(finite)
            scale, bottom, top = _y_range(lo, hi)
            if scale != self.scale or self.top is None or lo < self.bottom or hi > self.top:
                self.scale, self.bottom, self.top = scale, bottom, top
                self.canvas.ax.set_yscale(scale)
                self.canvas.ax.set_ylim(bottom, top)
                self.canvas.freeze(self.line)
        self.line.set_data(np.arange(1, len(losses) + 1), losses)
        return self.canvas.png(self.line)


def _y_range(lo, hi):
    """(scale, bottom, top) for losses from `lo` to `hi`: whole decades on a log scale, else
    from 0 (or below) to a tenth above the largest."""
    if lo > 0 and hi > 100 * lo:
        return "log", 10.0 ** np.floor(np.log10(lo)), 10.0 ** np.ceil(np.log10(hi))
    return "linear", min(0.0, lo), 1.1 * hi if hi > 0 else 1.0


def _batches(data):
    """An endless iterator of (inputs, targets): one batch repeated, or batches cycled."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(
            isinstance(d, Tensor) for d in data):
        return itertools.repeat(tuple(data))
    return itertools.cycle(data)


def _array(a):
    return np.array2string(np.asarray(a), precision=4, threshold=6, suppress_small=True)
