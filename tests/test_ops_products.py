"""addmm, addmv, baddbmm, addbmm, tensordot, kron, cross / linalg.cross and matrix_power
against PyTorch (values, dtypes, grad_fn names, reprs, gradients, errors); finite differences
and second derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import (helper_test_op, leaves, random_arrays, repr_or_error, require_torch,
                     view_op_matches_torch)

# (id, fn(module, *inputs), input shapes)
OPS = [
    ("addmm", lambda T, c, a, b: T.addmm(c, a, b), [(2, 4), (2, 3), (3, 4)]),
    ("addmm_scaled_broadcast", lambda T, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2),
     [(4,), (2, 3), (3, 4)]),
    ("addmm_beta_zero", lambda T, c, a, b: T.addmm(c, a, b, beta=0), [(1, 4), (2, 3), (3, 4)]),
    ("addmv", lambda T, c, a, v: T.addmv(c, a, v), [(2,), (2, 3), (3,)]),
    ("addmv_scaled", lambda T, c, a, v: c.addmv(a, v, beta=2, alpha=0.5), [(1,), (2, 3), (3,)]),
    ("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, alpha=3), [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    ("baddbmm_broadcast", lambda T, c, a, b: c.baddbmm(a, b, beta=-1), [(4,), (2, 2, 3),
                                                                         (2, 3, 4)]),
    ("addbmm", lambda T, c, a, b: T.addbmm(c, a, b), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    ("addbmm_scaled", lambda T, c, a, b: c.addbmm(a, b, beta=2, alpha=0.5),
     [(1, 4), (3, 2, 3), (3, 3, 4)]),
    ("tensordot_outer", lambda T, a, b: T.tensordot(a, b, 0), [(2, 3), (2,)]),
    ("kron", lambda T, a, b: T.kron(a, b), [(2, 3), (3, 2)]),
    ("kron_ndims", lambda T, a, b: a.kron(b), [(2,), (2, 1, 3)]),
    ("cross", lambda T, a, b: T.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    ("cross_broadcast", lambda T, a, b: T.linalg.cross(a, b), [(4, 1, 3), (1, 2, 3)]),
    ("linalg_cross_dim", lambda T, a, b: T.linalg.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    ("matrix_power_2", lambda T, a: T.matrix_power(a, 2), [(3, 3)]),
    ("matrix_power_3", lambda T, a: a.matrix_power(3), [(3, 3)]),
    ("matrix_power_6", lambda T, a: T.linalg.matrix_power(a, 6), [(3, 3)]),
    ("matrix_power_1", lambda T, a: T.matrix_power(a, 1), [(2, 2)]),
    ("matrix_power_0", lambda T, a: T.matrix_power(a, 0), [(2, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_matches_torch(name, fn, shapes):
    helper_test_op(fn, shapes)


TENSORDOTS = [
    ("tensordot", lambda T, a, b: T.tensordot(a, b, 2)),
    ("tensordot_lists", lambda T, a, b: T.tensordot(a, b, ([1, 0], [0, 2]))),
]


@pytest.mark.parametrize("name,fn", TENSORDOTS, ids=[o[0] for o in TENSORDOTS])
def test_tensordot_matches_torch(name, fn):
    view_op_matches_torch(fn, random_arrays([(2, 3, 4), (3, 4, 2)]))


FD = [
    ("addmm", lambda c, a, b: lab.addmm(c, a, b, beta=0.5, alpha=2) ** 2, [(3,), (2, 3), (3, 3)]),
    ("addmv", lambda c, a, v: lab.addmv(c, a, v, alpha=-1) ** 2, [(2,), (2, 3), (3,)]),
    ("baddbmm", lambda c, a, b: lab.baddbmm(c, a, b, beta=2) ** 2,
     [(1, 2), (2, 2, 3), (2, 3, 2)]),
    ("addbmm", lambda c, a, b: lab.addbmm(c, a, b, alpha=0.5) ** 2, [(2, 2), (2, 2, 3), (2, 3, 2)]),
    ("tensordot", lambda a, b: lab.tensordot(a, b, ([0], [1])) ** 2, [(3, 2), (2, 3)]),
    ("kron", lambda a, b: lab.kron(a, b) ** 2, [(2, 2), (2,)]),
    ("cross", lambda a, b: lab.linalg.cross(a, b) ** 2, [(2, 3), (1, 3)]),
    ("matrix_power", lambda a: lab.matrix_power(a, 5), [(2, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_gradients_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradcheck(fn, leaves(lab, random_arrays(shapes, seed=7)))


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_second_derivatives_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradgradcheck(fn, leaves(lab, random_arrays(shapes, seed=8)))


def _names(T):
    """T and the small tensors the calls below use."""
    return {"T": T, "o": T.ones, "w": T.tensor([[float("inf"), 1.], [float("nan"), 2.]])}


CALLS = [
    "T.addmm(o(2, 2), o(2, 3), o(2, 2))", "T.addmm(o(3, 2), o(2, 3), o(3, 2))",
    "T.addmm(o(2, 2), o(3), o(3, 2))", "T.addmm(o(2, 2), o(2, 3), o(3))",
    "T.addmm(o(2, 2), o(2, 3), o(3, 2).double())", "T.addmm(o(2, 2).double(), o(2, 3), o(3, 2))",
    "T.addmm(o(2, 2), o(2, 3).double(), o(3, 2))", "T.addmm(o(1, 2, 2), o(2, 3), o(3, 2))",
    "T.addmm(o(2, 2), o(2, 3, dtype=T.long), o(3, 2, dtype=T.long))",
    "T.addmm(T.full((2, 2), float('nan')), o(2, 3), o(3, 2), beta=0)",
    "T.addmm(o(2, 2).long(), o(2, 3).long(), o(3, 2).long(), beta=0.5, alpha=2)",
    "T.addmm(1, o(2, 3), o(3, 2))",
    "T.addmv(o(2), o(2, 3), o(2))", "T.addmv(o(2), o(3), o(3))", "T.addmv(o(3), o(2, 3), o(3))",
    "T.addmv(o(2), o(2, 3).double(), o(3))", "T.addmv(o(2).double(), o(2, 3), o(3))",
    "T.baddbmm(o(2, 2, 2), o(2, 2, 3), o(3, 3, 2))",
    "T.baddbmm(o(2, 2, 2), o(2, 2, 3).double(), o(2, 3, 2))",
    "T.baddbmm(o(2, 2, 2), o(2, 2, 3), o(2, 3, 2).double())",
    "T.baddbmm(o(2, 2, 2).double(), o(2, 2, 3), o(2, 3, 2))",
    "T.addbmm(o(2, 2), o(4, 2, 3), o(3, 3, 2))", "T.addbmm(o(2, 2), o(4, 2, 3), o(4, 2, 2))",
    "T.addbmm(o(2, 2).double(), o(4, 2, 3), o(4, 3, 2))",
    "T.addbmm(o(3, 2), o(4, 2, 3), o(4, 3, 2))",
    "T.tensordot(o(2, 3), o(4, 5), 1)", "T.tensordot(o(2, 3), o(3, 5), dims=[[1], [0]])",
    "T.tensordot(o(2, 3), o(3, 5), dims=(1, 0))", "T.tensordot(o(2, 3), o(3, 5), dims=-1)",
    "T.tensordot(o(2, 3), o(3, 5).double(), 1)", "T.tensordot(o(2, 3), o(3, 5), ([1, 0], [0]))",
    "T.tensordot(o(2, 3), o(3, 5), 3)",
    "T.kron(T.tensor([1, 2]), T.tensor([[1, 10], [100, 1000]]))", "T.kron(T.tensor(2.), o(2))",
    "T.kron(o(2, 2), o(2).double())", "T.kron(o(2, 2), o(2).long())",
    "T.cross(o(3, 2), o(3, 2), dim=0)", "T.cross(o(2, 3), o(3, 3), dim=1)",
    "T.cross(o(2, 3), o(2, 3).double(), dim=1)", "T.cross(o(2, 4), o(2, 4), dim=1)",
    "T.cross(o(2, 3), o(2, 3), dim=0)", "T.linalg.cross(o(3, 2), o(3, 2))",
    "T.linalg.cross(o(1, 3), o(3, 3))", "T.linalg.cross(T.tensor([1, 2, 3]), T.tensor([4, 5, 6]))",
    "T.linalg.cross(o(3), o(2, 3))",
    "T.linalg.cross(o(2, 3), o(2, 3).long())",
    "T.matrix_power(T.arange(6.).reshape(2, 3), 2)", "T.matrix_power(T.arange(4).reshape(2, 2), 2)",
    "T.matrix_power(T.arange(8.).reshape(2, 2, 2), 2)", "T.matrix_power(o(2), 2)",
    "T.matrix_power(o(0, 0), 2)", "o(2, 3).matrix_power(2)",
    "o(2, 2, requires_grad=True).mul(1).addmm_(o(2, 3), o(3, 2), alpha=2)",
    "o(2).addmv_(o(2, 3), o(3), beta=0.5)", "o(2, 2, 2).baddbmm_(o(2, 2, 3), o(2, 3, 2))",
    "o(2, 2).addbmm_(o(4, 2, 3), o(4, 3, 2))",
    # (float16 and bool inputs, edge cases)
    "T.addmm(o(2, 2), o(2, 3), o(3, 2), beta=0.5, alpha=T.tensor(2.))",
    "T.addmm(T.ones(2, 2).half(), T.ones(2, 2).half(), T.ones(2, 2).half())",
    "T.kron(T.tensor([True, False]), T.tensor([True, True]))",
    "T.linalg.cross(T.tensor([True, False, True]), T.tensor([True, True, False]))",
    "T.tensordot(T.ones(2, 2).long(), T.ones(2, 2).long(), 1)",
    "T.matrix_power(T.eye(2).bool(), 2)",
    "T.matrix_power(T.eye(2).bool(), 1)",
    "T.matrix_power(T.eye(2).bool(), 0)",
    "T.matrix_power(T.eye(2).bool(), 3)",
    "T.linalg.cross(T.ones(3).long(), T.ones(3).long())",
    # (alpha = 0 drops inf/NaN but for baddbmm; integer beta/alpha truncated; bool refused)
    "T.addmm(o(2, 2), w, w, alpha=0)", "T.addmm(o(2, 2), w, w, beta=0, alpha=0)",
    "T.addmv(o(2), w, w[0], alpha=0)", "T.addbmm(o(2, 2), w[None], w[None], alpha=0)",
    "T.baddbmm(o(1, 2, 2), w[None], w[None], alpha=0)",
    "T.addmm(o(2, 2).long(), o(2, 2).long(), o(2, 2).long(), beta=1.5, alpha=2.7)",
    "T.addmm(o(2, 2, dtype=T.uint8), o(2, 2, dtype=T.uint8), o(2, 2, dtype=T.uint8), beta=-1)",
    "T.addmv(o(2).long(), o(2, 2).long(), o(2).long(), alpha=0.5)",
    "T.baddbmm(o(1, 2, 2).long(), o(1, 2, 2).long(), o(1, 2, 2).long(), alpha=1.5)",
    "T.addmm(o(2, 2).bool(), o(2, 2).bool(), o(2, 2).bool())",
    "T.addmv(o(2).bool(), o(2, 2).bool(), o(2).bool())",
    "T.baddbmm(o(1, 2, 2).bool(), o(1, 2, 2).bool(), o(1, 2, 2).bool())",
    "T.addbmm(o(2, 2).bool(), o(1, 2, 2).bool(), o(1, 2, 2).bool())",
]


@pytest.mark.parametrize("code", CALLS)
def test_calls_match_torch(code):
    assert repr_or_error(code, _names(lab)) == repr_or_error(code, _names(require_torch()))


def test_cross_without_dim_takes_the_first_dim_of_size_3():
    torch = require_torch()
    a, b = random_arrays([(3, 3), (3, 3)])
    with pytest.warns(UserWarning):  # (PyTorch's deprecation warning; we give none)
        expected = torch.cross(torch.tensor(a), torch.tensor(b))
    assert lab.allclose(lab.cross(lab.tensor(a), lab.tensor(b)), lab.tensor(expected.numpy()))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_products_match_torch(data):
    """Values and gradients of a loss through every product, for random sizes, broadcast
    inputs and scales."""
    torch = require_torch()
    b, m, k, n = (data.draw(st.integers(1, 3)) for _ in range(4))
    beta, alpha = (data.draw(st.sampled_from([0, 1, 0.5, -2])) for _ in range(2))
    shapes = {"c": data.draw(st.sampled_from([(m, n), (n,), (1, n), (m, 1)])), "m1": (m, k),
              "m2": (k, n), "v": (k,), "b1": (b, m, k), "b2": (b, k, n), "x3": (b, 3),
              "y3": (1, 3), "cv": data.draw(st.sampled_from([(m,), (1,)]))}
    arrays = {name: data.draw(hnp.arrays(np.float64, s, elements=st.floats(-2, 2)))
              for name, s in shapes.items()}

    def loss(T, t):
        return (T.addmm(t["c"], t["m1"], t["m2"], beta=beta, alpha=alpha).sum()
                + (T.addmv(t["cv"], t["m1"], t["v"], beta=beta, alpha=alpha) ** 2).sum()
                + T.baddbmm(t["c"], t["b1"], t["b2"], beta=beta, alpha=alpha).sin().sum()
                + T.addbmm(t["c"], t["b1"], t["b2"], beta=beta, alpha=alpha).sum()
                + T.tensordot(t["b1"], t["b2"], ([0, 2], [0, 1])).sum()
                + T.kron(t["m1"], t["v"]).cos().sum()
                + T.linalg.cross(t["x3"], t["y3"]).sum()
                + T.linalg.multi_dot([t["v"], t["m2"], t["m2"].mT, t["v"]]))

    results = []
    for T in (lab, torch):
        t = {name: T.tensor(a, requires_grad=True) for name, a in arrays.items()}
        out = loss(T, t)
        out.backward()
        results.append((out.item(), {name: v.grad.numpy() for name, v in t.items()}))
    (ours, our_grads), (theirs, their_grads) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    for name in arrays:
        np.testing.assert_allclose(our_grads[name], their_grads[name], rtol=1e-10, atol=1e-10,
                                   err_msg=name)
