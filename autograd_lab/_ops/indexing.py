"""Indexing (basic, integer arrays, boolean masks) and concatenation (cat, stack)."""
import builtins

import numpy as np

from .._grad_mode import state as _grad
from .._node import defnode
from .._tensor import Tensor
from ._record import _ndarray, as_tensor_arg, norm_dim, record1
from .views import _view


# ================================================================================================
# Indexing, concatenation
# ================================================================================================


def _index(index):
    """A numpy index from a PyTorch one (tensors and lists become arrays)."""
    if isinstance(index, tuple):
        return tuple(map(_index_part, index))
    return _index_part(index)


def _index_part(i):
    if i.__class__ is int or i is None or i is Ellipsis:  # (the common parts first)
        return i
    if isinstance(i, Tensor):
        i = i._data
        if i.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return int(i) if i.ndim == 0 and i.dtype.kind in "iu" else i
    if isinstance(i, (bool, np.bool_)):
        return np.asarray(i)  # x[True] adds a dimension, as a one-element mask
    if isinstance(i, slice) and i.step is not None and i.step <= 0:
        raise ValueError("step must be greater than zero")
    if isinstance(i, list):
        arr = np.asarray(i)
        if arr.dtype.kind not in "biu" and arr.size:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr.astype(np.int64) if arr.size == 0 else arr
    if i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice, _ndarray)):
        return i
    error = TypeError if isinstance(i, (str, bytes)) else IndexError  # PyTorch's types
    raise error(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                f"Variables are valid indices (got {type(i).__name__})")


def _torch_axes(ix, ndim, out_ndim):
    """The axes order that turns numpy's result of advanced indexing into PyTorch's, or None.

    Both put the dimensions that the index arrays broadcast to where the first array stands if
    the arrays are neighbours, else first. numpy counts integers as arrays, PyTorch applies them
    first (a select): so `x[0, :, [0, 1]]` has its list's dimension last in PyTorch, first in
    numpy."""
    parts = ix if isinstance(ix, tuple) else (ix,)
    if not builtins.any(isinstance(p, (int, np.integer)) for p in parts):
        return None
    used = builtins.sum(p.ndim if isinstance(p, _ndarray) and p.dtype == np.bool_ else
                        0 if p is None or p is Ellipsis else 1 for p in parts)

    def place(ints_are_arrays):
        out, first, prev, split = 0, None, False, False
        for p in parts:
            integer = isinstance(p, (int, np.integer))
            array = isinstance(p, _ndarray) or (ints_are_arrays and integer)
            if array:
                if first is None:
                    first = out
                elif not prev:
                    split = True
            elif p is Ellipsis:
                out += ndim - used
            elif not isinstance(p, (int, np.integer)):
                out += 1  # a slice or None
            prev = array or (prev and integer)
        return 0 if split else first

    theirs, ours = place(False), place(True)
    if theirs == ours:
        return None
    k = len(np.broadcast_shapes(*[(int(p.sum()),) if p.dtype == np.bool_ else p.shape
                                  for p in parts if isinstance(p, _ndarray)]))
    rest = [d for d in range(out_ndim) if not ours <= d < ours + k]
    return tuple(rest[:theirs] + list(range(ours, ours + k)) + rest[theirs:])


def _is_advanced(ix):
    for p in ix if isinstance(ix, tuple) else (ix,):
        if isinstance(p, _ndarray):
            return True
    return False


def _index_error(e, shape, ix):
    """numpy's IndexError in PyTorch's words."""
    msg = str(e)
    if "too many indices" in msg:
        if not shape:
            return IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                              "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if "boolean index did not match" in msg:
        dim = int(msg.split("along axis ")[1].split(";")[0])
        start = 0  # the tensor dimension the mask's first dimension lines up with
        for p in ix if isinstance(ix, tuple) else (ix,):
            if isinstance(p, _ndarray) and p.dtype == np.bool_ and start + p.ndim > dim:
                break
            start += 0 if p is None or p is Ellipsis else builtins.max(np.ndim(p), 1)
        return IndexError(f"The shape of the mask {list(p.shape)} at index {dim - start} does "
                          f"not match the shape of the indexed tensor {list(shape)} at index "
                          f"{dim}")
    return IndexError(msg.replace("axis", "dimension"))


IndexGradBackward = defnode("IndexPutBackward0", [lambda B, g, ans, ix: g[ix]], "index_put")


def _index_grad_np(g, shape, ix, unique=False):
    z = np.zeros(shape, np.asarray(g).dtype)
    if not unique and _is_advanced(ix):
        np.add.at(z, ix, g)  # (2.5x slower than assigning: only where indices may repeat)
    else:
        z[ix] = g
    return z


def index_grad(g, shape, ix, unique=False):
    """zeros(shape) with g added at ix (repeated indices add up): the backward of indexing.
    `unique=True` promises that ix names no element twice."""
    return record1(IndexGradBackward, _index_grad_np(g._data, shape, ix, unique), g, (ix,))


_index_rule = [lambda B, g, ans, shape, ix: B.index_grad(g, shape, ix)]
SelectBackward0 = defnode("SelectBackward0", _index_rule, "[]")
SliceBackward0 = defnode("SliceBackward0", _index_rule, "[]")
AliasBackward0 = defnode("AliasBackward0", _index_rule, "[]")
_IndexUnsqueezeBackward0 = defnode("UnsqueezeBackward0", _index_rule, "[]")
IndexBackward0 = defnode("IndexBackward0", _index_rule, "[]")
_IndexReorderedBackward0 = defnode("IndexBackward0", [
    lambda B, g, ans, shape, ix, back: B.index_grad(B.permute(g, back), shape, ix)], "[]")
for _cls in (SelectBackward0, SliceBackward0, AliasBackward0, _IndexUnsqueezeBackward0):
    _cls._is_view = True


def _basic_steps(index, ix, shape):
    """A basic index as PyTorch applies it: one (node class, numpy index) step per select,
    slice or unsqueeze, left to right; no-op slices and `...` make none (a lone `:` is still a
    slice; no step at all is an alias)."""
    if isinstance(index, slice):
        return [(SliceBackward0, (ix,))]
    parts = ix if isinstance(ix, tuple) else (ix,)
    consumed = builtins.sum(p is not None and p is not Ellipsis for p in parts)
    steps, dim, src = [], 0, 0  # dim: in the result so far; src: in the input
    for p in parts:
        lead = (slice(None),) * dim
        if p is None:
            steps.append((_IndexUnsqueezeBackward0, lead + (None,)))
            dim += 1
        elif p is Ellipsis:
            dim += len(shape) - consumed
            src += len(shape) - consumed
        elif isinstance(p, slice):
            if p.indices(shape[src]) != (0, shape[src], 1):
                steps.append((SliceBackward0, lead + (p,)))
            dim += 1
            src += 1
        else:
            steps.append((SelectBackward0, lead + (p,)))
            src += 1
    return steps or [(AliasBackward0, ())]


def getitem(input, index):
    """x[index]: basic slicing (a view), integer arrays and boolean masks (copies)."""
    x = input
    ix = _index(index)
    a = x._data
    try:
        data = a[ix]
    except IndexError as e:
        raise _index_error(e, a.shape, ix) from None
    if _is_advanced(ix):
        order = _torch_axes(ix, a.ndim, data.ndim)
        if order is not None:  # PyTorch's place for the indexed dimensions
            return record1(_IndexReorderedBackward0, np.array(data.transpose(order)), x,
                           (a.shape, ix, tuple(np.argsort(order))))
        return record1(IndexBackward0, np.array(data), x, (a.shape, ix))
    if not _grad.enabled:  # nothing records: one view of x is what the per-step views end as
        if data.__class__ is not _ndarray:  # (a single element: a 0-d view, not a numpy scalar)
            data = a[(ix if isinstance(ix, tuple) else (ix,)) + (Ellipsis,)]
        return _view(AliasBackward0, data, x, ())  # (no node: the class goes unused)
    steps = _basic_steps(index, ix, a.shape)
    out = x
    for cls, step in steps:  # one view per step, as PyTorch's graph has
        reuse = len(steps) == 1 and data.__class__ is _ndarray  # the view made above
        out = index_view(cls, out, step, data if reuse else None)
    return out


def index_view(cls, x, ix, data=None):
    """x[ix] (a tuple of basic indices) as a view recorded as `cls` (select, slice, split
    piece, ...); `data` is x's array at ix if already made."""
    a = x._data
    if data is None:
        data = a[ix + (Ellipsis,)]  # (a single element: a 0-d view, not a numpy scalar)
    return _view(cls, data, x, (a.shape, ix), lambda B, g: g[ix])


def narrow(input, dim, start, length):
    """The view of `length` elements along dim from `start` (SliceBackward0, as in PyTorch)."""
    x = as_tensor_arg(input)
    a = x._data
    if not a.ndim:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if not builtins.all(isinstance(v, (int, np.integer, Tensor)) for v in (start, length)):
        raise TypeError(f"narrow() received an invalid combination of arguments - got "
                        f"({', '.join(type(v).__name__ for v in (dim, start, length))}), but "
                        f"expected one of:\n * (int dim, Tensor start, int length)\n * (int dim,"
                        f" int start, int length)")
    if int(length) < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = norm_dim(dim, a.ndim)
    n, start, length = a.shape[d], int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    start += n if start < 0 else 0
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return index_view(SliceBackward0, x, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim, index):
    """The view at `index` along dim, that dim removed (SelectBackward0)."""
    x = as_tensor_arg(input)
    a = x._data
    if not a.ndim:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, a.ndim)
    i = int(index)
    if not -a.shape[d] <= i < a.shape[d]:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(a.shape)} "
                         f"at dimension {d}")
    return index_view(SelectBackward0, x, (slice(None),) * d + (i % a.shape[d],))
