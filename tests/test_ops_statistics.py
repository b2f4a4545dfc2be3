"""median, nanmedian, mode, kthvalue, quantile, nanquantile, cummax, cummin and the counting
ops (searchsorted, bucketize, unique, unique_consecutive, bincount, histc) against PyTorch:
values, dtypes, grad_fn names, reprs, gradients, errors; finite differences and second
derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import helper_test_op, leaves, random_arrays, repr_or_error, require_torch

_NAN = np.array([[1.5, np.nan, -2.0, 0.5], [np.nan, np.nan, 3.0, np.nan],
                 [0.25, -1.0, 2.0, 4.0]], np.float32)

# (id, fn(module, x)); x is 3x4 (random, or with NaN where the id says so)
OPS = [
    ("median", lambda T, x: T.median(x)),
    ("median_dim", lambda T, x: x.median(1).values),
    ("median_keepdim", lambda T, x: T.median(x, 0, keepdim=True)[0]),
    ("nanmedian", lambda T, x: T.nanmedian(x)),
    ("nanmedian_dim", lambda T, x: x.nanmedian(-1).values),
    ("mode", lambda T, x: T.mode(x.round(), 0).values),
    ("kthvalue", lambda T, x: T.kthvalue(x, 3).values),
    ("kthvalue_keepdim", lambda T, x: x.kthvalue(2, 0, True).values),
    ("quantile", lambda T, x: T.quantile(x, 0.3)),
    ("quantile_dim", lambda T, x: x.quantile(0.7, 1)),
    ("quantile_q_tensor", lambda T, x: T.quantile(x, T.tensor([0.1, 0.5, 1.0]), 0, True)),
    ("quantile_lower", lambda T, x: T.quantile(x, 0.4, 1, interpolation="lower")),
    ("quantile_higher", lambda T, x: T.quantile(x, 0.4, 1, interpolation="higher")),
    ("quantile_nearest", lambda T, x: T.quantile(x, 0.5, 0, interpolation="nearest")),
    ("quantile_midpoint", lambda T, x: T.quantile(x, 0.4, 1, interpolation="midpoint")),
    ("nanquantile", lambda T, x: T.nanquantile(x, T.tensor([0.2, 0.9]), 1)),
    ("cummax", lambda T, x: T.cummax(x, 1).values),
    ("cummin", lambda T, x: x.cummin(0).values),
]


@pytest.mark.parametrize("name,fn", OPS, ids=[o[0] for o in OPS])
def test_matches_torch(name, fn):
    helper_test_op(fn, [(3, 4)])


@pytest.mark.parametrize("name,fn", OPS, ids=[o[0] for o in OPS])
def test_with_nan_matches_torch(name, fn):
    if name == "kthvalue":
        pytest.skip("which of several NaN PyTorch picks depends on its selection algorithm")
    helper_test_op(fn, None, arrays=[_NAN.copy()])


def test_indices_match_torch():
    torch = require_torch()
    calls = ("median(1)", "nanmedian(0)", "cummax(1)", "cummin(0)", "cummin(1)")
    for a, more in ((random_arrays([(3, 5)])[0].astype(np.float32), ("kthvalue(2, 1)",)),
                    (_NAN, ())):
        for call in calls + more:
            ours = eval("x." + call, {"x": lab.tensor(a)})
            theirs = eval("x." + call, {"x": torch.tensor(a)})
            assert repr(ours) == repr(theirs)


FD = [
    ("median", lambda x: lab.median(x) * x, [(3, 4)]),
    ("median_dim", lambda x: lab.median(x, 0).values ** 2, [(3, 4)]),
    ("nanmedian", lambda x: lab.nanmedian(x, 1, True).values * x, [(3, 4)]),
    ("kthvalue", lambda x: x.kthvalue(2).values ** 2, [(3, 4)]),
    ("quantile", lambda x: lab.quantile(x, lab.tensor([0.3, 0.8], dtype=lab.float64), 1) ** 2,
     [(3, 4)]),
    ("quantile_midpoint", lambda x: lab.quantile(x, 0.5, interpolation="midpoint") * x,
     [(3, 4)]),
    ("cummax", lambda x: lab.cummax(x, 1).values ** 2, [(3, 4)]),
    ("cummin", lambda x: lab.cummin(x, 0).values * x, [(3, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_gradients_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradcheck(fn, leaves(lab, random_arrays(shapes, seed=9)))


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_second_derivatives_match_finite_differences(name, fn, shapes):
    assert lab.autograd.gradgradcheck(fn, leaves(lab, random_arrays(shapes, seed=10)))


def _names(T):
    """T and the small tensors the calls below use."""
    return {"T": T, "i": T.tensor([1, 2, 3]),
            "x": T.tensor([[1., -2., 0., 2.], [3., float("nan"), float("inf"), 1.]],
                          requires_grad=True),
            "y": T.tensor([[1., -2., 0.5, 2.], [3., 2.5, -1.5, 1.]], requires_grad=True)}


CALLS = [
    "T.median(y, 1)", "y.median(0, keepdim=True)", "T.median(x)", "T.median(x, 1)",
    "T.median(i)", "T.median(T.tensor([1., 2., 3., 4.]), 0)", "T.median(T.tensor([]))",
    "T.median(T.tensor([]), 0)", "T.nanmedian(x)", "T.nanmedian(x, 1)",
    "T.nanmedian(T.tensor([float('nan'), float('nan')]), 0)", "T.median(T.tensor(3.), 0)",
    "T.median(i.reshape(1, 3), 1)",
    "T.mode(T.tensor([[1., 2., 2., 3.], [4., 4., 5., 5.]], requires_grad=True), 1)",
    "T.mode(T.tensor([3, 1, 3, 1]))", "T.mode(T.tensor([[1., 2.], [1., 3.]]), 0, keepdim=True)",
    "T.mode(T.tensor(3.))",
    "T.kthvalue(y, 4, 1)", "T.kthvalue(y, 0, 1)", "T.kthvalue(i, 2)", "T.kthvalue(x, 2, 1)",
    "T.kthvalue(T.tensor(3.), 1)",
    "T.quantile(y, T.tensor([0.25, 0.5]), dim=1, keepdim=True)", "T.quantile(y, 1.5)",
    "T.quantile(y, 0.5, interpolation='foo')", "T.quantile(i, 0.5)",
    "T.quantile(x, 0.5, dim=1)", "T.nanquantile(x, 0.5, dim=1)",
    "T.nanquantile(x, T.tensor([0.1, 0.9]))", "T.quantile(y.double(), T.tensor([0.5]))",
    "T.quantile(y, T.tensor([[0.5]]))", "T.quantile(y, T.tensor([0.2, 0.7]), keepdim=True)",
    "T.quantile(y, T.tensor(0.2), dim=0)", "T.quantile(T.tensor(3.), 0.5)",
    "T.quantile(y, 0.2, keepdim=True)", "T.quantile(y, 0.2, 1, True, interpolation='lower')",
    "T.quantile(T.tensor([]), 0.5)",
    "T.cummax(x, 1)", "T.cummax(T.tensor([1., 3., 3., 2.]), 0)", "T.cummin(i, 0)",
    "T.cummax(T.tensor(2.), 0)",
    "T.searchsorted(T.tensor([1, 3, 5, 7, 9]), T.tensor([3, 6, 9]))",
    "T.searchsorted(T.tensor([1, 3, 5, 7, 9]), T.tensor([3, 6, 9]), right=True)",
    "T.searchsorted(T.tensor([1, 3, 5, 7, 9]), T.tensor([3, 6, 9]), side='right')",
    "T.searchsorted(T.tensor([[1, 3, 5], [2, 4, 6]]), T.tensor([[3, 6], [1, 7]]))",
    "T.searchsorted(T.tensor([1., 3., 5.]), 4.)",
    "T.searchsorted(T.tensor([1, 3, 5]), T.tensor([3, 6]), out_int32=True)",
    "T.searchsorted(T.tensor([5, 1, 3]), T.tensor([3, 6]), sorter=T.tensor([1, 2, 0]))",
    "T.searchsorted(T.tensor([[1, 3, 5], [2, 4, 6]]), T.tensor([3, 6]))",
    "T.bucketize(T.tensor([[3, 6], [9, 0]]), T.tensor([1, 3, 5, 7, 9]), right=True)",
    "T.bucketize(4, T.tensor([1, 3, 5]))", "T.bucketize(T.tensor([3, 6]), T.tensor([[1, 3, 5]]))",
    "T.bucketize(T.tensor([0.5, 3.]), T.tensor([1., 3.]), out_int32=True)",
    "T.unique(T.tensor([3, 1, 2, 3, 1]), return_inverse=True, return_counts=True)",
    "T.unique(T.tensor([3, 1, 2, 3, 1]), return_counts=True)",
    "T.unique(T.tensor([[1, 2], [1, 2], [0, 5]]), dim=0)",
    "T.unique(T.tensor([[1, 2], [1, 2], [0, 5]]), dim=1, return_inverse=True, "
    "return_counts=True)",
    "T.unique(T.tensor([2., 1., 2.], requires_grad=True))",
    "T.unique(T.tensor([[2, 1], [2, 0]]), return_inverse=True)",
    "T.unique(T.tensor([2., 1.], requires_grad=True)).sum().backward()",
    "T.unique(T.tensor([[2.], [1.]], requires_grad=True), dim=0).sum().backward()",
    "T.unique_consecutive(T.tensor([1, 1, 2, 2, 3, 1, 1]), return_inverse=True, "
    "return_counts=True)",
    "T.unique_consecutive(T.tensor([[2.], [2.], [1.]], requires_grad=True), dim=0)",
    "T.unique_consecutive(T.tensor([[1, 1], [2, 2]]), return_inverse=True, dim=1)",
    "T.bincount(T.tensor([0, 1, 1, 3]), minlength=6)",
    "T.bincount(T.tensor([0, 1, 1, 3]), weights=T.tensor([0.5, 1., 1., 2.]))",
    "T.bincount(T.tensor([0, 1, 1, 3]), weights=T.tensor([1, 2, 3, 4]))",
    "T.bincount(T.tensor([0, -1]))", "T.bincount(T.tensor([[0, 1]]))",
    "T.bincount(T.tensor([0., 1.]))", "T.bincount(T.tensor([], dtype=T.long))",
    "T.histc(T.tensor([1., 2., 1.]), bins=4, min=0, max=3)", "T.histc(T.tensor([1., 2., 1., 5.]))",
    "T.histc(T.tensor([1., 2., 1.]), bins=4, min=3, max=0)",
    "T.histc(T.tensor([1, 2, 1]), bins=4, min=0, max=3)", "T.histc(T.tensor([1., 1.]), bins=3)",
    "T.histc(T.tensor([0.1, 0.2, 0.3, 0.7, 1.0, 0.9999999]), bins=10, min=0, max=1)",
    # (float16 and bool inputs, edge cases)
    "T.bincount(T.tensor([1, 2]), minlength=-1)",
    "T.bincount(T.tensor([1, 2]), weights=T.tensor([1., 2., 3.]))",
    "T.searchsorted(T.tensor([1, 3, 5]), T.tensor([2]), side='left', right=True)",
    "T.searchsorted(T.tensor([1, 3, 5]), T.tensor([2]), side='middle')",
    "T.quantile(T.arange(4.), [0.5])",
    "T.median(T.ones(3, requires_grad=True)).grad_fn._saved_self",
    "T.median(T.tensor([True, False, True]))",
    "T.median(T.tensor([True, False, True]), 0)",
    "T.cummax(T.tensor([True, False, True]), 0)",
    "T.cummin(T.tensor([1, 3, 2], dtype=T.int32), 0)",
    "T.kthvalue(T.tensor([True, False]), 1)",
    "T.mode(T.tensor([True, False, True]))",
    "T.histc(T.tensor([1., 2.]).half(), 2)",
    "T.quantile(T.tensor([1., 2.]).half(), 0.5)",
    "T.unique(T.tensor([True, False, True]))",
    "T.bincount(T.tensor([True, False, True]))",
    "T.searchsorted(T.tensor([1., 2.]), T.tensor([1, 2]))",
    "T.median(T.tensor([[1., 2.], [3., 4.]]), dim=(0, 1))",
    "T.cummax(T.ones(2, 0), 1)",
    "T.median(T.ones(2, 0), 0)",
    "T.quantile(T.ones(2, 0), 0.5, dim=1)",
    "T.quantile(T.ones(2, 0), 0.5, dim=0)",
    "T.histc(T.tensor([float('nan'), 1.]), 2)",
    "T.histc(T.tensor([float('inf'), 1.]), 2, 0, 2)",
    "T.histc(T.tensor([float('inf'), 1.]), 2)",
    "T.histc(T.tensor([float('-inf'), 1.5]), 2)",
    "T.histc(T.tensor([1.,2.]), 2, 0, float('inf'))",
    "T.histc(T.tensor([1.,2.]), 2, float('nan'), 1)",
    "T.median(T.tensor([True]), 0)",
    "T.nanmedian(T.tensor([True]))",
    "T.kthvalue(T.tensor([True]), 1, 0)",
    "T.histc(T.tensor([1.,2.]), 0)",
    "T.histc(T.tensor([1.,2.]), -1)",
    # (each NaN counts once; empty reduced dims)
    "T.unique(T.tensor([3., float('nan'), 1., float('nan')]), return_inverse=True, "
    "return_counts=True)",
    "T.mode(T.tensor([1., float('nan'), float('nan'), 2.]))", "T.mode(x, 1)",
    "T.mode(T.ones(0))", "T.mode(T.ones(2, 0), 1)", "T.mode(T.ones(2, 0), 0)",
    "T.mode(T.ones(0, 3), 0)",
    # (quantile's result is no view; a 0-d input keeps shape ())
    "T.quantile(y, 0.5)._base", "T.quantile(y, 0.5, 1)._base",
    "T.quantile(T.tensor(3.), 0.5, 0, keepdim=True)",
    "T.quantile(T.tensor(3.), T.tensor([0.5, 0.2]), 0, keepdim=True)",
    "T.nanquantile(T.tensor(3., requires_grad=True), 0.5, -1, keepdim=True)",
]


@pytest.mark.parametrize("code", CALLS)
def test_calls_match_torch(code):
    assert repr_or_error(code, _names(lab)) == repr_or_error(code, _names(require_torch()))


def test_mode_of_rows_with_nan_matches_torch():
    """Rows of up to 16 small integers and NaNs: PyTorch's order of a sort meeting NaNs."""
    torch = require_torch()
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, (300, 16)).astype(np.float64)
    a[rng.random(a.shape) < 0.3] = np.nan
    for n in (3, 9, 16):
        ours, theirs = (repr(T.mode(T.tensor(a[:, :n]), 1)) for T in (lab, torch))
        assert ours == theirs


def test_histc_matches_torch_on_random_data():
    torch = require_torch()
    a = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    for bins, lo, hi in ((7, 0, 0), (50, -1, 1), (3, -0.5, 2.5)):
        ours = lab.histc(lab.tensor(a), bins, lo, hi)
        assert ours.tolist() == torch.histc(torch.tensor(a), bins, lo, hi).tolist()


# Random shapes and values with many ties (small integers as floats, some NaN): the values (and
# the indices wherever PyTorch defines them) match PyTorch's.
_VALUES = st.one_of(st.integers(-3, 3).map(float), st.just(float("nan")))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_inputs_match_torch(data):
    torch = require_torch()
    a = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                             elements=_VALUES))
    d = data.draw(st.integers(0, a.ndim - 1))
    q = data.draw(st.floats(0, 1))
    how = data.draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    ours, theirs = lab.tensor(a), torch.tensor(a)
    for call in ("median(d).values", "nanmedian(d).values", "median()", "nanmedian()",
                 "cummax(d)", "cummin(d)", "quantile(q, d, interpolation=how)",
                 "nanquantile(q, interpolation=how)", "kthvalue(1, d).values",
                 "sort(d).values.unique_consecutive(return_counts=True)"):
        names = {"d": d, "q": q, "how": how}
        assert repr(eval("x." + call, {"x": ours, **names})) == \
            repr(eval("x." + call, {"x": theirs, **names})), call
