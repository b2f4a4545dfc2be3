"""Logical and bitwise ops, nan_to_num, exp2, sinc, nansum, nanmean, atleast_nd, ravel,
column_stack, dstack, diagonal, diag_embed, rot90 and logspace against PyTorch (values, dtypes,
grad_fn names, reprs, gradients, errors); finite differences and second derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import helper_test_op, leaves, random_arrays, repr_or_error, require_torch

_SPECIAL = np.array([[1.5, -2.0, 0.0, np.nan], [np.inf, -np.inf, 0.25, 3.0]], np.float32)

# (id, fn(module, *inputs), input shapes, arrays or None)
OPS = [
    ("nan_to_num", lambda T, x: T.nan_to_num(x), None, [_SPECIAL]),
    ("nan_to_num_values", lambda T, x: x.nan_to_num(1.0, posinf=2.0, neginf=-3.0), None,
     [_SPECIAL]),
    ("exp2", lambda T, x: T.exp2(x), [(3, 4)], None),
    ("sinc", lambda T, x: x.sinc(), [(3, 4)], None),
    ("sinc_zero", lambda T, x: T.sinc(x), None, [np.array([0.0, 1.0, -0.5], np.float32)]),
    ("nansum", lambda T, x: T.nansum(x), None, [_SPECIAL]),
    ("nansum_dim", lambda T, x: x.nansum(1, keepdim=True), None, [_SPECIAL]),
    ("nanmean", lambda T, x: T.nanmean(x, 0), None, [_SPECIAL]),
    ("nanmean_all", lambda T, x: x.nanmean(), [(3, 4)], None),
    ("atleast_1d", lambda T, x: T.atleast_1d(x), [()], None),
    ("atleast_2d", lambda T, x: T.atleast_2d(x), [(3,)], None),
    ("atleast_3d", lambda T, x: T.atleast_3d(x), [(2, 3)], None),
    ("atleast_3d_vector", lambda T, x: T.atleast_3d(x), [(3,)], None),
    ("ravel", lambda T, x: x.ravel(), [(2, 3)], None),
    ("ravel_transposed", lambda T, x: T.ravel(x.t()), [(2, 3)], None),
    ("column_stack", lambda T, x, y: T.column_stack([x, y]), [(3,), (3, 2)], None),
    ("dstack", lambda T, x, y: T.dstack((x, y)), [(2, 3), (2, 3, 2)], None),
    ("diagonal", lambda T, x: T.diagonal(x), [(3, 4)], None),
    ("diagonal_offset", lambda T, x: x.diagonal(1, 2, 0), [(2, 3, 4)], None),
    ("diagonal_negative", lambda T, x: x.diagonal(-1, -1, 1), [(2, 3, 4)], None),
    ("diag_embed", lambda T, x: T.diag_embed(x), [(2, 3)], None),
    ("diag_embed_dims", lambda T, x: x.diag_embed(-1, 2, 0), [(2, 3)], None),
    ("rot90", lambda T, x: T.rot90(x), [(2, 3)], None),
    ("rot90_k", lambda T, x: x.rot90(-3, [2, 0]), [(2, 3, 4)], None),
    ("rot90_half", lambda T, x: x.rot90(2), [(2, 3)], None),
]


@pytest.mark.parametrize("name,fn,shapes,arrays", OPS, ids=[o[0] for o in OPS])
def test_matches_torch(name, fn, shapes, arrays):
    helper_test_op(fn, shapes, arrays=arrays)


FD = [
    ("nan_to_num", lambda x: lab.nan_to_num(lab.log(x)) * x, [(3, 4)]),  # NaN where x < 0
    ("exp2", lambda x: lab.exp2(x) * x, [(3, 4)]),
    ("sinc", lambda x: lab.sinc(x) * x, [(3, 4)]),
    ("nansum", lambda x: lab.nansum(x * x, 0), [(3, 4)]),
    ("nanmean", lambda x: lab.nanmean(x * x, 1), [(3, 4)]),
    ("diagonal", lambda x: x.diagonal(1, 0, 2) ** 2, [(3, 2, 4)]),
    ("diag_embed", lambda x: lab.diag_embed(x, 1) ** 2, [(2, 3)]),
    ("rot90", lambda x: lab.rot90(x, 3, (1, 0)) * x.t(), [(3, 4)]),
    ("column_stack", lambda x, y: lab.column_stack((x, y)) ** 2, [(3,), (3, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_gradients_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradcheck(fn, leaves(lab, random_arrays(shapes, seed=5)))


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_second_derivatives_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradgradcheck(fn, leaves(lab, random_arrays(shapes, seed=6)))


def _names(T):
    """T and the small tensors the calls below use."""
    return {"T": T, "x": T.tensor([[1., -2., 0.], [3., float("nan"), float("inf")]]),
            "i": T.tensor([1, 2, 3]), "b": T.tensor([True, False, True]),
            "m": T.arange(24.).reshape(2, 3, 4)}


# No gradient: logical and bitwise ops, integer inputs, factories; and bad calls.
CALLS = [
    "T.logical_and(x, i[:1])", "x.logical_not()", "T.logical_xor(i, T.tensor([0, 2, 0]))",
    "T.logical_or(x, 2)", "T.logical_or(b, b[:2])", "b.logical_and(b)",
    "T.bitwise_and(i, 6)", "T.bitwise_and(i, b)", "T.bitwise_and(x, i)", "T.bitwise_not(x)",
    "T.bitwise_not(b)", "T.bitwise_xor(i.int(), i)", "T.bitwise_or(3, i)",
    "T.bitwise_and(i, 2.5)", "i.bitwise_not()", "b.bitwise_xor(True)", "i.int().bitwise_or(2)",
    "T.bitwise_and(i, i[:2])",
    "T.nan_to_num(i)", "T.nan_to_num(x.double(), 0., None, -5)", "T.exp2(i)", "T.sinc(i)",
    "T.sinc(x)", "T.nansum(i)", "T.nansum(b)", "T.nanmean(i)", "T.nansum(x, 2)",
    "T.atleast_1d(x) is x", "T.atleast_1d(i, x)", "T.atleast_2d([i, T.tensor(1)])",
    "T.atleast_3d(i)", "T.column_stack([i, i])", "T.column_stack((T.tensor(1.), T.tensor(2.)))",
    "T.dstack([i, i])", "x.diagonal(5)", "T.diagonal(m, dim1=1, dim2=2, offset=2)",
    "T.diag_embed(i)", "T.diagonal(x, 0, 1, 1)", "T.diagonal(x, 0, 2)", "T.diagonal(i)",
    "T.diag_embed(i, 0, 0, 0)", "T.diag_embed(T.tensor(1.))",
    "T.rot90(i)", "T.rot90(x, 1, [0, 0])", "T.rot90(x, 1, [0, 1, 2])", "T.rot90(x, 1, [0, 2])",
    "x.rot90(5)", "T.rot90(x, 0)",
    "T.logspace(0, 2, 3)", "T.logspace(0, 2, 3, base=2)", "T.logspace(0, 2, 3, dtype=T.int64)",
    "T.logspace(0., 1., 4, requires_grad=True)", "T.logspace(0, 2, 0)", "T.logspace(0, 2, 1)",
    "T.logspace(-1, 3.5, 7, dtype=T.float64)", "T.logspace(0, 2, -1)",
    "T.ones(3).logical_and_(b)", "T.tensor([1, 0, 2]).logical_not_()",
    "b.clone().logical_xor_(T.tensor([True, True, False]))", "i.clone().bitwise_and_(i.flip(0))",
    "i.clone().bitwise_or_(8)", "i.clone().bitwise_not_()", "x.clone().bitwise_not_()",
    "x.clone().requires_grad_().mul(1).nan_to_num_(2.)",
    "x.clone().requires_grad_().mul(1).exp2_()", "x.clone().requires_grad_().mul(1).sinc_()",
    "i.clone().exp2_()", "T.tensor([1, 1, 2]).unique_consecutive()",
    # (float16 and bool inputs, edge cases)
    "T.nansum(T.tensor([1., float('nan')]).half())",
    "T.nanmean(T.tensor([1., float('nan')]).half())",
    "T.exp2(T.tensor([1., 2.]).half())",
    "T.sinc(T.tensor([0., 0.5]).half())",
    "T.nan_to_num(T.tensor([float('inf'), float('nan')]).half())",
    "T.rot90(T.ones(2, 2).bool())",
    "T.diag_embed(T.tensor([True, False]))",
    "T.logspace(0, 1, 3, dtype=T.float16)",
]


@pytest.mark.parametrize("code", CALLS)
def test_calls_match_torch(code):
    assert repr_or_error(code, _names(lab)) == repr_or_error(code, _names(require_torch()))


def test_diagonal_is_a_view(T):
    m = T.zeros(3, 3)
    m.diagonal().fill_(2.0)
    assert m.tolist() == [[2., 0., 0.], [0., 2., 0.], [0., 0., 2.]]
    w = T.ones(3, 3, requires_grad=True)
    h = w * 1
    d = h.diagonal(1)
    d.mul_(5)  # writes into h: its history gains the multiplication on that diagonal
    h.sum().backward()
    assert w.grad.tolist() == [[1., 5., 1.], [1., 1., 5.], [1., 1., 1.]]
    assert type(h.grad_fn).__name__ == "CopySlices"


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_logical_and_bitwise_match_torch(data):
    torch = require_torch()
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    dtypes = data.draw(st.tuples(*[st.sampled_from(["bool", "int32", "int64", "float32"])] * 2))
    a, b = (data.draw(hnp.arrays(dt, s, elements=st.integers(-4, 4).map(
        (lambda v: v > 0) if dt == "bool" else (lambda v: v))))
        for dt, s in zip(dtypes, shapes.input_shapes))
    for name in ("logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
                 "bitwise_xor"):
        ours = repr_or_error(f"T.{name}(a, b)", {"T": lab, "a": lab.tensor(a), "b": lab.tensor(b)})
        theirs = repr_or_error(f"T.{name}(a, b)",
                               {"T": torch, "a": torch.tensor(a), "b": torch.tensor(b)})
        assert ours == theirs
    for name in ("logical_not", "bitwise_not", "nan_to_num", "exp2", "sinc", "nansum"):
        assert repr_or_error(f"T.{name}(a)", {"T": lab, "a": lab.tensor(a)}) == \
            repr_or_error(f"T.{name}(a)", {"T": torch, "a": torch.tensor(a)})
