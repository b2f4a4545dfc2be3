"""nn.utils.parameters_to_vector / vector_to_parameters: values, graph, memory sharing and
errors as PyTorch's."""
import numpy as np
import pytest

import autograd_lab as lab
from helpers import require_torch


def outcome(fn, lib):
    """(exception type, text) or ('ok', repr of the result) of fn(lib)."""
    try:
        return "ok", repr(fn(lib))
    except Exception as e:  # noqa: BLE001 -- the exception is the result being compared
        return type(e).__name__, str(e)


def model(lib):
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    with lib.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(tuple(p.shape)) * (i + 1),
                               dtype=p.dtype))
    return net


def test_parameters_to_vector_concatenates_in_order_with_a_graph():
    net = model(lab)
    vec = lab.nn.utils.parameters_to_vector(net.parameters())
    expected = np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])
    assert vec.shape == (26,) and np.array_equal(vec.detach().numpy(), expected)
    (vec * lab.arange(26.0)).sum().backward()
    grads = np.concatenate([p.grad.numpy().ravel() for p in net.parameters()])
    assert np.array_equal(grads, np.arange(26.0))


def test_vector_to_parameters_makes_parameters_views_of_the_vector():
    net = model(lab)
    params = list(net.parameters())
    vec = lab.arange(26.0)
    lab.nn.utils.vector_to_parameters(vec, params)
    assert params[0].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0],
                                  [9.0, 10.0, 11.0]]
    assert params[3].tolist() == [24.0, 25.0]
    vec[25] = -1.0  # shared memory, as in PyTorch
    assert params[3].tolist() == [24.0, -1.0]
    assert all(p.is_leaf and p.requires_grad for p in params)
    round_trip = lab.nn.utils.parameters_to_vector(params)
    assert round_trip.tolist() == vec.tolist()


@pytest.mark.parametrize("case", ["round_trip", "graph", "dtypes", "tensor_iterable",
                                  "float64_into_float32", "short", "matrix", "list", "ndarray",
                                  "empty", "non_contiguous", "number"])
def test_matches_torch(case):
    torch = require_torch()

    def run(lib):
        u = lib.nn.utils
        if case == "round_trip":
            net = model(lib)
            vec = u.parameters_to_vector(net.parameters()) * 2
            u.vector_to_parameters(vec, net.parameters())
            return [p for p in net.parameters()], net(lib.ones(1, 3))
        if case == "graph":
            a = lib.ones(2, requires_grad=True)
            v = u.parameters_to_vector([a, lib.ones(2, 2, requires_grad=True)])
            return v, [type(f).__name__ for f, _ in v.grad_fn.next_functions]
        if case == "dtypes":
            return u.parameters_to_vector([lib.ones(2), lib.ones(1, dtype=lib.float64)])
        if case == "tensor_iterable":
            return u.parameters_to_vector(lib.arange(3.0))
        if case == "float64_into_float32":
            p = lib.nn.Parameter(lib.ones(2, 3))
            u.vector_to_parameters(lib.arange(6, dtype=lib.float64), [p])
            return p
        if case == "short":
            return u.vector_to_parameters(lib.arange(4.0), [lib.ones(2, 3)])
        if case == "matrix":
            return u.vector_to_parameters(lib.ones(3, 3), [lib.ones(2, 3)])
        if case == "list":
            return u.vector_to_parameters([1.0], [lib.ones(1)])
        if case == "ndarray":
            return u.vector_to_parameters(np.ones(1), [lib.ones(1)])
        if case == "empty":
            return u.parameters_to_vector([])
        if case == "non_contiguous":
            return u.parameters_to_vector([lib.ones(2, 3).T])
        return u.parameters_to_vector([1.0])
    ours, theirs = outcome(run, lab), outcome(run, torch)
    assert ours == theirs
