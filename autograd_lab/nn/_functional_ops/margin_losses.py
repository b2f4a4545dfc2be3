"""Margin loss ops: soft margin, multi-class margin and multi-label margin."""
import numpy as np

from ..._ops import defnode, record1
from ..._tensor import _new
from .common import _scale, reduce_losses


def _soft_margin_rule(B, g, ans, x, t, scale):
    with np.errstate(over="ignore", invalid="ignore"):  # (inf / inf: NaN, as PyTorch's, silently)
        z = B.exp(-t * x)
        return -scale * t * z / (1 + z) * g


SoftMarginLossBackward0 = defnode("SoftMarginLossBackward0", [_soft_margin_rule], "soft_margin",
                                  saves=True)


def soft_margin_loss(input, target, reduction):
    """log(1 + exp(-target * input)), in the input's dtype, target broadcast to it."""
    x = input._data
    t = target._data.astype(x.dtype, copy=False)
    with np.errstate(over="ignore"):
        loss = np.log1p(np.exp(-x * t))
    return record1(SoftMarginLossBackward0, reduce_losses(loss, reduction), input,
                   (input, _new(t), _scale(reduction, loss.size)))


def _multi_margin_rule(B, g, ans, x, index, shape, coef, p, margin):
    """Each active margin term's derivative goes to its class, minus their sum to the target."""
    x2 = B.reshape(x, shape)
    z = margin - B.reshape(x2[index], (-1, 1)) + x2
    slope = B.where(z > 0, z * (2 * coef) if p == 2 else coef, 0.0)
    gz = slope * B.reshape(g, (-1, 1))
    gx = gz + B.index_grad(-B.sum(gz, (1,), False), shape, index, True)
    return B.reshape(gx, tuple(x.shape))


MultiMarginLossBackward0 = defnode("MultiMarginLossBackward0", [_multi_margin_rule],
                                   "multi_margin", saves=True)


def multi_margin_loss(input, target, p, margin, weight, reduction):
    """Per sample, sum over classes i != y of max(0, margin - x[y] + x[i]) ** p (times
    weight[y]) / C, reduced; input is (N, C) or (C,), target the class indices y."""
    a = input._data
    shape = n, c = a.reshape(-1, a.shape[-1]).shape
    x2, y = a.reshape(shape), target._data.reshape(-1)
    index = (np.arange(n), y)
    z = margin - x2[index][:, None] + x2
    coef = np.ones(shape, a.dtype)
    coef[index] = 0
    if weight is not None:
        coef *= weight._data[y][:, None]
    losses = ((np.maximum(z, 0) if p == 1 else np.maximum(z, 0) ** 2) * coef).sum(1) / c
    if reduction == "none":
        loss = losses.reshape(target._data.shape)
    else:  # (an empty batch gives 0)
        loss = np.asarray(losses.sum() / (n if reduction == "mean" and n else 1), a.dtype)
    coef /= c * (n if reduction == "mean" else 1)
    return record1(MultiMarginLossBackward0, loss, input, (input, index, shape, coef, p, margin))


def _multilabel_margin_rule(B, g, ans, x, y, coef):
    """Each active term's 1 / C goes to its other class i, minus it to its target class j."""
    shape = coef.shape[0], coef.shape[2]
    x2 = B.reshape(x, shape)
    rows = np.arange(shape[0])[:, None]
    z = 1 - B.unsqueeze(x2[rows, y], 2) + B.unsqueeze(x2, 1)
    gz = B.where(z > 0, coef, 0.0) * B.reshape(g, (-1, 1, 1))
    gx = B.sum(gz, (1,), False) + B.index_grad(-B.sum(gz, (2,), False), shape, (rows, y))
    return B.reshape(gx, tuple(x.shape))


MultilabelMarginLossBackward0 = defnode("MultilabelMarginLossBackward0",
                                        [_multilabel_margin_rule], "multilabel_margin", saves=True)


def multilabel_margin_loss(input, y, listed, reduction):
    """Per sample n, the sum of max(0, 1 - x[y[n, j]] + x[i]) over its listed targets j and
    the classes i that are no target, / C; reduced. y is (N, C), 0 where not listed."""
    a = input._data
    shape = y.shape
    n, c = shape
    x2 = a.reshape(shape)
    rows = np.arange(n)[:, None]
    is_target = np.zeros(shape, bool)
    is_target[np.broadcast_to(rows, shape)[listed], y[listed]] = True
    coef = (listed[:, :, None] & ~is_target[:, None, :]).astype(a.dtype) / a.dtype.type(c)
    z = 1 - x2[rows, y][:, :, None] + x2[:, None, :]
    losses = (np.maximum(z, 0) * coef).sum((1, 2))
    if reduction == "none":
        loss = losses.reshape(a.shape[:-1])
    else:
        loss = np.asarray(losses.sum(), a.dtype)
        if reduction == "mean":  # (no samples: 0, where PyTorch leaves memory unset)
            loss /= max(n, 1)
            coef /= n
    return record1(MultilabelMarginLossBackward0, loss, input, (input, y, coef))
