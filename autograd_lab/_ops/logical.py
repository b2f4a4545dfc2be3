"""Logical and bitwise ops: no gradient, results as PyTorch types them (bool for logical_*,
the promoted integer or bool type for bitwise_*)."""
import numpy as np

from .. import _dtypes
from .._tensor import Tensor, _new
from ._record import _array_of, _broadcast_error, _operand, as_tensor_arg, tensor_param
from .arith import _as_array
from .pointwise import _inplace_of


def _binary(name, doc, operands):
    """The op `name`: np.<name> of the arrays `operands(input, other)` returns (a bool or
    integer tensor, no gradient)."""
    ufunc = getattr(np, name)

    def op(input, other):
        a, b = operands(input, other)
        try:
            return _new(np.asarray(ufunc(a, b)))
        except ValueError:
            raise _broadcast_error(np.shape(a), np.shape(b)) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name.replace('_', ' ')} of {doc}."
    return op


def _truth_values(name):
    return lambda input, other: (as_tensor_arg(input)._data,
                                 tensor_param(other, name, "other", 2)._data)


logical_and, logical_or, logical_xor = (
    _binary(n, "the truth values (a bool tensor)", _truth_values(n))
    for n in ("logical_and", "logical_or", "logical_xor"))


def logical_not(input):
    """Elementwise not of the truth values (a bool tensor)."""
    return _new(np.logical_not(as_tensor_arg(input)._data))


def _integral(name, dt):
    if dt.kind not in "biu":
        raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                  f"'{_dtypes.to_dtype(dt).legacy}'")


def _integers(name):
    """The operands (tensors or numbers) in their promoted type, which must be integral."""
    def operands(input, other):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            as_tensor_arg(input)
        A, B = (_array_of(_operand(v, name)) for v in (input, other))
        dt = _dtypes.result_type(_as_array(A), _as_array(B))
        _integral(name, dt)
        return np.asarray(A, dt), np.asarray(B, dt)
    return operands


bitwise_and, bitwise_or, bitwise_xor = (
    _binary(n, "integer or bool tensors", _integers(n))
    for n in ("bitwise_and", "bitwise_or", "bitwise_xor"))


def bitwise_not(input):
    """Elementwise bitwise not (logical not for bool tensors)."""
    a = as_tensor_arg(input)._data
    _integral("bitwise_not", a.dtype)
    return _new(np.invert(a))


(logical_and_, logical_or_, logical_xor_, logical_not_, bitwise_and_, bitwise_or_, bitwise_xor_,
 bitwise_not_) = (_inplace_of(op, op.__name__) for op in (
    logical_and, logical_or, logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor,
    bitwise_not))
