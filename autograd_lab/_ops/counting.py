"""Searching and counting (no gradient): searchsorted, bucketize, unique, bincount, histc."""
import numpy as np

from .. import _dtypes
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import as_tensor_arg, norm_dim, record1


def _sorted_positions(boundaries, values, right, sorter):
    """np.searchsorted of each line of values in the same line of boundaries (1-D boundaries:
    all values in them)."""
    side = "right" if right else "left"
    if boundaries.ndim == 1:
        return np.searchsorted(boundaries, values, side, sorter)
    out = np.empty(values.shape, np.int64)
    rows, vals = boundaries.reshape(-1, boundaries.shape[-1]), values.reshape(-1, values.shape[-1])
    order = None if sorter is None else sorter.reshape(rows.shape)
    for i, (row, v) in enumerate(zip(rows, vals)):
        out.reshape(vals.shape)[i] = np.searchsorted(row, v, side,
                                                     None if order is None else order[i])
    return out


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Where each value would go in the sorted innermost lines of sorted_sequence to keep them
    sorted (the first such place, or the last with right=True or side='right')."""
    b = as_tensor_arg(sorted_sequence)._data
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    if b.ndim != 1 and b.shape[:-1] != v.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           f"first N-1 dimensions of boundaries tensor and input value tensor "
                           f"must match, but we got boundaries tensor {list(b.shape)} and input "
                           f"value tensor {list(v.shape)}")
    if side not in (None, "left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                           f"{side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                           "side of left while right was True")
    right = right or side == "right"
    pos = _sorted_positions(b, v, right, None if sorter is None else sorter._data)
    return _new(np.asarray(pos, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket of 1-D boundaries each value falls in (boundaries[i-1] < v <=
    boundaries[i]; with right=True, boundaries[i-1] <= v < boundaries[i])."""
    b = as_tensor_arg(boundaries)._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(_new(b), input, out_int32=out_int32, right=right)


def _underivable(name, op):
    """A node whose backward raises, as PyTorch's for an op it has no derivative for."""
    def rule(B, g, ans):
        raise NotImplementedError(f"the derivative for '{op}' is not implemented.")
    return defnode(name, [rule], op)


Unique2Backward0 = _underivable("Unique2Backward0", "_unique2")
UniqueDimBackward0 = _underivable("UniqueDimBackward0", "unique_dim")
UniqueConsecutiveBackward0 = _underivable("UniqueConsecutiveBackward0", "unique_consecutive")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, sorted (rows or slices along dim with `dim`), optionally with each
    element's index in them and their counts."""
    x = as_tensor_arg(input)
    a = x._data
    if dim is None:
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(a.shape)
        cls = Unique2Backward0
    else:
        d = norm_dim(dim, a.ndim)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
        cls = UniqueDimBackward0
    return _unique_results(record1(cls, values, x), inverse, counts, return_inverse,
                           return_counts)


def _unique_results(values, inverse, counts, return_inverse, return_counts):
    out = (values,)
    if return_inverse:
        out += (_new(inverse.astype(np.int64)),)
    if return_counts:
        out += (_new(counts.astype(np.int64)),)
    return out[0] if len(out) == 1 else out


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The values (or slices along dim) with each run of equal consecutive ones kept once."""
    x = as_tensor_arg(input)
    a = x._data
    d = None if dim is None else norm_dim(dim, a.ndim)
    lines = a.reshape(-1, 1) if d is None else np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
    new = np.ones(len(lines), bool)
    new[1:] = np.any(lines[1:] != lines[:-1], axis=1)
    starts = np.flatnonzero(new)
    values = a.reshape(-1)[starts] if d is None else np.take(a, starts, d)
    inverse = np.cumsum(new) - 1
    counts = np.diff(np.append(starts, len(lines)))
    return _unique_results(record1(UniqueConsecutiveBackward0, values, x),
                           inverse.reshape(a.shape) if d is None else inverse, counts,
                           return_inverse, return_counts)


def bincount(input, weights=None, minlength=0):
    """How many times each integer 0, 1, ... occurs in a 1-D tensor of non-negative integers
    (or the sum of their weights)."""
    a = as_tensor_arg(input)._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{_dtypes.of_array(a).legacy}'")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _new(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = w.dtype if w.dtype.kind == "f" else np.float64
    return _new(np.bincount(a, w.astype(np.float64), minlength).astype(dt))


def histc(input, bins=100, min=0, max=0):
    """A histogram of `bins` equal bins from min to max (the data's range when both are 0);
    values outside are left out."""
    a = as_tensor_arg(input)._data
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{_dtypes.of_array(a).legacy}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if max < min:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = a.dtype.type(min), a.dtype.type(max)
    shown = [f"{v:g}" for v in (lo, hi)]
    if lo == hi and a.size:
        lo, hi = a.min(), a.max()
        shown = ["-nan" if np.isnan(v) else f"{v:g}" for v in (lo, hi)]  # (as C prints them)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{shown[0]}, {shown[1]}] is not finite")
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    edges = np.linspace(lo, hi, bins + 1).astype(a.dtype)
    inside = a[(a >= lo) & (a <= hi)]
    pos = ((inside - lo) * a.dtype.type(bins) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    pos -= (pos > 0) & (inside < edges[pos])  # as PyTorch: the bin edges decide
    pos += (pos < bins - 1) & (inside >= edges[np.minimum(pos + 1, bins)])
    return _new(np.bincount(pos, minlength=bins).astype(a.dtype))
