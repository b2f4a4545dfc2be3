"""train_live(): the article's Linear(1, 1) example, kernel-free (and in an event loop)."""
import asyncio
import base64
import copy
import struct

import numpy as np
import pytest

import autograd_lab as torch
from autograd_lab import nn, optim
from autograd_lab.widgets import train_live
from autograd_lab.widgets._train import TrainSnapshot

X = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
Y = torch.tensor([[2.0], [4.0], [6.0]])


def article_model(seed=0):
    torch.manual_seed(seed)
    return nn.Linear(1, 1)


def manual_losses(model, batches, steps, lr):
    """The article's loop written out, for comparison: `steps` SGD steps over `batches`."""
    opt = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for k in range(steps):
        xb, yb = batches[k % len(batches)]
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_trains_the_article_example_like_the_plain_loop():
    model = article_model()
    reference = copy.deepcopy(model)
    t = train_live(model, nn.functional.mse_loss, (X, Y),
                   optim.SGD(model.parameters(), lr=0.01), steps=300)
    assert t.done and t.error is None
    assert t.losses == pytest.approx(manual_losses(reference, [(X, Y)], 300, lr=0.01))
    assert t.losses[-1] < 0.01 * t.losses[0]
    assert model.weight.item() == pytest.approx(reference.weight.item())
    assert "done: step 300 / 300" in t._status.value
    assert f"<td>weight</td><td>[[{model.weight.item():.4f}]]</td>" in t._params.value
    assert t.stop_button.disabled


def test_batches_are_cycled():
    model = article_model()
    reference = copy.deepcopy(model)
    batches = [(X[:2], Y[:2]), (X[2:], Y[2:])]
    t = train_live(model, nn.functional.mse_loss, batches,
                   optim.SGD(model.parameters(), lr=0.05), steps=5)
    assert t.losses == pytest.approx(manual_losses(reference, batches, 5, lr=0.05))


def test_curve_rescales_when_the_loss_grows():
    model = article_model()
    t = train_live(model, nn.functional.mse_loss, (X, Y),
                   optim.SGD(model.parameters(), lr=0.5), steps=6)  # lr too big: diverges
    assert t.losses[-1] > t.losses[0]
    assert t._curve.top >= max(t.losses)
    assert len(t._curve.line.get_xdata()) == 6


def test_curve_turns_logarithmic_when_the_loss_falls_by_decades():
    model = article_model()
    t = train_live(model, nn.functional.mse_loss, (X, Y),
                   optim.SGD(model.parameters(), lr=0.05), steps=3)
    assert t._curve.canvas.ax.get_yscale() == "linear"  # 3 steps: not yet two decades
    t = train_live(model, nn.functional.mse_loss, (X, Y),
                   optim.SGD(model.parameters(), lr=0.05), steps=300)
    assert max(t.losses) > 100 * min(t.losses)
    ax = t._curve.canvas.ax
    bottom, top = ax.get_ylim()
    assert ax.get_yscale() == "log" and bottom <= min(t.losses) and max(t.losses) <= top
    assert np.log10(bottom) == np.floor(np.log10(min(t.losses)))  # whole decades
    assert np.log10(top) == np.ceil(np.log10(max(t.losses)))


def failing_at_step_3():
    calls = []

    def loss_fn(pred, target):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("bad batch")
        return nn.functional.mse_loss(pred, target)
    return loss_fn


def test_error_is_shown_and_training_stops():
    model = article_model()
    t = train_live(model, failing_at_step_3(), (X, Y), optim.SGD(model.parameters(), lr=0.01),
                   steps=10)
    assert isinstance(t.error, ValueError) and len(t.losses) == 2 and t.done
    assert "failed: step 2 / 10" in t._status.value
    assert "ValueError:</b> bad batch" in t._status.value


def png_size(b64):
    png = base64.b64decode(b64)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def test_static_form_trains_to_the_end_and_shows_the_result():
    model = article_model()
    reference = copy.deepcopy(model)
    s = train_live(model, nn.functional.mse_loss, (X, Y),
                   optim.SGD(model.parameters(), lr=0.01), steps=300, static=True)
    assert isinstance(s, TrainSnapshot) and s.error is None
    assert s.losses == pytest.approx(manual_losses(reference, [(X, Y)], 300, lr=0.01))
    assert model.weight.item() == pytest.approx(reference.weight.item())
    html_out, png_out = s.outputs()
    status = f"done: step 300 / 300, loss {s.losses[-1]:.4g}"
    weight, grad = model.weight.item(), model.weight.grad.item()
    assert status in html_out["text/html"]
    assert f"<td>weight</td><td>[[{weight:.4f}]]</td><td>[[{grad:.4f}]]</td>" \
        in html_out["text/html"]
    assert html_out["text/plain"] == str(s) and str(s).splitlines()[:2] == [
        status, f"weight = [[{weight:.4f}]]  .grad = [[{grad:.4f}]]"]
    assert png_size(png_out["image/png"]) == (460, 280)
    assert png_out["text/plain"] == "<loss curve: 300 steps>"
    again = article_model()
    assert train_live(again, nn.functional.mse_loss, (X, Y), optim.SGD(again.parameters(), lr=0.01),
                      steps=300, static=True).outputs()[0] == html_out  # deterministic


def test_static_form_shows_the_error_that_ended_training():
    model = article_model()
    s = train_live(model, failing_at_step_3(), (X, Y), optim.SGD(model.parameters(), lr=0.01),
                   steps=10, static=True)
    assert isinstance(s.error, ValueError) and len(s.losses) == 2
    assert "failed: step 2 / 10" in s.outputs()[0]["text/html"]
    assert str(s).splitlines()[1] == "ValueError: bad batch"


def test_in_an_event_loop_it_trains_in_the_background_and_stop_works():
    async def session():
        model = article_model()
        t = train_live(model, nn.functional.mse_loss, (X, Y),
                       optim.SGD(model.parameters(), lr=0.01), steps=10_000)
        assert t.task is not None and t.losses == []  # returned at once
        while len(t.losses) < 5:
            await asyncio.sleep(0)
        t.stop_button.click()
        await t.task
        return t

    t = asyncio.run(session())
    assert 5 <= len(t.losses) < 10_000
    assert t.done and t.stop_button.disabled
    assert f"stopped: step {len(t.losses)} / 10000" in t._status.value


@pytest.mark.parametrize("how", ["block", "static"])
def test_block_and_static_run_to_the_end_even_in_an_event_loop(how):
    async def session():
        model = article_model()
        return train_live(model, nn.functional.mse_loss, (X, Y),
                          optim.SGD(model.parameters(), lr=0.01), steps=20, **{how: True})

    t = asyncio.run(session())
    assert getattr(t, "task", None) is None and len(t.losses) == 20
