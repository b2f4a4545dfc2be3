"""Elementwise functions with special values (nan_to_num, exp2, sinc) and reductions that skip
NaN (nansum, nanmean)."""
import math

import numpy as np

from .. import _dtypes
from .._node import defnode
from .._tensor import _new
from ._record import _sum, as_tensor_arg, record1
from .arith import _unary, div
from .pointwise import _inplace_of
from .reductions import _expand_back, _reduce_args


NanToNumBackward0 = defnode("NanToNumBackward0", [lambda B, g, ans, finite: g * finite],
                            "nan_to_num")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the
    dtype's largest and lowest finite values); the gradient is 0 at the replaced places."""
    x = as_tensor_arg(input)
    a = x._data
    if a.dtype.kind != "f":
        return _new(a.copy())
    info = np.finfo(a.dtype)
    data = np.nan_to_num(a, nan=nan, posinf=info.max if posinf is None else posinf,
                         neginf=info.min if neginf is None else neginf)
    return record1(NanToNumBackward0, data, x, (np.isfinite(a),))


Exp2Backward0, exp2 = _unary("exp2", np.exp2, lambda B, g, ans: g * (ans * math.log(2.0)), "exp2",
                             uses_ans=True)


def _sinc_rule(B, g, ans, x):
    """g (cos(pi x) pi x - sin(pi x)) / (pi x^2), and 0 at x = 0."""
    px = x * math.pi
    return B.where(x == 0, 0.0, g * (B.cos(px) * px - B.sin(px)) / (px * x))


def _np_sinc(a):
    with np.errstate(invalid="ignore"):  # sin(inf) / inf: NaN, as PyTorch, without a warning
        return np.sinc(a)


SincBackward0, sinc = _unary("sinc", _np_sinc, _sinc_rule, "sinc", saves_input=True)

NansumBackward0 = defnode("NansumBackward0", [
    lambda B, g, ans, kept, dims, keep: B.where(kept, _expand_back(B, g, kept.shape, dims, keep),
                                                0.0)], "nansum")


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum with NaN counted as 0 (the gradient is 0 there)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    if a.dtype.kind != "f":
        out = _sum(a, dims, keepdims=keep, dtype=np.int64 if a.dtype.kind in "biu" else None)
        return _new(np.asarray(out))
    kept = ~np.isnan(a)
    return record1(NansumBackward0, np.asarray(_sum(np.where(kept, a, 0), dims, keepdims=keep)),
                   x, (kept, dims, keep))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the values that are not NaN: nansum / their count (DivBackward0, as
    PyTorch's)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {x.dtype.legacy}")
    count = _sum(~np.isnan(x._data), dims, keepdims=keep)
    return div(nansum(x, dim, keepdim, dtype=dtype), _new(np.asarray(count)))


nan_to_num_, exp2_, sinc_ = (_inplace_of(op, op.__name__) for op in (nan_to_num, exp2, sinc))
