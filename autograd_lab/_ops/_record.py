"""Recording: wrapping numpy results as tensors and linking them into the graph, and the
argument checks the ops share."""
import builtins

import numpy as np

from .._grad_mode import state as _grad
from .._node import PAIR, scope, _Scope, _seq
from .._tensor import Tensor, _new


_ndarray, _array = np.ndarray, np.array
_object_new = object.__new__
_next = next
_SCALARS = (int, float, bool, np.number, np.bool_)
_NO_DIM = object()  # an argument left out (torch.softmax requires dim; where() takes one arg)
_sum, _max = np.add.reduce, np.maximum.reduce  # np.sum, np.amax without their Python wrappers

# ================================================================================================
# Recording
# ================================================================================================


def _link(cls, data, edges, saved, meta):
    """A tensor around the ndarray `data`, made by a new `cls` node over `edges`."""
    node = _object_new(cls)
    n = cls._nin
    if n == 1:
        node._e0, = edges
    elif n == 2:
        node._e0, node._e1 = edges
    else:
        node._eall = edges
    if len(saved) == 2:
        node._s0, node._s1 = saved
        node._saved = PAIR
    else:
        node._saved = saved
    node._out = data
    node._meta = meta
    node._seq = _next(_seq)
    node._scope = scope.current
    node._extra = None
    if _Scope.on_record is not None:
        _Scope.on_record(node)
    out = _object_new(Tensor)  # `_new` inlined, with the history set once
    out._data = data
    out.grad_fn = node
    out._requires_grad = True  # the slot behind the validated `requires_grad` property
    out._grad = out._vc = out._extra = None
    return out


def record1(cls, data, x, saved=()):
    """Wrap `data`; if recording and x requires grad, link it to x through a `cls` node."""
    if data.__class__ is not _ndarray:
        data = np.asarray(data)
    if _grad.enabled:
        e = x.grad_fn
        if e is not None:
            return _link(cls, data, (e,), saved, None)
        if x._requires_grad:
            return _link(cls, data, (x,), saved, None)
    return _new(data)


def _edge(a):
    if isinstance(a, Tensor):
        e = a.grad_fn
        if e is not None:
            return e
        if a._requires_grad:
            return a
    return None


def record(cls, data, inputs, saved=(), meta=None):
    """Wrap `data`; if recording and any input requires grad, link a `cls` node to them."""
    if data.__class__ is not _ndarray:
        data = np.asarray(data)
    if _grad.enabled:
        edges = tuple(map(_edge, inputs))
        if edges.count(None) < len(edges):
            return _link(cls, data, edges, saved, meta)
    return _new(data)


def broadcast_meta(data, *inputs):
    """`record`'s meta for input tensors: each one's (shape, dtype) if any differs from the
    result array `data`'s (the engine then sums and casts its gradient back), else None."""
    for t in inputs:
        if t._data.shape != data.shape or t._data.dtype != data.dtype:
            return tuple((t._data.shape, t._data.dtype) for t in inputs)
    return None


def np_vocab():
    """The numpy vocabulary `NP`, for the modules that `vocab` imports (so they cannot)."""
    from .vocab import NP
    return NP


class _Variadic:
    """Rules for ops with any number of inputs (cat, stack): rule i is `rule(B, g, ans, i, ...)`."""

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, i):
        return lambda B, g, ans, *saved: self.rule(B, g, ans, i, *saved)


# ================================================================================================
# Argument checking, shared by the ops
# ================================================================================================


def as_tensor_arg(x, what="input"):
    """x if it is a Tensor, else a TypeError in PyTorch's words."""
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{what} must be a Tensor, not {type(x).__name__}")


def tensor_param(x, fname, arg, position):
    """x if it is a Tensor, else PyTorch's TypeError for argument `arg` of `fname`."""
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{fname}(): argument '{arg}' (position {position}) must be Tensor, not "
                    f"{type(x).__name__}")


def norm_dim(dim, ndim):
    """A dimension index in range(ndim), from a possibly negative one (IndexError otherwise)."""
    if isinstance(dim, Tensor):
        dim = dim.__index__()
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return int(dim) % n if ndim else 0


def norm_dims(dim, ndim):
    """A sorted tuple of dimension indices; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = [norm_dim(d, ndim) for d in dim]
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = norm_dim(dim, ndim)  # (checked for a 0-d tensor too)
    return (d,) if ndim else ()


def _shape_arg(shape):
    """A shape from `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(torch.Size)`."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(int(s.__index__()) for s in shape)
    except (AttributeError, TypeError):
        raise TypeError(f"shape must be a sequence of ints, got {shape!r}") from None


def _broadcast_error(*shapes):
    """PyTorch's error for shapes that do not broadcast, found as it finds it: folding them
    left to right, the shape so far is tensor a and the next one tensor b."""
    acc = tuple(shapes[0])
    for shape in shapes[1:]:
        sa, sb = acc, tuple(shape)
        n = builtins.max(len(sa), len(sb))
        for i in range(1, n + 1):
            x = sa[-i] if i <= len(sa) else 1
            y = sb[-i] if i <= len(sb) else 1
            if x != y and x != 1 and y != 1:
                return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor "
                                    f"b ({y}) at non-singleton dimension {n - i}")
        acc = np.broadcast_shapes(sa, sb)
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


_OP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _operand(v, op):
    """A binary op's operand: a Tensor, a number or an array (TypeError for anything else)."""
    if isinstance(v, (Tensor, _ndarray)) or isinstance(v, _SCALARS):
        return v
    raise TypeError(f"unsupported operand type(s) for {_OP_SYMBOLS.get(op, op)}: 'Tensor' and "
                    f"'{type(v).__name__}'")


def _array_of(v):
    return v._data if isinstance(v, Tensor) else v


class _no_record:
    def __enter__(self):
        self.prev, _grad.enabled = _grad.enabled, False

    def __exit__(self, *exc):
        _grad.enabled = self.prev
