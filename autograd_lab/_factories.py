"""Tensor factories (`tensor`, `zeros`, `randn`, ...) and the seeded random generator."""
import math
import numbers
import warnings

import numpy as np

from . import _dtypes
from ._ops import _isclose, _shape_arg
from ._random import numpy_rng
from ._tensor import Tensor, _new

def _finish(data, dtype, requires_grad):
    t = _new(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad = True
    return t


def _infer_array(data, dtype=None):
    """A numpy array of `dtype` (a numpy dtype; None: PyTorch's inference), or PyTorch's error
    for bad input."""
    if isinstance(data, np.generic):
        data = np.asarray(data)  # numpy scalars keep their dtype, as numpy arrays do
    arr, exact = _natural_array(data)
    if exact:
        if dtype is None:
            return arr
        with np.errstate(invalid="ignore", over="ignore"):  # casts wrap silently, as in PyTorch
            return arr.astype(dtype, copy=False)
    if dtype is None:  # Python numbers: floats get the default dtype
        return arr.astype(_dtypes.get_default_dtype().np) if arr.dtype.kind == "f" else arr
    if dtype.kind in "iu" and arr.dtype.kind in "iuf" and arr.size:
        info = np.iinfo(dtype)
        if not (np.isfinite(arr).all() and info.min <= arr.min() and arr.max() <= info.max):
            raise RuntimeError(f"value cannot be converted to type {_dtypes.FROM_NP[dtype].name} "
                               f"without overflow")
    return arr.astype(dtype)


def _natural_array(data):
    """(The exact numpy form of data: Python floats as float64, ints as int64; whether that
    dtype is final: tensors, arrays, and sequences holding a float64 of numpy's keep theirs.)"""
    if isinstance(data, Tensor):
        return data._data.copy(), True
    if data is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(data, (np.ndarray, np.generic)):
        data = np.asarray(data)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"can't convert np.ndarray of type numpy.{data.dtype.type.__name__}. "
                            f"The only supported types are: float64, float32, float16, int64, "
                            f"int32, int16, int8, uint8, and bool.")
        return data.copy(), True
    if isinstance(data, bool):
        return np.array(data, np.bool_), False
    if isinstance(data, numbers.Integral):
        return np.array(data, np.int64), False
    if isinstance(data, numbers.Real):
        return np.array(data, np.float64), False
    if isinstance(data, range):
        data = list(data)
    arrays = [x for x in data if isinstance(x, np.ndarray) and x.ndim] \
        if isinstance(data, (list, tuple)) else ()
    if arrays:
        warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                      "consider converting the list to a single numpy.ndarray with numpy.array() "
                      "before converting to a tensor.", UserWarning, stacklevel=4)
        data = [x.tolist() if isinstance(x, np.ndarray) and x.ndim else x for x in data]
    if isinstance(data, (list, tuple)):
        shape, kind = _check_nested(data)
        arr = np.array(_plain(data), dtype={0: np.bool_, 1: np.int64}.get(kind, np.float64))
        return arr.reshape(shape), kind == _DOUBLE or any(a.dtype == np.float64 for a in arrays)
    if isinstance(data, bytes):
        raise TypeError("new(): invalid data type 'bytes'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _plain(data):
    """Nested lists with 0-d tensors replaced by their numbers."""
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, (list, tuple, range)):
        return [_plain(d) for d in data]
    return data


def _check_nested(data):
    """Shape and element kind (0 bool, 1 int, 2 float, None if empty) of a nested sequence;
    ragged ones raise as PyTorch: a length mismatch ValueError, a number where a sequence
    belongs (or the reverse) TypeError."""
    kind, leaf_depth = None, None
    level = [(data, 0)]
    dims = {}
    while level:
        item, depth = level.pop()
        if isinstance(item, (list, tuple, range)):
            if leaf_depth is not None and depth >= leaf_depth:
                raise TypeError(f"expected a number at dim {depth} of the nested list, got a "
                                f"{type(item).__name__} (the list is ragged)")
            if dims.setdefault(depth, len(item)) != len(item):
                raise ValueError(f"expected sequence of length {dims[depth]} at dim {depth} "
                                 f"(got {len(item)})")
            level.extend((x, depth + 1) for x in reversed(item))
            continue
        kind = max(_element_kind(item), -1 if kind is None else kind)
        if depth in dims:
            raise TypeError(f"not a sequence: expected a list at dim {depth} of the nested "
                            f"list, got a number (the list is ragged)")
        leaf_depth = depth
    return tuple(dims[d] for d in range(len(dims))), kind


_DOUBLE = 3  # the element kind of a float64 of numpy's (or a float64 tensor): keeps float64


def _element_kind(item):
    """0 bool, 1 int, 2 float, _DOUBLE for one element of a nested list (a 0-d tensor counts)."""
    if isinstance(item, Tensor):
        if item._data.ndim:
            raise ValueError("only one element tensors can be converted to Python scalars "
                             "(join tensors with torch.stack or torch.cat)")
        if item._data.dtype == np.float64:
            return _DOUBLE
        item = item._data.item()
    if isinstance(item, np.float64):
        return _DOUBLE
    if isinstance(item, (bool, np.bool_)):
        return 0
    if isinstance(item, numbers.Integral):
        return 1
    if isinstance(item, numbers.Real):
        return 2
    if isinstance(item, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor copied from data (numbers, nested lists, numpy arrays, tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = _infer_array(data, None if dtype is None else _dtypes.to_dtype(dtype).np)
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """data as a tensor without copying when it already is one, or a numpy array of a
    supported dtype (then they share memory), in the dtype asked for."""
    target = None if dtype is None else _dtypes.to_dtype(dtype).np
    if isinstance(data, Tensor):
        return data if target is None or target == data._data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and \
            (target is None or target == data.dtype):
        return _new(data)
    return _finish(_infer_array(data, target), dtype, False)


def from_numpy(array):
    """A tensor sharing memory with a numpy array."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    return _new(array)


def _float_dtype(dtype):
    return _dtypes.get_default_dtype().np if dtype is None else _dtypes.to_dtype(dtype).np


def _size(size):
    """A shape from factory arguments; PyTorch's error for a negative dimension."""
    shape = _shape_arg(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: "
                           f"{list(shape)}")
    return shape


def _filled(fill, size, dtype, requires_grad):
    if not isinstance(fill, (numbers.Number, np.number, np.bool_)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill).__name__}")
    shape = _size(size)
    return _finish(np.full(shape, fill, _float_dtype(dtype)), dtype, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _filled(0, size, dtype, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _filled(1, size, dtype, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _filled(0, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if isinstance(size, (int, np.integer)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if dtype is None:
        dtype = (_dtypes.bool_ if isinstance(fill_value, bool) else _dtypes.int64
                 if isinstance(fill_value, numbers.Integral) else None)
    return _filled(fill_value, (size,), dtype, requires_grad)


def _like(fname, fill, t, dtype, requires_grad):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    dt = t._data.dtype if dtype is None else _dtypes.to_dtype(dtype).np
    return _finish(np.full(t._data.shape, fill, dt), dtype, requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    return _like("zeros_like", 0, input, dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    return _like("ones_like", 1, input, dtype, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return _like("empty_like", 0, input, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _like("full_like", fill_value, input, dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step; int64 unless an argument is a float."""
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dt = (np.int64 if ints else _dtypes.get_default_dtype().np) if dtype is None \
        else _dtypes.to_dtype(dtype).np
    if ints:
        values = np.arange(start, end, step)
    else:  # start + step * i in double precision, fused as PyTorch's compiled kernel does
        n = np.arange(math.ceil((end - start) / step), dtype=np.float64)
        values = _fma(np.float64(step), n, np.float64(start))
    return _finish(values.astype(dt), dtype, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """steps values from start to end; PyTorch's formula (start + step * i for the first half,
    end - step * (steps - 1 - i) for the rest, in the result's precision, fused multiply-adds),
    so that the values print as PyTorch's do (-1.4901e-08, not 0, in linspace(-1, 1, 11))."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _float_dtype(dtype)
    if steps <= 1:
        return _finish(np.full(steps, start).astype(dt), dtype, requires_grad)
    i = np.arange(steps, dtype=np.float64)
    first = i < steps // 2
    n = np.where(first, i, steps - 1 - i)
    if dt == np.float32:  # float32 products are exact in double: one rounding, as an fma's
        a, b = np.float32(start), np.float32(end)
        step = np.float64((b - a) / np.float32(steps - 1))
        values = np.where(first, np.float64(a) + step * n, np.float64(b) - step * n)
    else:  # float64 (and integers, by double steps)
        a, b = float(dt.type(start)), float(dt.type(end))
        step = (b - a) / (steps - 1)
        values = np.where(first, _fma(step, n, a), _fma(-step, n, b))
    return _finish(values.astype(dt), dtype, requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps), computed in double precision."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    exponents = linspace(start, end, steps, dtype=np.float64)._data
    return _finish(np.power(float(base), exponents).astype(_float_dtype(dtype)), dtype,
                   requires_grad)


def _fma(a, b, c):
    """a * b + c for float64 arrays, rounded once (error-free product and sum, after Dekker)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1: splits a double into two halves whose products are exact
    ah = a * split
    ah = ah - (ah - a)
    bh = b * split
    bh = bh - (bh - b)
    product_error = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
    s = p + c
    back = s - p
    sum_error = (p - (s - back)) + (c - back)
    return s + (product_error + sum_error)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), dtype, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples from [0, 1)."""
    shape = _size(size)
    return _finish(numpy_rng(generator).random(shape).astype(_float_dtype(dtype)), dtype,
                   requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples."""
    shape = _size(size)
    return _finish(numpy_rng(generator).standard_normal(shape).astype(_float_dtype(dtype)),
                   dtype, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers from [low, high)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = np.int64 if dtype is None else _dtypes.to_dtype(dtype).np
    return _finish(numpy_rng(generator).integers(low, high, _size((size,))).astype(dt), dtype,
                   requires_grad)


def randperm(n, *, generator=None, dtype=None):
    """A random permutation of 0 .. n-1."""
    return _new(numpy_rng(generator).permutation(n).astype(np.int64 if dtype is None else
                                                           _dtypes.to_dtype(dtype).np))


def rand_like(input, dtype=None, requires_grad=False):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(_isclose(input._data, other._data, rtol, atol, equal_nan).all())


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def numel(input):
    return input.numel()
