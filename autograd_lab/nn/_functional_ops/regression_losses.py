"""Loss ops of input - target: mean squared error, smooth L1 and Huber (the target gets a
gradient too)."""
import numpy as np

from ... import _dtypes
from ..._ops import broadcast_meta, defnode, record
from ..._tensor import _new
from .common import _floating, _scale, reduce_losses, scalar_type


MseLossBackward0 = defnode("MseLossBackward0", [
    lambda B, g, ans, x, t, norm: norm * (x - t) * g,
    lambda B, g, ans, x, t, norm: norm * (t - x) * g], "mse", saves=True)  # +0 where x == t


def _difference(input, target, kernel):
    """input - target in their promoted (floating) dtype."""
    a, t = input._data, target._data
    dtype = _dtypes.result_type(a, t)
    if dtype.kind != "f":
        _floating(a, kernel)  # (a is not floating either)
    return np.subtract(a, t, dtype=dtype)


def _saved_target(target, dtype):
    """target as the backward rules subtract it: a bool target as 0./1. (subtracting a bool
    tensor is an error, also in the recorded rules of create_graph=True)."""
    return _new(target._data.astype(dtype)) if target._data.dtype == np.bool_ else target


def mse_loss(input, target, reduction):
    """Mean (or summed) squared error of two tensors of the same shape, in their promoted dtype."""
    d = _difference(input, target, "mse_cpu")
    loss = reduce_losses(d * d, reduction)
    norm = 2.0 * _scale(reduction, d.size)
    return record(MseLossBackward0, loss, (input, target),
                  (input, _saved_target(target, d.dtype), norm), broadcast_meta(d, input, target))


def _against_target(rule):
    """The rules of a symmetric loss of input - target: the target's gradient is the input's
    rule with the two swapped (minus the input's, and the same +-0 where they are equal)."""
    return [rule, lambda B, g, ans, x, t, *params: rule(B, g, ans, t, x, *params)]


def _smooth_l1_rule(B, g, ans, x, t, beta, norm):
    d = x - t
    return norm * B.where(B.abs(d) >= beta, B.sign(d), d / beta) * g


def _huber_rule(B, g, ans, x, t, delta, norm):
    d = x - t
    return norm * B.where(d >= delta, delta, B.where(d <= -delta, -delta, d)) * g


SmoothL1LossBackward0 = defnode("SmoothL1LossBackward0", _against_target(_smooth_l1_rule),
                                "smooth_l1", saves=True)
HuberLossBackward0 = defnode("HuberLossBackward0", _against_target(_huber_rule), "huber",
                             saves=True)


def _difference_loss(cls, kernel, input, target, reduction, param, losses):
    """losses(|input - target|), reduced, recorded as cls (saving param and 'mean''s factor)."""
    d = _difference(input, target, kernel)
    return record(cls, reduce_losses(losses(np.abs(d)), reduction), (input, target),
                  (input, _saved_target(target, d.dtype), param, _scale(reduction, d.size)),
                  broadcast_meta(d, input, target))


def smooth_l1_loss(input, target, reduction, beta):
    """0.5 z² / beta where z = |input - target| < beta, else z - beta / 2."""
    return _difference_loss(SmoothL1LossBackward0, "smooth_l1_cpu", input, target, reduction,
                            beta, lambda z: np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta))


def huber_loss(input, target, reduction, delta):
    """0.5 z² where z = |input - target| < delta, else delta (z - delta / 2); in the input's
    dtype, as PyTorch's kernel writes it."""
    dtype = input._data.dtype
    result = _dtypes.result_type(input._data, target._data)
    if dtype.kind != "f" and result.kind == "f":  # (the kernel writes in the input's dtype)
        raise RuntimeError(f"result type {_dtypes.to_dtype(result).legacy} can't be cast to the "
                           f"desired output type {scalar_type(input._data)}")
    return _difference_loss(HuberLossBackward0, "huber_cpu", input, target, reduction, delta,
                            lambda z: np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
                            .astype(dtype, copy=False))
