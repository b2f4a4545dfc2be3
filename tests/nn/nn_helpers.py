"""Helpers for the nn/optim tests: run the same code on autograd_lab and on PyTorch."""
import numpy as np
import pytest

import autograd_lab as lab
from helpers import backward_both


def grad_fn_names(t):
    """The names of the nodes reachable from t.grad_fn, breadth first (AccumulateGrad included)."""
    names, queue = [], [t.grad_fn]
    while queue:
        fn = queue.pop(0)
        if fn is None:
            names.append(None)
            continue
        names.append(fn.name().replace("torch::autograd::", ""))
        queue.extend(f for f, _ in fn.next_functions)
    return names


def tensors(lib, specs):
    """Tensors of `lib` from (array, requires_grad) pairs (arrays are copied)."""
    return [lib.tensor(a.copy(), requires_grad=rg) for a, rg in specs]


def assert_close(ours, theirs, rtol, atol):
    """Same shape, dtype and values (NaNs in the same places)."""
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert repr(ours.dtype) == repr(theirs.dtype)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(force=True),
                               rtol=rtol, atol=atol)  # (force: a ZeroTensor gradient)


TOL = {np.float64: (1e-10, 1e-12), np.float32: (2e-5, 2e-6)}  # (rtol, atol) per dtype
DTYPES = [np.float64, np.float32]


def compare(fn, specs, dtype=np.float64, tol=TOL):
    """compare_with_torch with the input arrays in dtype, at tol[dtype]."""
    rtol, atol = tol[dtype]
    return compare_with_torch(fn, [(a.astype(dtype), g) for a, g in specs], rtol, atol)


def compare_with_torch(fn, specs, rtol=1e-10, atol=1e-12, whole_graph=True, seed=0):
    """fn(lib, *tensors) on both libraries: the value, its grad_fn names (the whole graph's,
    or only the output's) and, after backward with a random upstream gradient, every input's
    gradient. Returns our output."""
    torch = pytest.importorskip("torch")
    ours_in, theirs_in = tensors(lab, specs), tensors(torch, specs)
    ours, theirs = fn(lab, *ours_in), fn(torch, *theirs_in)
    assert_close(ours, theirs, rtol, atol)
    if whole_graph:
        assert grad_fn_names(ours) == grad_fn_names(theirs)
    else:
        assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    if theirs.grad_fn is not None:
        g = np.random.default_rng(seed).uniform(0.5, 1.5, tuple(theirs.shape))
        g = g.astype(theirs.detach().numpy().dtype)
        backward_both(ours, theirs, ours_in, theirs_in, g,
                      lambda a, b: assert_close(a, b, rtol, atol))
    return ours


def same_weights(ours, theirs):
    """Copy our module's parameters into the torch module with the same structure."""
    import torch
    with torch.no_grad():
        for (name, p), (tname, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert name == tname
            q.copy_(torch.from_numpy(p.detach().numpy().copy()))


def sgd_losses(L, model, loss, x, y, steps=5, **options):
    """The losses of `steps` SGD steps (lr 0.1, `options`) of model on (x, y) with library L."""
    opt = L.optim.SGD(model.parameters(), lr=0.1, **options)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        value = loss(model(L.tensor(x)), L.tensor(y))
        value.backward()
        opt.step()
        losses.append(value.item())
    return losses


def outcome(fn, *args, **kwargs):
    """What fn(*args, **kwargs) gives, comparable across libraries: ('ok', repr of the result)
    or (exception type name, message)."""
    try:
        return "ok", repr(fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 -- the exception is the result being compared
        return type(e).__name__, str(e)


def same_outcome(fn):
    """fn(lib) gives the same result or the same exception with autograd_lab and PyTorch."""
    torch = pytest.importorskip("torch")
    ours, theirs = outcome(fn, lab), outcome(fn, torch)
    assert ours == theirs
    return ours


def on_both(scenario):
    """scenario(lib) on autograd_lab and torch: the records it returns must be equal; returns
    ours."""
    torch = pytest.importorskip("torch")
    ours = scenario(lab)
    assert ours == scenario(torch)
    return ours


def second_derivatives(fn, arrays):
    """fn(lib, *leaves) on both libraries: the gradients of sum(grad(sum(out * w)) ** 2) w.r.t.
    every leaf (None where unused), through create_graph=True: the same values (the signs of
    zeros may differ)."""
    def run(L):
        leaves = [L.tensor(a.copy(), requires_grad=True) for a in arrays]
        out = fn(L, *leaves)
        w = L.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        grads = L.autograd.grad((out * w).sum(), leaves, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        return L.autograd.grad(total, leaves, allow_unused=True)
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(run(lab), run(torch)):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert_close(ours, theirs, 1e-9, 1e-11)
