"""Elementwise arithmetic: + - * / ** and their reflected forms, unary functions, clamp,
maximum/minimum, where, comparisons, remainder and floor division."""
import builtins
import math

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import PAIR, defnode, scope, _Scope, _seq
from .._tensor import Tensor, _new
from ._record import (_NO_DIM, _array, _array_of, _broadcast_error, _edge, _link, _ndarray, _next,
                      _no_record, _object_new, _operand, as_tensor_arg, broadcast_meta, record,
                      record1)


# ================================================================================================
# Elementwise arithmetic
# ================================================================================================

AddBackward0 = defnode("AddBackward0", [lambda B, g, ans: g, lambda B, g, ans: g], "+")
SubBackward0 = defnode("SubBackward0", [lambda B, g, ans: g, lambda B, g, ans: -g], "-")
RsubBackward1 = defnode("RsubBackward1", [lambda B, g, ans, alpha: -g if alpha == 1 else  # n - x
                                            -alpha * g], "-")
AddBackward0._saved_constants = SubBackward0._saved_constants = {"alpha": 1}
RsubBackward1._saved_names = ("alpha",)
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
    if ((ta and A.shape != shape) or (tb and Bv.shape != shape)
            or (ta and tb and A.dtype is not Bv.dtype)):
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
    return _scaled(_add, AddAlphaBackward, input, other, alpha)


def sub(input, other, alpha=1):
    """input - alpha * other."""
    return _scaled(_sub, SubAlphaBackward, input, other, alpha)


# add/sub of alpha * tensor: one node that saves alpha, as PyTorch's
AddAlphaBackward = defnode("AddBackward0", [lambda B, g, ans, alpha: g,
                                            lambda B, g, ans, alpha: g * alpha], "+")
SubAlphaBackward = defnode("SubBackward0", [lambda B, g, ans, alpha: g,
                                            lambda B, g, ans, alpha: g * -alpha], "-")
AddAlphaBackward._saved_names = SubAlphaBackward._saved_names = ("alpha",)


def _scaled(op, cls, input, other, alpha):
    scaled = _times_alpha(input, other, alpha)
    if scaled is other:
        return op(input, scaled)
    with _no_record():
        out = op(input, scaled)
    input, other = (v if isinstance(v, Tensor) else _new(np.asarray(v)) for v in (input, other))
    return record(cls, out._data, (input, other), (alpha,), broadcast_meta(out._data, input, other))


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
    return _link(RsubBackward1, out._data, (e,), (alpha,), broadcast_meta(out._data, x))


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
    return record(PowBackward1, data, (input, exponent), (input, exponent),
                  broadcast_meta(data, input, exponent))


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
# PyTorch's max/min/clamp keep x where it ties with the other operand (so -0. stays -0.):
# numpy's keep the second operand, hence the swapped arguments below.
ReluBackward0, relu = _unary("relu", lambda a: _no_bool(a, lambda v: np.maximum(0, v),
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
    data = a if lo is None else np.maximum(_array_of(lo), a)
    data = np.asarray(data if hi is None else np.minimum(_array_of(hi), data)).astype(dt,
                                                                                   copy=False)
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


def _binary_tensor_op(cls, fwd, a, b, floating=False):
    """fwd of two tensors (broadcast) in their promoted dtype (a float one if `floating`)."""
    a, b = as_tensor_arg(a), as_tensor_arg(b, "other")
    dt = _dtypes.result_type(a._data, b._data)
    if floating and dt.kind != "f":
        dt = _dtypes.get_default_dtype().np
    try:
        data = fwd(a._data.astype(dt, copy=False), b._data.astype(dt, copy=False))
    except ValueError:
        raise _broadcast_error(a.shape, b.shape) from None
    data = np.asarray(data).astype(dt, copy=False)
    return record(cls, data, (a, b), (a, b), broadcast_meta(data, a, b))


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    return _binary_tensor_op(MaximumBackward0, lambda a, b: np.maximum(b, a), input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    return _binary_tensor_op(MinimumBackward0, lambda a, b: np.minimum(b, a), input, other)


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
        raise _broadcast_error(c.shape, np.shape(A), np.shape(Bv)) from None
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
    return record(RemainderBackward1, data, (input, other), (input, other),
                  broadcast_meta(data, input, other))


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


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) tensor, or one tensor per dim."""
    x = as_tensor_arg(input)
    where_ = np.nonzero(np.atleast_1d(x._data))
    if as_tuple:
        return tuple(_new(w.astype(np.int64)) for w in where_)
    return _new(np.stack(where_, axis=1).astype(np.int64) if x._data.ndim else
                np.zeros((int(bool(x._data)), 0), np.int64))


def where_(input, condition, other):
    """x.where(condition, other): x where condition holds, other elsewhere."""
    return where(condition, input, other)
