"""Margin and ranking losses: margin ranking, hinge embedding, soft margin, cosine embedding,
triplet margin, multi-class and multi-label margin."""
import numpy as np

from ... import _dtypes, _ops
from ..._tensor import _new
from .. import _functional_ops as _F
from ._common import (_REDUCTIONS, _check_into, _not_differentiable, _reduce, _reduction,
                      _scalar)
from ._distance import pairwise_distance


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin), reduced: target 1 asks input1 to rank
    higher, -1 lower."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    losses = _F.add_scalar(_ops.mul(_ops.neg(target), _ops.sub(input1, input2)), margin)
    return _reduce(_ops.clamp_min_(losses, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where it is -1, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    try:
        np.broadcast_shapes(target.shape, input.shape)
    except ValueError:
        raise _ops._broadcast_error(target.shape, input.shape) from None
    zeros = _new(np.zeros_like(input._data))
    margin_clamp = _ops.clamp_min_(_ops.sub(_scalar(margin, input), input), 0)
    t = target._data
    losses = _ops.add(_ops.where(_new(t != 1), margin_clamp, zeros),
                      _ops.where(_new(t != -1), input, zeros))
    return _reduce(losses, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), reduced (SoftMarginLossBackward0); target is ±1."""
    reduction = _reduction(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", target=target)
    _check_into(input.shape, target.shape)
    return _F.soft_margin_loss(input, target, reduction)


_COSINE_EPS = 1e-12  # PyTorch's EPSILON in cosine_embedding_loss


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1, reduced;
    composed as PyTorch's."""
    reduction = _reduction(size_average, reduce, reduction)
    d = target.dim()
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if (input1.dim(), input2.dim()) != (d + 1, d + 1):
        raise RuntimeError(f"{d}D target tensor expects {d + 1}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = _ops.sum(_ops.mul(input1, input2), d)
    squares = [_F.add_scalar(_ops.sum(_ops.mul(x, x), d), _COSINE_EPS) for x in (input1, input2)]
    cos = _ops.div(prod_sum, _ops.sqrt_(_ops.mul(*squares)))
    zeros = _new(np.zeros_like(cos._data))
    t = target._data
    pos = _ops.where(_new(t == 1), _ops.sub(_scalar(1, cos), cos), zeros)
    neg = _ops.where(_new(t == -1), _ops.clamp_min_(_F.sub_scalar(cos, margin), 0), zeros)
    return _reduce(_ops.add(pos, neg), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise p-distance
    (with swap, the smaller of d(a, n) and d(p, n)), reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_triplet(anchor, positive, negative, margin)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = _ops.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    losses = _ops.clamp_min(_ops.sub(_F.add_scalar(dist_pos, margin), dist_neg), 0)
    return _reduce(losses, reduction)


def _check_triplet(anchor, positive, negative, margin):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) > 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """triplet_margin_loss with any distance function (pairwise_distance by default), composed
    as PyTorch's."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_triplet(anchor, positive, negative, margin)
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos, dist_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        dist_neg = _ops.minimum(dist_neg, distance(positive, negative))
    return _reduce(_ops.clamp_min(margin + dist_pos - dist_neg, 0), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Per sample, the mean over classes i != y of max(0, margin - x[y] + x[i]) ** p (times
    weight[y]), reduced (MultiMarginLossBackward0); p is 1 or 2."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _not_differentiable("multi_margin_loss", weight=weight)
    shape = list(input.shape)
    n, c = _samples_and_classes(input)
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input has shape {shape}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    for expected, t in ((_dtypes.int64, target), (input.dtype, weight)):
        if t is not None and t.dtype != expected:
            raise RuntimeError(f"expected scalar type {expected.legacy} but found "
                               f"{t.dtype.legacy}")
    y = target._data
    if y.size and (y.min() < 0 or y.max() >= c):
        raise RuntimeError("target out of range")
    return _F.multi_margin_loss(input, target, p, margin, weight, reduction)


def _samples_and_classes(input):
    """(N, C) of a margin loss's (C,) or (N, C) input, with PyTorch's error for other shapes."""
    shape = list(input.shape)
    if not (input.ndim == 1 and shape[0] or input.ndim == 2 and shape[1]):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {shape}")
    return (1, shape[0]) if input.ndim == 1 else tuple(shape)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Per sample, the sum over its target classes j (target's leading entries, up to the first
    -1) and the other classes i of max(0, 1 - (x[j] - x[i])), / C; reduced
    (MultilabelMarginLossBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    n, c = _samples_and_classes(input)
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    if target.dtype != _dtypes.int64:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.legacy}")
    y = target._data.reshape(n, c)
    if ((y < -1) | (y >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    listed = np.cumsum(y < 0, axis=1) == 0  # the entries before the first -1
    return _F.multilabel_margin_loss(input, np.where(listed, y, 0), listed, reduction)
