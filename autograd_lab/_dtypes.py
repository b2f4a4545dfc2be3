"""dtypes as PyTorch names them, mapped onto numpy dtypes, and PyTorch's type promotion."""
import numpy as np


class dtype:
    """A tensor element type (`autograd_lab.float32`, ...); prints as PyTorch does."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_kind", "legacy")
    is_complex = False

    def __init__(self, name, np_dtype, kind, legacy):
        self.name = name
        self.legacy = legacy  # PyTorch's legacy type name in messages: Float for torch.FloatTensor
        self.np = np.dtype(np_dtype)
        self.is_floating_point = kind == 2
        self.is_signed = self.np.kind in "if"  # (after self.np)
        self.itemsize = self.np.itemsize
        self._kind = kind  # 0 bool, 1 integer, 2 floating: the promotion category

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):  # pickled as the module global: bool_ for torch.bool
        return "bool_" if self.name == "bool" else self.name


bool_ = dtype("bool", np.bool_, 0, "Bool")
uint8 = dtype("uint8", np.uint8, 1, "Byte")
int8 = dtype("int8", np.int8, 1, "Char")
int16 = dtype("int16", np.int16, 1, "Short")
int32 = dtype("int32", np.int32, 1, "Int")
int64 = dtype("int64", np.int64, 1, "Long")
float16 = dtype("float16", np.float16, 2, "Half")
float32 = dtype("float32", np.float32, 2, "Float")
float64 = dtype("float64", np.float64, 2, "Double")

_ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
FROM_NP = {d.np: d for d in _ALL}
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
           "short": int16, "bool": bool_}

_default = [float32]


def get_default_dtype():
    """The dtype of new floating tensors (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d):
    """Set the dtype of new floating tensors: `float32` or `float64`."""
    d = to_dtype(d)
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def to_dtype(d):
    """An autograd_lab dtype from a dtype, a numpy dtype, a Python type or a name."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d.removeprefix("torch.") in ALIASES:
        return ALIASES[d.removeprefix("torch.")]
    try:
        return FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"unsupported dtype {d!r}; use one of "
                        + ", ".join(repr(x) for x in _ALL)) from None


def of_array(a):
    """The autograd_lab dtype of a numpy array."""
    try:
        return FROM_NP[a.dtype]
    except KeyError:
        raise TypeError(f"numpy arrays of dtype {a.dtype} are not supported") from None


def _category(x):
    """(category, priority) of an operand: dimensioned tensors beat 0-d tensors beat scalars."""
    if isinstance(x, np.ndarray):
        return FROM_NP[x.dtype]._kind, (2 if x.ndim else 1)
    if isinstance(x, (bool, np.bool_)):
        return 0, 0
    if isinstance(x, (int, np.integer)):
        return 1, 0
    return 2, 0


def result_type(a, b):
    """The numpy dtype PyTorch gives `a op b` (arrays or Python scalars)."""
    ka, pa = _category(a)
    kb, pb = _category(b)
    if ka != kb:  # the higher category wins; a scalar of it brings the default type
        hi, ph, arr = (a, pa, ka) if ka > kb else (b, pb, kb)
        if ph == 0:
            return _default[0].np if arr == 2 else np.dtype(np.int64)
        return hi.dtype
    if pa != pb:
        hi = a if pa > pb else b
        return hi.dtype
    if pa == 0:
        return {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: _default[0].np}[ka]
    return np.promote_types(a.dtype, b.dtype)
