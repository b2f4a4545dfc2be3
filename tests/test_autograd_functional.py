"""autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) against PyTorch: the same
results in the same structure (tensors, tuples, nested tuples), the same errors; and the
products agree with the full Jacobian and Hessian they stand for."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import outcome, raised, require_torch

F64 = "dtype=T.float64"
CASES = [
    # vjp
    f"F.vjp(lambda a: a ** 2, x, T.ones(3, {F64}))",
    "F.vjp(lambda a: (a ** 2).sum(), x)",
    f"F.vjp(lambda a, b: (a.sum() * b, b.exp()), (x, y), (T.ones(2, 2, {F64}), T.ones(2, 2, {F64})))",
    "F.vjp(lambda a: a ** 2, x)",
    "F.vjp(lambda a: a ** 2, x, T.ones(2))",
    f"F.vjp(lambda a, b: a * 2, (x, y), T.ones(3, {F64}))",
    f"F.vjp(lambda a, b: a * 2, (x, y), T.ones(3, {F64}), strict=True)",
    "F.vjp(lambda a: T.ones(3), x, T.ones(3), strict=True)",
    "F.vjp(lambda a: a ** 2, (x, 3), T.ones(3))",
    "F.vjp(lambda a: a ** 2, 3)",
    "F.vjp(lambda a: 3, x)",
    f"F.vjp(lambda a: a ** 3, x, T.ones(3, {F64}), create_graph=True)[1].requires_grad",
    "F.vjp(lambda a: a.float() ** 2, x, T.ones(3))",
    # jvp
    f"F.jvp(lambda a: a ** 2, x, T.ones(3, {F64}))",
    "F.jvp(lambda a: a.sin(), s)",
    f"F.jvp(lambda a, b: (a.sum() * b, b.exp() @ b), (x, y), (T.ones(3, {F64}), T.ones(2, 2, {F64})))",
    "F.jvp(lambda a: a ** 2, x)",
    "F.jvp(lambda a: a ** 2, x, T.ones(2))",
    f"F.jvp(lambda a, b: a * 2, (x, y), (T.ones(3, {F64}), T.ones(2, 2, {F64})), strict=True)",
    f"F.jvp(lambda a: a * 2, x, T.ones(3, {F64}), strict=True)",
    f"F.jvp(lambda a: a ** 2, x, (T.ones(3, {F64}), T.ones(3, {F64})))",
    # jacobian
    "F.jacobian(lambda a: a ** 2, x)",
    "F.jacobian(lambda a, b: (a * b.sum(), b.T @ b), (x, y))",
    "F.jacobian(lambda a, b: a * 2, (x, y))",
    "F.jacobian(lambda a, b: a * 2, (x, y), strict=True)",
    "F.jacobian(lambda a: (a, a.exp()), x)",
    "F.jacobian(lambda a: a.sum(), x)",
    "F.jacobian(lambda a: a * s, s)",
    "F.jacobian(lambda a: T.ones(2), x)",
    "F.jacobian(lambda a: a ** 2, x, vectorize=True)",
    "F.jacobian(lambda a: a ** 2, x, strict=True, vectorize=True)",
    "F.jacobian(lambda a: a ** 2, x, strategy='backwards')",
    "F.jacobian(lambda a: a[:0], x)",
    "F.jacobian(lambda a: a * 2, x[:0])",
    "F.jacobian(lambda a: a.sum() * x, x[:0])",
    "F.jacobian(lambda a, b: (a * 2, b[:0]), (x, x), strategy='forward-mode', vectorize=True)",
    "F.jacobian(lambda a: a ** 3, x, create_graph=True).requires_grad",
    "F.jacobian(lambda a: a ** 2, x, strategy='forward-mode')",
    "F.jacobian(lambda a: a ** 2, x, strategy='forward-mode', vectorize=True)",
    "F.jacobian(lambda a: a ** 2, x, strategy='forward-mode', vectorize=True, create_graph=True)",
    "F.jacobian(lambda a: a ** 2, x, strategy='forward-mode', vectorize=True, strict=True)",
    "F.jacobian(lambda a, b: (a * b.sum(), b.T @ b), (x, y), strategy='forward-mode', vectorize=True)",
    "F.jacobian(lambda a: a.sum() * 2, x, strategy='forward-mode', vectorize=True)",
    # hessian
    "F.hessian(lambda a: (a ** 3).sum(), x)",
    "F.hessian(lambda a, b: (a.sum() ** 2) * (b ** 2).sum(), (x, y))",
    "F.hessian(lambda a: a ** 3, x)",
    "F.hessian(lambda a: (a, a), x)",
    "F.hessian(lambda a: (a * 2).sum(), x)",
    "F.hessian(lambda a: (a * 2).sum(), x, strict=True)",
    "F.hessian(lambda a: (a ** 2).sum(), s)",
    "F.hessian(lambda a: (a ** 3).sum(), x, outer_jacobian_strategy='x')",
    "F.hessian(lambda a: (a ** 3).sum(), x, create_graph=True).requires_grad",
    # vhp, hvp
    f"F.vhp(lambda a: (a ** 3).sum(), x, T.ones(3, {F64}))",
    f"F.hvp(lambda a: (a ** 3).sum(), x, T.tensor([1., 2., 3.], {F64}))",
    f"F.hvp(lambda a, b: (a.sum() ** 2) * (b ** 2).sum(), (x, y), (T.ones(3, {F64}), T.ones(2, 2, {F64})))",
    f"F.vhp(lambda a, b: (a.sum() ** 2) * (b ** 2).sum(), (x, y), (T.ones(3, {F64}), T.ones(2, 2, {F64})))",
    "F.hvp(lambda a: (a ** 3).sum(), x)",
    f"F.hvp(lambda a: (a ** 3), x, T.ones(3, {F64}))",
    f"F.hvp(lambda a: (a * 2).sum(), x, T.ones(3, {F64}))",
    f"F.hvp(lambda a: (a * 2).sum(), x, T.ones(3, {F64}), strict=True)",
    f"F.vhp(lambda a: (a * 2).sum(), x, T.ones(3, {F64}), strict=True)",
    "F.hvp(lambda a: (a ** 3).sum(), s)",
    f"F.vhp(lambda a, b: (a ** 3).sum(), (x, y), (T.ones(3, {F64}), T.ones(2, 2, {F64})), strict=True)",
]


def _run(T, code):
    x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64)
    y = T.tensor([[1.0, 2.0], [3.0, -0.5]], dtype=T.float64)
    s = T.tensor(1.5, dtype=T.float64)
    return eval(code, {"F": T.autograd.functional, "T": T, "x": x, "y": y, "s": s})


@pytest.mark.parametrize("code", CASES)
def test_same_results_structure_and_errors_as_pytorch(code):
    torch = require_torch()
    ours, theirs = outcome(lambda: _run(lab, code)), outcome(lambda: _run(torch, code))
    assert ours == theirs


@pytest.mark.parametrize("code", [
    "F.jacobian(lambda a: a ** 2, 3)", "F.vjp(lambda a: a, x, 3)",
    "F.jvp(lambda a: a ** 2, x, (T.ones(3, dtype=T.float64), 1))",
    "F.vjp(lambda a: a * 2, T.tensor([1, 2]), T.ones(2))",
    "F.jacobian(lambda a, b: (a * 2, b.exp()), (x, y), strict=True)",
    "F.jacobian(lambda a, b: (b.exp() * a.sum(), a * 2 + b.sum()), (x, y), strict=True, "
    "create_graph=True)",
])
def test_error_messages_are_pytorchs(code):
    torch = require_torch()
    assert raised(lambda: _run(lab, code)) == raised(lambda: _run(torch, code))


def test_inputs_that_require_grad_keep_their_graph_with_create_graph():
    w = lab.tensor([1.0, 2.0], dtype=lab.float64, requires_grad=True)
    _, g = lab.autograd.functional.vjp(lambda a: (a ** 3).sum(), w * 1, create_graph=True)
    g.sum().backward()  # d/dw sum(3 w^2) = 6 w
    assert w.grad.tolist() == [6.0, 12.0]
    out, jv = lab.autograd.functional.jvp(lambda a: a ** 2, w, w.detach())
    assert not jv.requires_grad and not out.requires_grad and w.grad.tolist() == [6.0, 12.0]


FUNCTIONS = [lambda a: (a ** 3).sum() + a.prod(), lambda a: (a.sin() * a.exp()).sum(),
             lambda a: (a.tanh() ** 2).mean() * a.sum()]


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(-1.5, 1.5)),
       seed=st.integers(0, 2 ** 16), k=st.integers(0, len(FUNCTIONS) - 1))
def test_products_agree_with_the_full_jacobian_and_hessian(x, seed, k):
    F, f = lab.autograd.functional, FUNCTIONS[k]
    v = lab.tensor(np.random.default_rng(seed).uniform(-1, 1, x.shape))
    x = lab.tensor(x)
    J = F.jacobian(lambda a: a * f(a), x)._data
    H = F.hessian(f, x)._data
    np.testing.assert_allclose(F.jvp(lambda a: a * f(a), x, v)[1]._data, J @ v._data, atol=1e-12)
    np.testing.assert_allclose(F.vjp(lambda a: a * f(a), x, v)[1]._data, v._data @ J, atol=1e-12)
    np.testing.assert_allclose(F.hvp(f, x, v)[1]._data, H @ v._data, atol=1e-12)
    np.testing.assert_allclose(F.vhp(f, x, v)[1]._data, v._data @ H, atol=1e-12)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    eps = 1e-6  # the Hessian against central differences of the gradient
    grad = lambda a: F.vjp(f, lab.tensor(a))[1]._data  # noqa: E731
    numeric = np.stack([(grad(x._data + eps * e) - grad(x._data - eps * e)) / (2 * eps)
                        for e in np.eye(x.numel())], -1)
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-6)
