"""repr(tensor) is PyTorch's, character for character, for random tensors of every kind."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import outcome, require_torch

torch = require_torch()

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SCALES = [1e-12, 1e-5, 1e-3, 0.1, 1.0, 7.0, 1e3, 1e5, 1e9, 1e20]


@pytest.fixture(autouse=True)
def default_printoptions():
    yield
    lab.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def assert_same_repr(array, requires_grad=False):
    ours = lab.tensor(array.copy(), requires_grad=requires_grad)
    theirs = torch.tensor(array.copy(), requires_grad=requires_grad)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@st.composite
def arrays(draw, max_side=6):
    """Arrays of any dtype and shape (0-d and empty too); floats of one magnitude, or mixed,
    with the odd nan, inf, -0.0 or whole number thrown in."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=max_side))
    if dtype == "bool":
        return draw(hnp.arrays(np.bool_, shape))
    if dtype[0] in "iu":
        info = np.iinfo(dtype)
        hi = draw(st.sampled_from([9, 1000, int(info.max)]))
        hi = min(hi, int(info.max))
        return draw(hnp.arrays(dtype, shape, elements=st.integers(max(int(info.min), -hi), hi)))
    scale = draw(st.sampled_from(SCALES if dtype != "float16" else SCALES[2:7]))
    special = [math.nan, math.inf, -math.inf, -0.0, 0.0, 3.0, -2.0]
    values = st.one_of(st.floats(-scale, scale, width=64), st.sampled_from(special),
                       st.floats(-1e3, 1e3), st.integers(-50, 50).map(float))
    return draw(hnp.arrays(np.float64, shape, elements=values)).astype(dtype)


@settings(max_examples=300, deadline=None)
@given(arrays())
def test_random_tensors(array):
    assert_same_repr(array)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                  elements=st.floats(-1e4, 1e4)), st.booleans())
def test_requires_grad_and_grad_fn_suffixes(array, float64):
    array = array if float64 else array.astype(np.float32)
    assert_same_repr(array, requires_grad=True)
    ours = lab.tensor(array.copy(), requires_grad=True)
    theirs = torch.tensor(array.copy(), requires_grad=True)
    assert repr(ours * 2) == repr(theirs * 2)  # exact ops: numpy and torch agree bit for bit
    assert repr(-ours.reshape(-1)) == repr(-theirs.reshape(-1))


@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 30), (3, 400), (400, 3),
                                   (2, 3, 200), (10, 10, 11), (7, 150)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_summarised_above_threshold(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    assert_same_repr((rng.standard_normal(shape) * 100).astype(dtype))


@pytest.mark.parametrize("text", [
    "[1.0, 2.0, 3.0, 4.0]", "[[1, 2], [3, 4]]", "[True, False]", "3.5", "-0.0", "7",
    "[-0.0, 0.0]", "[1e-5, 1.0]", "[123456789.0, 1.0]", "[1e10, 2e10]", "[0.1, 100000.0]",
    "[[1.5, float('nan')], [float('inf'), -float('inf')]]", "[float('nan')]",
    "[1e-20, -1e20]", "[0.0001, 0.001]", "[2.0, 1000.0]", "[2.0, 1001.0]", "[99999999.0]",
    "[100000000.0]", "[0.5, 12345.678]", "[]", "[[]]", "[[], []]",
])
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "bool"])
def test_chosen_values(text, dtype):
    """Each value list made into a tensor of each dtype: same repr (or same exception type)."""
    data = eval(text)
    assert outcome(lambda: lab.tensor(data, dtype=getattr(lab, dtype) if dtype else None)) == \
        outcome(lambda: torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (1, 0, 2), (3, 0, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_empty(shape, dtype):
    assert_same_repr(np.zeros(shape, dtype))


def test_float64_dtype_and_wrapped_suffixes():
    """Suffixes that do not fit the line width move to the next line, as PyTorch does."""
    array = np.linspace(-3, 3, 7)
    assert_same_repr(array, requires_grad=True)
    ours = lab.tensor(array, requires_grad=True)
    theirs = torch.tensor(array, requires_grad=True)
    assert repr(ours.exp() * 1000) == repr(theirs.exp() * 1000)


OPTIONS = [
    {"precision": 2}, {"precision": 8}, {"precision": 0}, {"sci_mode": True},
    {"sci_mode": False}, {"threshold": 5}, {"threshold": 5, "edgeitems": 1},
    {"linewidth": 40}, {"linewidth": 200},
    {"profile": "short"}, {"profile": "full"}, {"profile": "short", "precision": 6},
]


@pytest.mark.parametrize("options", OPTIONS,
                         ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("array", [
    np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
    np.array([1e-4, 2.5, 1e5]),
    np.arange(30.0).reshape(5, 6),
    np.arange(2000, dtype=np.int64),
    np.random.default_rng(0).standard_normal((4, 30)).astype(np.float32),
], ids=["matrix", "mixed_magnitudes", "whole_numbers", "long_ints", "wide"])
def test_set_printoptions(options, array):
    lab.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert_same_repr(array)


@pytest.mark.parametrize("n", [5, 20])
def test_no_edgeitems(n):
    lab.set_printoptions(threshold=10, edgeitems=0)
    torch.set_printoptions(threshold=10, edgeitems=0)
    assert_same_repr(np.arange(float(n)))


def test_set_printoptions_default_profile_restores():
    before = repr(lab.tensor([1.123456, 2.0]))
    lab.set_printoptions(precision=1, sci_mode=True)
    assert repr(lab.tensor([1.123456, 2.0])) != before
    lab.set_printoptions(profile="default")
    assert repr(lab.tensor([1.123456, 2.0])) == before


def test_size_and_dtype_reprs():
    assert repr(lab.ones(2, 3).shape) == repr(torch.ones(2, 3).shape)
    assert str(lab.ones(()).shape) == str(torch.ones(()).shape)
    for name in DTYPES:
        assert repr(getattr(lab, name)) == repr(getattr(torch, name))
