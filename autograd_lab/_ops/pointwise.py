"""More elementwise functions (rounding, log1p, expm1, trigonometric, hyperbolic and error
functions, logit, atan2, hypot, lerp, xlogy, isclose), triangles, logsumexp, splits and small
utilities beginners reach for."""
import builtins
import itertools
import math

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._group import Group, defgroupnode
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import (_SCALARS, _array_of, _broadcast_error, _edge, _link, _max, _operand, _sum,
                      as_tensor_arg, norm_dim, record, record1, tensor_param)
from .arith import (_binary_tensor_op, _sign, _unary, abs, pow, _zero_rule, cos, exp, log, mul,
                    neg, reciprocal, sigmoid, sin, sqrt, square, tanh)
from .linalg import _cpp_name
from .views import reshape, unsqueeze
from .reductions import _expand_back, _reduce_args
from .indexing import _index_rule, index_view
from .inplace import VIEW_OF_MANY, _apply_inplace, _tensor_list, cat, stack
from .scans import cumprod, cumsum, sort


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

# Hyperbolic, trigonometric and error functions: each derivative is written from the input
# (or the result) with the vocabulary's own ops, so it differentiates again.
SinhBackward0, sinh = _unary("sinh", np.sinh, lambda B, g, ans, x: g * B.cosh(x), "sinh",
                             saves_input=True)
CoshBackward0, cosh = _unary("cosh", np.cosh, lambda B, g, ans, x: g * B.sinh(x), "cosh",
                             saves_input=True)
TanBackward0, tan = _unary("tan", np.tan, lambda B, g, ans: g * (1.0 + ans * ans), "tan",
                           uses_ans=True)
AsinBackward0, asin = _unary("asin", np.arcsin, lambda B, g, ans, x: g / B.sqrt(1.0 - x * x),
                             "asin", saves_input=True)
AcosBackward0, acos = _unary("acos", np.arccos, lambda B, g, ans, x: -g / B.sqrt(1.0 - x * x),
                             "acos", saves_input=True)
AtanBackward0, atan = _unary("atan", np.arctan, lambda B, g, ans, x: g / (x * x + 1.0), "atan",
                             saves_input=True)
AsinhBackward0, asinh = _unary("asinh", np.arcsinh,
                               lambda B, g, ans, x: g * (x * x + 1.0) ** -0.5, "asinh",
                               saves_input=True)
AcoshBackward0, acosh = _unary("acosh", np.arccosh,
                               lambda B, g, ans, x: g * (x * x - 1.0) ** -0.5, "acosh",
                               saves_input=True)
AtanhBackward0, atanh = _unary("atanh", np.arctanh, lambda B, g, ans, x: g / (1.0 - x * x),
                               "atanh", saves_input=True)
_erf, _erfc = (np.frompyfunc(f, 1, 1) for f in (math.erf, math.erfc))  # (2x np.vectorize)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _np_erf(a):
    """erf of a float array, in its dtype (numpy has none: math.erf element by element)."""
    return np.asarray(_erf(a), a.dtype)


ErfBackward0, erf = _unary("erf", _np_erf,
                           lambda B, g, ans, x: g * _TWO_OVER_SQRT_PI * B.exp(-x * x), "erf",
                           saves_input=True)
ErfcBackward0, erfc = _unary("erfc", lambda a: np.asarray(_erfc(a), a.dtype),
                             lambda B, g, ans, x: g * -_TWO_OVER_SQRT_PI * B.exp(-x * x), "erfc",
                             saves_input=True)
SgnBackward0, sgn = _unary("sgn", lambda a: a.copy() if a.dtype == np.bool_ else _sign(a),
                           _zero_rule, "sgn", float_only=False)
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def _logit_rule(B, g, ans, x, eps):
    """g / (x (1 - x)); outside [eps, 1 - eps] 0, or NaN outside [0, 1] without eps (x = -0.
    divides by +0., as in PyTorch)."""
    lo, hi, outside = (0.0, 1.0, math.nan) if eps is None else (eps, 1.0 - eps, 0.0)
    return B.where((x < lo) | (x > hi), outside, g / (x * (1.0 - x) + 0.0))


LogitBackward0 = defnode("LogitBackward0", [_logit_rule], "logit", saves=True)
LogitBackward0._saved_names = ("self", "eps")


def logit(input, eps=None):
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given (>= 0)."""
    x = as_tensor_arg(input)
    a = x._data if x._data.dtype.kind == "f" else x._data.astype(_dtypes.get_default_dtype().np)
    if eps is not None and eps < 0:
        eps = None
    if eps is not None:
        a = np.where(a < eps, eps, np.where(a > 1.0 - eps, 1.0 - eps, a)).astype(a.dtype)
    return record1(LogitBackward0, np.log(a / (1.0 - a)), x, (x, eps))


def _atan2_scale(B, x, y):
    """1 / (x ** 2 + y ** 2), and 0 at the origin (PyTorch's gradient is 0 there)."""
    d = x * x + y * y
    return B.where(d == 0, 0.0, 1.0 / d)


Atan2Backward0 = defnode("Atan2Backward0", [
    lambda B, g, ans, x, y: g * y * _atan2_scale(B, x, y),
    lambda B, g, ans, x, y: -g * x * _atan2_scale(B, x, y)], "atan2", saves=True)
HypotBackward0 = defnode("HypotBackward0", [lambda B, g, ans, x, y: g * x / ans,
                                            lambda B, g, ans, x, y: g * y / ans], "hypot",
                         saves=True, uses_ans=True)
for _cls in (Atan2Backward0, HypotBackward0):
    _cls._saved_names = ("self", "other")


def atan2(input, other):
    """The angle of the point (other, input): atan(input / other) in the right quadrant."""
    return _binary_tensor_op(Atan2Backward0, np.arctan2,
                             input, tensor_param(other, "atan2", "other", 2), floating=True)


def hypot(input, other):
    """sqrt(input ** 2 + other ** 2), computed without overflow."""
    x, y = as_tensor_arg(input), tensor_param(other, "hypot", "other", 2)
    dt = _dtypes.result_type(x._data, y._data)
    if dt.kind != "f":
        name = _dtypes.to_dtype(dt).legacy
        raise NotImplementedError(f'"hypot_cpu" not implemented for \'{name}\'')
    return _binary_tensor_op(HypotBackward0, np.hypot, x, y)


arctan2 = atan2

LerpBackward0 = defnode("LerpBackward0", [lambda B, g, ans, w: g * (1.0 - w),
                                          lambda B, g, ans, w: g * w], "lerp")
LerpBackward1 = defnode("LerpBackward1", [lambda B, g, ans, x, e, w: g * (1.0 - w),
                                          lambda B, g, ans, x, e, w: g * w,
                                          lambda B, g, ans, x, e, w: g * (e - x)], "lerp",
                        saves=True)


def lerp(input, end, weight):
    """input + weight * (end - input), computed as PyTorch does (from `end` when weight >= 0.5)."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor) or \
            not isinstance(weight, (Tensor,) + _SCALARS):
        got = ", ".join(type(v).__name__ for v in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got}), but "
                        f"expected one of:\n * (Tensor input, Tensor end, Tensor weight, *, "
                        f"Tensor out = None)\n * (Tensor input, Tensor end, Number weight, *, "
                        f"Tensor out = None)\n")
    x, e = input, end
    a, b = x._data, e._data
    for name, v in (("end", e), ("weight", weight)):
        if isinstance(v, Tensor) and (v is e or v._data.ndim) and v._data.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {_cpp_name(x.dtype)} for `{name}` but got dtype "
                               f"{_cpp_name(v.dtype)}")
    dt = _dtypes.result_type(a, weight._data) if isinstance(weight, Tensor) else a.dtype
    if dt.kind != "f":
        kernel = "tensor" if isinstance(weight, Tensor) else "scalar"
        raise NotImplementedError(f'"lerp_kernel_{kernel}" not implemented for '
                                  f"'{x.dtype.legacy}'")
    a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    w = _array_of(weight).astype(dt) if isinstance(weight, Tensor) else np.asarray(weight, dt)
    shape = a.shape
    for other in (b.shape, w.shape):  # (PyTorch's message names the first pair that fails)
        try:
            shape = np.broadcast_shapes(shape, other)
        except ValueError:
            raise _broadcast_error(shape, other) from None
    data = np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1.0 - w)).astype(dt)
    inputs = (x, e, weight) if isinstance(weight, Tensor) else (x, e)
    meta = tuple((np.shape(_array_of(v)), _array_of(v).dtype) for v in inputs)
    if isinstance(weight, Tensor):
        return record(LerpBackward1, data, inputs, (x, e, weight), meta)
    return record(LerpBackward0, data, inputs, (float(weight),), meta)


def _xlogy_other_rule(B, g, ans, x, y):
    return g * x / y


def _xlogy_self_rule(B, g, ans, x, y):
    """xlogy(g, y) (0 where g is 0, unless y is NaN), and 0 where x == 0 and y <= 0."""
    gl = B.where((g == 0) & ~B.isnan(y), 0.0, g * B.log(y))
    return B.where((x == 0) & (y <= 0), 0.0, gl)


XlogyBackward0 = defnode("XlogyBackward0", [_xlogy_self_rule, _xlogy_other_rule], "xlogy",
                         saves=True)
XlogyBackward1 = defnode("XlogyBackward1", [_xlogy_other_rule], "xlogy", saves=True)  # number x
XlogyBackward2 = defnode("XlogyBackward2", [_xlogy_self_rule], "xlogy", saves=True)  # number y


def xlogy(input, other):
    """input * log(other), and 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        as_tensor_arg(input)
    A, Bv = (_array_of(_operand(v, "xlogy")) for v in (input, other))
    dt = _dtypes.result_type(np.asarray(A) if isinstance(input, Tensor) else A,
                             np.asarray(Bv) if isinstance(other, Tensor) else Bv)
    if dt.kind != "f":
        dt = _dtypes.get_default_dtype().np
    A, Bv = np.asarray(A, dt), np.asarray(Bv, dt)
    try:
        data = np.where((A == 0) & ~np.isnan(Bv), 0.0, A * np.log(Bv)).astype(dt)
    except ValueError:
        raise _broadcast_error(A.shape, Bv.shape) from None
    if not isinstance(input, Tensor):
        return record(XlogyBackward1, data, (other,), (A, other), ((Bv.shape, dt),))
    if not isinstance(other, Tensor):
        return record(XlogyBackward2, data, (input,), (input, _new(Bv)), ((A.shape, dt),))
    return record(XlogyBackward0, data, (input, other), (input, other),
                  ((A.shape, dt), (Bv.shape, dt)))


def _isclose(a, e, rtol, atol, equal_nan):
    """PyTorch's isclose: equal, both NaN (if equal_nan), or a finite |a - e| within
    atol + |rtol * e|."""
    close = a == e
    if equal_nan and a.dtype.kind == "f":
        close |= np.isnan(a) & np.isnan(e)
    if rtol == 0 and atol == 0:
        return close
    if a.dtype.kind != "f":  # bool and integer operands: the errors in the default dtype
        a, e = (x.astype(_dtypes.get_default_dtype().np) for x in (a, e))
    actual_error = np.abs(a - e)
    return close | (np.isfinite(actual_error) & (actual_error <= atol + np.abs(rtol * e)))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where |input - other| <= atol + rtol * |other| (a bool tensor, no gradient)."""
    x = as_tensor_arg(input)
    y = tensor_param(other, "isclose", "other", 2)
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"{x.dtype.legacy} did not match {y.dtype.legacy}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v:g}")
    try:
        return _new(np.asarray(_isclose(x._data, y._data, rtol, atol, equal_nan)))
    except ValueError:
        raise _broadcast_error(x.shape, y.shape) from None


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


# split, chunk and unbind: views of x, each recorded as one member of a Group (see _group.py),
# so that backward joins the pieces' gradients once (a full-size gradient per piece would be
# quadratic in their number), and refused in-place changes while recording, as in PyTorch.
# The unsafe_ forms (PyTorch's RNN cells use them) share x's memory but are not views to
# autograd: a piece changed in place changes its own history only.
_PIECES = {}  # name -> (the view's step class or None, the group's member class)
for _name, _symbol in (("SplitBackward0", "split"), ("SplitWithSizesBackward0", "split"),
                       ("UnbindBackward0", "unbind"), ("UnsafeSplitBackward0", "split"),
                       ("UnsafeSplitWithSizesBackward0", "split")):
    _member = defgroupnode(_name, _symbol)
    _step = None
    if not _name.startswith("Unsafe"):
        _member._is_view = True
        _member.inplace_error = lambda node: (
            f"Output {node._extra['group_index']} of {type(node).__name__[:-9]} is a view and "
            f"is being modified inplace. {VIEW_OF_MANY}")
        _step = defnode(_name, _index_rule, _symbol)
    _PIECES[_name] = (_step, _member)


def _pieces(name, x, d, bounds):
    """Pieces of x between consecutive `bounds` along dim d (unbind: at each bound)."""
    step, member = _PIECES[name]
    at = name == "UnbindBackward0"
    ixs = [(slice(None),) * d + ((lo,) if at else (slice(lo, hi),))
           for lo, hi in zip(bounds, bounds[1:])]
    if step is None:
        pieces = tuple(_new(x._data[ix]) for ix in ixs)
        edge = _edge(x) if _grad.enabled else None
    else:
        pieces = tuple(index_view(step, x, ix) for ix in ixs)
        edge = pieces[0].grad_fn._e0 if pieces and pieces[0].grad_fn is not None else None
    if pieces and edge is not None:
        group = Group(len(pieces), _joined(x._data.shape, x._data.dtype, d, ixs, at))
        for k, p in enumerate(pieces):
            p.grad_fn = _link(member, p._data, (edge,), (group,), None).grad_fn
            p._requires_grad = True
            group.add(k, p.grad_fn)
            if step is not None:  # (views of it inherit the refusal of in-place changes)
                p._extra["multi_view"] = True
    return pieces


def _joined(shape, dtype, d, ixs, stacked):
    """The group's backward: the pieces' gradients in one gradient for x (zeros where none)."""
    def backward(grads, create):
        if create:
            parts = [_new(np.zeros(np.broadcast_to(0, shape)[ix].shape, dtype)) if g is None else g
                     for g, ix in zip(grads, ixs)]
            return [stack(parts, d) if stacked else cat(parts, d)]
        out = np.zeros(shape, dtype)
        for g, ix in zip(grads, ixs):
            if g is not None:
                out[ix] = g
        return [out]
    return backward


def split(tensor, split_size_or_sections, dim=0):
    """Views of equal size (the last may be smaller), or of the listed sizes, along dim."""
    return _split(tensor, split_size_or_sections, dim, "")


def unsafe_split(tensor, split_size, dim=0):
    """split into pieces that autograd does not treat as views (see `_pieces`)."""
    if isinstance(split_size, (list, tuple)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _split(tensor, split_size, dim, "Unsafe")


def unsafe_split_with_sizes(tensor, split_sizes, dim=0):
    """split with the listed sizes, into pieces that are not views to autograd."""
    return _split(tensor, list(split_sizes), dim, "Unsafe")


def _split(tensor, split_size_or_sections, dim, kind):
    x = as_tensor_arg(tensor)
    d = norm_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        if builtins.sum(split_size_or_sections) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{list(split_size_or_sections)}")
        bounds = list(itertools.accumulate([0] + list(split_size_or_sections)))
        return _pieces(kind + "SplitWithSizesBackward0", x, d, bounds)
    size = int(split_size_or_sections)
    if size <= 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                           f"dimension size of {n}")
    bounds = list(range(0, n, size)) + [n] if size else [0, 0]
    return _pieces(kind + "SplitBackward0", x, d, bounds)


def chunk(input, chunks, dim=0):
    """At most `chunks` views of equal size along dim (the last may be smaller)."""
    return _chunk(input, chunks, dim, "")


def unsafe_chunk(input, chunks, dim=0):
    """chunk into pieces that autograd does not treat as views (see `_pieces`)."""
    return _chunk(input, chunks, dim, "Unsafe")


def _chunk(input, chunks, dim, kind):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    x = as_tensor_arg(input)
    n = x._data.shape[norm_dim(dim, x._data.ndim)]
    return _split(x, builtins.max(-(-n // chunks), 1), dim, kind)


def unbind(input, dim=0):
    """The slices along dim, that dim removed (views)."""
    x = as_tensor_arg(input)
    d = norm_dim(dim, x._data.ndim)
    return _pieces("UnbindBackward0", x, d, list(range(x._data.shape[d] + 1)))


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
 trunc_, pow_, square_, sinh_, cosh_, tan_, asin_, acos_, atan_, asinh_, acosh_, atanh_, erf_,
 erfc_, sgn_, logit_, atan2_, hypot_, lerp_, xlogy_, cumsum_, cumprod_) = (
    _inplace_of(op, op.__name__) for op in (exp, log, sqrt, neg, abs, sin, cos, tanh, sigmoid,
                                             reciprocal, floor, ceil, round, trunc, pow, square,
                                             sinh, cosh, tan, asin, acos, atan, asinh, acosh,
                                             atanh, erf, erfc, sgn, logit, atan2, hypot, lerp,
                                             xlogy, cumsum, cumprod))
