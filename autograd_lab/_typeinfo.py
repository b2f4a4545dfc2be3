"""dtype queries as PyTorch has them: `finfo`, `iinfo`, `promote_types`, `result_type`,
`can_cast`, `is_floating_point`, `is_complex`."""
import numbers

import numpy as np

from . import _dtypes
from ._ops import tensor_param
from ._tensor import Tensor


def _dtype_arg(fname, name, position, value):
    if not isinstance(value, _dtypes.dtype):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be "
                        f"torch.dtype, not {type(value).__name__}")
    return value


class finfo:
    """Machine limits of a floating dtype (the default dtype if none is given)."""

    def __init__(self, type=None):
        d = _dtypes.get_default_dtype() if type is None else _dtype_arg("finfo", "type", 1, type)
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(d.np)
        self.bits, self.dtype = info.bits, d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype."""

    def __init__(self, type):
        d = _dtype_arg("iinfo", "type", 1, type)
        if d is _dtypes.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits, self.dtype, self.max, self.min = info.bits, d.name, int(info.max), int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def promote_types(type1, type2):
    """The smallest dtype both promote to: the other category's dtype wins over bool, a
    floating one over integers; within a category the wider (uint8 with int8 gives int16)."""
    a = _dtype_arg("promote_types", "type1", 1, type1)
    b = _dtype_arg("promote_types", "type2", 2, type2)
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    return _dtypes.FROM_NP[np.promote_types(a.np, b.np)]


def can_cast(from_, to):
    """False only for casts to a lower category (floating to integer or bool, integer to
    bool), as PyTorch's type promotion allows."""
    return _dtype_arg("can_cast", "from_", 1, from_)._kind <= _dtype_arg("can_cast", "to", 2, to)._kind


def result_type(tensor, other):
    """The dtype of `tensor op other` (tensors or numbers), by PyTorch's promotion rules."""
    operands = [x._data if isinstance(x, Tensor) else x for x in (tensor, other)]
    if not all(isinstance(x, (np.ndarray, numbers.Real)) for x in operands):
        got = ", ".join("Tensor" if isinstance(x, Tensor) else type(x).__name__
                        for x in (tensor, other))
        raise TypeError(f"result_type() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n * (Tensor tensor, Tensor other)\n"
                        f" * (Number scalar, Tensor tensor)\n * (Tensor tensor, Number other)\n"
                        f" * (Number scalar1, Number scalar2)\n")
    return _dtypes.FROM_NP[_dtypes.result_type(*operands)]


def is_floating_point(input):
    """True if the tensor's dtype is a floating one."""
    return tensor_param(input, "is_floating_point", "input", 1).is_floating_point()


def is_complex(input):
    """False: autograd_lab has no complex dtypes."""
    return tensor_param(input, "is_complex", "input", 1).is_complex()
