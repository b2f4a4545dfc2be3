"""`axpy(alpha, x, y)`: y += alpha * x in place, rounded once per element, as PyTorch's
`y.add_(x, alpha=alpha)` (a fused multiply-add). numpy can only multiply and then add: that
rounds twice (the last bit differs from PyTorch in about one element in seven) and walks
memory twice. BLAS's axpy is the fused form; the OpenBLAS inside numpy's own wheels has it,
reached here through ctypes. Where it is not found (numpy built on another BLAS) `axpy`
returns False and the caller takes the numpy way.
"""
import ctypes
import glob
import os

import numpy as np

_INT32_MAX = 2 ** 31 - 1
_addressof, _c_char = ctypes.addressof, ctypes.c_char


def _openblas():
    """numpy's bundled scipy-openblas as (library, 64-bit ints?), or None."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):  # numpy < 1.25: no mode="dicts"
        return None
    if blas.get("name") != "scipy-openblas":
        return None
    here = os.path.dirname(np.__file__)
    found = sorted(glob.glob(os.path.join(here, os.pardir, "numpy.libs", "*scipy_openblas*"))
                   + glob.glob(os.path.join(here, ".dylibs", "*scipy_openblas*")))
    if not found:
        return None
    try:
        return ctypes.CDLL(found[0]), "USE64BITINT" in blas.get("openblas configuration", "")
    except OSError:
        return None


def _kernels():
    """{dtype: axpy function} for float32 and float64, each checked on a small exact case."""
    found = _openblas()
    if found is None:
        return {}
    lib, ilp64 = found
    int_t, suffix = (ctypes.c_int64, "64_") if ilp64 else (ctypes.c_int, "")
    kernels = {}
    for dtype, letter, real in ((np.float32, "s", ctypes.c_float),
                                (np.float64, "d", ctypes.c_double)):
        fn = getattr(lib, f"scipy_cblas_{letter}axpy{suffix}", None)
        if fn is None:
            continue
        fn.restype = None
        fn.argtypes = [int_t, real, ctypes.c_void_p, int_t, ctypes.c_void_p, int_t]
        x, y = np.array([0.5, 0.25, 2.0, -1.0], dtype), np.array([1.0, 2.0, 3.0, 4.0], dtype)
        fn(4, 2.0, x.ctypes.data, 1, y.ctypes.data, 1)
        if y.tolist() == [2.0, 2.5, 7.0, 2.0]:
            kernels[np.dtype(dtype)] = fn
    return kernels


_KERNELS = _kernels()


def axpy(alpha, x, y):
    """y += alpha * x in place with one rounding per element; False (y untouched) where BLAS
    cannot: another dtype or shape, a read-only y, or no such BLAS. Layouts that BLAS cannot
    walk together (or overlapping memory) go through contiguous copies."""
    if y.__class__ is not np.ndarray:
        return False
    if x.__class__ is not np.ndarray:  # (numpy gives scalars for math on 0-d arrays)
        x = np.asarray(x)
    fn = _KERNELS.get(y.dtype)
    if fn is None or x.dtype != y.dtype or x.shape != y.shape or not y.flags.writeable \
            or y.size > _INT32_MAX:
        return False
    if not y.size:
        return True
    if not (y.flags.c_contiguous or y.flags.f_contiguous):  # a strided view: on a copy
        work = np.ascontiguousarray(y)
        _axpy(fn, alpha, np.array(x, order="C"), work)
        y[...] = work
        return True
    order = "C" if y.flags.c_contiguous else "F"
    if not (x.flags.c_contiguous if order == "C" else x.flags.f_contiguous):
        x = np.array(x, order=order)  # walked in y's order
    _axpy(fn, alpha, x, y)
    return True


def _axpy(fn, alpha, x, y):
    """The BLAS call, for x and y laid out alike (x copied first if it overlaps y)."""
    px, py, nbytes = _address(x), _address(y), y.nbytes
    if px != py and px < py + nbytes and py < px + nbytes:
        x = x.copy(order="K")
        px = _address(x)
    fn(y.size, alpha, px, 1, py, 1)


def _address(a):
    """The address of the first byte of a C- or Fortran-contiguous array (through a ctypes
    view of its buffer where writable, the quick way: `a.ctypes` builds a Python object)."""
    if not a.flags.writeable:
        return a.ctypes.data
    return _addressof(_c_char.from_buffer(a if a.flags.c_contiguous else a.T))


def added(y, alpha, x):
    """y + alpha * x as a new array, rounded as PyTorch's `y.add(x, alpha=alpha)`."""
    out = y.copy(order="K")
    return out if axpy(alpha, x, out) else y + alpha * x
