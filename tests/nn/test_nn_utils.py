"""nn.utils: gradient clipping against PyTorch (returned norm, clipped gradients, errors)."""
import warnings

import numpy as np
import pytest

from nn_helpers import same_outcome

W = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
X = [[1.0, 2.0, -3.0], [0.5, -1.0, 2.0]]


def linear_with_grads(lib, dtype="float32"):
    lin = lib.nn.Linear(3, 2, dtype=getattr(lib, dtype))
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(W))
        lin.bias.copy_(lib.tensor([0.1, -0.1]))
    lin(lib.tensor(X, dtype=lin.weight.dtype)).pow(2).sum().backward()
    return lin


@pytest.mark.parametrize("norm_type", [2, 1, float("inf"), -float("inf"), 0, 3.5, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_is_pytorchs(norm_type, max_norm, dtype):
    def run(lib):
        lin = linear_with_grads(lib, dtype)
        total = lib.nn.utils.clip_grad_norm_(lin.parameters(), max_norm, norm_type=norm_type)
        grads = [p.grad for p in lin.parameters()]
        return total.dtype, total.grad_fn, [g.grad_fn for g in grads], \
            np.round([total.item()] + [v for g in grads for v in g.flatten().tolist()], 4)
    same_outcome(run)


def test_clip_grad_norm_of_non_finite_gradients_is_pytorchs():
    def run(lib, **kwargs):
        w = lib.nn.Parameter(lib.ones(2))
        w.grad = lib.tensor([float("inf"), 1.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's for inf * 0 (the engine's multiply)
            return lib.nn.utils.clip_grad_norm_(w, 1.0, **kwargs), w.grad
    assert same_outcome(run) == ("ok", "(tensor(inf), tensor([nan, 0.]))")
    kind, message = same_outcome(lambda lib: run(lib, norm_type=1, error_if_nonfinite=True))
    assert kind == "RuntimeError" and message.startswith("The total norm of order 1.0")


def test_clip_grad_norm_without_gradients_is_pytorchs():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = [lib.nn.utils.clip_grad_norm_((p for p in []), 1.0),
                       lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(1))], 1.0)]
        return results, [str(w.message) for w in caught]
    assert "empty generator" in same_outcome(run)[1]


def test_clip_grad_value_is_pytorchs():
    def run(lib):
        w = lib.nn.Parameter(lib.ones(3))
        w.grad = lib.tensor([3.0, -4.0, 0.5])
        lin = linear_with_grads(lib)
        return lib.nn.utils.clip_grad_value_(w, 1), w.grad, \
            lib.nn.utils.clip_grad_value_(lin.parameters(), 2.5), lin.weight.grad, lin.bias.grad
    same_outcome(run)
