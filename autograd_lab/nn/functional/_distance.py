"""Distances: cosine_similarity and pairwise_distance."""
import numpy as np

from ... import _dtypes, _ops
from ..._grad_mode import no_grad
from .. import _functional_ops as _F


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum((x1 / max(‖x1‖, eps)) * (x2 / max(‖x2‖, eps)), dim), x1 and x2 broadcast, composed
    as PyTorch's: the norms are cloned and clamped in place without recording."""
    dtype = _dtypes.result_type(x1._data, x2._data)
    if dtype.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dtypes.FROM_NP[dtype].legacy}")
    x1, x2 = (x if x._data.dtype.kind == "f" else _ops.to_dtype(x, _dtypes.FROM_NP[dtype])
              for x in (x1, x2))
    if x1.shape != x2.shape:  # (both expanded, as PyTorch records it)
        try:
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        except ValueError:
            raise _ops._broadcast_error(x1.shape, x2.shape) from None
        x1, x2 = _ops.expand(x1, shape), _ops.expand(x2, shape)
    norms = [_ops.clone(_ops.norm(x, 2, dim, keepdim=True)) for x in (x1, x2)]
    with no_grad():
        for n in norms:
            n.clamp_min_(eps)
    return _ops.sum(_ops.mul(_ops.div(x1, norms[0]), _ops.div(x2, norms[1])), dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p over the last dim, x1 and x2 broadcast (NormBackward1 over AddBackward1
    and SubBackward0, as PyTorch)."""
    d = max(x1.ndim, x2.ndim) - 1
    return _F.norm(_F.add_scalar(_ops.sub(x1, x2), eps), p, d, keepdim)
