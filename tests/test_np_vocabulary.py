"""The numpy vocabulary's hand-made fast paths (`NP`, what first-order backward runs) give
exactly what the plain numpy expressions they replace give."""
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lab import _ops

DTYPES = st.sampled_from([np.float32, np.float64])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_expand_is_numpys_broadcast_to(data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    small = data.draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=len(shape),
                                               min_side=1))
    small = tuple(1 if s != n else s for s, n in zip(small, shape[len(shape) - len(small):]))
    g = data.draw(hnp.arrays(dtype, small, elements=st.floats(-5, 5, width=32)))
    if data.draw(st.booleans()) and g.ndim:  # a non-contiguous view
        g = np.repeat(g, 2, axis=-1)[..., ::2]
    ours, theirs = _ops.NP.expand(g, shape), np.broadcast_to(g, shape)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    assert ours is g or not ours.flags.writeable  # a view nobody may write through


def test_expand_of_a_numpy_scalar_and_a_bad_shape():
    np.testing.assert_array_equal(_ops.NP.expand(np.float32(2), (2, 3)), np.full((2, 3), 2))
    for bad in ((3,), (2, 4)):
        with pytest.raises(ValueError) as theirs:
            np.broadcast_to(np.ones((2, 3)), bad)
        with pytest.raises(ValueError, match=re.escape(str(theirs.value))):
            _ops.NP.expand(np.ones((2, 3)), bad)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_relu_grad_is_where(data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=5))
    values = st.one_of(st.floats(-3, 3, width=32), st.sampled_from([0.0, -0.0, np.nan, np.inf,
                                                                   -np.inf]))
    g = data.draw(hnp.arrays(dtype, shape, elements=values))
    ans = np.maximum(data.draw(hnp.arrays(dtype, shape, elements=values)), 0)
    ours = _ops.NP.relu_grad(g, ans)
    theirs = np.where(ans <= 0, dtype(0), g)  # PyTorch's threshold_backward
    assert ours.dtype == g.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_sum_to_undoes_broadcasting(data, dtype):
    big = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    small = data.draw(hnp.broadcastable_shapes(big, min_dims=0, max_dims=len(big), min_side=1))
    small = tuple(1 if s != n else s for s, n in zip(small, big[len(big) - len(small):]))
    g = data.draw(hnp.arrays(dtype, big, elements=st.floats(-5, 5, width=32)))
    ours = _ops.NP.sum_to(g, small)
    theirs = np.zeros(small)  # every element of g added where broadcasting took it from
    lead = len(big) - len(small)
    for index in np.ndindex(*big):
        theirs[tuple(0 if n == 1 else i for i, n in zip(index[lead:], small))] += g[index]
    assert np.shape(ours) == small and ours.dtype == dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-5 if dtype is np.float32 else 1e-12,
                               atol=1e-5)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_cumprod_grad_by_division_is_the_exact_one(data):
    """Where the products are normal numbers NP divides (O(n)); the exact product-of-others
    form gives the same."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    d = data.draw(st.integers(0, len(shape) - 1))
    values = st.one_of(st.floats(-3, -0.1), st.floats(0.1, 3))
    x = data.draw(hnp.arrays(np.float64, shape, elements=values))
    g = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))
    ours = _ops.NP.cumprod_grad(g, np.cumprod(x, d), x, d)
    np.testing.assert_allclose(ours, _ops.cumprod_grad(_ops.NP, g, x, d), rtol=1e-10,
                               atol=1e-12)
