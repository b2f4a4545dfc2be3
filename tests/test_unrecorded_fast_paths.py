"""When nothing records (grad mode off, or no input requires grad), matmul and basic indexing
skip the per-step tensors PyTorch's graph would have: the results are still exactly those of
the recorded steps (bits, dtype, shape, strides, memory and view bookkeeping) and the errors
are the same."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from autograd_lab import _ops

DTYPES = st.sampled_from([np.float32, np.float64])
SIDES = st.sampled_from([0, 1, 2, 3, 17])  # 17: enough terms for BLAS and loops to differ


def assert_same_array(x, y):
    assert (x.dtype, x.shape, x.strides) == (y.dtype, y.shape, y.strides)
    assert x.tobytes() == y.tobytes()


def product(arrays, transposed, requires_grad):
    """arrays[0] @ arrays[1] as tensors (stored transposed and viewed back when asked: operands
    that are not contiguous), or the error's message."""
    ts = []
    for x in arrays:
        if transposed and x.ndim >= 2:
            t = lab.tensor(np.swapaxes(x, -1, -2), requires_grad=requires_grad).mT
        else:
            t = lab.tensor(x, requires_grad=requires_grad)
        ts.append(t)
    try:
        return ts[0] @ ts[1]
    except RuntimeError as e:
        return str(e)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_unrecorded_matmul_is_the_recorded_product(data, dtype):
    batch = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=3))
    n, k, m = (data.draw(SIDES) for _ in range(3))
    k2 = k if data.draw(st.integers(0, 4)) else data.draw(SIDES)  # sometimes they do not fit
    shapes = data.draw(st.sampled_from([((k,), (k2, m)), (batch + (n, k), (k2, m)),
                                        (batch + (n, k), (k2,)),
                                        (batch + (n, k), batch + (k2, m))]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    transposed = data.draw(st.booleans())
    recorded = product(arrays, transposed, True)
    with lab.no_grad():
        under_no_grad = product(arrays, transposed, True)
    for unrecorded in (product(arrays, transposed, False), under_no_grad):
        if isinstance(recorded, str):
            assert unrecorded == recorded
            continue
        assert recorded.grad_fn is not None and unrecorded.grad_fn is None
        assert not unrecorded.requires_grad and unrecorded._base is None
        assert_same_array(unrecorded._data, recorded._data)


def stepwise(x, index):
    """x[index] the recording path's way: one view per select, slice or unsqueeze."""
    ix = _ops._index(index)
    out = x
    for cls, step in _ops._basic_steps(index, ix, x._data.shape):
        out = _ops.index_view(cls, out, step)
    return out


@st.composite
def basic_indices(draw, shape):
    """A basic index into `shape` (ints, slices, None, at most one `...`), sometimes out of
    range, as a tuple or a single part."""
    parts, dim = [], 0
    ellipsis = draw(st.booleans())
    for _ in range(draw(st.integers(0, len(shape) + 1))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        if kind == "none":
            parts.append(None)
        elif kind == "ellipsis" and ellipsis:
            parts.append(Ellipsis)
            ellipsis = False
        elif dim < len(shape) + draw(st.sampled_from([0, 0, 0, 1])):  # (+1: too many indices)
            side = shape[dim] if dim < len(shape) else 1
            if kind == "int":
                parts.append(draw(st.integers(-side - 1, side)))  # (may be out of range)
            else:
                start = draw(st.none() | st.integers(-side - 1, side + 1))
                stop = draw(st.none() | st.integers(-side - 1, side + 1))
                parts.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
            dim += 1
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


def address(a):
    return a.__array_interface__["data"][0]


def outcome(fn):
    try:
        return fn()
    except (IndexError, ValueError) as e:
        return type(e), str(e)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), requires_grad=st.booleans())
def test_basic_indexing_under_no_grad_is_the_steps_view(data, requires_grad):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
    index = data.draw(basic_indices(shape))
    # (a view of arange's result, whose views all have that result as `_base`)
    x = lab.arange(float(np.prod(shape))).reshape(shape).requires_grad_(requires_grad)
    recorded = outcome(lambda: x[index])  # (grad mode on: the steps themselves)
    with lab.no_grad():
        fast = outcome(lambda: x[index])
        if isinstance(recorded, tuple):
            assert fast == recorded
            return
        steps = stepwise(x, index)
    for y in (fast, recorded):
        assert_same_array(y._data, steps._data)
        assert address(y._data) == address(steps._data)  # the same memory
        assert y._base is (x if x._base is None else x._base) and y._vc is x._vc
    assert fast.grad_fn is None and fast.requires_grad == requires_grad
    assert fast._extra == steps._extra  # (with the mark that forbids recording in-place ops)


def test_a_view_made_under_no_grad_still_writes_through_to_its_base(T):
    x = T.zeros(2, 3, requires_grad=True)
    with T.no_grad():
        v = x[1, 1:]
        v.add_(1)
        x[0][None, 2].sub_(1)
    assert v._base is x and x._version == 2 and v.requires_grad
    assert x.tolist() == [[0., 0., -1.], [0., 1., 1.]]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        v.mul_(2)


def test_a_plain_tensors_view_made_with_grad_on_still_records_in_place_ops(T):
    x = T.zeros(2, 3)
    w = T.ones(2, requires_grad=True)
    x[1, 1:].mul_(w).add_(1)  # (no input requires grad when indexing: nothing recorded yet)
    assert x.requires_grad and type(x.grad_fn).__name__ == "CopySlices"
    (x * x).sum().backward()
    assert w.grad.tolist() == [0., 0.]  # d/dw (0 * w + 1)^2 = 2 * (0 * w + 1) * 0
