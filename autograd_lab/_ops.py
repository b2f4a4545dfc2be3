"""The op table: every differentiable op, declared once.

Each entry has its numpy forward (the function below it), its backward rules (one per input,
`rule(B, g, ans, *saved)`) and PyTorch's name for its backward node. Rules are written against
`B`, a small vocabulary that is either numpy (`NP`: first-order backward costs what numpy costs)
or autograd_lab itself (`TB`: with `create_graph=True` the backward pass is recorded, which gives
higher-order derivatives). Broadcasting is undone in one place, the engine, from `_meta`.
"""
import builtins
import itertools
import math
import types
import warnings
import weakref

import numpy as np

from . import _dtypes
from ._grad_mode import state as _grad
from ._node import PAIR, defnode, scope, _Scope, _seq
from ._tensor import Tensor, _new

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
        if a.requires_grad:
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
    return (norm_dim(dim, ndim),) if ndim else ()


def _shape_arg(shape):
    """A shape from `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(torch.Size)`."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(int(s.__index__()) for s in shape)
    except (AttributeError, TypeError):
        raise TypeError(f"shape must be a sequence of ints, got {shape!r}") from None


def _broadcast_error(a, b):
    sa, sb = tuple(a), tuple(b)
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            d = builtins.max(len(sa), len(sb)) - i
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y})"
                                f" at non-singleton dimension {d}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


_OP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _operand(v, op):
    """A binary op's operand: a Tensor, a number or an array (TypeError for anything else)."""
    if isinstance(v, (Tensor, _ndarray)) or isinstance(v, _SCALARS):
        return v
    raise TypeError(f"unsupported operand type(s) for {_OP_SYMBOLS.get(op, op)}: 'Tensor' and "
                    f"'{type(v).__name__}'")


def _array_of(v):
    return v._data if isinstance(v, Tensor) else v


# ================================================================================================
# Elementwise arithmetic
# ================================================================================================

AddBackward0 = defnode("AddBackward0", [lambda B, g, ans: g, lambda B, g, ans: g], "+")
SubBackward0 = defnode("SubBackward0", [lambda B, g, ans: g, lambda B, g, ans: -g], "-")
RsubBackward1 = defnode("RsubBackward1", [lambda B, g, ans, alpha: -g if alpha == 1 else  # n - x
                                            -alpha * g], "-")
MulBackward0 = defnode("MulBackward0", [lambda B, g, ans, a, b: g * b,
                                        lambda B, g, ans, a, b: g * a], "*", saves=True)
DivBackward0 = defnode("DivBackward0", [lambda B, g, ans, a, b: g / b,
                                        lambda B, g, ans, a, b: -g * a / (b * b)], "/", saves=True)
def _zero_rule(B, g, ans, *saved):
    """The gradient of an input whose value does not matter: +0 everywhere (PyTorch's
    zeros_like(grad); `g * 0` would give -0. for negative and NaN for non-finite g)."""
    return B.zeros_like(g)


PowBackward0 = defnode("PowBackward0", [lambda B, g, ans, x, p: B.zeros_like(g) if p == 0
                                        else g * (p * x ** (p - 1))], "**", saves=True)
PowBackward1 = defnode("PowBackward1", [
    lambda B, g, ans, x, y: B.where(y == 0, 0.0, g * (y * x ** (y - 1))),
    lambda B, g, ans, x, y: B.where((x == 0) & (y >= 0), 0.0, g * ans * B.log(x))],
    "**", saves=True, uses_ans=True)
PowBackward2 = defnode("PowBackward2", [lambda B, g, ans, c, x: g * ans * math.log(c)],
                       "**", uses_ans=True, saves=True)  # number ** tensor: one input
_ARITH = {"add": (np.add, AddBackward0, ()), "sub": (np.subtract, SubBackward0, ()),
          "mul": (np.multiply, MulBackward0, True), "div": (np.true_divide, DivBackward0, True)}


BOOL_SUBTRACTION = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                    "the `^` or `logical_xor()` operator instead.")


def _arith(op, a, b):
    """`a op b` for Tensors, numbers and arrays, with PyTorch's broadcasting and promotion."""
    ufunc, cls, saves = _ARITH[op]
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if not ta:
        a = _operand(a, op)
    if not tb:
        b = _operand(b, op)
    A = a._data if ta else a
    Bv = b._data if tb else b
    if ta != tb and op != "div":  # an int number with an int tensor: its dtype, wrapped (PyTorch)
        arr, num = (A, Bv) if ta else (Bv, A)
        if arr.dtype.kind in "iu" and isinstance(num, int) and not isinstance(num, bool) and \
                not np.can_cast(np.min_scalar_type(num), arr.dtype):
            num = np.array(num, np.int64).astype(arr.dtype)
            A, Bv = (arr, num) if ta else (num, arr)
    if op == "sub" and (np.result_type(A) == np.bool_ or np.result_type(Bv) == np.bool_):
        raise RuntimeError(BOOL_SUBTRACTION if np.result_type(A, Bv) == np.bool_ else
                           "Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    try:
        data = ufunc(A, Bv)
    except ValueError:
        raise _broadcast_error(np.shape(A), np.shape(Bv)) from None
    dt = data.dtype
    if op == "div" and dt.kind == "f" and _int_like(A) and _int_like(Bv):
        data = data.astype(_dtypes.get_default_dtype().np, copy=False)  # int / int is float
    elif ta and tb:
        if A.dtype is not Bv.dtype:
            data = data.astype(_dtypes.result_type(A, Bv), copy=False)
    elif dt is not (A.dtype if ta else Bv.dtype):
        data = data.astype(_dtypes.result_type(A if ta else _as_array(A), Bv if tb else
                                               _as_array(Bv)), copy=False)
    if data.__class__ is not _ndarray:
        data = np.asarray(data)
    if not _grad.enabled:
        return _new(data)
    ea = (a.grad_fn or (a if a.requires_grad else None)) if ta else None
    eb = (b.grad_fn or (b if b.requires_grad else None)) if tb else None
    if ea is None and eb is None:
        return _new(data)
    meta = None
    shape = data.shape
    if (ta and A.shape != shape) or (tb and Bv.shape != shape) or (ta and tb and A.dtype is not Bv.dtype):
        meta = ((A.shape, A.dtype) if ta else None, (Bv.shape, Bv.dtype) if tb else None)
    return _link(cls, data, (ea, eb), _operands_read(op, a, b, ea, eb) if saves else (), meta)


def _operands_read(op, a, b, ea, eb):
    """The operands mul/div backward reads, and no more, as PyTorch saves them: `a` only for
    b's gradient; so `y[0] = y[0] * 3` may change y[0] in place without breaking backward."""
    return (a if eb is not None else None, b if ea is not None or op == "div" else None)


def _as_array(v):
    return v if isinstance(v, (_ndarray, bool, int, float, np.number, np.bool_)) else np.asarray(v)


def _int_like(v):
    return np.asarray(v).dtype.kind in "biu" if not isinstance(v, float) else False


_NUMBERS = {}  # (number, dtype char) -> the read-only 0-d array `_number` gives for it


def _number(b, dt):
    """The Python number b as a 0-d array of the float dtype dt: numpy multiplies by it at
    twice the speed of a Python number, and backward reuses it. Numbers repeat (`y * 0.9` in a
    loop): each is converted once (not 0, whose sign must survive: 0.0 == -0.0)."""
    key = (b, dt.char)
    c = _NUMBERS.get(key) if b else None
    if c is None:
        c = _array(b, dt)
        if b:
            c.flags.writeable = False
            if len(_NUMBERS) >= 1024:  # NaN never matches itself: keep the table bounded
                _NUMBERS.clear()
            _NUMBERS[key] = c
    return c


def _fast(op):
    """`op` for the common cases (same-dtype, same-shape tensors; tensor and Python number),
    with no checks beyond those; everything else goes through `_arith`."""
    ufunc, cls, saves = _ARITH[op]
    div = op == "div"

    def fast(a, b):
        if a.__class__ is Tensor:
            A = a._data
            cb = b.__class__
            if cb is float or cb is int:
                dt = A.dtype
                if dt.kind != "f":
                    return _arith(op, a, b)
                b = _number(b, dt)
                data = ufunc(A, b)
                eb = None
            elif cb is Tensor:
                Bv = b._data
                if A.dtype is not Bv.dtype or A.shape != Bv.shape or A.dtype.kind != "f":
                    return _arith(op, a, b)  # (int / int is float: _arith promotes)
                data = ufunc(A, Bv)
                eb = b.grad_fn
                if eb is None and b._requires_grad:  # the slot: no property call
                    eb = b
            else:
                return _arith(op, a, b)
            if data.__class__ is not _ndarray:
                data = np.asarray(data)
            if _grad.enabled:
                ea = a.grad_fn
                if ea is None and a._requires_grad:
                    ea = a
                if ea is not None or eb is not None:  # `_link` inlined (hottest path): keep in step
                    node = _object_new(cls)
                    node._e0 = ea
                    node._e1 = eb
                    if saves:  # _operands_read, inlined
                        node._s0 = a if eb is not None else None
                        node._s1 = b if ea is not None or div else None
                        node._saved = PAIR
                    else:
                        node._saved = ()
                    node._out = data
                    node._seq = _next(_seq)
                    node._meta = node._extra = None
                    node._scope = scope.current
                    if _Scope.on_record is not None:
                        _Scope.on_record(node)
                    out = _object_new(Tensor)
                    out._data = data
                    out.grad_fn = node
                    out._requires_grad = True
                    out._grad = out._vc = out._extra = None
                    return out
            return _new(data)
        return _arith(op, a, b)
    fast.__name__ = fast.__qualname__ = f"_{op}"
    return fast


_add, _sub, _mul, _div = _fast("add"), _fast("sub"), _fast("mul"), _fast("div")


def add(input, other, alpha=1):
    """input + alpha * other."""
    return _add(input, _times_alpha(input, other, alpha))


def sub(input, other, alpha=1):
    """input - alpha * other."""
    return _sub(input, _times_alpha(input, other, alpha))


def _times_alpha(input, other, alpha):
    """alpha * other for add/sub, with PyTorch's check of alpha against integer inputs."""
    if isinstance(alpha, float) and isinstance(input, Tensor) and input._data.dtype.kind in "biu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha == 1:
        return other
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def rsub(input, other, alpha=1):
    """other - alpha * input, as `number - tensor` runs: one RsubBackward1 node whose only
    input is the tensor (torch.sub(number, tensor) records SubBackward0 with two)."""
    x = as_tensor_arg(input)
    with _no_record():
        out = _arith("sub", other, _times_alpha(x, x, alpha))
    e = _edge(x)
    if not _grad.enabled or e is None:
        return out
    a = x._data
    meta = None if (a.shape, a.dtype) == (out._data.shape, out._data.dtype) else \
        ((a.shape, a.dtype),)
    return _link(RsubBackward1, out._data, (e,), (alpha,), meta)


def mul(input, other):
    return _mul(input, other)


def div(input, other, *, rounding_mode=None):
    """input / other; rounding_mode 'trunc' or 'floor' rounds the quotient (gradient 0)."""
    if rounding_mode is not None:
        return _rounded_div(input, other, rounding_mode)
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return mul(reciprocal(other), input)  # 2 / x is reciprocal(x) * 2, as in PyTorch
    return _div(input, other)


DivBackward2 = defnode("DivBackward2", [_zero_rule, _zero_rule], "/")


def _rounded_div(input, other, mode):
    if mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{mode}'")
    try:
        A, Bv = _division_operands("div", input, other)
        if A.dtype.kind == "f":
            with np.errstate(divide="ignore", invalid="ignore"):
                data = (np.trunc if mode == "trunc" else np.floor)(A / Bv).astype(A.dtype)
        else:  # integers: exact, numpy's // rounds down; trunc moves negative quotients up
            data = np.floor_divide(A, Bv)
            if mode == "trunc":
                data = data + ((data < 0) & (data * Bv != A))
    except ValueError:
        raise _broadcast_error(np.shape(_array_of(input)), np.shape(_array_of(other))) from None
    data = np.asarray(data)
    if data.dtype.kind != "f":
        return _new(data)
    return record(DivBackward2, data, (input, other))


multiply, divide, subtract, true_divide = mul, div, sub, div


def _power(a, b):
    """np.power, with PyTorch's error for an integer base and a negative integer exponent."""
    try:
        return np.power(a, b)
    except ValueError as e:
        if "negative integer powers" in str(e):
            raise RuntimeError("Integers to negative integer powers are not allowed.") from None
        raise


def pow(input, exponent):
    """input ** exponent (PowBackward0 scalar exponent, 1 tensor exponent, 2 scalar base)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        exponent = _operand(exponent, "pow")
        if isinstance(exponent, _ndarray):
            exponent = _new(exponent)
        else:
            data = _power(input._data, exponent)
            if input._data.dtype.kind in "iub" and isinstance(exponent, float):
                data = data.astype(_dtypes.get_default_dtype().np)
            elif data.dtype is not input._data.dtype and input._data.dtype.kind == "f":
                data = data.astype(input._data.dtype)
            return record1(PowBackward0, data, input, (input, exponent))
    if not isinstance(input, Tensor):
        c = _operand(input, "pow")
        data = _power(c, exponent._data)
        if data.dtype is not exponent._data.dtype:
            data = data.astype(_dtypes.result_type(np.asarray(c)[()], exponent._data))
        return record1(PowBackward2, data, exponent, (c, exponent))
    try:
        data = _power(input._data, exponent._data)
    except ValueError:
        raise _broadcast_error(input.shape, exponent.shape) from None
    data = data.astype(_dtypes.result_type(input._data, exponent._data), copy=False)
    shape = data.shape
    meta = None
    if input._data.shape != shape or exponent._data.shape != shape:
        meta = ((input._data.shape, input._data.dtype), (exponent._data.shape, exponent._data.dtype))
    return record(PowBackward1, data, (input, exponent), (input, exponent), meta)


def _unary(name, fwd, rule, symbol, uses_ans=False, saves_input=False, float_only=True,
           node=None):
    """Declare a one-input elementwise op: its node class (`node`, default Name + Backward0)
    and its function."""
    cls = defnode(node or f"{name.capitalize()}Backward0", [rule], symbol,
                  saves=saves_input, uses_ans=uses_ans)
    if saves_input:
        cls._saved_names = ("self",)

    def op(input):
        x = as_tensor_arg(input)
        a = x._data
        if float_only and a.dtype.kind != "f":
            a = a.astype(_dtypes.get_default_dtype().np)
        return record1(cls, fwd(a), x, (x,) if saves_input else ())
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} (backward: {cls.__name__})."
    return cls, op


NegBackward0, neg = _unary("neg", lambda a: _negative(a), lambda B, g, ans: -g, "neg",
                           float_only=False)
ExpBackward0, exp = _unary("exp", np.exp, lambda B, g, ans: g * ans, "exp", uses_ans=True)
LogBackward0, log = _unary("log", np.log, lambda B, g, ans, x: g / x, "log", saves_input=True)
SqrtBackward0, sqrt = _unary("sqrt", np.sqrt, lambda B, g, ans: g / (2 * ans), "sqrt",
                             uses_ans=True)
SinBackward0, sin = _unary("sin", np.sin, lambda B, g, ans, x: g * B.cos(x), "sin",
                           saves_input=True)
CosBackward0, cos = _unary("cos", np.cos, lambda B, g, ans, x: -g * B.sin(x), "cos",
                           saves_input=True)
TanhBackward0, tanh = _unary("tanh", np.tanh, lambda B, g, ans: g * (1.0 - ans * ans), "tanh",
                             uses_ans=True)
SigmoidBackward0, sigmoid = _unary("sigmoid", lambda a: _sigmoid(a),
                                   lambda B, g, ans: g * ans * (1.0 - ans), "σ", uses_ans=True)
ReluBackward0, relu = _unary("relu", lambda a: _no_bool(a, lambda v: np.maximum(v, 0),
                                                       "Boolean inputs not supported for relu"),
                             lambda B, g, ans: B.relu_grad(g, ans), "relu", uses_ans=True,
                             float_only=False)
AbsBackward0, abs = _unary("abs", lambda a: _no_bool(a, np.abs, '"abs_cpu" not implemented for '
                                                      "'Bool'", NotImplementedError),
                           lambda B, g, ans, x: g * B.sign(x), "abs", saves_input=True,
                           float_only=False)
ReciprocalBackward0, reciprocal = _unary("reciprocal", np.reciprocal,
                                         lambda B, g, ans: -g * ans * ans, "1/x", uses_ans=True)
SignBackward0, sign = _unary("sign", lambda a: _sign(a), _zero_rule, "sign",
                             float_only=False)
absolute, negative = abs, neg


def _negative(a):
    return _no_bool(a, np.negative, "Negation, the `-` operator, on a bool tensor is not "
                    "supported. If you are trying to invert a mask, use the `~` or "
                    "`logical_not()` operator instead.")


def _no_bool(a, fn, message, error=RuntimeError):
    """fn(a), or PyTorch's error for an op it refuses on bool tensors."""
    if a.dtype == np.bool_:
        raise error(message)
    return fn(a)


def _sign(a):
    """numpy's sign, except that the sign of NaN is 0, as in PyTorch."""
    s = np.sign(a)
    return np.where(np.isnan(s), 0, s).astype(s.dtype) if s.dtype.kind == "f" else s


def _sigmoid(a):
    """A numerically stable logistic function."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def square(input):
    return pow(input, 2)


RsqrtBackward0, rsqrt = _unary("rsqrt", lambda a: 1 / np.sqrt(a),
                               lambda B, g, ans: -0.5 * g * ans * ans * ans, "rsqrt", uses_ans=True)


def _between(x, lo, hi):
    """Where lo <= x <= hi (a bound that is None does not limit)."""
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def _clamp_grad_lo(B, g, ans, x, lo, hi):
    """A tensor `min` gets the gradient where it was the result."""
    chosen = x < lo if hi is None else (x < lo) & (lo < hi)
    return B.where(chosen, g, 0.0)


def _clamp_grad_hi(B, g, ans, x, lo, hi):
    """A tensor `max` gets the gradient where it was the result (also where max < min)."""
    chosen = x > hi if lo is None else (x > hi) | (hi < lo)
    return B.where(chosen, g, 0.0)


_clamp_grad_x = [lambda B, g, ans, x, lo, hi: B.where(_between(x, lo, hi), g, 0.0)]
ClampBackward1 = defnode("ClampBackward1", _clamp_grad_x, "clamp", saves=True)
ClampMinBackward0 = defnode("ClampMinBackward0", _clamp_grad_x, "clamp_min", saves=True)
ClampMaxBackward0 = defnode("ClampMaxBackward0", _clamp_grad_x, "clamp_max", saves=True)
ClampBackward0 = defnode("ClampBackward0", _clamp_grad_x + [_clamp_grad_lo, _clamp_grad_hi],
                         "clamp", saves=True)
ClampMinBackward1 = defnode("ClampMinBackward1", _clamp_grad_x + [_clamp_grad_lo], "clamp_min",
                            saves=True)
ClampMaxBackward1 = defnode("ClampMaxBackward1", _clamp_grad_x + [_clamp_grad_hi], "clamp_max",
                            saves=True)


def _clamp(cls, x, lo, hi):
    """min(max(x, lo), hi) recorded as `cls`; lo and hi are numbers, tensors or None."""
    x = as_tensor_arg(x)
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [_operand(v, "clamp") for v in (lo, hi) if v is not None]
    a = x._data
    shape, dt = a.shape, a.dtype
    for v in bounds:
        try:
            shape = np.broadcast_shapes(shape, np.shape(_array_of(v)))
        except ValueError:
            raise _broadcast_error(shape, np.shape(_array_of(v))) from None
        dt = _dtypes.result_type(np.empty((0,) * a.ndim, dt), _as_array(_array_of(v)))
    data = np.asarray(np.clip(a, _array_of(lo), _array_of(hi))).astype(dt, copy=False)
    if not builtins.any(isinstance(v, Tensor) for v in bounds):
        return record1(cls, data, x, (x, lo, hi))
    inputs = [x, lo, hi] if cls is ClampBackward0 else [x] + bounds
    meta = tuple(None if v is None else (np.shape(_array_of(v)), dt) for v in inputs)
    return record(cls, data, inputs, (x, lo, hi), meta)


def clamp(input, min=None, max=None):
    """Limit values to [min, max] (gradient 1 inside, 0 outside); bounds may be tensors."""
    tensor_bounds = isinstance(min, Tensor) or isinstance(max, Tensor)
    return _clamp(ClampBackward0 if tensor_bounds else ClampBackward1, input, min, max)


clip = clamp


def clamp_min(input, min):
    return _clamp(ClampMinBackward1 if isinstance(min, Tensor) else ClampMinBackward0, input,
                  min, None)


def clamp_max(input, max):
    return _clamp(ClampMaxBackward1 if isinstance(max, Tensor) else ClampMaxBackward0, input,
                  None, max)


def _pick_rule(loses):
    """maximum/minimum: the gradient goes to the chosen input, ties split it in half, and NaN
    (which is chosen) gets all of it: PyTorch's where(a == b, g / 2, g).masked_fill(loses, 0)."""
    return lambda B, g, ans, a, b: B.where(loses(a, b), 0.0, B.where(a == b, g * 0.5, g))


MaximumBackward0 = defnode("MaximumBackward0", [_pick_rule(lambda a, b: a < b),
                                                _pick_rule(lambda a, b: a > b)], "max", saves=True)
MinimumBackward0 = defnode("MinimumBackward0", [_pick_rule(lambda a, b: a > b),
                                                _pick_rule(lambda a, b: a < b)], "min", saves=True)


def _binary_tensor_op(cls, fwd, a, b):
    a, b = as_tensor_arg(a), as_tensor_arg(b, "other")
    try:
        data = fwd(a._data, b._data)
    except ValueError:
        raise _broadcast_error(a.shape, b.shape) from None
    data = data.astype(_dtypes.result_type(a._data, b._data), copy=False)
    meta = None
    if a._data.shape != data.shape or b._data.shape != data.shape:
        meta = ((a._data.shape, a._data.dtype), (b._data.shape, b._data.dtype))
    return record(cls, data, (a, b), (a, b), meta)


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    return _binary_tensor_op(MaximumBackward0, np.maximum, input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    return _binary_tensor_op(MinimumBackward0, np.minimum, input, other)


WhereBackward0 = defnode("WhereBackward0", [lambda B, g, ans, c: B.where(c, g, 0.0),
                                            lambda B, g, ans, c: B.where(c, 0.0, g)], "where",
                         saves=False)


def where(condition, input=_NO_DIM, other=_NO_DIM):
    """Pick input where condition holds, other elsewhere (both broadcast); where(condition)
    alone is nonzero(condition, as_tuple=True)."""
    if input is _NO_DIM and other is _NO_DIM:
        return nonzero(condition, as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtypes.of_array(c).legacy}")
    A, Bv = _array_of(_operand(input, "where")), _array_of(_operand(other, "where"))
    try:
        data = np.where(c, A, Bv)
    except ValueError:
        raise _broadcast_error(np.shape(A), np.shape(Bv)) from None
    data = data.astype(_dtypes.result_type(_as_array(A), _as_array(Bv)), copy=False)
    meta = tuple((np.shape(v), data.dtype) for v in (A, Bv))
    return record(WhereBackward0, data, (input, other), (c,), meta)


def compare(ufunc_name, a, b=None):
    """A comparison or logical op: no gradient, result as numpy gives it (bool for compares)."""
    ufunc = getattr(np, ufunc_name)
    if b is None:
        return _new(np.asarray(ufunc(_array_of(a))))
    A, Bv = _array_of(_operand(a, ufunc_name)), _array_of(_operand(b, ufunc_name))
    try:
        data = ufunc(A, Bv)
    except ValueError:
        raise _broadcast_error(np.shape(A), np.shape(Bv)) from None
    return _new(np.asarray(data))


def _division_operands(name, a, b):
    """The arrays of a // b or a % b in PyTorch's result dtype; its error for an integer
    division by zero (numpy gives 0 and a warning)."""
    A, Bv = (_array_of(_operand(v, name)) for v in (a, b))
    dt = _dtypes.result_type(_as_array(A), _as_array(Bv))
    A, Bv = np.asarray(A, dt), np.asarray(Bv, dt)
    if dt.kind in "biu" and not Bv.all():
        raise RuntimeError("ZeroDivisionError")
    return A, Bv


def _torch_remainder(A, Bv):
    """a - b * floor(a / b) computed as PyTorch does (fmod, then shifted into b's sign), which
    keeps the sign of a zero result: tensor([-3.]) % 3 is -0., where numpy gives 0."""
    m = np.fmod(A, Bv)
    shift = (m != 0) & ((Bv < 0) != (m < 0))
    return np.where(shift, m + Bv, m).astype(m.dtype, copy=False)


def _not_implemented(name):
    """The node PyTorch records for an op without a derivative: backward through it raises."""
    def rule(B, g, ans):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return defnode("NotImplemented", [rule, rule], name)


RemainderBackward0 = defnode("RemainderBackward0", [lambda B, g, ans: g], "%")
RemainderBackward1 = defnode("RemainderBackward1", [
    lambda B, g, ans, a, b: g,
    lambda B, g, ans, a, b: -g * B.floor(a / b)], "%", saves=True)


_RemainderOfNumber = _not_implemented("remainder")  # number % tensor


def remainder(input, other):
    """Python's modulus (the result takes the divisor's sign); gradient 1 for input and
    -floor(input / other) for a tensor divisor, as PyTorch's RemainderBackward."""
    try:
        A, Bv = _division_operands("remainder", input, other)
        data = np.asarray(_torch_remainder(A, Bv))
    except ValueError:
        raise _broadcast_error(np.shape(_array_of(input)), np.shape(_array_of(other))) from None
    if data.dtype.kind != "f":
        return _new(data)
    if not isinstance(input, Tensor):
        return record(_RemainderOfNumber, data, (None, other))
    if not isinstance(other, Tensor):
        return record1(RemainderBackward0, data, input)
    meta = None
    if A.shape != data.shape or Bv.shape != data.shape:
        meta = ((A.shape, A.dtype), (Bv.shape, Bv.dtype))
    return record(RemainderBackward1, data, (input, other), (input, other), meta)


_FloorDivideNotDifferentiable = _not_implemented("floor_divide")


def floor_divide(input, other):
    """Division rounded toward minus infinity; no derivative (PyTorch: NotImplemented)."""
    try:
        data = np.asarray(np.floor_divide(*_division_operands("floor_divide", input, other)))
    except ValueError:
        raise _broadcast_error(np.shape(_array_of(input)), np.shape(_array_of(other))) from None
    if data.dtype.kind != "f":
        return _new(data)
    return record(_FloorDivideNotDifferentiable, data, (input, other))


def _comparison(name, ufunc_name):
    def op(input, other):
        return compare(ufunc_name, input, other)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {ufunc_name.replace('_', ' ')} (a bool tensor, no gradient)."
    return op


eq, ne, gt, ge, lt, le = (_comparison(n, u) for n, u in (
    ("eq", "equal"), ("ne", "not_equal"), ("gt", "greater"), ("ge", "greater_equal"),
    ("lt", "less"), ("le", "less_equal")))


def isnan(input):
    return _new(np.isnan(as_tensor_arg(input)._data))


def isfinite(input):
    return _new(np.isfinite(as_tensor_arg(input)._data))


def isinf(input):
    return _new(np.isinf(as_tensor_arg(input)._data))


# ================================================================================================
# Matrix products
# ================================================================================================


def _mm_grad_a(B, g, ans, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else B.unsqueeze(g, -1) * b
    if a.ndim == 1:
        return B.sum_to(B.squeeze_last(b @ B.unsqueeze(g, -1)), a.shape)
    return B.sum_to(g @ B.mT(b), a.shape)


def _mm_grad_b(B, g, ans, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else B.sum_to(B.unsqueeze(a, -1) * B.unsqueeze(g, -2), b.shape)
    if b.ndim == 1:
        return B.sum_to(B.squeeze_last(B.mT(a) @ B.unsqueeze(g, -1)), b.shape)
    return B.sum_to(B.mT(a) @ g, b.shape)


_MM_RULES = [_mm_grad_a, _mm_grad_b]
MmBackward0 = defnode("MmBackward0", _MM_RULES, "@", saves=True)
DotBackward0 = defnode("DotBackward0", _MM_RULES, "@", saves=True)
MvBackward0 = defnode("MvBackward0", _MM_RULES, "@", saves=True)
BmmBackward0 = defnode("BmmBackward0", _MM_RULES, "@", saves=True)
# torch.matmul names its node after the last kernel it dispatches to. The forms it decomposes
# into mm/mv/bmm and views are recorded that way (`_matmul_steps`); products whose batch
# dimensions broadcast are one node: an _unsafe_view (or a clone for matrix @ batch).
for _cls, _names in ((MulBackward0, ("self", "other")), (DivBackward0, ("self", "other")),
                     (PowBackward0, ("self", "exponent")), (PowBackward1, ("self", "exponent")),
                     (MmBackward0, ("self", "mat2")), (BmmBackward0, ("self", "mat2")),
                     (MvBackward0, ("self", "vec")), (DotBackward0, ("self", "tensor"))):
    _cls._saved_names = _names  # grad_fn._saved_self, ... as PyTorch names them
_BatchedMatmulBackward = defnode("UnsafeViewBackward0", _MM_RULES, "@", saves=True)
_MatmulCloneBackward0 = defnode("CloneBackward0", _MM_RULES, "@", saves=True)
_MATMUL_NODES = {(1, 1): DotBackward0, (2, 1): MvBackward0, (2, 2): MmBackward0}
_CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                   "int64": "long int", "int32": "int", "int16": "short int",
                   "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _cpp_name(dt):
    """The C++ name PyTorch's messages give a dtype ('float', 'long int', ...)."""
    return _CPP_TYPE_NAMES[dt.name]


def matmul(input, other):
    """Matrix product with numpy's (= PyTorch's) rules for 1-D and batched operands."""
    return _matmul(input, other, None)


def _matmul(input, other, cls):
    a, b = _operand(input, "@"), _operand(other, "@")
    a = a if isinstance(a, Tensor) else _new(np.asarray(a))
    b = b if isinstance(b, Tensor) else _new(np.asarray(b))
    A, Bv = a._data, b._data
    if A.ndim == 0 or Bv.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{A.ndim}D and {Bv.ndim}D")
    if A.dtype is not Bv.dtype and A.ndim == Bv.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtypes.of_array(A).legacy} and {_dtypes.of_array(Bv).legacy}")
    if A.dtype is not Bv.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_cpp_name(_dtypes.of_array(A))} != "
                           f"{_cpp_name(_dtypes.of_array(Bv))}")
    if cls is None:
        steps = _matmul_steps(a, b, A, Bv)
        if steps is not None:
            return steps
    try:
        data = np.matmul(A, Bv)
    except ValueError:
        raise _matmul_error(A.shape, Bv.shape) from None
    if cls is None:
        cls = _MATMUL_NODES.get((A.ndim, Bv.ndim)) or (
            _MatmulCloneBackward0 if A.ndim == 2 else _BatchedMatmulBackward)
    return record(cls, data, (a, b), (a, b))


def _matmul_steps(a, b, A, Bv):
    """a @ b recorded as PyTorch decomposes it, for vector @ matrix (unsqueeze, mm, squeeze),
    batch @ matrix or vector (view, mm/mv, _unsafe_view) and batch @ batch of the same batch
    shape (expand, view, bmm, _unsafe_view); None for the other forms."""
    vector_matrix = A.ndim == 1 and Bv.ndim == 2
    batch_matrix = A.ndim >= 3 and Bv.ndim <= 2
    batch_batch = A.ndim >= 3 and A.shape[:-2] == Bv.shape[:-2]
    if not (vector_matrix or batch_matrix or batch_batch):
        return None
    if vector_matrix:  # (mm, mv and bmm raise PyTorch's errors for shapes that do not fit)
        out = mm(unsqueeze(a, 0), b)
        return _view(SqueezeBackward4, out._data.reshape(Bv.shape[1:]), out, (out._data.shape,))
    if batch_matrix:
        out = (mm if Bv.ndim == 2 else mv)(reshape(a, -1, A.shape[-1]), b)
        shape = A.shape[:-1] + Bv.shape[1:]
    else:
        out = bmm(*[reshape(expand(t, t.shape), -1, *t.shape[-2:]) for t in (a, b)])
        shape = A.shape[:-1] + Bv.shape[-1:]
    return record1(ReshapeAliasBackward, out._data.reshape(shape), out, (out._data.shape,))


def _matmul_error(sa, sb):
    """PyTorch's error for operands whose shapes cannot be multiplied."""
    inner_a, inner_b = sa[-1], sb[0] if len(sb) == 1 else sb[-2]
    if inner_a == inner_b:  # the matrices fit: the batch dimensions do not broadcast
        return _broadcast_error(sa[:-2], sb[:-2])
    if len(sa) == 1 and len(sb) == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                            f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                            f"and {sb[0]} elements respectively")
    rows = 1 if len(sa) == 1 else math.prod(sa[:-1])
    cols = 1 if len(sb) == 1 else sb[-1]
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner_a} and "
                        f"{inner_b}x{cols})")


def _product(cls, input, other, ndims, message):
    """mm/mv/dot/bmm: matmul restricted to operands of the given dimensions."""
    a, b = _operand(input, "@"), _operand(other, "@")
    sa, sb = np.shape(_array_of(a)), np.shape(_array_of(b))
    if (len(sa), len(sb)) != ndims:
        raise RuntimeError(message.format(len(sa), len(sb)))
    if cls is BmmBackward0 and (sa[0] != sb[0] or sa[2] != sb[1]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    if cls is MvBackward0 and sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), "
                           f"vec ({sb[0]})")
    return _matmul(a, b, cls)


def mm(input, mat2):
    """The product of two matrices."""
    return _product(MmBackward0, input, mat2, (2, 2),
                    "mm(): expected two matrices (2-D tensors), but got {}D and {}D tensors")


def mv(input, vec):
    """The product of a matrix and a vector."""
    return _product(MvBackward0, input, vec, (2, 1),
                    "mv(): expected a matrix and a vector, but got {}D and {}D tensors")


def dot(input, other):
    """The dot product of two vectors."""
    return _product(DotBackward0, input, other, (1, 1),
                    "1D tensors expected, but got {}D and {}D tensors")


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    return _product(BmmBackward0, input, mat2, (3, 3),
                    "bmm(): expected two 3-D tensors (batches of matrices), but got {}D and {}D "
                    "tensors")


# ================================================================================================
# Reductions
# ================================================================================================


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(B, g, shape, dims, keepdim):
    """The gradient of a reduction over `dims`, spread back over the input's shape."""
    if not keepdim:
        g = B.reshape(g, _keep_shape(shape, dims))
    return B.expand(g, shape)


SumBackward0 = defnode("SumBackward0", [lambda B, g, ans, shape, dims, keep:
                                        _expand_back(B, g, shape, dims, keep)], "sum")
SumBackward1 = defnode("SumBackward1", SumBackward0._vjps, "sum")
MeanBackward0 = defnode("MeanBackward0", [lambda B, g, ans, shape, dims, keep, n:
                                          _expand_back(B, g, shape, dims, keep) / n], "mean")
MeanBackward1 = defnode("MeanBackward1", MeanBackward0._vjps, "mean")


def _reduce_args(x, dim, keepdim):
    x = as_tensor_arg(x)
    if isinstance(dim, (list, tuple)) and not dim:
        dim = None  # no dims listed: PyTorch reduces over all of them
    return x, norm_dims(dim, x._data.ndim), bool(keepdim)


def _require_nonempty(name, a, dims, all_dims, error=RuntimeError):
    """PyTorch's refusal to take a max/min/argmax over nothing (they have no identity)."""
    if a.size:
        return
    if all_dims:
        hint = " Specify the reduction dim with the 'dim' argument."
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                    + (hint if error is RuntimeError else ""))
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum over `dim` (all dims by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    # the ufunc itself, not np.sum: numpy's overflow warnings are then attributed to (and
    # silenced in) autograd_lab, as PyTorch gives inf silently
    data = _sum(a, dims, keepdims=keep, dtype=np.int64 if a.dtype.kind in "biu" else None)
    cls = SumBackward0 if dim is None else SumBackward1
    return record1(cls, data, x, (a.shape, dims, keep))


def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over `dim` (all dims by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    if a.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: "
                           f"{_dtypes.of_array(a).legacy}")
    n = 1
    for d in dims:
        n *= a.shape[d]
    total = _sum(a, dims, keepdims=keep)
    data = total / a.dtype.type(n) if n else np.full(np.shape(total), np.nan, a.dtype)
    cls = MeanBackward0 if dim is None else MeanBackward1
    return record1(cls, data.astype(a.dtype, copy=False), x, (a.shape, dims, keep, n))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


VarBackward0 = defnode("VarBackward0", [
    lambda B, g, ans, x, dims, c, keep, n:
        _expand_back(B, g, x.shape, dims, keep) * (2 * (x - B.mean(x, dims)) / (n - c))],
    "var", saves=True)
StdBackward0 = defnode("StdBackward0", [
    lambda B, g, ans, x, dims, c, keep, n:
        _expand_back(B, B.where(ans == 0, 0.0, g / ans), x.shape, dims, keep)
        * ((x - B.mean(x, dims)) / (n - c))],  # constant input: gradient 0, not nan
    "std", saves=True, uses_ans=True)


def _var_like(cls, npfn, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(x, False): the old `unbiased` positional argument
        dim, unbiased = None, dim
    x, dims, keep = _reduce_args(input, dim, keepdim)
    if x._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    c = _correction(unbiased, correction)
    n = 1
    for d in dims:
        n *= x._data.shape[d]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if n - c > 0:
            data = npfn(x._data, axis=dims, ddof=c, keepdims=keep)
        else:  # PyTorch's warning instead of numpy's
            warnings.warn(f"{cls.__name__[:3].lower()}(): degrees of freedom is <= 0. "
                          f"Correction should be strictly less than the reduction factor (input "
                          f"numel divided by output numel).", UserWarning, stacklevel=3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                data = npfn(x._data, axis=dims, ddof=c, keepdims=keep)
    return record1(cls, np.asarray(data, x._data.dtype), x, (x, dims, c, keep, n))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over `dim`, with Bessel's correction by default (as PyTorch)."""
    return _var_like(VarBackward0, np.var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over `dim`, with Bessel's correction by default."""
    return _var_like(StdBackward0, np.std, input, dim, unbiased, keepdim, correction)


def _prod_rule(B, g, ans, x, dims, keep):
    others = _prod_of_others(x, dims) if B is NP else _recorded_prod_of_others(x, dims)
    return _expand_back(B, g, x.shape, dims, keep) * others


def _recorded_prod_of_others(x, dims):
    """_prod_of_others from recorded ops and without dividing, so that create_graph=True
    differentiates it correctly where x has zeros: one masked product per reduced position."""
    shape = tuple(x.shape)
    mask_shape = tuple(s if i in dims else 1 for i, s in enumerate(shape))
    others = x * 0
    for pos in np.ndindex(*(shape[d] for d in dims)):
        mask = np.zeros(mask_shape, bool)
        mask[tuple(pos[dims.index(i)] if i in dims else 0 for i in range(len(shape)))] = True
        others = others + where(mask, prod(where(mask, 1.0, x), dims, True), 0.0)
    return others


def _prod_of_others(x, dims):
    """For each element, the product of the other elements it was multiplied with (zeros ok)."""
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = np.transpose(x, rest + list(dims))
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    return np.transpose((left * right).reshape(moved.shape), np.argsort(rest + list(dims)))


ProdBackward0 = defnode("ProdBackward0", [_prod_rule], "prod", saves=True, uses_ans=True)
ProdBackward1 = defnode("ProdBackward1", [_prod_rule], "prod", saves=True, uses_ans=True)


def prod(input, dim=None, keepdim=False, dtype=None):
    """Product over `dim` (all dims by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data
    data = np.multiply.reduce(a, dims, keepdims=keep,
                              dtype=np.int64 if a.dtype.kind in "biu" else None)
    cls = ProdBackward0 if dim is None else ProdBackward1
    return record1(cls, data, x, (x, dims, keep))


def _spread_rule(B, g, ans, x, dims, keep):
    """amax/amin/max(): the gradient is shared evenly between the tied extreme values."""
    hit = x == _expand_back(B, ans, x.shape, dims, keep)
    count = B.sum(hit * 1.0, dims, True)
    return _expand_back(B, g, x.shape, dims, keep) * hit / count


AmaxBackward0 = defnode("AmaxBackward0", [_spread_rule], "amax", saves=True, uses_ans=True)
AminBackward0 = defnode("AminBackward0", [_spread_rule], "amin", saves=True, uses_ans=True)
def _evenly_rule(B, g, ans, x, dims, keep):
    """max()/min() of everything: like amax, but a NaN result sends the gradient to the NaNs."""
    hit = (x == ans) | (B.isnan(x) & B.isnan(ans))
    return B.where(hit, g / B.sum(hit * 1.0, dims, False), 0.0)  # +0 elsewhere, as PyTorch


MaxBackward1 = defnode("MaxBackward1", [_evenly_rule], "max", saves=True, uses_ans=True)
MinBackward1 = defnode("MinBackward1", [_evenly_rule], "min", saves=True, uses_ans=True)
MaxBackward0 = defnode("MaxBackward0", [lambda B, g, ans, shape, ix: B.index_grad(g, shape, ix)],
                       "max", saves=False)
MinBackward0 = defnode("MinBackward0", MaxBackward0._vjps, "min")


class return_types:
    """Named (values, indices) results of max/min/sort/topk along a dim, printed as PyTorch."""

    class _VI(tuple):
        __slots__ = ()
        _name = ""

        def __new__(cls, values, indices):
            return tuple.__new__(cls, (values, indices))

        values = property(lambda self: self[0])
        indices = property(lambda self: self[1])

        def __repr__(self):
            return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

    max = type("max", (_VI,), {"__slots__": (), "_name": "max"})
    min = type("min", (_VI,), {"__slots__": (), "_name": "min"})
    sort = type("sort", (_VI,), {"__slots__": (), "_name": "sort"})
    topk = type("topk", (_VI,), {"__slots__": (), "_name": "topk"})


def _extreme(input, dim, keepdim, which, other):
    x = as_tensor_arg(input)
    a = x._data
    if isinstance(dim, Tensor) or (dim is not None and not isinstance(dim, (int, np.integer))):
        return (maximum if which == "max" else minimum)(x, dim)  # torch.max(a, b)
    if dim is None:
        _require_nonempty(which, a, (), True)
        data = a.max() if which == "max" else a.min()
        return record1(MaxBackward1 if which == "max" else MinBackward1, data, x,
                       (x, tuple(range(a.ndim)), False))
    d = norm_dim(dim, a.ndim)
    _require_nonempty(which, a, (d,), False)
    idx = (np.argmax if which == "max" else np.argmin)(a, axis=d, keepdims=True) if a.ndim else \
        np.zeros((), np.int64)
    if a.ndim == 0:
        values = record1(MaxBackward0 if which == "max" else MinBackward0, a.copy(), x,
                         ((), ()))
        return getattr(return_types, which)(values, _new(np.zeros((), np.int64)))
    ix = _along(idx, d)
    vals = a[ix]
    if not keepdim:
        vals, idx = np.squeeze(vals, d), np.squeeze(idx, d)
    values = record1(MaxBackward0 if which == "max" else MinBackward0, vals, x,
                     (a.shape, _keepdim_index(ix, d, keepdim)))
    return getattr(return_types, which)(values, _new(idx.astype(np.int64)))


def _along(idx, d):
    """The index that picks, in every line along dim d, the positions idx (same ndim) holds."""
    ix = list(np.indices(idx.shape, sparse=True))
    ix[d] = idx
    return tuple(ix)


def _keepdim_index(ix, d, keepdim):
    """Index arrays that scatter a (possibly squeezed) reduction result back into the input."""
    if keepdim:
        return ix
    return tuple(np.squeeze(i, d) if i.ndim and i.shape[d] == 1 and i.size else
                 np.squeeze(i, d) if i.ndim else i for i in ix)


def max(input, dim=None, keepdim=False):
    """The maximum; with `dim`, (values, indices) along it; with a tensor, elementwise."""
    return _extreme(input, dim, keepdim, "max", maximum)


def min(input, dim=None, keepdim=False):
    """The minimum; with `dim`, (values, indices) along it; with a tensor, elementwise."""
    return _extreme(input, dim, keepdim, "min", minimum)


def amax(input, dim=(), keepdim=False):
    x, dims, keep = _reduce_args(input, dim, keepdim)
    _require_nonempty("amax", x._data, dims, dim in ((), None))
    return record1(AmaxBackward0, np.amax(x._data, axis=dims, keepdims=keep), x, (x, dims, keep))


def amin(input, dim=(), keepdim=False):
    x, dims, keep = _reduce_args(input, dim, keepdim)
    _require_nonempty("amin", x._data, dims, dim in ((), None))
    return record1(AminBackward0, np.amin(x._data, axis=dims, keepdims=keep), x, (x, dims, keep))


def argmax(input, dim=None, keepdim=False):
    """The index of the largest value (in the flattened tensor, or along dim)."""
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest value (in the flattened tensor, or along dim)."""
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim)


def _arg_extreme(name, npfn, input, dim, keepdim):
    x = as_tensor_arg(input)
    a = x._data
    if dim is None:
        _require_nonempty(name, a, (), True, IndexError)
        return _new(np.asarray(npfn(a), np.int64))
    d = norm_dim(dim, a.ndim)
    _require_nonempty(name, a, (d,), False)
    return _new(np.asarray(npfn(a, axis=d, keepdims=keepdim) if a.ndim else 0, np.int64))


def _norm_rule(B, g, ans, x, p, dims, keep):
    ge = _expand_back(B, g, x.shape, dims, keep)
    an = _expand_back(B, ans, x.shape, dims, keep)
    if p == 2:
        return ge * B.where(an == 0, 0.0, x / an)
    if p == 0:
        return ge * 0
    if p == 1:
        return ge * B.sign(x)
    if p in (math.inf, -math.inf):
        return _spread_rule(B, g, ans, B.abs(x), dims, keep) * B.sign(x)
    return ge * B.where(an == 0, 0.0, x * B.abs(x) ** (p - 2) / an ** (p - 1))


LinalgVectorNormBackward0 = defnode("LinalgVectorNormBackward0", [_norm_rule], "norm",
                                    saves=True, uses_ans=True)


def norm(input, p=2, dim=None, keepdim=False):
    """The vector p-norm over `dim` (all elements by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    p = {"fro": 2}.get(p, p)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.legacy}")
    a = np.abs(x._data)
    if p in (math.inf, -math.inf):
        if 0 in (a.shape[d] for d in dims) or not a.size and not dims:
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty "
                               "tensor because the operation does not have an identity")
        data = (np.amax if p > 0 else np.amin)(a, axis=dims, keepdims=keep)
    elif p == 0:
        data = np.sum(a != 0, axis=dims, keepdims=keep)
    elif p == 2:
        data = np.sqrt(np.sum(a * a, axis=dims, keepdims=keep))
    else:
        data = np.sum(a ** p, axis=dims, keepdims=keep) ** (1.0 / p)
    return record1(LinalgVectorNormBackward0, np.asarray(data, x._data.dtype), x,
                   (x, p, dims, keep))


# ================================================================================================
# Softmax
# ================================================================================================

SoftmaxBackward0 = defnode("SoftmaxBackward0", [
    lambda B, g, ans, d: ans * (g - B.sum(g * ans, (d,), True))], "softmax", uses_ans=True)
LogSoftmaxBackward0 = defnode("LogSoftmaxBackward0", [
    lambda B, g, ans, d: g - B.exp(ans) * B.sum(g, (d,), True)], "log_softmax", uses_ans=True)


def _softmax_args(name, input, dim, dtype):
    """The tensor, the normalised dim and the float array that (log_)softmax works on."""
    if dim is _NO_DIM:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    x = as_tensor_arg(input)
    if dim is None:
        dim = 0 if x._data.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit choice
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{x.dtype.legacy}' (softmax needs floats: call .float() "
                                  f"first or pass dtype=torch.float32)")
    return x, norm_dim(dim, x._data.ndim), a


def softmax(input, dim=_NO_DIM, dtype=None):
    """exp(x) / exp(x).sum(dim), computed stably."""
    x, d, a = _softmax_args("softmax", input, dim, dtype)
    e = np.exp(a - _max(a, d, keepdims=True))
    return record1(SoftmaxBackward0, e / _sum(e, d, keepdims=True), x, (d,))


def log_softmax(input, dim=_NO_DIM, dtype=None):
    """x - logsumexp(x, dim), computed stably."""
    x, d, a = _softmax_args("log_softmax", input, dim, dtype)
    shifted = a - _max(a, d, keepdims=True)
    data = shifted - np.log(_sum(np.exp(shifted), d, keepdims=True))
    return record1(LogSoftmaxBackward0, data, x, (d,))


# ================================================================================================
# Shapes and views (they share memory and the version counter with their input)
# ================================================================================================


def _view(cls, data, x, saved, replay=None, index=None):
    """A result sharing x's memory and version counter. `replay(B, t)` applies the same view to
    a tensor shaped like x, `index` is the view's place in x when it is not all of x: with them
    an in-place op on the result also rewrites x's history (see `rebase`)."""
    out = record1(cls, data, x, saved)
    out._vc = x._shared_vc()
    if not _grad.enabled and x._requires_grad:  # as PyTorch: it requires grad, and changing
        out._requires_grad = True               # it in place while recording is an error
        out._extra = {"no_grad_view": True}
    if replay is not None and _grad.enabled and np.may_share_memory(data, x._data):
        up = x._extra.get("view") if x._extra is not None else None
        steps = ((cls._vjps[0], saved), up and up[3])  # back to the root base, linked
        out._extra = {"view": (x, replay, index, steps)}
        if x.grad_fn is not None or not x._requires_grad:  # x may be rebased later: tell it
            x._extras().setdefault("views", weakref.WeakSet()).add(out)
    return out


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
SqueezeBackward4 = defnode("SqueezeBackward4", _reshape_back, "squeeze")  # vector @ matrix
ExpandBackward0 = defnode("ExpandBackward0", [lambda B, g, ans, shape: B.sum_to(g, shape)],
                          "expand")
for _cls in (ViewBackward0, UnsqueezeBackward0, SqueezeBackward0, SqueezeBackward1,
             SqueezeBackward2, SqueezeBackward4, PermuteBackward0, TransposeBackward0, TBackward0,
             ExpandBackward0):
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
    out._vc = x._shared_vc()
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


def t(input):
    """Transpose a matrix (0-D and 1-D tensors are returned as they are)."""
    x = as_tensor_arg(input)
    if x._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{x._data.ndim}D")
    if x._data.ndim < 2:
        return _view(TBackward0, x._data, x, (0, 0), lambda B, g: g)
    return _view(TBackward0, x._data.T, x, (0, 1), lambda B, g: B.transpose(g, 0, 1))


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


# ================================================================================================
# Indexing, concatenation
# ================================================================================================


def _index(index):
    """A numpy index from a PyTorch one (tensors and lists become arrays)."""
    if isinstance(index, tuple):
        return tuple(_index_part(i) for i in index)
    return _index_part(index)


def _index_part(i):
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
    parts = ix if isinstance(ix, tuple) else (ix,)
    return builtins.any(isinstance(p, _ndarray) for p in parts)


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
    steps = _basic_steps(index, ix, a.shape)
    out = x
    for cls, step in steps:  # one view per step, as PyTorch's graph has
        b = out._data
        if len(steps) > 1 or data.__class__ is not _ndarray:  # (else: the view made above)
            data = b[step + (Ellipsis,)]  # (a single element: a 0-d view, not a numpy scalar)
        out = _view(cls, data, out, (b.shape, step), lambda B, g, step=step: g[step], step)
    return out


CopySlices = defnode("CopySlices", [
    lambda B, g, ans, ix, vshape, vdtype: B.where(B.const(_hole(g, ix)), g, 0.0),  # +0: PyTorch
    lambda B, g, ans, ix, vshape, vdtype: B.sum_to(B.cast(g[ix], vdtype), vshape)], "[]=")
IndexPutBackward0 = defnode("IndexPutBackward0", CopySlices._vjps, "[]=")  # x[mask] = v
CopyBackwards = defnode("CopyBackwards", CopySlices._vjps, "copy_")
# A leaf's first gradient under create_graph=True: PyTorch copies it into new memory
GradCopyBackwards = defnode("CopyBackwards", [_zero_rule, lambda B, g, ans: g], "copy_")


def _hole(g, ix):
    mask = np.ones(np.shape(g), bool)
    mask[ix] = False
    return mask


def setitem(x, index, value):
    """x[index] = value, in place; recorded (CopySlices, IndexPutBackward0 for integer-array and
    mask indices) when x or value requires grad."""
    ix = _index(index)
    v = _operand(value, "=") if not isinstance(value, (list, tuple)) else np.asarray(value)
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or (isinstance(v, Tensor) and v.requires_grad))
    if recording:
        if x.grad_fn is None and x.requires_grad:  # PyTorch writes through a view, x[index]
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        _check_inplace(x)
    try:
        x._data[ix] = _array_of(v)
    except IndexError as e:
        raise _index_error(e, x._data.shape, ix) from None
    except ValueError as e:
        raise RuntimeError(str(e).replace("could not broadcast input array from shape",
                                          "shape mismatch: value tensor of shape")) from None
    x._bump_version()
    if recording:
        vt = v if isinstance(v, Tensor) else _new(np.asarray(v))
        cls = IndexPutBackward0 if _is_advanced(ix) else CopySlices
        rebase(x, record(cls, x._data, (x, vt), (ix, vt._data.shape, vt._data.dtype)))


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    ts = _tensor_list(tensors, "cat")
    ref = builtins.max(ts, key=lambda t: t._data.ndim)
    d = norm_dim(dim, ref._data.ndim)
    arrays = [t._data for t in ts if not (t._data.ndim == 1 and t._data.size == 0)] or [ts[0]._data]
    try:
        data = np.concatenate(arrays, axis=d)
    except ValueError:
        raise _cat_error(arrays, d) from None
    data = data.astype(_promote_all(ts), copy=False)
    sizes = [t._data.shape[d] if t._data.ndim else 0 for t in ts]
    offsets = list(itertools.accumulate([0] + sizes))
    return record(CatBackward0, data, ts, (d, offsets))


def _cat_error(arrays, d):
    """PyTorch's error for tensors that cat cannot join: the first one that does not fit."""
    ref = arrays[0].shape
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != len(ref):
            return RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                                f"and {a.ndim}")
        for k, (n, m) in enumerate(zip(ref, a.shape)):
            if k != d and n != m:
                return RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                    f"Expected size {n} but got size {m} for tensor number {i} "
                                    f"in the list.")
    return RuntimeError(f"Sizes of tensors must match except in dimension {d}.")


CatBackward0 = defnode("CatBackward0", _Variadic(
    lambda B, g, ans, i, d, off: g[(slice(None),) * d + (slice(off[i], off[i + 1]),)]), "cat")
StackBackward0 = defnode("StackBackward0", _Variadic(
    lambda B, g, ans, i, d: g[(slice(None),) * d + (i,)]), "stack")


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dimension."""
    ts = _tensor_list(tensors, "stack")
    d = norm_dim(dim, ts[0]._data.ndim + 1)
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != ts[0]._data.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ts[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    data = np.stack([t._data for t in ts], axis=d).astype(_promote_all(ts), copy=False)
    return record(StackBackward0, data, ts, (d,))


def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        if fname == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{fname}(): expected a non-empty list of Tensors")
    for t in tensors:
        as_tensor_arg(t, f"{fname}(): every element of 'tensors'")
    return list(tensors)


def _promote_all(ts):
    dt = ts[0]._data
    for t in ts[1:]:
        dt = np.empty(0, _dtypes.result_type(dt, t._data))
    return dt.dtype


# ================================================================================================
# In-place ops
# ================================================================================================


def is_view_node(fn):
    """True if `fn` made a view (its output shares memory with its input)."""
    return getattr(fn, "_is_view", False) or type(fn) in (SelectBackward0, SliceBackward0)


_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block (if "
    "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")


def _check_inplace(x):
    """PyTorch's refusal to modify, while recording, a leaf (or a view of one) that needs grad."""
    if x._extra is not None and x._extra.get("no_grad_view"):
        raise RuntimeError(_NO_GRAD_VIEW)
    if x.grad_fn is None and x.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation. (Wrap the update in `with torch.no_grad():`, or use an "
                           "out-of-place op such as `x = x + 1`.)")
    view = x._extra.get("view") if x._extra is not None else None
    if view is None and getattr(x.grad_fn, "_is_view", False):
        raise RuntimeError("in-place modification of this view of a tensor that requires grad "
                           "is not supported by autograd_lab (expand, or a view made under "
                           "no_grad); use an out-of-place op instead.")
    while view is not None:
        base = view[0]
        if base.grad_fn is None and base.requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        view = base._extra.get("view") if base._extra is not None else None


def _writable(x):
    """In-place ops cannot write into an expanded (broadcast) tensor, as in PyTorch."""
    if not x._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")


# A view's new values written into its base: the base's old values keep the gradient outside the
# view (`hole`), the view's new values get the base's gradient seen through the view.
_ViewCopySlices = defnode("CopySlices", [
    lambda B, g, ans, replay, hole: B.where(B.const(hole), g, 0.0),
    lambda B, g, ans, replay, hole: replay(B, g)], "[]=")


def rebase(x, result):
    """Make x the output of result's node (history after an in-place op). If x is a view, its
    base (and the base's base ...) gets a CopySlices node with x's new values, as in PyTorch.
    Then every other view of that memory made earlier gets a new history (`_regenerate`)."""
    while True:
        fn = result.grad_fn
        if fn is not None:
            fn._out = x._data
        x.grad_fn = fn
        x.requires_grad = result.requires_grad or x.requires_grad
        view = x._extra.get("view") if x._extra is not None else None
        if view is None or fn is None:
            break
        base, replay, index = view[:3]
        hole = np.zeros(base._data.shape, bool)
        if index is not None:
            hole[...] = True
            hole[index] = False
        result = record(_ViewCopySlices, base._data, (base, x), (replay, hole))
        x = base
    if x.grad_fn is not None:
        _regenerate(x)


# A view whose base changed in place: the gradient flows back through the chain of view steps
# (each view node's own rule, newest first) to the base's current history, as in PyTorch.
AsStridedBackward0 = defnode("AsStridedBackward0", [
    lambda B, g, ans, steps: _through_steps(B, g, steps)], "as_strided")
AsStridedBackward0._is_view = True


def _through_steps(B, g, steps):
    while steps is not None:
        (rule, saved), steps = steps
        g = rule(B, g, None, *saved)
    return g


def _regenerate(root):
    """Give every live view of root's memory a history straight from root's new one (an
    AsStridedBackward0 node), as PyTorch does when an in-place op changed root or a view of it."""
    stack = [root]
    while stack:
        base = stack.pop()
        views = base._extra.get("views") if base._extra is not None else None
        for v in list(views or ()):
            stack.append(v)
            fresh = record1(AsStridedBackward0, v._data, root, (v._extra["view"][3],))
            v.grad_fn, v._requires_grad = fresh.grad_fn, fresh._requires_grad


def _inplace(op, x, other):
    other = _operand(other, op)
    return _apply_inplace(lambda s: _arith(op, s, other), x, other)


def _any_requires_grad(values):
    for v in values:
        if isinstance(v, Tensor) and v._requires_grad:
            return True
    return False


def _apply_inplace(op, x, *others, type_name=lambda dt: dt.legacy):
    """x.op_(...): `op(x)`, computed out of place (while recording, on a copy that carries x's
    old history), written back into x's memory; x then carries the result's history."""
    x = as_tensor_arg(x, "self")
    _writable(x)
    recording = _grad.enabled and (x._requires_grad or _any_requires_grad(others))
    if recording:
        _check_inplace(x)
        snap = _new(x._data.copy())
        snap.grad_fn, snap.requires_grad = x.grad_fn, x.requires_grad
        result = op(snap)
    else:
        with _no_record():
            result = op(x)
    r = result._data
    if r.shape != x._data.shape:
        raise RuntimeError(f"output with shape {list(x._data.shape)} doesn't match the broadcast "
                           f"shape {list(r.shape)}")
    if not np.can_cast(r.dtype, x._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {_dtypes.of_array(r).legacy} can't be cast "
                           f"to the desired output type {type_name(x.dtype)}")
    np.copyto(x._data, r, casting="same_kind")
    x._bump_version()
    if recording:
        fn = result.grad_fn
        if fn is not None and fn._uses_ans:  # its rule reads x's new values: watch them from now
            fn._seq = next(_seq)  # (numbered after the change; nothing consumes it yet)
            fn._extras()["ans_vc"] = x._shared_vc()
        rebase(x, result)
    return x


class _no_record:
    def __enter__(self):
        self.prev, _grad.enabled = _grad.enabled, False

    def __exit__(self, *exc):
        _grad.enabled = self.prev


def add_(input, other, alpha=1):
    return _inplace("add", input, _times_alpha(input, other, alpha))


def sub_(input, other, alpha=1):
    return _inplace("sub", input, _times_alpha(input, other, alpha))


def mul_(input, other):
    return _inplace("mul", input, other)


def div_(input, other):
    return _inplace("div", input, other)


# The old values get no gradient; a tensor fill value gets the sum of the gradient.
FillBackward2 = defnode("FillBackward2", [_zero_rule], "fill_")
FillBackward3 = defnode("FillBackward3", [
    _zero_rule,
    lambda B, g, ans, vdtype: B.sum(B.cast(g, vdtype), tuple(range(g.ndim)), False)], "fill_")
ZeroBackward0 = defnode("ZeroBackward0", [_zero_rule], "zero_")


def inplace_fill(x, value):
    """x.fill_(value): overwrite every element with a number or a 0-d tensor."""
    return _fill(x, value, FillBackward2)


def inplace_zero(x):
    """x.zero_()."""
    return _fill(x, 0, ZeroBackward0)


def _fill(x, value, cls):
    v = _operand(value, "fill_")
    if isinstance(v, _ndarray) or isinstance(v, Tensor) and v._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{np.ndim(_array_of(v))} dimensions.")
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or (isinstance(v, Tensor) and v.requires_grad))
    if recording:
        _check_inplace(x)
    x._data[...] = _array_of(v)
    x._bump_version()
    if recording:
        if isinstance(v, Tensor):
            rebase(x, record(FillBackward3, x._data, (x, v), (v._data.dtype,)))
        else:
            rebase(x, record1(cls, x._data, x))
    return x


def inplace_copy(x, src):
    """x.copy_(src): overwrite with src's values (broadcast), recorded if either needs grad."""
    src = src if isinstance(src, Tensor) else _new(np.asarray(_operand(src, "copy_")))
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or src.requires_grad)
    if recording:
        _check_inplace(x)
    try:
        np.copyto(x._data, np.broadcast_to(src._data, x._data.shape), casting="unsafe")
    except ValueError:
        raise _broadcast_error(x._data.shape, src._data.shape) from None
    x._bump_version()
    if recording:
        rebase(x, record(CopyBackwards, x._data, (x, src),
                         ((...,), src._data.shape, src._data.dtype)))
    return x


# ================================================================================================
# Scans, reorderings, gathers, einsum, sort/topk and more in-place ops
# ================================================================================================

CumsumBackward0 = defnode("CumsumBackward0", [  # each input adds into every later output
    lambda B, g, ans, d: g if d is None else B.flip(B.cumsum(B.flip(g, (d,)), d), (d,))],
    "cumsum")
FlipBackward0 = defnode("FlipBackward0", [lambda B, g, ans, dims: B.flip(g, dims)], "flip")
RollBackward0 = defnode("RollBackward0", [
    lambda B, g, ans, shifts, dims: B.roll(g, tuple(-s for s in shifts), dims)], "roll")
RepeatBackward0 = defnode("RepeatBackward0", [  # g as (repeat, size) pairs, summed over repeats
    lambda B, g, ans, pairs, shape: B.reshape(
        B.sum(B.reshape(g, pairs), tuple(range(0, len(pairs), 2)), False), shape)], "repeat")
GatherBackward0 = defnode("GatherBackward0", _index_rule, "gather")
IndexSelectBackward0 = defnode("IndexSelectBackward0", _index_rule, "index_select")
SortBackward0 = defnode("SortBackward0", _index_rule, "sort")
SortBackward1 = defnode("SortBackward1", _index_rule, "sort")
TopkBackward0 = defnode("TopkBackward0", _index_rule, "topk")
MaskedFillBackward0 = defnode("MaskedFillBackward0", [
    lambda B, g, ans, mask: B.where(mask, 0.0, g)], "masked_fill")
MaskedFillBackward1 = defnode("MaskedFillBackward1", [
    lambda B, g, ans, mask: B.where(mask, 0.0, g),
    lambda B, g, ans, mask: B.sum(B.where(mask, g, 0.0), tuple(range(g.ndim)), False)],
    "masked_fill")
# Random refills keep the old values from nothing: the old history gets a zero gradient.
UniformBackward0 = defnode("UniformBackward0", [_zero_rule], "uniform_")
NormalBackward0 = defnode("NormalBackward0", [_zero_rule], "normal_")


def _int_tuple(v, fname, arg, pos):
    """An int or a sequence of ints as a tuple (TypeError in PyTorch's words otherwise)."""
    items = v if isinstance(v, (tuple, list)) else (v,)
    for i in items:
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of "
                            f"ints, not {type(v).__name__}")
    return tuple(int(i) for i in items)


def _index_arg(fname, index, position, dtypes):
    """The integer array of an index tensor (int32 or int64, as PyTorch requires)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' (position {position}) must be Tensor, "
                        f"not {type(index).__name__}")
    i = index._data
    if i.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{fname}(): Expected dtype {dtypes} for index")
    return i


def _taken(cls, x, ix):
    """x's elements at the index `ix` (x seen as at least 1-D), recorded as `cls`: the
    gradient adds back into the places they came from (repeated places add up)."""
    a = x._data
    shape = a.shape or (1,)
    meta = None if a.ndim else ((a.shape, a.dtype),)
    return record(cls, np.asarray(a.reshape(shape)[ix]), (x,), (shape, ix), meta)


def cumsum(input, dim, *, dtype=None):
    """Running sums along `dim` (integers and bools sum to int64, as in PyTorch)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    if dtype is not None:
        dt = _dtypes.to_dtype(dtype)
        if dt.np.kind != "f" and _grad.enabled and x.requires_grad:
            raise RuntimeError(f"Autograd not support dtype: {dt.legacy}")
        a = a.astype(dt.np)
    elif a.dtype.kind in "biu":
        a = a.astype(np.int64)
    data = np.cumsum(a, axis=d) if a.ndim else a.copy()
    meta = None if a.dtype == x._data.dtype else ((x._data.shape, x._data.dtype),)
    return record(CumsumBackward0, data, (x,), (d if a.ndim else None,), meta)


def flip(input, *dims_args, dims=None):
    """The elements in reverse order along each of `dims` (`x.flip(0, 1)` or `flip(x, (0, 1))`)."""
    x = as_tensor_arg(input)
    if dims is None:
        dims = dims_args[0] if len(dims_args) == 1 else dims_args
    d = norm_dims(_int_tuple(dims, "flip", "dims", 2), x._data.ndim)
    return record1(FlipBackward0, np.flip(x._data, d).copy(), x, (d,))


def roll(input, shifts, dims=None):
    """Shift elements cyclically along `dims` (along the flattened tensor if dims is None)."""
    x = as_tensor_arg(input)
    a = x._data
    s = _int_tuple(shifts, "roll", "shifts", 2)
    ds = () if dims is None else _int_tuple(dims, "roll", "dims", 3)
    if len(s) != len(ds) and not (dims is None and len(s) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(s)}, dims:{len(ds)}")
    if ds and not a.ndim:
        raise IndexError(f"Dimension specified as {ds[0]} but tensor has no dimensions")
    ds = tuple(norm_dim(d, a.ndim) for d in ds) or None
    return record1(RollBackward0, np.roll(a, s if ds else s[0], ds), x, (s, ds))


def repeat(input, *sizes):
    """x.repeat(*sizes): x tiled sizes[i] times along dim i (leading sizes add dimensions)."""
    x = as_tensor_arg(input, "self")
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(sizes) == 1 and isinstance(sizes[0], Tensor):
        raise TypeError("repeat(): argument 'repeats' (position 1) must be tuple of ints, not "
                        "Tensor")
    reps = _shape_arg(sizes)
    a = x._data
    if len(reps) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(reps) - a.ndim) + a.shape
    out = [r * n for r, n in zip(reps, padded)]
    for r, n in zip(reps, out):
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {out}")
    pairs = tuple(v for rn in zip(reps, padded) for v in rn)
    return record1(RepeatBackward0, np.tile(a, reps), x, (pairs, a.shape))


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[i][index[i][j]] for dim=1 (and likewise for any dim). The gradient is
    always dense (`sparse_grad` is accepted for compatibility)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    i = _index_arg("gather", index, 3, "int32/int64")
    shape, ishape = a.shape or (1,), i.shape or (1,)
    if len(ishape) != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k, (n, m) in enumerate(zip(ishape, shape)):
        if k != d and n > m:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(i.shape)} to be no larger than self {list(a.shape)} "
                               f"apart from dimension {d}")
    bad = (i < 0) | (i >= shape[d])
    if bad.any():
        raise RuntimeError(f"index {i[bad][0]} is out of bounds for dimension {d} with size "
                           f"{shape[d]}")
    return _taken(GatherBackward0, x, _along(i, d) if i.ndim else (i,))


def index_select(input, dim, index):
    """The slices of input along dim at the positions of a 1-D index (repeats allowed)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    i = _index_arg("index_select", index, 3, "int32 or int64")
    if i.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if not a.ndim and i.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {i.size} "
                           f"value(s)")
    n = a.shape[d] if a.ndim else 1
    bad = (i < 0) | (i >= n)
    if bad.any():
        if a.ndim > 1 and d == 1:  # PyTorch's CPU kernel for dim 1 words it differently
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={i[bad][0]} "
                               f"axis_dim={n}")
        raise IndexError("index out of range in self")
    ix = (slice(None),) * d + (i.reshape(-1) if a.ndim else i.reshape(()),)
    return _taken(IndexSelectBackward0, x, ix)


def _mask_arg(mask, value):
    if not isinstance(mask, Tensor) or not isinstance(value, (Tensor,) + _SCALARS):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got "
                        f"({type(mask).__name__}, {type(value).__name__}), but expected one of:\n"
                        f" * (Tensor mask, Tensor value)\n * (Tensor mask, Number value)")
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_cpp_name(_dtypes.of_array(m))}")
    return m


def masked_fill(input, mask, value):
    """input with `value` (a number or a 0-d tensor) where the boolean mask (broadcast) holds."""
    x = as_tensor_arg(input)
    m = _mask_arg(mask, value)
    a = x._data
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    v = np.asarray(_array_of(value))
    if a.dtype.kind in "biu" and v.dtype.kind == "f" and not np.isfinite(v):
        raise RuntimeError(f"value cannot be converted to type {a.dtype.name}_t without overflow")
    try:
        data = np.where(m, v.astype(a.dtype), a)
    except ValueError:
        raise _broadcast_error(m.shape, a.shape) from None
    grown = ((a.shape, a.dtype),) if data.shape != a.shape else (None,)
    if isinstance(value, Tensor):
        return record(MaskedFillBackward1, data, (x, value), (m,), grown + (((), v.dtype),))
    return record(MaskedFillBackward0, data, (x,), (m,), None if grown == (None,) else grown)


def _argsort(a, d, descending):
    """Stable sort order along d; descending keeps ties in index order and puts NaN first,
    as PyTorch does."""
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    return np.flip(n - 1 - np.argsort(np.flip(a, d), axis=d, kind="stable"), d)


def sort(input, dim=-1, descending=False, *, stable=None):
    """(values, indices) sorted along dim; NaN sorts as the largest value. Always stable: ties
    keep their order (PyTorch promises that only with stable=True, recorded as SortBackward1)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    idx = _argsort(a, d, descending) if a.ndim else np.zeros((), np.int64)
    cls = SortBackward0 if stable is None else SortBackward1
    values = _taken(cls, x, _along(idx, d) if a.ndim else (idx,))
    return return_types.sort(values, _new(idx.astype(np.int64)))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim and their indices, largest first. Ties go
    to the lower index and `sorted=False` gives them sorted too (PyTorch's order then differs)."""
    x = as_tensor_arg(input)
    a = x._data
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
    d = norm_dim(dim, a.ndim)
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if not a.ndim:
        idx = np.zeros((), np.int64) if k else np.zeros(0, np.int64)
        return return_types.topk(_taken(TopkBackward0, x, (idx,)), _new(idx))
    idx = np.take(_argsort(a, d, largest), np.arange(k), axis=d)
    return return_types.topk(_taken(TopkBackward0, x, _along(idx, d)), _new(idx.astype(np.int64)))


# einsum: one node for the whole contraction. The gradient of operand k is itself an einsum:
# the output gradient contracted with the other operands, onto operand k's subscripts.
_SUBSCRIPTS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # ASCII order, as PyTorch sorts


def _einsum_grad(B, g, ans, k, spec, *ops):
    terms, out, sizes, dt = spec
    mine = terms[k]
    subs, args = [out], [g]
    for j, (o, t) in enumerate(zip(ops, terms)):
        if j != k:  # an operand whose size-1 dimensions broadcast is read expanded
            full = tuple(sizes[c] for c in t)
            subs.append(t)
            args.append(o if tuple(o.shape) == full else B.expand(o, full))
    for c in dict.fromkeys(mine):  # a subscript only operand k has: its gradient is broadcast
        if not builtins.any(c in s for s in subs):
            subs.append(c)
            args.append(B.const(np.ones(sizes[c], dt)))
    free = iter(c for c in _SUBSCRIPTS if c not in "".join(terms) + out)
    result = ""
    for p, c in enumerate(mine):  # a repeated subscript ("ii"): the gradient is on the diagonal
        if c in mine[:p]:
            f = _next(free)
            subs.append(c + f)
            args.append(B.const(np.eye(sizes[c], dtype=dt)))
            c = f
        result += c
    return B.einsum(",".join(subs) + "->" + result, *args)


EinsumBackward0 = defnode("EinsumBackward0", _Variadic(_einsum_grad), "einsum", saves=True)


def einsum(equation, *operands):
    """Einstein summation: `einsum("ij,jk->ik", a, b)` is a @ b. Size-1 dimensions broadcast,
    `...` stands for any leading dimensions, subscripts may repeat ("ii->i" is the diagonal).

    Recorded as one EinsumBackward0 node, whose rules are einsums again (so higher-order
    gradients work). PyTorch instead records the permutes, bmm, sums and views it decomposes
    the equation into, so its grad_fn is e.g. ViewBackward0, PermuteBackward0 or SumBackward1.
    """
    if not isinstance(equation, str):
        if isinstance(equation, Tensor):
            raise NotImplementedError("einsum(): the sublist format einsum(op1, [0, 1], op2, "
                                      "[1, 2]) is not supported by autograd_lab; pass an "
                                      "equation string such as 'ij,jk->ik'")
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    arrays = [t._data for t in operands]
    for arr in arrays[1:]:
        if arr.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_dtypes.of_array(arrays[0]).legacy} but "
                               f"found {_dtypes.of_array(arr).legacy}")
    terms, out, sizes = _einsum_spec(equation, arrays)
    full = [tuple(sizes[c] for c in t) for t in terms]
    expanded = [arr if arr.shape == s else np.broadcast_to(arr, s) for arr, s in zip(arrays, full)]
    data = np.einsum(",".join(terms) + "->" + out, *expanded, optimize=len(arrays) > 2)
    meta = None
    if builtins.any(arr.shape != s for arr, s in zip(arrays, full)):
        meta = tuple((arr.shape, arr.dtype) for arr in arrays)
    spec = (terms, out, sizes, arrays[0].dtype)
    return record(EinsumBackward0, np.asarray(data), operands, (spec,) + tuple(operands), meta)


def _einsum_spec(equation, arrays):
    """(subscripts per operand, output subscripts, size per subscript), all explicit: `...`
    becomes unused letters, an implicit output is PyTorch's (ellipsis, then the subscripts
    used once, sorted)."""
    lhs, arrow, rhs = equation.partition("->")
    for p, c in enumerate(equation):
        ok = c in _SUBSCRIPTS or c in ". " or (c == "," and p < len(lhs)) or (
            p in (len(lhs), len(lhs) + 1) and arrow)
        if not ok:
            raise RuntimeError(f"einsum(): invalid subscript given at index {p} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    raw = [t.replace(" ", "") for t in lhs.split(",")]
    if len(raw) > len(arrays):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(raw) < len(arrays):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ell = builtins.max([arr.ndim - len(t) + 3 for t, arr in zip(raw, arrays) if "..." in t],
                       default=0)
    letters = [c for c in _SUBSCRIPTS if c not in equation][:builtins.max(ell, 0)]
    terms, sizes = [], {}
    for k, (t, arr) in enumerate(zip(raw, arrays)):
        named = t.replace("...", "", 1)
        if "." in named:
            raise RuntimeError(f"einsum(): found '.' for operand {k} for which an ellipsis was "
                               f"already found" if "..." in t else f"einsum(): found '.' for "
                               f"operand {k} that is not part of any ellipsis (...)")
        if "..." not in t and len(t) != arr.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                               f"does not match the number of dimensions ({arr.ndim}) for "
                               f"operand {k} and no ellipsis was given")
        if len(named) > arr.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(named)}) is more than the number of dimensions "
                               f"({arr.ndim}) for operand {k}")
        mine = letters[len(letters) - (arr.ndim - len(named)):] if "..." in t else []
        term = t.replace("...", "".join(mine))
        seen = {}
        for c, n in zip(term, arr.shape):
            if seen.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the "
                                   f"sizes don't match, {n} != {seen[c]}")
            prev = sizes.setdefault(c, n)
            if n != prev and 1 not in (n, prev):
                if c in mine:
                    raise RuntimeError(
                        f"einsum(): dimension {letters.index(c)} covered by "
                        f"ellipsis in operand {k}has size {n} which does not broadcast with "
                        f"previously seen ellipsis with size {prev} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                   f"does not broadcast with previously seen size {prev}")
            sizes[c] = builtins.max(n, prev)
        terms.append(term)
    used = "".join(t.replace("...", "") for t in raw)
    if not arrow:
        once = sorted(c for c in set(used) if used.count(c) == 1)
        return terms, "".join(letters + once), sizes
    rhs = rhs.replace(" ", "")
    named = rhs.replace("...", "", 1)
    if "." in named:
        raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
    for p, c in enumerate(named):
        if c not in used:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation "
                               f"for any input operand")
        if c in named[:p]:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                               f"output")
    return terms, rhs.replace("...", "".join(letters)), sizes


def masked_fill_(input, mask, value):
    """x.masked_fill_(mask, value): masked_fill in place (the mask must fit x's shape)."""
    return _apply_inplace(lambda s: masked_fill(s, mask, value), input, value)


def clamp_(input, min=None, max=None):
    """x.clamp_(min, max): clamp in place."""
    return _apply_inplace(lambda s: clamp(s, min, max), input, min, max, type_name=_cpp_name)


def clamp_min_(input, min):
    return _apply_inplace(lambda s: clamp_min(s, min), input, min, type_name=_cpp_name)


def clamp_max_(input, max):
    return _apply_inplace(lambda s: clamp_max(s, max), input, max, type_name=_cpp_name)


clip_ = clamp_


def relu_(input):
    """x.relu_(): relu in place."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _apply_inplace(relu, input)


def uniform_(input, from_=0.0, to=1.0, *, generator=None):
    """Refill with samples from U(from_, to) drawn from `autograd_lab.manual_seed`'s generator
    (or `generator`, a numpy Generator). PyTorch calls the bounds `from` and `to`."""
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_:g} > to={to:g}")
    return _random_fill(UniformBackward0, "check_uniform_bounds", input,
                        lambda rng, shape: rng.uniform(from_, to, shape), generator)


def normal_(input, mean=0.0, std=1.0, *, generator=None):
    """Refill with samples from N(mean, std^2) (see uniform_ for the generator)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return _random_fill(NormalBackward0, "normal_kernel_cpu", input,
                        lambda rng, shape: rng.normal(mean, std, shape), generator)


def _random_fill(cls, kernel, x, draw, generator):
    x = as_tensor_arg(x, "self")
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{x.dtype.legacy}\'')
    if generator is None:
        from ._factories import generator as package_generator  # (it imports this module)
        generator = package_generator()
    values = draw(generator, x._data.shape).astype(x._data.dtype)
    return _apply_inplace(lambda s: record1(cls, values, s), x)


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


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) tensor, or one tensor per dim."""
    x = as_tensor_arg(input)
    where_ = np.nonzero(np.atleast_1d(x._data))
    if as_tuple:
        return tuple(_new(w.astype(np.int64)) for w in where_)
    return _new(np.stack(where_, axis=1).astype(np.int64) if x._data.ndim else
                np.zeros((int(bool(x._data)), 0), np.int64))


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



# ================================================================================================
# The two vocabularies the rules are written in
# ================================================================================================


_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}  # an int dtype to view floats' bits as


def _np_relu_grad(g, ans):
    """g where the output is positive, else +0, as PyTorch's threshold_backward: also where g is
    NaN or infinite (a NaN output passes its gradient on). One AND of g's bits with a mask:
    exact, and faster than g * mask, which gives -0. and NaN there and needs a fix-up pass."""
    bits = _INT_OF_SIZE[g.dtype.itemsize]
    mask = _array(ans <= 0, bits)  # 1 where dropped (an array, also for 0-d ans)
    mask -= 1  # 0 where dropped, all bits set where kept
    return np.bitwise_and(g.view(bits), mask, out=mask).view(g.dtype)


def _np_expand(g, shape):
    """np.broadcast_to(g, shape): a read-only view, made directly (numpy's own goes through
    nditer: 3.9 us, most of a small sum's backward; this takes 1.4)."""
    if g.__class__ is not _ndarray:
        g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = len(shape) - g.ndim
    if g.size == 1:
        strides = (0,) * len(shape)
    elif lead >= 0 and builtins.all(n == 1 or n == s for n, s in zip(g.shape, shape[lead:])):
        strides = (0,) * lead + tuple(0 if n == 1 else st for n, st in zip(g.shape, g.strides))
    else:
        return np.broadcast_to(g, shape)  # numpy's error
    try:
        out = _ndarray(shape, g.dtype, g, 0, strides)
    except (TypeError, ValueError, BufferError):  # g not contiguous: no simple buffer
        return np.broadcast_to(g, shape)
    out.flags.writeable = False
    return out


def _np_sum_to(g, shape):
    """Sum a broadcast gradient back down to `shape` (undoes numpy broadcasting)."""
    if g.__class__ is not _ndarray:
        g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    ones = tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if not ones and shape:  # only leading dims to sum away (a bias): no keepdims, no reshape
        return _sum(g, tuple(range(lead)))
    return _sum(g, tuple(range(lead)) + ones, keepdims=True).reshape(shape)


NP = types.SimpleNamespace(
    exp=np.exp, log=np.log, sin=np.sin, cos=np.cos, sign=_sign, abs=np.abs, where=np.where,
    zeros_like=np.zeros_like, floor=np.floor, tril=np.tril, triu=np.triu, log1p=np.log1p,
    sigmoid=_sigmoid,
    relu_grad=_np_relu_grad,
    isnan=np.isnan,
    sum=lambda g, dims, keep: _sum(g, dims, keepdims=keep),
    mean=lambda x, dims: np.mean(x, axis=dims, keepdims=True),
    reshape=np.reshape, expand=_np_expand, permute=np.transpose, transpose=_swapaxes,
    unsqueeze=np.expand_dims, squeeze_last=lambda g: np.squeeze(g, -1),
    mT=lambda a: a.swapaxes(-1, -2), sum_to=_np_sum_to, index_grad=_index_grad_np,
    cast=lambda g, dt: np.asarray(g).astype(dt, copy=False), const=lambda a: a,
    flip=np.flip, cumsum=np.cumsum, roll=np.roll,
    einsum=lambda eq, *ops: np.einsum(eq, *ops, optimize=len(ops) > 2),
)


def _tb_sum_to(g, shape):
    if tuple(g.shape) == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and g.shape[i + lead] != 1)
    return reshape(sum(g, dims, True), shape)


TB = types.SimpleNamespace(
    exp=exp, log=log, sin=sin, cos=cos, sign=sign, abs=abs, where=where, isnan=isnan,
    zeros_like=lambda g: _new(np.zeros_like(g._data)),
    floor=lambda x: _new(np.floor(x._data)),  # (its derivative is 0: a constant)
    tril=tril, triu=triu, log1p=log1p, sigmoid=sigmoid,
    relu_grad=lambda g, ans: where(ans <= 0, 0.0, g),
    sum=lambda g, dims, keep: sum(g, dims, keep),
    mean=lambda x, dims: mean(x, dims, True),
    reshape=reshape, expand=expand, permute=permute, transpose=transpose, unsqueeze=unsqueeze,
    squeeze_last=lambda g: squeeze(g, -1), mT=lambda a: transpose(a, -1, -2), sum_to=_tb_sum_to,
    index_grad=index_grad, cast=lambda g, dt: g.to(_dtypes.FROM_NP[np.dtype(dt)]),
    const=lambda a: _new(a),
    flip=flip, cumsum=cumsum, roll=roll, einsum=einsum,
)

# Functions that are also Tensor methods (`x.exp()`, `x.sum(0)`, ...).
METHODS = (
    "add", "sub", "mul", "div", "pow", "matmul", "mm", "mv", "dot", "bmm", "neg", "exp", "log",
    "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip", "clamp_min",
    "clamp_max", "maximum", "minimum", "reciprocal", "sign", "square", "rsqrt", "sum", "mean",
    "var", "std", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "softmax",
    "log_softmax", "reshape", "view", "view_as", "reshape_as", "flatten", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "t", "expand", "expand_as", "clone",
    "add_", "sub_", "mul_", "div_", "eq", "ne", "gt", "ge", "lt", "le", "isnan", "isfinite",
    "isinf", "multiply", "divide", "subtract", "true_divide", "negative", "absolute",
    "cumsum", "flip", "roll", "repeat", "gather", "index_select", "masked_fill", "sort", "topk",
    "masked_fill_", "clamp_", "clamp_min_", "clamp_max_", "clip_", "relu_", "uniform_",
    "normal_", "remainder", "floor_divide", "floor", "ceil", "round", "trunc", "frac", "log1p",
    "expm1", "log2", "log10", "tril", "triu", "logsumexp", "split", "chunk", "unbind", "any",
    "all", "argsort", "nonzero", "outer", "exp_", "log_", "sqrt_", "neg_", "abs_", "sin_",
    "cos_", "tanh_", "sigmoid_", "reciprocal_", "floor_", "ceil_", "round_", "trunc_", "pow_",
    "square_",
)


def where_(input, condition, other):
    """x.where(condition, other): x where condition holds, other elsewhere."""
    return where(condition, input, other)
