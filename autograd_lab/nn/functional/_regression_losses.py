"""Regression losses: mse, l1, smooth L1, Huber, KL divergence, Poisson and Gaussian NLL."""
import math
import warnings

import numpy as np

from ... import _ops
from ..._grad_mode import no_grad
from ..._tensor import _new
from .. import _functional_ops as _F
from ._common import _REDUCTIONS, _broadcast, _pair, _reduce, _reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (MseLossBackward0); with weight, sum(w * err**2) / sum(w) for 'mean'."""
    _pair("mse_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_ops.pow(_ops.sub(x, t), 2), weight, input, reduction)
    return _F.mse_loss(x, t, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: |input - target| reduced (AbsBackward0, then Mean/SumBackward0)."""
    _pair("l1_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_ops.abs(_ops.sub(x, t)), weight, input, reduction)
    return _l1(x, t, reduction)


def _l1(x, t, reduction):
    """|x - t| reduced: AbsBackward0 over SubBackward0, then Mean/SumBackward0."""
    return _reduce(_ops.abs(_ops.sub(x, t)), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below beta, absolute error above (SmoothL1LossBackward0); beta=0 is
    l1_loss."""
    _pair("smooth_l1_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return _l1(x, t, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _F.smooth_l1_loss(x, t, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below delta, delta-scaled absolute error above (HuberLossBackward0); with
    weight, the per-element losses are weighted before the reduction."""
    _pair("huber_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return _F.huber_loss(x, t, reduction, delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    return _reduce(_ops.mul(_F.huber_loss(x, t, "none", delta), weight), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log(target) - input) for log-probabilities input,
    composed as PyTorch's (xlogy(t, t) - t * x; with log_target, exp(t) * (t - x)), reduced;
    'batchmean' divides the sum by the batch size."""
    _pair("kl_div", input, target)
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if reduction != "batchmean":
        _reduction(None, None, reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        losses = _ops.mul(_ops.exp(target), _ops.sub(target, input))
    else:
        losses = _ops.sub(_ops.xlogy(target, target), _ops.mul(target, input))
    if reduction != "batchmean":
        return _reduce(losses, reduction)
    total = _ops.sum(losses)
    return _ops.div(total, input.shape[0]) if input.ndim else total


def _weighted(errors, weight, input, reduction):
    """Per-element weights, as PyTorch's mse_loss/l1_loss apply them ('mean' divides by sum(w))."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    losses = errors * weight
    if reduction == "mean":
        return _ops.div(_ops.sum(losses), _ops.sum(weight))
    return _reduce(losses, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); full adds
    Stirling's approximation of log(target!) where target > 1. Reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = _ops.sub(_ops.exp(input), _ops.mul(target, input))
    else:
        loss = _ops.sub(input, _ops.mul(target, _ops.log(_F.add_scalar(input, eps))))
    if full:
        t = target
        stirling = _ops.add(_ops.sub(_ops.mul(t, _ops.log(t)), t),
                            _F.mul_scalar(_ops.log(_F.mul_scalar(t, 2 * math.pi)), 0.5))
        loss = _ops.add_(loss, _ops.masked_fill(stirling, _new(t._data <= 1), 0))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)² / var) (+ 0.5 log(2π) when full), var clamped to eps
    without recording; var may have one dim fewer than input, or one dim of size 1."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _new(np.ones_like(input._data))
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = _ops.unsqueeze(var, -1)
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    var = _ops.clone(var)
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (_ops.log(var) + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
