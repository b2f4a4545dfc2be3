"""Memory: training keeps RSS flat, graphs are freed by refcounting alone, no cycles hold them.

The figures are part of each assertion message (and printed with `-s`).
"""
import gc
import os
import weakref

import pytest

import autograd_lab as torch
from autograd_lab import autograd

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32),
                               torch.nn.ReLU(), torch.nn.Linear(32, 1))


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_two_thousand_training_steps_keep_rss_flat(optimizer):
    model = _mlp()
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=1e-3)
    x, y = torch.randn(64, 4), torch.randn(64, 1)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(200):  # warm-up: allocator pools, optimizer state, lazy imports
        step()
    gc.collect()
    before = rss_mb()
    first = step()
    for _ in range(2000):
        last = step()
    gc.collect()
    after = rss_mb()
    figures = f"{optimizer}: RSS {before:.1f} MB -> {after:.1f} MB over 2,000 steps"
    print(figures)
    assert after - before < 4.0, figures
    assert last < first, f"{figures}; the loss did not go down ({first} -> {last})"


def test_graph_is_freed_after_backward_without_the_cycle_collector():
    model = _mlp()
    x = torch.randn(8, 4)
    gc.collect()
    gc.disable()
    try:
        loss = model(x).pow(2).mean()
        nodes = [weakref.ref(loss.grad_fn)]
        stack = [loss.grad_fn]
        while stack:  # a weak reference to every node of the graph
            fn = stack.pop()
            for nxt, _ in fn.next_functions:
                if nxt is not None and type(nxt).__name__ != "AccumulateGrad":
                    nodes.append(weakref.ref(nxt))
                    stack.append(nxt)
        del fn, nxt, stack
        loss.backward()
        kept = [r().name() for r in nodes if r()._saves and r()._saved is not None]
        assert not kept, f"saved tensors not released by backward: {kept}"
        del loss
        alive = [r().name() for r in nodes if r() is not None]
        assert not alive, f"{len(alive)} of {len(nodes)} nodes outlived their graph: {alive}"
    finally:
        gc.enable()


def test_no_reference_cycles_through_tensors_or_nodes():
    """Everything a training step and an autograd.grad call make is freed by refcounting."""
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(8, 4, requires_grad=True)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            opt.zero_grad()
            out = model(x)
            out.retain_grad()
            loss = out.tanh().sum()
            loss.backward(retain_graph=True)
            autograd.grad(loss, x, create_graph=True)[0].sum().backward()
            opt.step()
        del out, loss
        found = gc.collect()
        cyclic = [type(o).__name__ for o in gc.garbage
                  if isinstance(o, torch.Tensor) or hasattr(o, "_edges")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not cyclic, f"{found} objects in cycles, graph objects among them: {cyclic[:20]}"


def test_anomaly_mode_records_hold_no_frames():
    with autograd.set_detect_anomaly(True):
        x = torch.randn(3, requires_grad=True)
        y = (x * 2).sum()
    ref = weakref.ref(y.grad_fn)
    gc.collect()
    gc.disable()
    try:
        del y
        assert ref() is None  # a stored frame would have made a cycle through this test's locals
    finally:
        gc.enable()


def test_in_place_updates_keep_a_bounded_version_record():
    w = torch.zeros(3, requires_grad=True)
    with torch.no_grad():
        for _ in range(5000):
            w.add_(1.0)
    assert w._version == 5000
    assert len(w._vc.recent) <= w._vc.KEEP
    y = (w * w).sum()          # saved after the updates: still checked exactly
    with torch.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="is at version 5001; expected version 5000 instead"):
        y.backward()


@pytest.mark.parametrize("make", ["h.split(2)", "h.unbind()", "torch.unsafe_chunk(h, 3)"])
def test_gradients_of_a_multi_output_function_are_not_kept_after_backward(make):
    """A group (split, unbind, ...) lets go of the pass's gradients once its last member ran,
    and in-place ops on views keep no gradient either: weak references to them die."""
    x = torch.arange(6.0, requires_grad=True)
    h = x * 1
    pieces = eval(make, {"h": h, "torch": torch})
    seen = []
    pieces[0].register_hook(lambda g: seen.append(weakref.ref(g._data)) or None)
    (pieces[0].sum() * 2 + pieces[1].sum()).backward(retain_graph=True)
    group = pieces[0].grad_fn._extra["group"]
    assert group.pass_ is None and group.hooked is None and not any(group.out or ())
    assert x.grad[0].item() == 2.0 and all(r() is None for r in seen)


def test_in_place_op_on_a_view_keeps_no_gradient_after_backward():
    x = torch.ones(4, requires_grad=True)
    h = x * 1
    h[1:3].mul_(torch.tensor(2.0, requires_grad=True))
    kept = []
    h.register_hook(lambda g: kept.append(weakref.ref(g._data)) or None)
    (h * 3).sum().backward()
    part = h.grad_fn._saved_values()[0] if h.grad_fn._saved is not None else None
    assert x.grad.tolist() == [3.0, 6.0, 6.0, 3.0]
    assert all(r() is None for r in kept) and (part is None or part.g is None)
