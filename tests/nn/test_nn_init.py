"""nn.init: PyTorch's bounds and gains, in-place filling, and its errors."""
import math

import numpy as np
import pytest

import autograd_lab as lab
import autograd_lab.nn as nn
from autograd_lab.nn import init


@pytest.mark.parametrize("args", [("linear",), ("sigmoid",), ("tanh",), ("relu",), ("selu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("conv2d",)])
def test_calculate_gain_is_pytorchs(args):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_fills_in_place_without_recording():
    w = nn.Parameter(lab.empty(300, 200))
    same = w
    for fill in (lambda t: init.uniform_(t, -0.5, 0.25), lambda t: init.normal_(t, 1.0, 0.1),
                 init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
                 init.kaiming_normal_, init.zeros_, init.ones_, lambda t: init.constant_(t, 3)):
        version = w._version
        assert fill(w) is same and w.grad_fn is None and w.requires_grad
        assert w._version == version + 1 and w.dtype == lab.float32
    np.testing.assert_array_equal(w.detach().numpy(), 3.0)


@pytest.mark.parametrize("fill, bound", [
    (lambda t: init.uniform_(t, -0.5, 0.25), None),
    (lambda t: init.xavier_uniform_(t, gain=2.0), 2.0 * math.sqrt(6 / (300 + 200))),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(200)),
    (lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
     math.sqrt(2) * math.sqrt(3 / 300)),
])
def test_uniform_schemes_reach_their_bounds(fill, bound):
    values = fill(lab.empty(300, 200)).numpy()
    low, high = (-0.5, 0.25) if bound is None else (-bound, bound)
    assert values.min() >= low and values.max() <= high
    assert values.min() < low + 0.01 * (high - low) and values.max() > high - 0.01 * (high - low)


@pytest.mark.parametrize("fill, std", [
    (lambda t: init.normal_(t, 1.0, 0.1), 0.1),
    (lambda t: init.xavier_normal_(t), math.sqrt(2 / 500)),
    (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
])
def test_normal_schemes_have_their_std(fill, std):
    values = fill(lab.empty(300, 200, dtype=lab.float64)).numpy()
    assert values.std() == pytest.approx(std, rel=0.02)


def test_seeded():
    lab.manual_seed(5)
    a = init.kaiming_uniform_(lab.empty(4, 4)).numpy().copy()
    lab.manual_seed(5)
    np.testing.assert_array_equal(init.kaiming_uniform_(lab.empty(4, 4)).numpy(), a)


def test_errors_and_warnings_are_pytorchs():
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        init.xavier_uniform_(lab.empty(3))
    with pytest.raises(ValueError, match=r"Mode fan_both not supported, please use one of "
                                         r"\['fan_in', 'fan_out'\]"):
        init.kaiming_normal_(lab.empty(3, 3), mode="fan_both")
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope oops not a valid number"):
        init.calculate_gain("leaky_relu", "oops")
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(lab.empty(0, 3))
