"""Deep graphs: 100,000-op chains go through backward, autograd.grad and create_graph without
recursion and fast; saved tensors are freed by backward unless retain_graph=True."""
import gc
import weakref

import numpy as np
import pytest

import autograd_lab as lab
from helpers import shallow_stack

N = 100_000


def chain(x, n=N):
    """n ops alternating a multiply and an add: d(out)/dx = 1.0001 ** (n / 2)."""
    y = x
    for _ in range(n // 2):
        y = y * 1.0001
        y = y + 0.5
    return y


def test_100k_op_chain_backward_without_recursion():
    x = lab.tensor(1.0, dtype=lab.float64, requires_grad=True)
    y = chain(x)
    with shallow_stack():
        y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** (N // 2), rel=1e-9)


def test_100k_op_chain_with_saved_tensors_through_grad():
    x = lab.tensor([0.5, -0.25], dtype=lab.float64, requires_grad=True)
    y = x
    for _ in range(N // 4):         # each step: tanh (saves its output), mul, add, exp->log
        y = (y.tanh() * 0.5 + 0.1).exp().log()
    with shallow_stack():
        (g,) = lab.autograd.grad(y.sum(), x)
    expected = np.ones(2)
    v = x.detach()._data.copy()
    for _ in range(N // 4):         # the same chain rule by hand
        t = np.tanh(v)
        expected *= 0.5 * (1 - t * t)
        v = t * 0.5 + 0.1
    np.testing.assert_allclose(g._data, expected, rtol=1e-9, atol=1e-300)


def test_deep_chain_second_derivative_and_repr():
    x = lab.tensor(0.3, dtype=lab.float64, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y = y ** 3
    with shallow_stack():
        (d1,) = lab.autograd.grad(y, x, create_graph=True)
        (d2,) = lab.autograd.grad(d1, x)
    assert (d1.item(), d2.item()) == pytest.approx((3 * 0.3 ** 2, 6 * 0.3))
    with shallow_stack():
        assert repr(y) == "tensor(0.0270, dtype=torch.float64, grad_fn=<PowBackward0>)"


def test_deep_chain_retain_graph_then_free():
    x = lab.tensor(1.0, requires_grad=True)
    y = chain(x, 20_000) * x            # MulBackward0 at the top saves x and the chain
    with shallow_stack():
        y.backward(retain_graph=True)
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()
        del y
        gc.collect()                    # dropping a deep graph does not recurse either


def _saved_intermediate(retain_graph):
    x = lab.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2                           # an intermediate...
    b = a * a                           # ...that MulBackward0 saves
    ref = weakref.ref(a)
    del a
    b.sum().backward(retain_graph=retain_graph)
    gc.collect()
    return ref, b


def test_backward_frees_saved_tensors():
    ref, b = _saved_intermediate(retain_graph=False)
    assert ref() is None, "backward kept a saved tensor alive"
    assert b.grad_fn is not None        # the graph's structure stays, as in PyTorch


def test_retain_graph_keeps_saved_tensors():
    ref, b = _saved_intermediate(retain_graph=True)
    assert ref() is not None
    b.sum().backward()
    gc.collect()
    assert ref() is None


def test_graph_is_freed_with_its_output():
    x = lab.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None and x.grad is None


def test_in_place_at_the_end_of_a_deep_view_chain():
    """The new values go back through every base of the chain, iteratively."""
    x = lab.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    v = y
    for i in range(20_000):
        v = v.reshape(2) if i % 2 else v[:]
    with shallow_stack():
        v.mul_(3)
        y.sum().backward()
    assert y.tolist() == [3.0, 6.0] and x.grad.tolist() == [3.0, 3.0]
