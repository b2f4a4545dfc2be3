"""Shaping helpers (atleast_1d/2d/3d, ravel, column_stack, dstack, rot90) and diagonals
(diagonal, a view; diag_embed)."""
import numpy as np

from .._node import defnode
from ._record import as_tensor_arg, norm_dim, record, record1
from .views import _view, contiguous, reshape, unsqueeze, view
from .indexing import _index_rule
from .inplace import _tensor_list, cat
from .scatter import DiagEmbedBackward0


def _at_least(n, tensors):
    """Each tensor with at least n dims (itself if it has them); one tensor or a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    out = []
    for t in map(as_tensor_arg, tensors):
        d = t._data.ndim
        if d == 0:
            t = reshape(t, (1,) * n)
        elif d == 1 and n >= 2:
            t = unsqueeze(t, 0)
            if n == 3:
                t = unsqueeze(t, -1)
        elif d == 2 and n == 3:
            t = unsqueeze(t, -1)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*tensors):
    """The tensor(s) with at least one dimension (0-d ones as shape (1,))."""
    return _at_least(1, tensors)


def atleast_2d(*tensors):
    """The tensor(s) with at least two dimensions (vectors as rows)."""
    return _at_least(2, tensors)


def atleast_3d(*tensors):
    """The tensor(s) with at least three dimensions (vectors as (1, n, 1), matrices as
    (m, n, 1))."""
    return _at_least(3, tensors)


def ravel(input):
    """The elements as a 1-D tensor (a view when contiguous, else of a copy)."""
    return view(contiguous(as_tensor_arg(input)), -1)


def column_stack(tensors):
    """The tensors side by side as columns (vectors and scalars as (n, 1) columns)."""
    ts = _tensor_list(tensors, "column_stack")
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim < 2 else t for t in ts], 1)


def dstack(tensors):
    """The tensors (made at least 3-D) concatenated along dim 2."""
    return cat([atleast_3d(t) for t in _tensor_list(tensors, "dstack")], 2)


def _rot90(B, g, k, d0, d1):
    """g turned k quarter turns from dim d0 towards d1 (flips and a transpose, as PyTorch)."""
    k %= 4
    if k == 1:
        return B.transpose(B.flip(g, (d1,)), d0, d1)
    if k == 2:
        return B.flip(g, (d0, d1))
    if k == 3:
        return B.transpose(B.flip(g, (d0,)), d0, d1)
    return g


Rot90Backward0 = defnode("Rot90Backward0", [lambda B, g, ans, k, d0, d1: _rot90(B, g, -k, d0, d1)],
                         "rot90")


def rot90(input, k=1, dims=(0, 1)):
    """A copy turned k quarter turns in the plane of `dims`, from the first towards the second."""
    x = as_tensor_arg(input)
    a = x._data
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if a.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {a.ndim}")
    d0, d1 = (norm_dim(d, a.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return record1(Rot90Backward0, np.rot90(a, k, (d0, d1)).copy(), x, (k, d0, d1))


def _diagonal_dims(ndim, offset, dim1, dim2):
    d1, d2 = norm_dim(dim1, ndim), norm_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_index(shape, offset, d1, d2):
    """Index arrays picking the offset-th diagonal of dims d1, d2 of an array of `shape`, in
    PyTorch's order: the other dims, then the diagonal last."""
    n = max(0, min(shape[d1] - max(0, -offset), shape[d2] - max(0, offset)))
    rest = [d for d in range(len(shape)) if d not in (d1, d2)]
    out_shape = [shape[d] for d in rest] + [n]
    grid = np.indices(out_shape, sparse=True)
    ix = [None] * len(shape)
    for d, g in zip(rest, grid):
        ix[d] = g
    r = grid[-1]
    ix[d1], ix[d2] = r + max(0, -offset), r + max(0, offset)
    return tuple(ix), out_shape


DiagonalViewBackward0 = defnode("DiagonalBackward0", _index_rule, "diagonal")
DiagonalViewBackward0._is_view = True


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The view of the offset-th diagonal of dims dim1 and dim2 (those dims removed, the
    diagonal appended last)."""
    x = as_tensor_arg(input)
    a = x._data
    d1, d2 = _diagonal_dims(a.ndim, offset, dim1, dim2)
    ix, shape = _diagonal_index(a.shape, offset, d1, d2)
    start = [0] * a.ndim
    start[d1], start[d2] = max(0, -offset), max(0, offset)
    corner = a[tuple(slice(min(s, n), None) for s, n in zip(start, a.shape))]
    strides = [corner.strides[d] for d in range(a.ndim) if d not in (d1, d2)]
    data = np.lib.stride_tricks.as_strided(
        corner, shape, strides + [corner.strides[d1] + corner.strides[d2]],
        writeable=a.flags.writeable)
    return _view(DiagonalViewBackward0, data, x, (a.shape, ix), lambda B, g: g[ix])


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Zeros with the last dim of input on the offset-th diagonal of the new dims dim1, dim2."""
    x = as_tensor_arg(input)
    a = x._data
    d1, d2 = _diagonal_dims(a.ndim + 1, offset, dim1, dim2)
    n = (a.shape[-1] if a.ndim else 1) + abs(offset)
    shape = list(a.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    ix, _ = _diagonal_index(shape, offset, d1, d2)
    data = np.zeros(shape, a.dtype)
    data[ix] = a
    return record(DiagEmbedBackward0, data, (x,), (ix,))
