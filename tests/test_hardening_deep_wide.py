"""Deep and wide graphs: 100,000-op chains and 100,000-leaf sums, with a tiny recursion limit.

Every graph walk (backward, autograd.grad, create_graph, next_functions, repr, display,
zero_grad, freeing) must be a loop: these tests run them with the recursion limit a few dozen
frames above the test's own depth, so any recursion over the graph fails loudly instead of
passing by luck.
"""
import gc
import weakref

import numpy as np
import pytest

import autograd_lab as torch
from autograd_lab import autograd
from helpers import shallow_stack

N = 100_000


@pytest.fixture(scope="module")
def factors():
    return np.random.default_rng(0).uniform(0.999, 1.001, N)


def _chain(x, factors):
    """y = x * f0 * f1 * ... with a view every 1000 steps: one node per op, N deep."""
    y = x
    for i, f in enumerate(factors.tolist()):
        y = y * f
        if i % 1000 == 999:
            y = y.reshape(-1)
    return y.sum()


def test_deep_chain_backward_and_grad(factors):
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    expected = np.prod(factors)
    with shallow_stack():
        y = _chain(x, factors)
        (g,) = autograd.grad(y, x, retain_graph=True)
        y.backward()
        text = repr(y)
        depth, fn = 0, y.grad_fn
        while fn is not None:  # next_functions walk: each step is one attribute access
            nxt = [f for f, _ in fn.next_functions if f is not None]
            fn = nxt[0] if nxt and type(nxt[0]).__name__ != "AccumulateGrad" else None
            depth += 1
    assert np.allclose(g._data, expected, rtol=1e-9) and np.allclose(x.grad._data, expected)
    assert text.endswith("grad_fn=<SumBackward0>)")
    assert depth == N + N // 1000 + 1  # every mul, every reshape and the sum
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_deep_chain_create_graph_second_derivative():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    n = N // 4  # create_graph records the backward too: 3 graphs of this depth in all
    with shallow_stack():
        y = x
        for _ in range(n):
            y = y * 1.0 + 0.0
        y = y * y  # y = x ** 2 at the end of a deep chain
        (g,) = autograd.grad(y, x, create_graph=True)
        (h,) = autograd.grad(g, x)
    assert g.item() == pytest.approx(1.0) and h.item() == pytest.approx(2.0)


def test_wide_sum_of_many_leaves_and_fan_out():
    leaves = [torch.tensor(float(i), requires_grad=True) for i in range(N)]
    with shallow_stack():
        total = sum(leaves)  # a 100,000-deep chain of adds, one leaf per step
        total.backward()
        stacked = torch.stack(leaves)  # one node with 100,000 edges
        (stacked * stacked).sum().backward()
    assert all(t.grad.item() == 1.0 + 2.0 * i for i, t in enumerate(leaves))
    with shallow_stack():
        for t in leaves:  # what optimizer.zero_grad(set_to_none=False) does, leaf by leaf
            t.grad.zero_()
    assert not any(t.grad.item() for t in leaves)
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    with shallow_stack():
        fan = torch.stack([x * 1.0 for _ in range(N)]).sum()  # one leaf, 100,000 consumers
        (g,) = autograd.grad(fan, x)
    assert g.tolist() == [float(N), float(N)]


def test_freeing_a_deep_graph_does_not_recurse():
    x = torch.tensor(1.0, requires_grad=True)
    with shallow_stack():
        y = x + 1.0
        first = weakref.ref(y.grad_fn)
        for _ in range(N * 2):
            y = y + 1.0
        last = weakref.ref(y.grad_fn)
        del y  # 200,000 nodes released by the interpreter's non-recursive deallocator
        gc.collect()
    assert first() is None and last() is None


def test_display_of_deep_and_wide_graphs_is_a_quick_summary():
    pytest.importorskip("networkx")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    leaves = [torch.tensor(float(i), requires_grad=True) for i in range(N)]
    with shallow_stack():
        y = x
        for _ in range(N):
            y = y * 1.0001
        sizes = {what: len(t._repr_mimebundle_()["image/svg+xml"])
                 for what, t in (("chain", y), ("sum of leaves", sum(leaves)),
                                 ("stack", torch.stack(leaves).sum()))}
    assert all(length < 200_000 for length in sizes.values()), sizes


def test_huge_tensors_print_abbreviated():
    big = torch.zeros(1000, 1000, requires_grad=True)
    with shallow_stack():
        text = repr(big * 2)
    assert "..." in text and len(text) < 1000, len(text)


def test_zero_grad_over_a_hundred_thousand_parameters():
    params = [torch.nn.Parameter(torch.tensor([float(i)])) for i in range(N)]
    opt = torch.optim.SGD(params, lr=0.1)
    with shallow_stack():
        torch.stack(params).sum().backward()
        opt.step()
        opt.zero_grad()
    assert all(p.grad is None for p in params) and params[7].item() == pytest.approx(6.9)
