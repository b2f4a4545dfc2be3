"""More elementwise functions (rounding, log1p, expm1, ...), triangles, logsumexp, splits and
small utilities beginners reach for."""
import builtins
import itertools
import math

import numpy as np

from .. import _dtypes
from .._node import defnode
from .._tensor import _new
from ._record import _max, _sum, as_tensor_arg, norm_dim, record1
from .arith import (_unary, abs, pow, _zero_rule, cos, exp, log, mul, neg, reciprocal, sigmoid,
                    sin, sqrt, square, tanh)
from .views import _view, reshape, unsqueeze
from .reductions import _expand_back, _reduce_args
from .indexing import _index_rule
from .inplace import _apply_inplace, _tensor_list, cat
from .scans import sort


# ================================================================================================
# More elementwise functions, triangles, splits and small utilities beginners reach for
# ================================================================================================

def _rounding(name, fn):
    """floor/ceil/round/trunc: a step function, so the gradient is 0 (as PyTorch's); integer
    tensors come back unchanged."""
    return _unary(name, lambda a: fn(a) if a.dtype.kind == "f" else a.copy(), _zero_rule, name,
                  float_only=False)


FloorBackward0, floor = _rounding("floor", np.floor)
CeilBackward0, ceil = _rounding("ceil", np.ceil)
TruncBackward0, trunc = _rounding("trunc", np.trunc)
_RoundBackward0, _round_half_even = _rounding("round", np.round)
RoundBackward1 = defnode("RoundBackward1", [_zero_rule], "round")


def round(input, *, decimals=0):
    """Round half to even (as PyTorch), to `decimals` places."""
    if decimals == 0:
        return _round_half_even(input)
    x = as_tensor_arg(input)
    return record1(RoundBackward1, np.round(x._data, decimals), x, (decimals,))


FracBackward0, frac = _unary("frac", lambda a: a - np.trunc(a), lambda B, g, ans: g, "frac")
Log1PBackward0, log1p = _unary("log1p", np.log1p, lambda B, g, ans, x: g / (x + 1.0), "log1p",
                               saves_input=True, node="Log1PBackward0")
Expm1Backward0, expm1 = _unary("expm1", np.expm1, lambda B, g, ans: g * (ans + 1.0), "expm1",
                               uses_ans=True)
Log2Backward0, log2 = _unary("log2", np.log2, lambda B, g, ans, x: g / (x * math.log(2.0)),
                             "log2", saves_input=True)
Log10Backward0, log10 = _unary("log10", np.log10,
                               lambda B, g, ans, x: g / (x * math.log(10.0)), "log10",
                               saves_input=True)

TrilBackward0 = defnode("TrilBackward0", [lambda B, g, ans, k: B.tril(g, k)], "tril")
TriuBackward0 = defnode("TriuBackward0", [lambda B, g, ans, k: B.triu(g, k)], "triu")


def _triangle(cls, fn, input, diagonal):
    x = as_tensor_arg(input)
    if x._data.ndim < 2:
        raise RuntimeError(f"{cls._symbol}: input tensor must have at least 2 dimensions")
    return record1(cls, fn(x._data, diagonal), x, (diagonal,))


def tril(input, diagonal=0):
    """The lower triangle (on and below `diagonal`) of the last two dims; zeros elsewhere."""
    return _triangle(TrilBackward0, np.tril, input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle (on and above `diagonal`) of the last two dims; zeros elsewhere."""
    return _triangle(TriuBackward0, np.triu, input, diagonal)


LogsumexpBackward0 = defnode("LogsumexpBackward0", [
    lambda B, g, ans, x, dims, keep: _expand_back(B, g, x.shape, dims, keep) * B.exp(
        x - _expand_back(B, ans, x.shape, dims, keep))], "logsumexp", saves=True, uses_ans=True)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x), dim)), computed stably."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if x._data.dtype.kind == "f" else x._data.astype(_dtypes.get_default_dtype().np)
    m = _max(a, dims, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
    m = np.where(np.isfinite(m), m, 0)
    data = np.log(_sum(np.exp(a - m), dims, keepdims=True)) + m
    return record1(LogsumexpBackward0, data if keep else np.squeeze(data, dims), x,
                   (x, dims, keep))


SplitBackward0 = defnode("SplitBackward0", _index_rule, "split")
SplitWithSizesBackward0 = defnode("SplitWithSizesBackward0", _index_rule, "split")
UnbindBackward0 = defnode("UnbindBackward0", _index_rule, "unbind")
SplitBackward0._is_view = SplitWithSizesBackward0._is_view = UnbindBackward0._is_view = True


def _pieces(cls, x, d, bounds):
    """Views of x between consecutive `bounds` along dim d."""
    a = x._data
    out = []
    for lo, hi in zip(bounds, bounds[1:]):
        ix = (slice(None),) * d + ((lo,) if cls is UnbindBackward0 else (slice(lo, hi),))
        out.append(_view(cls, a[ix], x, (a.shape, ix), lambda B, g, ix=ix: g[ix], ix))
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """Views of equal size (the last may be smaller), or of the listed sizes, along dim."""
    x = as_tensor_arg(tensor)
    d = norm_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        if builtins.sum(split_size_or_sections) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{list(split_size_or_sections)}")
        bounds = list(itertools.accumulate([0] + list(split_size_or_sections)))
        return _pieces(SplitWithSizesBackward0, x, d, bounds)
    size = int(split_size_or_sections)
    if size <= 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                           f"dimension size of {n}")
    bounds = list(range(0, n, size)) + [n] if size else [0, 0]
    return _pieces(SplitBackward0, x, d, bounds)


def chunk(input, chunks, dim=0):
    """At most `chunks` views of equal size along dim (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    x = as_tensor_arg(input)
    n = x._data.shape[norm_dim(dim, x._data.ndim)]
    return split(x, builtins.max(-(-n // chunks), 1), dim)


def unbind(input, dim=0):
    """The slices along dim, that dim removed (views)."""
    x = as_tensor_arg(input)
    d = norm_dim(dim, x._data.ndim)
    return _pieces(UnbindBackward0, x, d, list(range(x._data.shape[d] + 1)))


def hstack(tensors):
    """cat along dim 1 (dim 0 for 1-D tensors)."""
    ts = _tensor_list(tensors, "hstack")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """cat along dim 0, 1-D tensors as rows."""
    ts = _tensor_list(tensors, "vstack")
    return cat([reshape(t, 1, -1) if t._data.ndim < 2 else t for t in ts], 0)


def any(input, dim=None, keepdim=False):
    """Whether any element (along dim) is nonzero."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    return _new(np.asarray(np.any(x._data, axis=dims, keepdims=keep)))


def all(input, dim=None, keepdim=False):
    """Whether every element (along dim) is nonzero."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    return _new(np.asarray(np.all(x._data, axis=dims, keepdims=keep)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort input along dim."""
    return sort(input, dim, descending)[1]


def outer(input, vec2):
    """input[i] * vec2[j] for 1-D tensors."""
    return mul(unsqueeze(input, 1), vec2)


def _inplace_of(op, name):
    """x.<name>_(...): op applied in place (the node op records, as PyTorch's)."""
    def method(input, *args, **kwargs):
        return _apply_inplace(lambda s: op(s, *args, **kwargs), input, *args)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"x.{name}_(): {name} in place."
    return method


(exp_, log_, sqrt_, neg_, abs_, sin_, cos_, tanh_, sigmoid_, reciprocal_, floor_, ceil_, round_,
 trunc_, pow_, square_) = (
    _inplace_of(op, op.__name__) for op in (exp, log, sqrt, neg, abs, sin, cos, tanh, sigmoid,
                                             reciprocal, floor, ceil, round, trunc, pow, square))
