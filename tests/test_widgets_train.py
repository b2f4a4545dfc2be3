"""train_live(): the article's Linear(1, 1) example, kernel-free (and in an event loop)."""
import asyncio
import copy

import pytest

import autograd_lab as torch
from autograd_lab import nn, optim
from autograd_lab.widgets import train_live

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


def test_error_is_shown_and_training_stops():
    calls = []

    def loss_fn(pred, target):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("bad batch")
        return nn.functional.mse_loss(pred, target)

    model = article_model()
    t = train_live(model, loss_fn, (X, Y), optim.SGD(model.parameters(), lr=0.01), steps=10)
    assert isinstance(t.error, ValueError) and len(t.losses) == 2 and t.done
    assert "failed: step 2 / 10" in t._status.value
    assert "ValueError:</b> bad batch" in t._status.value


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


def test_block_runs_to_the_end_even_in_an_event_loop():
    async def session():
        model = article_model()
        return train_live(model, nn.functional.mse_loss, (X, Y),
                          optim.SGD(model.parameters(), lr=0.01), steps=20, block=True)

    t = asyncio.run(session())
    assert t.task is None and len(t.losses) == 20
