"""Classification loss ops: the negative log-likelihood of target classes, and binary
cross-entropy of probabilities or logits."""
import numpy as np

from ..._ops import NP, broadcast_meta, defnode, record, record1
from .activations import _log_sigmoid
from .common import _scale, reduce_losses


_EPS = float(np.float32(1e-12))  # PyTorch's floor (a float32) for x * (1 - x) in BCE's gradient


def _nll_rule(B, g, ans, coef, index, shape):
    """Only the picked log-probabilities get a gradient: -weight[target] (/ total weight).
    The index picks one class per sample: no element twice."""
    return B.index_grad(g * coef, shape, index, True)


NllLossBackward0 = defnode("NllLossBackward0", [_nll_rule], "nll", saves=True)
NllLoss2DBackward0 = defnode("NllLoss2DBackward0", [_nll_rule], "nll", saves=True)


def nll_loss(input, target, weight, ignore_index, reduction):
    """-input[n, target[n]] * weight[target[n]], reduced; input is (C,), (N, C) or (N, C, H, W).

    Entries whose target is ignore_index count for nothing (also not in the mean's denominator).
    """
    a, t = input._data, target._data
    n_classes = a.shape[0] if a.ndim == 1 else a.shape[1]
    outside = (t.view(f"u{t.itemsize}") if t.dtype.kind == "i" else t) >= n_classes  # or < 0
    ignored = None
    if 0 <= ignore_index < n_classes or outside.any():
        ignored = t == ignore_index
        bad = outside & ~ignored
        if bad.any():
            raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")
        t = np.where(ignored, 0, t)
    if a.ndim <= 2:
        index = (t,) if a.ndim == 1 else (np.arange(len(t)), t)
    else:
        grid = np.indices(t.shape, sparse=True)
        index = (grid[0], t) + tuple(grid[1:])
    if weight is None and ignored is None and reduction != "none" and t.size:
        loss, coef = _nll_unweighted(-a[index], reduction)
    else:
        loss, coef = _nll_weighted(a, t, index, weight, ignored, reduction)
    cls = NllLoss2DBackward0 if a.ndim == 4 else NllLossBackward0
    return record1(cls, loss, input, (coef, index, a.shape))


def _nll_unweighted(losses, reduction):
    """(loss, gradient coefficients) of 'sum' / 'mean' when every weight is 1: no weight passes."""
    loss, coef = losses.sum(), -losses.dtype.type(1)
    if reduction == "mean":
        n = losses.dtype.type(losses.size)
        loss, coef = loss / n, coef / n
    coefs = np.empty(losses.shape, losses.dtype)
    coefs.fill(coef)
    return np.asarray(loss), coefs


def _nll_weighted(a, t, index, weight, ignored, reduction):
    """(loss, gradient coefficients) with class weights and/or ignored entries."""
    w = np.ones(t.shape, a.dtype) if weight is None else weight._data[t].astype(a.dtype)
    if ignored is not None:
        w[ignored] = 0
    losses, coef = -a[index] * w, -w
    if ignored is not None:  # ignored entries: +0 (not -0) losses and gradients, as in PyTorch
        losses[ignored] = coef[ignored] = 0
    if reduction == "none":
        return losses, coef
    loss = losses.sum()
    if reduction == "mean":
        total = w.sum()
        with np.errstate(invalid="ignore", divide="ignore"):  # nothing counts: a nan loss, as
            loss, coef = loss / total, coef / total  # in PyTorch
        if ignored is not None:
            coef[ignored] = 0  # (0 / 0 when nothing counts)
    return np.asarray(loss), coef


def _bce_input_rule(B, g, ans, x, t, w, scale):
    d = (1 - x) * x
    gi = g * (x - t) / B.where(d < _EPS, _EPS, d)
    return _weighted(gi, w, scale)


def _bce_target_rule(B, g, ans, x, t, w, scale):
    with np.errstate(divide="ignore"):
        gt = -B.log(x / (1 - x)) * g  # -logit(x), unclamped as in PyTorch
    return _weighted(gt, w, scale)


def _weighted(grad, w, scale):
    if w is not None:
        grad = grad * w
    return grad * scale if scale != 1.0 else grad


BinaryCrossEntropyBackward0 = defnode("BinaryCrossEntropyBackward0",
                                      [_bce_input_rule, _bce_target_rule], "bce", saves=True)


def binary_cross_entropy(input, target, weight, reduction):
    """-w * (t * log(x) + (1 - t) * log(1 - x)), each log floored at -100 as in PyTorch."""
    x, t = input._data, target._data
    if not ((x >= 0) & (x <= 1)).all():  # NaN included
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((t >= 0) & (t <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    with np.errstate(divide="ignore"):
        loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
    w = None if weight is None else np.broadcast_to(weight._data.astype(x.dtype), x.shape)
    if w is not None:
        loss = loss * w
    return record(BinaryCrossEntropyBackward0, reduce_losses(loss, reduction), (input, target),
                  (input, target, w, _scale(reduction, x.size)))


def _bce_logits_input_rule(B, g, ans, x, t, w, pw, scale):
    sig = B.sigmoid(x)
    gi = (sig - t if pw is None else (pw * t + 1 - t) * sig - pw * t) * g
    return _weighted(gi, w, scale)


def _bce_logits_target_rule(B, g, ans, x, t, w, pw, scale):
    gt = -x if pw is None else -x - (pw - 1) * _log_sigmoid(B, x)
    return _weighted(gt * g, w, scale)


BinaryCrossEntropyWithLogitsBackward0 = defnode(
    "BinaryCrossEntropyWithLogitsBackward0", [_bce_logits_input_rule, _bce_logits_target_rule],
    "bce", saves=True)


def binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction):
    """BCE on sigmoid(input), computed stably from the logits: (1-t)x - (1+(pw-1)t) log σ(x).

    The loss has the (floating) target's dtype, as PyTorch's in-place steps give it.
    """
    x, t = input._data, target._data
    pw = None if pos_weight is None else pos_weight._data.astype(t.dtype)
    log_weight = 1 if pw is None else 1 + (pw - 1) * t
    loss = ((1 - t) * x - log_weight * _log_sigmoid(NP, x)).astype(t.dtype, copy=False)
    w = None if weight is None else np.broadcast_to(weight._data.astype(t.dtype), x.shape)
    if w is not None:
        loss = loss * w
    return record(BinaryCrossEntropyWithLogitsBackward0, reduce_losses(loss, reduction),
                  (input, target), (input, target, w, pw, _scale(reduction, x.size)),
                  broadcast_meta(loss, input, target))
