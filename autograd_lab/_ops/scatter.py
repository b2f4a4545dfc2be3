"""Writing at indices: scatter, scatter_add, index_add, index_fill (and their in-place forms),
and the gathers that flatten or walk a diagonal: masked_select, take, diag, trace."""
import warnings

import numpy as np

from .._node import defnode
from .._tensor import Tensor
from ._record import _SCALARS, _broadcast_error, as_tensor_arg, norm_dim, record, tensor_param
from .arith import _not_implemented
from .linalg import _cpp_name
from .reductions import _along
from .inplace import _apply_inplace
from .indexing import _index_rule
from .scans import (MaskedFillBackward0, MaskedFillBackward1, _fill_where, _index_arg, _taken)


def _src_rule(B, g, ans, written, ix, block, shape):
    """The gradient of scatter's src: g where each src element went (src may be larger than
    the index: the rest of it got no gradient)."""
    picked = g[ix]
    return picked if block is None else B.index_grad(picked, shape, block)


ScatterBackward0 = defnode("ScatterBackward0", [
    lambda B, g, ans, written, ix, block, shape: B.where(written, 0.0, g), _src_rule], "scatter")
ScatterBackward1 = defnode("ScatterBackward1", MaskedFillBackward0._vjps, "scatter")
ScatterAddBackward0 = defnode("ScatterAddBackward0", [
    lambda B, g, ans, written, ix, block, shape: g, _src_rule], "scatter_add")
IndexAddBackward0 = defnode("IndexAddBackward0", [
    lambda B, g, ans, ix, alpha: g,
    lambda B, g, ans, ix, alpha: g[ix] if alpha == 1 else g[ix] * alpha], "index_add")
IndexFillBackward0 = defnode("IndexFillBackward0", MaskedFillBackward0._vjps, "index_fill")
IndexFillBackward1 = defnode("IndexFillBackward1", MaskedFillBackward1._vjps, "index_fill")
MaskedSelectBackward0 = defnode("MaskedSelectBackward0", _index_rule, "masked_select")
TakeBackward0 = defnode("TakeBackward0", _index_rule, "take")
DiagonalBackward0 = defnode("DiagonalBackward0_copy", _index_rule, "diag")  # (PyTorch's name)
DiagEmbedBackward0 = defnode("DiagEmbedBackward0", [lambda B, g, ans, ix: g[ix]], "diag")
TraceBackward0 = defnode("TraceBackward0", [lambda B, g, ans, eye: B.where(eye, g, 0.0)],
                         "trace")


def _scatter_args(input, dim, index, src):
    """(x, dim, the index into x the scatter writes, src's values there or None, the slices of
    src that the index covers or None when it covers all of src)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    i = _index_arg("scatter", index, 3, "int32/int64")
    if isinstance(src, Tensor) and src._data.dtype != a.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if i.ndim != a.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    s = src._data if isinstance(src, Tensor) else None
    too_big = any(n > m for k, (n, m) in enumerate(zip(i.shape, a.shape)) if k != d)
    if too_big or (s is not None and any(n > m for n, m in zip(i.shape, s.shape))):
        also = f" and to be no larger size than src {list(s.shape)}" if s is not None else ""
        raise RuntimeError(f"Expected index {list(i.shape)} to be no larger than self "
                           f"{list(a.shape)} apart from dimension {d}{also}")
    n = a.shape[d] if a.ndim else 1
    bad = (i < 0) | (i >= n)
    if bad.any():
        raise RuntimeError(f"index {i[bad][0]} is out of bounds for dimension {d} with size {n}")
    block = None
    if s is not None and s.shape != i.shape:
        block = tuple(slice(0, n) for n in i.shape)
    values = None if s is None else s[block] if block else s
    return x, _along(i, d) if a.ndim else ..., values, block  # (0-d: the one element)


_SCATTER_SIGNATURES = "".join(
    f" * (Tensor input, int dim, Tensor index, {v}, *, {r}Tensor out = None)\n"
    for v in ("Tensor src", "Number value") for r in ("", "str reduce, "))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """input with src's values (or one number `value`) written at index along dim:
    out[i][index[i][j]] = src[i][j] for dim=1. Where the index repeats a place, one of the
    values lands there (PyTorch leaves which one unspecified). reduce='add' or 'multiply'
    combines them with what is there instead (no derivative, as in PyTorch)."""
    src = _scatter_src(input, dim, index, src, value)
    if reduce is not None:
        return _scatter_reduced(_ScatterReduced, input, dim, index, src, reduce)
    x, ix, values, block = _scatter_args(input, dim, index, src)
    data = x._data.copy()
    if values is None:
        data[ix] = src
        written = np.zeros(data.shape, bool)
        written[ix] = True
        return record(ScatterBackward1, data, (x,), (written,))
    data[ix] = values
    return _scatter_record(ScatterBackward0, data, x, src, ix, block)


def _scatter_src(input, dim, index, src, value):
    """src, or `value` if src is None (PyTorch's TypeError if it is neither a tensor nor a
    number, or index no tensor)."""
    src = value if src is None else src
    if not isinstance(src, (Tensor,) + _SCALARS) or not isinstance(index, Tensor):
        got = ", ".join(type(v).__name__ for v in (input, dim, index, src))
        raise TypeError(f"scatter() received an invalid combination of arguments - got ({got}),"
                        f" but expected one of:\n{_SCATTER_SIGNATURES}")
    return src


_ScatterReduced, _ScatterReducedInPlace = map(_not_implemented, ("scatter", "scatter_"))


def _scatter_reduced(cls, input, dim, index, src, reduce):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                      "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                      "instead for more reduction options.", UserWarning, stacklevel=3)
    x, ix, values, _ = _scatter_args(input, dim, index, src)
    data = x._data.copy()
    ufunc = np.add if reduce == "add" else np.multiply
    ufunc.at(data, ix, np.broadcast_to(src if values is None else values, data[ix].shape))
    return record(cls, data, (x, src if isinstance(src, Tensor) else None))


def scatter_add(input, dim, index, src):
    """input with src's values added at index along dim (repeated places add up)."""
    x, ix, values, block = _scatter_args(input, dim, index,
                                         tensor_param(src, "scatter_add", "src", 4))
    data = x._data.copy()
    np.add.at(data, ix, values)
    return _scatter_record(ScatterAddBackward0, data, x, src, ix, block)


def _scatter_record(cls, data, x, src, ix, block):
    written = np.zeros(data.shape, bool)
    written[ix] = True
    return record(cls, data, (x, src), (written, ix, block, src._data.shape))


def _index_along(fname, x, dim, index, dtypes):
    """(dim, the vector index with negative places wrapped) for index_add / index_fill."""
    a = x._data
    d = norm_dim(dim, a.ndim)
    if index._data.dtype not in dtypes:
        if fname == "index_fill_":
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype.legacy}")
    i = index._data
    n = a.shape[d] if a.ndim else 1
    bad = (i < -n) | (i >= n) if fname == "index_fill_" else (i < 0) | (i >= n)
    if bad.any():
        if fname == "index_add_" and a.ndim < 2:  # (PyTorch's 1-D kernel words it so)
            raise IndexError("index out of range in self")
        error = IndexError if fname == "index_fill_" else RuntimeError
        raise error(f"index {i[bad][0]} is out of bounds for dimension {d} with size {n}")
    return d, i.reshape(-1) % max(n, 1)


def index_add(input, dim, index, source, *, alpha=1):
    """input with alpha * source's slices added at the positions index lists along dim."""
    x = as_tensor_arg(input)
    index = tensor_param(index, "index_add", "index", 3)
    source = tensor_param(source, "index_add", "source", 4)
    a, s = x._data, source._data
    if index._data.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{index._data.ndim} with type: {index.dtype.legacy} and size: "
                         f"{list(index.shape)}")
    d, i = _index_along("index_add_", x, dim, index, (np.int32, np.int64))
    if s.dtype != a.dtype:
        raise RuntimeError(f"index_add_(): self ({x.dtype.legacy}) and source "
                           f"({source.dtype.legacy}) must have the same scalar type")
    if s.ndim != a.ndim or any(p != q for k, (p, q) in enumerate(zip(s.shape, a.shape))
                               if k != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(a.shape)} "
                           f"source.shape = {list(s.shape)}")
    if s.shape[d] != i.size:
        raise RuntimeError(f"index_add_(): Number of indices ({i.size}) should be equal to "
                           f"source.size(dim): ({s.shape[d]}), for dim: {d}")
    ix = (slice(None),) * d + (i,)
    data = a.copy()
    np.add.at(data, ix, s if alpha == 1 else s * alpha)
    return record(IndexAddBackward0, data, (x, source), (ix, alpha))


def index_fill(input, dim, index, value):
    """input with `value` (a number or a 0-d tensor) in the slices index lists along dim."""
    x = as_tensor_arg(input)
    if tensor_param(index, "index_fill", "index", 3)._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    d, i = _index_along("index_fill_", x, dim, index, (np.int64,))
    filled = np.zeros(x._data.shape, bool)
    filled[(slice(None),) * d + (i,) if filled.ndim else ...] = i.size > 0  # (0-d: one place)
    return _fill_where(IndexFillBackward0, IndexFillBackward1, "index_fill_", x, filled, value)


def masked_select(input, mask):
    """The elements where the boolean mask (broadcast with input) holds, as a 1-D tensor."""
    x = as_tensor_arg(input)
    m = tensor_param(mask, "masked_select", "mask", 2)._data
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    a = x._data
    try:
        shape = np.broadcast_shapes(a.shape, m.shape)
    except ValueError:
        raise _broadcast_error(m.shape, a.shape) from None
    where = np.nonzero(np.broadcast_to(m, shape) if shape else m.reshape(1))
    full = np.broadcast_to(a, shape) if shape else a.reshape(1)
    meta = None if a.shape == full.shape else ((a.shape, a.dtype),)
    return record(MaskedSelectBackward0, full[where], (x,), (full.shape, where), meta)


def take(input, index):
    """input's elements at the positions of index in the flattened input (index's shape)."""
    x = as_tensor_arg(input)
    index = tensor_param(index, "take", "index", 2)
    i = index._data
    if i.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{index.dtype.legacy}")
    n = x._data.size
    if not n and i.size:
        raise IndexError("take(): tried to take from an empty tensor")
    bad = (i < -n) | (i >= n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {i[bad][0]} on a tensor of {n} "
                         f"elements.")
    return _taken(TakeBackward0, x, np.unravel_index(i % max(n, 1), x._data.shape or (1,)))


def _diagonal_index(rows, cols, k):
    """The (row, column) arrays of the k-th diagonal of a rows x cols matrix."""
    r = np.arange(max(0, -k), min(rows, cols - k))
    return r, r + k


def diag(input, diagonal=0):
    """The `diagonal`-th diagonal of a matrix (a copy), or a square matrix with a vector on it."""
    x = as_tensor_arg(input)
    a = x._data
    if a.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")
    if a.ndim == 2:
        return _taken(DiagonalBackward0, x, _diagonal_index(*a.shape, diagonal))
    n = a.size + abs(diagonal)
    ix = _diagonal_index(n, n, diagonal)
    data = np.zeros((n, n), a.dtype)
    data[ix] = a
    return record(DiagEmbedBackward0, data, (x,), (ix,))


def trace(input):
    """The sum of a matrix's diagonal."""
    x = as_tensor_arg(input)
    a = x._data
    if a.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    data = np.trace(a, dtype=np.int64 if a.dtype.kind in "iu" else None)
    return record(TraceBackward0, data, (x,), (np.eye(*a.shape, dtype=bool),))


def scatter_(input, dim, index, src=None, *, value=None, reduce=None):
    """x.scatter_(dim, index, src): scatter in place."""
    src = _scatter_src(input, dim, index, src, value)

    def op(s):
        if reduce is None:
            return scatter(s, dim, index, src)
        return _scatter_reduced(_ScatterReducedInPlace, s, dim, index, src, reduce)
    return _apply_inplace(op, input, src, type_name=_cpp_name)


def scatter_add_(input, dim, index, src):
    """x.scatter_add_(dim, index, src): scatter_add in place."""
    return _apply_inplace(lambda s: scatter_add(s, dim, index, src), input, src)


def index_add_(input, dim, index, source, *, alpha=1):
    """x.index_add_(dim, index, source): index_add in place."""
    return _apply_inplace(lambda s: index_add(s, dim, index, source, alpha=alpha), input, source)


def index_fill_(input, dim, index, value):
    """x.index_fill_(dim, index, value): index_fill in place."""
    return _apply_inplace(lambda s: index_fill(s, dim, index, value), input, value)
