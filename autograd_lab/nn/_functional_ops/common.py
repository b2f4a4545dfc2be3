"""What the nn ops share: PyTorch's dtype names, its error for a kernel that takes no integers,
and the reduction of per-element losses."""
import numpy as np

from ... import _dtypes


def scalar_type(a):
    """PyTorch's scalar-type name of an array's dtype in messages ('Double', 'Float', ...)."""
    return _dtypes.of_array(a).legacy


def _floating(a, kernel):
    """a, if floating; else PyTorch's error for the CPU kernel `kernel`."""
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type(a)}\'')
    return a


def reduce_losses(loss, reduction):
    """Apply 'none' / 'mean' / 'sum' to an array of per-element losses."""
    if reduction == "none":
        return loss
    if reduction == "mean" and not loss.size:
        return np.asarray(np.nan, loss.dtype)  # the mean of nothing, without numpy's warning
    with np.errstate(over="ignore", invalid="ignore"):  # inf, as PyTorch, without a warning
        return np.asarray(loss.mean() if reduction == "mean" else loss.sum(), loss.dtype)


def _scale(reduction, n):
    """The factor 'mean' puts on every element's gradient."""
    return 1.0 / n if reduction == "mean" and n else 1.0
