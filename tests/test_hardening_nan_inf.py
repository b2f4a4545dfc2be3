"""NaN and inf propagate through forward and backward exactly as in PyTorch, without warnings."""
import subprocess
import sys

import numpy as np
import pytest

import autograd_lab

NAN, INF = float("nan"), float("inf")
VALUES = [0.0, -1.0, 2.0, NAN, INF, -INF]

CASES = {
    "log": lambda M, x: M.log(x),
    "sqrt": lambda M, x: M.sqrt(x),
    "rsqrt": lambda M, x: M.rsqrt(x),
    "reciprocal": lambda M, x: M.reciprocal(x),
    "div by x": lambda M, x: 1.0 / x,
    "x div x": lambda M, x: x / x,
    "exp": lambda M, x: M.exp(x),
    "mul inf": lambda M, x: x * INF,
    "sub self": lambda M, x: x - x,
    "tanh": lambda M, x: M.tanh(x),
    "sigmoid": lambda M, x: M.sigmoid(x),
    "relu": lambda M, x: M.relu(x),
    "abs": lambda M, x: M.abs(x),
    "sign": lambda M, x: M.sign(x),
    "fill_": lambda M, x: (x * 1).fill_(2.0),
    "zero_": lambda M, x: (x * 1).zero_(),
    "sin": lambda M, x: M.sin(x),
    "pow 2": lambda M, x: x ** 2,
    "pow -1": lambda M, x: x ** -1,
    "pow 1.5": lambda M, x: x ** 1.5,
    "pow 0": lambda M, x: x ** 0,
    "rpow": lambda M, x: 2.0 ** x,
    "pow tensor": lambda M, x: M.abs(x) ** x,
    "clamp": lambda M, x: M.clamp(x, -0.5, 0.5),
    "maximum": lambda M, x: M.maximum(x, M.zeros_like(x)),
    "where": lambda M, x: M.where(x > 0, x, M.zeros_like(x)),
    "sum": lambda M, x: x.sum(),
    "mean": lambda M, x: x.mean(),
    "prod": lambda M, x: x.prod(),
    "amax": lambda M, x: M.amax(x, 0),
    "max": lambda M, x: x.max(),
    "norm": lambda M, x: M.norm(x),
    "softmax": lambda M, x: M.softmax(x, 0),
    "log_softmax": lambda M, x: M.log_softmax(x, 0),
    "var": lambda M, x: M.var(x),
    "std": lambda M, x: M.std(x),
    "matmul": lambda M, x: x @ M.ones(len(VALUES), dtype=M.float64),
}


def _run(M, fn, values, upstream=1.0):
    x = M.tensor(values, dtype=M.float64, requires_grad=True)
    out = fn(M, x)
    out.backward(M.full_like(out, upstream))
    return out.detach().numpy().copy(), x.grad.numpy().copy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_nan_and_inf_propagate_as_in_pytorch(name):
    torch = pytest.importorskip("torch")
    out, grad = _run(autograd_lab, CASES[name], VALUES)
    t_out, t_grad = _run(torch, CASES[name], VALUES)
    np.testing.assert_allclose(out, t_out, rtol=1e-12, equal_nan=True, err_msg="forward")
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, equal_nan=True, err_msg="gradient")


@pytest.mark.parametrize("name", sorted(CASES))
def test_zero_gradients_have_pytorchs_sign(name):
    """Where an input gets no gradient, PyTorch writes +0 (`tensor([0., -1.])`), not the
    `-0.` that multiplying a negative gradient by a 0/1 mask would print."""
    torch = pytest.importorskip("torch")
    values = [0.0, -1.0, 2.0, -3.0, 0.5, -0.25]
    _, grad = _run(autograd_lab, CASES[name], values, upstream=-1.0)
    _, t_grad = _run(torch, CASES[name], values, upstream=-1.0)
    real = ~np.isnan(t_grad)
    np.testing.assert_array_equal(np.signbit(grad[real]), np.signbit(t_grad[real]))
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, equal_nan=True)


def test_zero_values_give_pytorchs_special_gradients():
    """Where the formula divides by zero PyTorch defines a value; so do we."""
    torch = pytest.importorskip("torch")
    for fn in (lambda M, x: M.norm(x), lambda M, x: x ** 0, lambda M, x: M.zeros_like(x) ** x,
               lambda M, x: M.abs(x), lambda M, x: M.relu(x), lambda M, x: M.sqrt(x * x)):
        ours, theirs = _run(autograd_lab, fn, [0.0, 0.0]), _run(torch, fn, [0.0, 0.0])
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, equal_nan=True)


def test_no_numpy_warnings_reach_the_user():
    """PyTorch is silent about log(0) or 0/0; numpy's RuntimeWarnings from the op table are
    filtered (checked in a fresh interpreter that shows every warning, `-W default`)."""
    code = ("import autograd_lab as torch\n"
            "x = torch.tensor([0.0, -1.0, float('inf')], requires_grad=True)\n"
            "y = torch.log(x) + x / x + torch.sqrt(x) + x * float('inf') + torch.exp(x * 1e4)\n"
            "(y * 0).sum().backward()\n"
            "print(x.grad)\n")
    run = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, check=True)
    assert run.stdout.strip() == "tensor([nan, nan, nan])" and run.stderr == "", run.stderr
