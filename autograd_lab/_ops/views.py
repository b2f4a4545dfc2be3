"""Shapes and views: reshape, view, squeeze, transpose, expand, ... A view shares memory and
the version counter with its input."""
import warnings
import weakref

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import _broadcast_error, _shape_arg, as_tensor_arg, norm_dim, norm_dims, record1


# ================================================================================================
# Shapes and views (they share memory and the version counter with their input)
# ================================================================================================


def _view(cls, data, x, saved, replay=None):
    """A result sharing x's memory and version counter. `replay(B, t)` applies the same view to
    a tensor shaped like x: with it an in-place op on the result also rewrites x's history (see
    `rebase`)."""
    out = record1(cls, data, x, saved)
    out._vc = x._shared_vc()
    extra = x._extra
    out._extra = {"base": x if extra is None else extra.get("base", x)}  # PyTorch's `_base`
    if extra is not None and extra.get("multi_view"):
        out._extra["multi_view"] = True
    if not _grad.enabled and x._requires_grad:  # as PyTorch: it requires grad, and changing
        out._requires_grad = True               # it in place while recording is an error
        out._extra["no_grad_view"] = True
    if replay is not None and _grad.enabled and (_shares(data, x._data) or not data.size):
        up = extra.get("view") if extra is not None else None
        steps = ((cls._vjps[0], saved), up and up[2])  # back to the root base, linked
        out._extra["view"] = (x, replay, steps)
        if x.grad_fn is not None or not x._requires_grad:  # x may be rebased later: tell it
            views = x._extras().get("views")
            if views is None:  # (made once: a WeakSet costs more than the rest of a view)
                views = x._extra["views"] = weakref.WeakSet()
            views.add(out)
    return out


def _shares(view, a):
    """Whether the array `view` shares memory with `a` (numpy's base links first: cheaper)."""
    base = view.base
    if base is not None and (base is a or base is a.base):
        return True
    return np.may_share_memory(view, a)


def _reshaped(shape):
    return lambda B, g: B.reshape(g, shape)


_reshape_back = [lambda B, g, ans, shape: B.reshape(g, shape)]
ViewBackward0 = defnode("ViewBackward0", _reshape_back, "view")
UnsqueezeBackward0 = defnode("UnsqueezeBackward0", _reshape_back, "unsqueeze")
SqueezeBackward0 = defnode("SqueezeBackward0", _reshape_back, "squeeze")
SqueezeBackward1 = defnode("SqueezeBackward1", _reshape_back, "squeeze")
SqueezeBackward2 = defnode("SqueezeBackward2", _reshape_back, "squeeze")
PermuteBackward0 = defnode("PermuteBackward0", [
    lambda B, g, ans, dims: B.permute(g, tuple(np.argsort(dims)))], "permute")
TransposeBackward0 = defnode("TransposeBackward0", [
    lambda B, g, ans, d0, d1: B.transpose(g, d0, d1)], "transpose")
TBackward0 = defnode("TBackward0", [lambda B, g, ans, d0, d1: B.transpose(g, d0, d1)], "t")
ReshapeAliasBackward = defnode("UnsafeViewBackward0", _reshape_back, "view")  # reshape of a copy
SqueezeBackward4 = defnode("SqueezeBackward4", _reshape_back, "squeeze")  # v @ M, squeezed in place
ExpandBackward0 = defnode("ExpandBackward0", [lambda B, g, ans, shape: B.sum_to(g, shape)],
                          "expand")
for _cls in (ViewBackward0, UnsqueezeBackward0, SqueezeBackward0, SqueezeBackward1,
             SqueezeBackward2, PermuteBackward0, TransposeBackward0, TBackward0, ExpandBackward0):
    _cls._is_view = True


def reshape(input, *shape):
    """The same values in a new shape (-1 infers one dimension)."""
    x = as_tensor_arg(input)
    shape = _shape_arg(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    a = x._data
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    try:
        data = a.reshape(shape)
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {a.size}") from None
    if data.size and not np.may_share_memory(data, a):  # no view has that shape: as PyTorch,
        copy = record1(CloneBackward0, data.reshape(a.shape), x)  # a contiguous clone, viewed
        return record1(ReshapeAliasBackward, data, copy, (a.shape,))
    return _view(ViewBackward0, data, x, (a.shape,), _reshaped(data.shape))


def view(input, *shape):
    """The same memory in a new shape (an error where that needs a copy: use reshape);
    `view(dtype)` reinterprets the bytes."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Tensor)):
        return _view_dtype(as_tensor_arg(input), _dtypes.to_dtype(shape[0]))
    out = reshape(input, *shape)
    if out._data.size and not np.may_share_memory(out._data, as_tensor_arg(input)._data):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return out


def contiguous(input):
    """input itself if its memory is in row-major order, else a row-major copy (CloneBackward0)."""
    x = as_tensor_arg(input)
    if x._data.flags.c_contiguous:
        return x
    return record1(CloneBackward0, np.ascontiguousarray(x._data), x)


def _view_dtype(x, dt):
    """The same memory read as another dtype (no gradient flows through it, as in PyTorch)."""
    a = x._data
    old, new = _dtypes.of_array(a), dt
    if a.ndim == 0 and old.itemsize != new.itemsize:
        raise RuntimeError(f"self.dim() cannot be 0 to view {old.legacy} as "
                           f"{new.legacy} (different element sizes)")
    ratio = new.itemsize // old.itemsize
    if ratio > 1 and a.shape[-1] % ratio:
        raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view "
                           f"{old.legacy} as {new.legacy} (different element sizes), "
                           f"but got {a.shape[-1]}")
    try:
        data = a.view(dt.np)
    except ValueError:
        raise RuntimeError(f"self.stride(-1) must be 1 to view {old.legacy} as "
                           f"{new.legacy} (different element sizes), but got "
                           f"{a.strides[-1] // a.itemsize}") from None
    out = _new(data)
    out._vc = x._shared_vc()  # (shared memory, but not a view: no `_base`, as in PyTorch)
    return out


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    x = as_tensor_arg(input)
    s = x._data.shape
    if not s:
        norm_dim(start_dim, 0), norm_dim(end_dim, 0)  # PyTorch's IndexError if out of range
        return reshape(x, 1)
    lo, hi = norm_dim(start_dim, len(s)), norm_dim(end_dim, len(s))
    if lo > hi:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if lo == hi:
        return x  # nothing to merge: PyTorch returns the tensor itself
    n = 1
    for v in s[lo:hi + 1]:
        n *= v
    return reshape(x, s[:lo] + (n,) + s[hi + 1:])


def squeeze(input, dim=None):
    """Drop dimensions of size 1 (only `dim` if given)."""
    x = as_tensor_arg(input)
    a = x._data
    if dim is None:
        keep = [s for s in a.shape if s != 1]
        return _view(SqueezeBackward0, a.reshape(keep), x, (a.shape,), _reshaped(tuple(keep)))
    dims = norm_dims(dim, a.ndim)
    keep = [s for i, s in enumerate(a.shape) if not (i in dims and s == 1)]
    cls = SqueezeBackward2 if isinstance(dim, (tuple, list)) else SqueezeBackward1
    return _view(cls, a.reshape(keep), x, (a.shape,), _reshaped(tuple(keep)))


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at `dim`."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim + 1)
    data = np.expand_dims(a, d)
    return _view(UnsqueezeBackward0, data, x, (a.shape,), _reshaped(data.shape))


def permute(input, *dims):
    """Reorder the dimensions."""
    x = as_tensor_arg(input)
    dims = _shape_arg(dims)
    if len(dims) != x._data.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {x._data.ndim} is not equal to len(dims) = {len(dims)}"
                           .replace("(sparse_coo)", ""))
    dims = tuple(norm_dim(d, x._data.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(PermuteBackward0, np.transpose(x._data, dims), x, (dims,),
                 lambda B, g: B.permute(g, dims))


def transpose(input, dim0, dim1):
    """Swap two dimensions."""
    x = as_tensor_arg(input)
    d0, d1 = norm_dim(dim0, x._data.ndim), norm_dim(dim1, x._data.ndim)
    return _view(TransposeBackward0, _swapaxes(x._data, d0, d1), x, (d0, d1),
                 lambda B, g: B.transpose(g, d0, d1))


def _swapaxes(a, d0, d1):
    """numpy's swapaxes, also for 0-d arrays and numpy scalars (where d0 == d1 == 0)."""
    return a.view() if d0 == d1 and not a.ndim else a.swapaxes(d0, d1)


swapaxes = transpose


def _same(B, g):
    return g


def _transposed(B, g):
    return B.transpose(g, 0, 1)


def t(input):
    """Transpose a matrix (0-D and 1-D tensors are returned as they are)."""
    x = as_tensor_arg(input)
    if x._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{x._data.ndim}D")
    if x._data.ndim < 2:
        return _view(TBackward0, x._data, x, (0, 0), _same)
    return _view(TBackward0, x._data.T, x, (0, 1), _transposed)


def movedim(input, source, destination):
    """Move the dims `source` to the places `destination` (a permute; the others keep their
    order)."""
    x = as_tensor_arg(input)
    n = x._data.ndim
    src = list(source) if isinstance(source, (tuple, list)) else [source]
    dst = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    given = {"source": src, "destination": dst}
    src, dst = [norm_dim(d, n) for d in src], [norm_dim(d, n) for d in dst]
    if not n:
        return x[...]  # an alias, as PyTorch's
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({given[name]})")
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    return permute(x, [d if d is not None else next(rest) for d in order])


moveaxis = movedim


def unflatten(input, dim, sizes):
    """Split dim into the dims `sizes` (one of them may be -1): a view."""
    x = as_tensor_arg(input)
    shape = x._data.shape
    if not shape:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} "
                           f"but tensor has no dimensions")
    sizes = _shape_arg((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    d = norm_dim(dim, len(shape))
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = int(np.prod([s for s in sizes if s != -1]))
    if known != shape[d] if -1 not in sizes else known == 0 or shape[d] % known:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {d} ({shape[d]}) in the input tensor")
    # -1 resolved here: view cannot infer it when the tensor has no elements
    sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    return view(x, shape[:d] + sizes + shape[d + 1:])


def adjoint(input):
    """The last two dims swapped (the conjugate transpose; real tensors have nothing to
    conjugate)."""
    return matrix_transpose(input, "adjoint()")


_0D_HINTS = {"Tensor.mT": "This function is the identity in these cases."}


def matrix_transpose(input, name):
    """The last two dims swapped, for adjoint() and Tensor.mT/.mH/.H (`name`): a 0-d tensor is
    returned as is, with PyTorch's deprecation warning; .H takes matrices only."""
    x = as_tensor_arg(input)
    n = x._data.ndim
    if n == 0:
        warnings.warn(f"{name} is deprecated on 0-D tensors. "
                      f"{_0D_HINTS.get(name, 'Consider using x.conj().')}", UserWarning,
                      stacklevel=3)
        return x
    attr = "tensor." + name.removeprefix("Tensor.")
    if name == "Tensor.H" and n != 2:
        batches = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D "
                           f"tensor.{batches}")
    if n < 2:
        raise RuntimeError(f"{attr} is only supported on matrices or batches of matrices. Got "
                           f"{n}-D tensor.")
    return transpose(x, -2, -1)


def expand(input, *sizes):
    """Broadcast to a larger shape without copying (-1 keeps a dimension)."""
    x = as_tensor_arg(input)
    sizes = _shape_arg(sizes)
    a = x._data
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(a.shape)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal"
                           f" to the number of dimensions in the tensor ({a.ndim})")
    target = tuple(a.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, n in enumerate(a.shape):
        if n != 1 and n != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match "
                               f"the existing size ({n}) at non-singleton dimension {lead + i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(a.shape)}")
    data = np.broadcast_to(a, target)
    return _view(ExpandBackward0, data, x, (a.shape,))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, shape)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape (a tensor already of that shape as itself)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shape = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise _broadcast_error(shape, t._data.shape) from None
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-D or 1-D tensors: output i varies along dim i ('ij') or, with
    'xy', the first two dims swapped (views: a reshape, then an expand)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f'{indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if as_tensor_arg(t)._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t!r}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    place = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        place[0], place[1] = 1, 0
    shape = [0] * len(tensors)
    for t, p in zip(tensors, place):
        shape[p] = t._data.size
    grids = []
    for t, p in zip(tensors, place):
        column = [1] * len(tensors)
        column[p] = -1
        grids.append(expand(view(t, column), shape))
    return tuple(grids)


CloneBackward0 = defnode("CloneBackward0", [lambda B, g, ans: g], "clone")
ToCopyBackward0 = defnode("ToCopyBackward0", [lambda B, g, ans, dt: B.cast(g, dt)], "to")


def clone(input):
    """A copy with its own memory, still connected to the graph."""
    x = as_tensor_arg(input)
    return record1(CloneBackward0, x._data.copy(), x)


def to_dtype(x, dtype):
    """A copy in another dtype (gradients flow back in the original dtype)."""
    if x.requires_grad and dtype.np.kind != "f":
        out = _new(x._data.astype(dtype.np))
        return out
    return record1(ToCopyBackward0, x._data.astype(dtype.np), x, (x._data.dtype,))
