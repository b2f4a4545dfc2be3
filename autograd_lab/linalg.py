"""torch.linalg: inverses, determinants, solves, decompositions (Cholesky, QR, eigh, SVD),
norms, cross products, matrix powers and exponentials."""
import math

import numpy as np

from . import _dtypes, _ops
from ._ops import (_LinAlgError as LinAlgError, cholesky, det, eigh, eigvalsh, inv,
                   linalg_cross as cross, linalg_slogdet as slogdet, matrix_exp, matrix_power,
                   matrix_rank, multi_dot, pinv, qr, solve, solve_triangular, svd, svdvals,
                   vecdot)
from ._dtypes import float16
from ._tensor import Tensor

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
           "qr", "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot",
           "vector_norm"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The view of the offset-th diagonal of the matrices in the last two dims."""
    return _ops.diagonal(A, offset, dim1, dim2)


def _norm_input(name, x, dtype):
    """x, checked to be floating point, converted to `dtype` if given (PyTorch's checks)."""
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype.legacy}")
    if dtype is None:
        return x
    dtype = _dtypes.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                           f"{dtype.legacy}")
    if np.promote_types(x.dtype.np, dtype.np) != dtype.np:
        raise RuntimeError(f"{name}: the dtype of the input ({x.dtype.legacy}) should be "
                           f"convertible without narrowing to the specified dtype "
                           f"({dtype.legacy})")
    return x.to(dtype)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ord-norm of x over dim (all elements by default), in `dtype` if given."""
    return _ops.norm(_norm_input("linalg.vector_norm", x, dtype), ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The ord-norm of the matrices in dims `dim` of A: 'fro', 'nuc' (the sum of the singular
    values), or the largest (smallest for negative ord) singular value (ord ±2), absolute
    column sum (ord ±1) or row sum (ord ±inf); 0 for empty matrices and positive ord."""
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord not in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in ("nuc", 2, -2) and A.dtype == float16:
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dim))}")
    rows, cols = (_ops.norm_dim(d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    a = _norm_input("linalg.matrix_norm", A, dtype)
    if ord == "fro":
        return vector_norm(a, 2, dim, keepdim)
    if ord in (2, 1, math.inf) and not a.numel():
        return _ops.sum(a, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(_ops.movedim(a, (rows, cols), (-2, -1)))
        out = _ops.sum(s, -1) if ord == "nuc" else (_ops.amax if ord > 0 else _ops.amin)(s, -1)
        if keepdim:  # (PyTorch: unsqueezed at the end, then moved back)
            out = _ops.movedim(_ops.unsqueeze(_ops.unsqueeze(out, -1), -1), (-2, -1),
                               (rows, cols))
        return out
    summed, kept = (rows, cols) if ord in (1, -1) else (cols, rows)
    extreme = _ops.amax if ord > 0 else _ops.amin
    sums = _ops.sum(_ops.abs(a), summed, keepdim)
    return extreme(sums, kept if keepdim else kept - (summed < kept), keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-D input, an int dim, or ord None with no dim) or a matrix norm (2-D
    input, or two dims)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str) or dim is not None and len(dim) == 2 or \
            dim is None and ord is not None and A.ndim == 2:
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim,
                           keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
