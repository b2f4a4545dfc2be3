"""The op-table entries nn adds: fused layer and loss ops with their own backward rules.

They follow the engine's conventions (see `autograd_lab/_ops/`): a numpy forward, then
`record(...)` with a node class made by `defnode`, whose rules `rule(B, g, ans, *saved)` are
written against the vocabulary `B` (numpy, or autograd_lab ops for create_graph=True).
Each node carries PyTorch's name, so a model's graph reads as PyTorch's does.
"""
import math
from typing import NamedTuple

import numpy as np

from .. import _dtypes
from .. import _ops
from .._grad_mode import no_grad
from .._ops import (NP, LinalgVectorNormBackward0, broadcast_meta, defnode, norm_dim, record,
                    record1)
from .._random import numpy_rng
from .._tensor import _new

_EPS = float(np.float32(1e-12))  # PyTorch's floor (a float32) for x * (1 - x) in BCE's gradient

def scalar_type(a):
    """PyTorch's scalar-type name of an array's dtype in messages ('Double', 'Float', ...)."""
    return _dtypes.of_array(a).legacy


# ================================================================================================
# Bilinear: trilinear (x1, W, x2 -> sum_ij x1_i W_oij x2_j as one node)
# ================================================================================================

TrilinearBackward0 = defnode("TrilinearBackward0", [
    lambda B, g, ans, x1, w, x2: B.einsum("bo,oij,bj->bi", g, w, x2),
    lambda B, g, ans, x1, w, x2: B.einsum("bo,bi,bj->oij", g, x1, x2),
    lambda B, g, ans, x1, w, x2: B.einsum("bo,bi,oij->bj", g, x1, w)], "trilinear", saves=True)


def trilinear(x1, w, x2):
    """out[b, o] = sum_ij x1[b, i] w[o, i, j] x2[b, j] for 2-D x1, x2 and 3-D w."""
    data = np.einsum("bi,oij,bj->bo", x1._data, w._data, x2._data, optimize=True)
    return record(TrilinearBackward0, data, (x1, w, x2), (x1, w, x2))


# ================================================================================================
# Losses
# ================================================================================================


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


MseLossBackward0 = defnode("MseLossBackward0", [
    lambda B, g, ans, x, t, norm: norm * (x - t) * g,
    lambda B, g, ans, x, t, norm: norm * (t - x) * g], "mse", saves=True)  # +0 where x == t


def _floating(a, kernel):
    """a, if floating; else PyTorch's error for the CPU kernel `kernel`."""
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type(a)}\'')
    return a


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


def _log_sigmoid(B, x):
    """log(sigmoid(x)) as PyTorch computes it: min(x, 0) - log1p(exp(-|x|))."""
    return B.where(x < 0, x, 0.0) - B.log1p(B.exp(-B.abs(x)))


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


# ================================================================================================
# Small ops PyTorch's composite losses record under their own names
# ================================================================================================

AddBackward1 = defnode("AddBackward1", [lambda B, g, ans: g], "+")
SubBackward1 = defnode("SubBackward1", [lambda B, g, ans: g], "-")
DivBackward1 = defnode("DivBackward1", [lambda B, g, ans, c: g / c], "/")
MulBackward1 = defnode("MulBackward1", [lambda B, g, ans, c: g * c], "*")
NormBackward1 = defnode("NormBackward1", LinalgVectorNormBackward0._vjps, "norm", saves=True,
                        uses_ans=True)


def add_scalar(x, c):
    """x + c for a Python number c (AddBackward1)."""
    return record1(AddBackward1, x._data + c, x)


def sub_scalar(x, c):
    """x - c for a Python number c (SubBackward1)."""
    return record1(SubBackward1, x._data - c, x)


def div_scalar(x, c):
    """x / c for a Python number c (DivBackward1)."""
    return record1(DivBackward1, x._data / c, x, (c,))


def mul_scalar(x, c):
    """x * c for a Python number c (MulBackward1)."""
    return record1(MulBackward1, x._data * c, x, (c,))


def norm(x, p, dim, keepdim):
    """The p-norm of x along dim (`at::norm`, as PyTorch's C++ functions call it: NormBackward1)."""
    with no_grad():
        data = _ops.norm(x, p, dim, keepdim)._data
    return record1(NormBackward1, data, x, (x, p, (norm_dim(dim, x._data.ndim),), keepdim))


# ================================================================================================
# Activations (formulas as PyTorch's CPU kernels write them)
# ================================================================================================

_INPLACE_SLOPE = ("In-place {} backward calculation is triggered with a negative slope which is "
                  "not supported. This is caused by calling in-place forward function with a "
                  "negative slope, please call out-of-place version instead.")


def _leaky_relu_result_rule(B, g, ans, slope):
    if slope < 0:
        raise RuntimeError(_INPLACE_SLOPE.format("leakyReLu") + " File an issue at https://github"
                           ".com/pytorch/pytorch if you do require supporting in-place leakRelu "
                           "backward calculation with negative slope")
    return _leaky_grad(B, g, ans, slope)


def _leaky_grad(B, g, x, slope):
    return B.piecewise("LeakyReluBackwardBackward0", g, x,
                       lambda B, g, x: B.where(x > 0, g, g * slope))


LeakyReluBackward0 = defnode("LeakyReluBackward0", [
    lambda B, g, ans, x, slope: _leaky_grad(B, g, x, slope)], "leaky_relu", saves=True)
LeakyReluBackward1 = defnode("LeakyReluBackward1", [_leaky_relu_result_rule], "leaky_relu",
                             uses_ans=True)


def leaky_relu(x, slope, inplace):
    """x where x > 0, else slope * x; in place, the node works from the result (Backward1)."""
    a = _floating(x._data, "leaky_relu_cpu")
    data = np.where(a > 0, a, a * slope)
    if inplace:
        return record1(LeakyReluBackward1, data, x, (slope,))
    return record1(LeakyReluBackward0, data, x, (x, slope))


def _elu_rule(B, g, ans, x, alpha, scale, input_scale):
    with np.errstate(over="ignore"):  # exp of large inputs, not picked
        return B.where(x <= 0, g * input_scale * (alpha * scale) * B.exp(x * input_scale),
                       g * scale)


def _elu_result_rule(B, g, ans, alpha, scale, input_scale):
    if alpha < 0:
        raise RuntimeError(_INPLACE_SLOPE.format("elu"))
    return B.where(ans <= 0, g * input_scale * (ans + alpha * scale), g * scale)


EluBackward0 = defnode("EluBackward0", [_elu_rule], "elu", saves=True)
EluBackward1 = defnode("EluBackward1", [_elu_result_rule], "elu", uses_ans=True)
CeluBackward0 = defnode("CeluBackward0", [_elu_rule], "celu", saves=True)
CeluBackward1 = defnode("CeluBackward1", [_elu_result_rule], "celu", uses_ans=True)


def elu(x, alpha, inplace, scale=1.0):
    """scale * x where x >= 0 (±0 kept, as PyTorch), else alpha * scale * (exp(x) - 1): ELU,
    and SELU with its constants; in place, the node works from the result."""
    return _elu(x, alpha, inplace, scale, 1.0, 1.0, EluBackward0, EluBackward1)


def celu(x, alpha, inplace):
    """x where x >= 0, else alpha * (exp(x / alpha) - 1). PyTorch's backward takes 1 / alpha with
    alpha rounded to float32 (`1.0/alpha.toFloat()`)."""
    return _elu(x, alpha, inplace, 1.0, 1 / alpha, 1 / float(np.float32(alpha)), CeluBackward0,
                CeluBackward1)


def _elu(x, alpha, inplace, scale, input_scale, grad_input_scale, node, inplace_node):
    a = _floating(x._data, "elu_cpu")
    with np.errstate(over="ignore"):
        data = np.where(a < 0, np.expm1(a * input_scale) * (alpha * scale), a * scale)
    if inplace:
        return record1(inplace_node, data, x, (alpha, scale, grad_input_scale))
    return record1(node, data, x, (x, alpha, scale, grad_input_scale))


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 1.12837916709551257390 * _SQRT1_2 * 0.5  # M_2_SQRTPI * M_SQRT1_2 / 2
_GELU_BETA = math.sqrt(2) * 1.12837916709551257390 * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715


def _gelu_rule(B, g, ans, x, approximate):
    if approximate == "tanh":
        x_sq = x * x
        t = B.tanh(_GELU_BETA * (x + _GELU_KAPPA * (x_sq * x)))
        right = 0.5 * x * (1 - t * t) * (_GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq))
        return g * (0.5 * (1 + t) + right)
    cdf = 0.5 * (1 + B.erf(x * _SQRT1_2))
    return g * (cdf + x * (_GELU_PDF * B.exp(x * x * -0.5)))


GeluBackward0 = defnode("GeluBackward0", [_gelu_rule], "gelu", saves=True)


def gelu(x, approximate):
    """x * Φ(x) (Φ the standard normal CDF), or its tanh approximation."""
    a = _floating(x._data, "GeluKernelImpl")
    if approximate == "tanh":
        inner = _GELU_BETA * (a + _GELU_KAPPA * (a * a * a))
        data = 0.5 * a * (1 + np.tanh(inner))
    else:
        data = a * 0.5 * (1 + NP.erf(a * _SQRT1_2))
    return record1(GeluBackward0, data, x, (x, approximate))


def _silu_rule(B, g, ans, x):
    s = B.sigmoid(x)
    return g * s * (1 + x * (1 - s))


SiluBackward0 = defnode("SiluBackward0", [_silu_rule], "silu", saves=True)


def silu(x):
    """x * sigmoid(x)."""
    a = _floating(x._data, "silu_cpu")
    return record1(SiluBackward0, a * NP.sigmoid(a), x, (x,))


def _softplus_rule(B, g, ans, x, beta, threshold):
    xb = x * beta
    with np.errstate(over="ignore", invalid="ignore"):  # exp overflows only where not picked
        z = B.exp(xb)
        return B.where(xb > threshold, g, g * z / (z + 1))


SoftplusBackward0 = defnode("SoftplusBackward0", [_softplus_rule], "softplus", saves=True)


def softplus(x, beta, threshold):
    """log(1 + exp(beta * x)) / beta, or x itself where beta * x > threshold."""
    a = _floating(x._data, "softplus_cpu")
    xb = a * beta
    with np.errstate(over="ignore", divide="ignore"):
        data = np.where(xb > threshold, a, np.log1p(np.exp(xb)) / beta)
    return record1(SoftplusBackward0, data, x, (x, beta, threshold))


HardtanhBackward0 = defnode("HardtanhBackward0", [  # (the result's bounds are the input's)
    lambda B, g, ans, lo, hi: B.piecewise(
        "HardtanhBackwardBackward0", g, ans,
        lambda B, g, ans: B.where((ans <= lo) | (ans >= hi), 0.0, g))], "hardtanh",
    uses_ans=True)


def hardtanh(x, lo, hi):
    """x clamped to [lo, hi], in x's dtype; no gradient at or beyond the bounds."""
    a = x._data
    if a.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return record1(HardtanhBackward0, np.clip(a, lo, hi).astype(a.dtype, copy=False), x,
                   (lo, hi))


def _mish_rule(B, g, ans, x):
    with np.errstate(over="ignore"):  # exp(x) overflows to inf: tanh(log1p(inf)) = 1
        t = B.tanh(B.log1p(B.exp(x)))
    return g * (t + x * B.sigmoid(x) * (1 - t * t))


MishBackward0 = defnode("MishBackward0", [_mish_rule], "mish", saves=True)


def mish(x):
    """x * tanh(softplus(x))."""
    a = _floating(x._data, "mish_cpu")
    with np.errstate(over="ignore"):
        data = a * np.tanh(np.log1p(np.exp(a)))
    return record1(MishBackward0, data, x, (x,))


_ONE_SIXTH = float(np.float32(1) / np.float32(6))  # PyTorch's kernel: 1.0f / 6.0f, any dtype
_HardsigmoidBackwardBackward = _ops._not_implemented("hardsigmoid_backward")


def _hardsigmoid_rule(B, g, ans, x):
    """g / 6 inside (-3, 3); differentiable: PyTorch's node without a derivative."""
    if B is NP:
        return np.where((x > -3) & (x < 3), g * _ONE_SIXTH, 0.0)
    return record(_HardsigmoidBackwardBackward, _hardsigmoid_rule(NP, g._data, ans, x._data),
                  (g, x))


HardsigmoidBackward0 = defnode("HardsigmoidBackward0", [_hardsigmoid_rule], "hardsigmoid",
                               saves=True)
HardswishBackward0 = defnode("HardswishBackward0", [
    lambda B, g, ans, x: B.where(x < -3, 0.0, B.where(x <= 3, g * (x / 3 + 0.5), g))],
    "hardswish", saves=True)


def hardsigmoid(x):
    """min(max(x + 3, 0), 6) / 6."""
    a = _floating(x._data, "hardsigmoid_cpu")
    data = np.minimum(np.maximum(a + 3, 0), 6) / 6
    return record1(HardsigmoidBackward0, data.astype(a.dtype, copy=False), x,
                   (x,))


def hardswish(x):
    """x * min(max(x + 3, 0), 6) / 6."""
    a = _floating(x._data, "hardswish_cpu")
    data = a * np.minimum(np.maximum(a + 3, 0), 6) / 6
    return record1(HardswishBackward0, data.astype(a.dtype, copy=False), x,
                   (x,))


LogSigmoidBackward0 = defnode("LogSigmoidBackward0", [  # (sigmoid(-x): smooth at 0 for TB)
    lambda B, g, ans, x: B.sigmoid(-x) * g], "logsigmoid", saves=True)


def logsigmoid(x):
    """log(sigmoid(x)), computed stably."""
    a = _floating(x._data, "log_sigmoid_cpu")
    return record1(LogSigmoidBackward0, _log_sigmoid(NP, a), x, (x,))


def _prelu_input_rule(B, g, ans, x, w):
    """g where x > 0, else w * g (a frozen weight: as PyTorch's node, connected to x)."""
    if B is NP or w.requires_grad:
        return B.where(x > 0, g, w * g)
    return B.piecewise("PreluKernelBackwardBackward0", g, x,
                       lambda B, g, x: B.where(x > 0, g, w._data * g))


PreluKernelBackward0 = defnode("PreluKernelBackward0", [
    _prelu_input_rule,
    lambda B, g, ans, x, w: B.where(x > 0, 0.0, x * g)], "prelu", saves=True)


def prelu(x, w):
    """x where x > 0, else w * x, w broadcast against x (its gradient summed back)."""
    a = x._data
    data = np.where(a > 0, a, w._data * a)
    return record(PreluKernelBackward0, data, (x, w), (x, w), broadcast_meta(data, x, w))


ThresholdBackward0 = defnode("ThresholdBackward0", [
    lambda B, g, ans, x, th: B.piecewise("ThresholdBackwardBackward0", g, x,
                                         lambda B, g, x: B.where(x <= th, 0.0, g))],
    "threshold", saves=True)
ThresholdBackward1 = defnode("ThresholdBackward1", [  # in place: where x was dropped (saved)
    lambda B, g, ans, dropped: B.piecewise("ThresholdBackwardBackward0", g, ans,
                                           lambda B, g, ans: B.where(B.const(dropped), 0.0, g))],
    "threshold", uses_ans=True)


def threshold(x, th, value, inplace):
    """value where x <= th, else x; in place, the node works from the result (Backward1)."""
    a = x._data
    if a.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    data = np.where(a <= th, value, a).astype(a.dtype, copy=False)
    if inplace:
        return record1(ThresholdBackward1, data, x, (a <= th,))
    return record1(ThresholdBackward0, data, x, (x, th))


def _rrelu_grad(B, g, x, noise, slope):
    return B.piecewise("RreluWithNoiseBackwardBackward0", g, x,
                       lambda B, g, x: g * B.const(noise) if noise is not None
                       else B.where(x > 0, g, g * slope))


RreluWithNoiseBackward0 = defnode("RreluWithNoiseBackward0", [
    lambda B, g, ans, x, noise, slope: _rrelu_grad(B, g, x, noise, slope)], "rrelu", saves=True)
RreluWithNoiseBackward1 = defnode("RreluWithNoiseBackward1", [
    lambda B, g, ans, noise, slope: _rrelu_grad(B, g, ans, noise, slope)], "rrelu",
    uses_ans=True)


def rrelu(x, lower, upper, training, inplace):
    """x where x > 0, else x times a random slope in [lower, upper] (the noise, saved) when
    training, else (lower + upper) / 2; PyTorch's backward takes the mean slope when
    upper - lower <= 1e-6."""
    a = x._data
    slope = (lower + upper) / 2
    noise = None
    if training:
        drawn = numpy_rng().uniform(lower, upper, a.shape).astype(a.dtype)
        noise = np.where(a <= 0, drawn, a.dtype.type(1))
        data = a * noise
        if upper - lower <= 1e-6:
            noise = None
    else:
        data = np.where(a > 0, a, a * slope)
    if inplace:
        return record1(RreluWithNoiseBackward1, data, x, (noise, slope))
    return record1(RreluWithNoiseBackward0, data, x, (x, noise, slope))


def _shrink_rule(name):
    return lambda B, g, ans, x, lambd: B.piecewise(
        name, g, x, lambda B, g, x: B.where(B.abs(x) <= lambd, 0.0, g))


HardshrinkBackward0 = defnode("HardshrinkBackward0", [_shrink_rule("HardshrinkBackwardBackward0")],
                              "hardshrink", saves=True)
SoftshrinkBackward0 = defnode("SoftshrinkBackward0", [_shrink_rule("SoftshrinkBackwardBackward0")],
                              "softshrink", saves=True)


def hardshrink(x, lambd):
    """x where |x| > lambd, else 0."""
    a = _floating(x._data, "hardshrink_cpu")
    return record1(HardshrinkBackward0, np.where(np.abs(a) <= lambd, 0, a), x, (x, lambd))


def softshrink(x, lambd):
    """x moved lambd towards 0, and +0 where |x| <= lambd (as PyTorch's vectorised kernel; its
    scalar loop, which does the last elements, gives x * 0)."""
    a = _floating(x._data, "softshrink_check")
    data = np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, 0))
    return record1(SoftshrinkBackward0, data, x, (x, lambd))


def _halves(shape, d):
    """The indices of the first and the second half of dim d."""
    n, lead = shape[d] // 2, (slice(None),) * d
    return lead + (slice(0, n),), lead + (slice(n, None),)


def _glu_rule(B, g, ans, x, d):
    shape = tuple(x.shape)
    first, second = _halves(shape, d)
    a, s = x[first], B.sigmoid(x[second])
    return (B.index_grad(g * s, shape, first, True)
            + B.index_grad(g * a * s * (1 - s), shape, second, True))


GluBackward0 = defnode("GluBackward0", [_glu_rule], "glu", saves=True)


def glu(x, d):
    """The first half of x along dim d times the sigmoid of the second half."""
    a = _floating(x._data, "glu_cpu")
    first, second = _halves(a.shape, d)
    return record1(GluBackward0, a[first] * NP.sigmoid(a[second]), x, (x, d))


# ================================================================================================
# Normalisation: layer, batch and group norm share one set of rules
# ================================================================================================

class NormGeometry(NamedTuple):
    """Where a normalisation takes its statistics and applies its weight and bias."""
    dims: tuple  # the dims of x (or of its grouped view) the statistics are taken over
    view: tuple  # group norm's (N, groups, -1) view of x; None for the others
    pdims: tuple  # the dims of x that weight's and bias's gradients sum over
    pshape: tuple  # weight's and bias's shape
    wshape: tuple  # weight's shape broadcast against x
    eps: float
    training: bool  # statistics of x itself (else running ones: constants)


def _grouped(B, t, geo):
    return t if geo.view is None else B.reshape(t, geo.view)


def _normalized(B, x, geo, mean, var):
    """((x - mean) * rstd, rstd) in the statistics' view, rstd = 1 / sqrt(var + eps). Running
    statistics are constants; batch statistics are the forward's for numpy rules, and for
    create_graph recomputed from x (their own dependence on x matters to higher derivatives)."""
    x = _grouped(B, x, geo)
    if not geo.training:
        mean, var = B.reshape(mean, geo.wshape), B.reshape(var, geo.wshape)
    elif B is not NP:
        mean = B.mean(x, geo.dims)
        xc = x - mean
        var = B.mean(xc * xc, geo.dims)
    rstd = 1 / B.sqrt(var + geo.eps)
    return (x - mean) * rstd, rstd


def _norm_input_rule(B, g, ans, x, w, geo, mean, var, *running):
    xhat, rstd = _normalized(B, x, geo, mean, var)
    gx = _grouped(B, g if w is None else g * B.reshape(w, geo.wshape), geo)
    if geo.training:
        gx = gx - B.mean(gx, geo.dims) - xhat * B.mean(gx * xhat, geo.dims)
    return B.reshape(rstd * gx, x.shape)


def _param_grad(B, g, geo):
    """g summed over pdims into the parameters' shape."""
    return B.reshape(B.sum(g, geo.pdims, True), geo.pshape) if geo.pdims else g


def _norm_weight_rule(B, g, ans, x, w, geo, mean, var, *running):
    xhat = B.reshape(_normalized(B, x, geo, mean, var)[0], x.shape)
    return _param_grad(B, g * xhat, geo)


_NORM_RULES = [_norm_input_rule, _norm_weight_rule,
               lambda B, g, ans, x, w, geo, *stats: _param_grad(B, g, geo)]
NativeLayerNormBackward0 = defnode("NativeLayerNormBackward0", _NORM_RULES, "layer_norm",
                                   saves=True)
NativeBatchNormBackward0 = defnode("NativeBatchNormBackward0", _NORM_RULES, "batch_norm",
                                   saves=True)
NativeGroupNormBackward0 = defnode("NativeGroupNormBackward0", _NORM_RULES, "group_norm",
                                   saves=True)


def _normalize(cls, x, weight, bias, geo, running=(None, None)):
    """(x - mean) / sqrt(var + eps) * weight + bias, recorded as cls; the statistics are taken
    over geo.dims when training, else they are the running ones. Running statistics are saved
    (last when training, for the version check only): changing them in place before backward is
    an error, as in PyTorch."""
    a = _grouped(NP, x._data, geo)
    mean, var = running
    if geo.training:
        mean = a.mean(geo.dims, keepdims=True)
        xc = a - mean
        var = (xc * xc).mean(geo.dims, keepdims=True)
        rstd = 1 / np.sqrt(var + geo.eps)
    else:
        xc = a - mean._data.reshape(geo.wshape)
        rstd = 1 / np.sqrt(var._data.reshape(geo.wshape) + geo.eps)
    data = (xc * rstd).reshape(x._data.shape)
    if weight is not None:
        data = data * weight._data.reshape(geo.wshape)
    if bias is not None:
        data = data + bias._data.reshape(geo.wshape)
    saved = (x, weight, geo, mean, var)
    if geo.training and running[0] is not None:
        saved += running
    return record(cls, data, (x, weight, bias), saved)


def layer_norm(x, n, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) over the last n dims, then * weight + bias."""
    ndim = x._data.ndim
    shape = x._data.shape[ndim - n:]
    geo = NormGeometry(tuple(range(ndim - n, ndim)), None, tuple(range(ndim - n)), shape, shape,
                       eps, True)
    return _normalize(NativeLayerNormBackward0, x, weight, bias, geo)


def _channel_geometry(shape, dims, eps, training, view=None):
    """The geometry of a norm with one weight and bias per channel (dim 1)."""
    return NormGeometry(dims, view, (0,) + tuple(range(2, len(shape))), shape[1:2],
                        (shape[1],) + (1,) * (len(shape) - 2), eps, training)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    """Normalise each channel over the batch (and spatial dims) with the batch's statistics
    when training (updating the running ones in place: momentum-weighted, unbiased variance),
    else with the running statistics."""
    a = x._data
    dims = (0,) + tuple(range(2, a.ndim))
    geo = _channel_geometry(a.shape, dims, eps, training)
    out = _normalize(NativeBatchNormBackward0, x, weight, bias, geo, (running_mean, running_var))
    if training and running_mean is not None:  # in float64, as PyTorch's accumulate type;
        # the version stays: PyTorch's kernel writes the buffers directly
        a = a.astype(np.float64)
        mean = a.mean(dims)
        var = ((a - mean.reshape(geo.wshape)) ** 2).sum(dims) / (a.size // a.shape[1] - 1)
        for buf, stat in ((running_mean, mean), (running_var, var)):
            buf._data[...] = momentum * stat + (1 - momentum) * buf._data.astype(np.float64)
    return out


def group_norm(x, groups, weight, bias, eps):
    """Normalise each sample's channels in `groups` groups, then a per-channel weight and bias."""
    shape = x._data.shape
    geo = _channel_geometry(shape, (2,), eps, True,
                            (shape[0], groups, math.prod(shape[1:]) // groups))
    return _normalize(NativeGroupNormBackward0, x, weight, bias, geo)


# ================================================================================================
# Embedding
# ================================================================================================

def _embedding_rule(B, g, ans, ix, shape, padded, freq):
    if freq is not None:
        g = g * freq
    if padded is not None:
        g = B.where(padded, 0.0, g)
    return B.index_grad(g, shape, (ix,))


EmbeddingBackward0 = defnode("EmbeddingBackward0", [_embedding_rule], "embedding")


def embedding(ix, weight, padding_idx, scale_grad_by_freq):
    """weight's rows at the indices ix; rows at padding_idx (>= 0) get no gradient, and with
    scale_grad_by_freq each row's gradient is divided by how often ix names it."""
    w = weight._data
    padded = freq = None
    if padding_idx >= 0:
        padded = (ix == padding_idx)[..., None]
    if scale_grad_by_freq:
        freq = (1 / np.bincount(ix.ravel(), minlength=len(w))[ix]).astype(w.dtype)[..., None]
    return record1(EmbeddingBackward0, w[ix], weight, (ix, w.shape, padded, freq))


def _bag_weight_rule(B, g, ans, w, psw, pick, shape):
    """sum/mean: each kept position's row gets its bag's gradient times its coefficient; max:
    each bag's gradient goes to the rows that gave the maxima."""
    kind, rows, bags, coef = pick
    if kind == "max":
        return B.index_grad(g * coef, shape, (rows, np.arange(shape[1])), False)
    scale = coef if psw is None else coef * B.unsqueeze(psw[bags.kept], 1)
    return B.index_grad(g[bags.of[bags.kept]] * scale, shape, (rows,))


def _bag_sample_weight_rule(B, g, ans, w, psw, pick, shape):
    rows, bags = pick[1:3]
    grads = B.sum(g[bags.of[bags.kept]] * w[rows], (1,), False)
    return B.index_grad(grads, tuple(psw.shape), (bags.kept,), True)


EmbeddingBagBackward0 = defnode("EmbeddingBagBackward0", [_bag_weight_rule,
                                                          _bag_sample_weight_rule],
                                "embedding_bag", saves=True)


class Bags(NamedTuple):
    """The bag of every index position, the positions that count (not padding), and how many
    bags there are."""
    of: np.ndarray
    kept: np.ndarray
    count: int


def embedding_bag(weight, ix, bags, mode, per_sample_weights, freq):
    """Per bag, the sum, mean or max of the rows of weight at its kept indices (0 for a bag
    with none); per_sample_weights scale the rows (sum mode)."""
    w = weight._data
    d = w.shape[1]
    rows = ix[bags.kept]
    out = np.zeros((bags.count, d), w.dtype)
    if mode == "max":
        arg = np.full((bags.count, d), -1)
        for k, (b, r) in enumerate(zip(bags.of[bags.kept], rows)):
            better = (arg[b] < 0) | (w[r] > out[b])
            out[b, better], arg[b, better] = w[r, better], k
        filled = arg >= 0
        pick = ("max", np.where(filled, rows[np.maximum(arg, 0)], 0), bags,
                filled.astype(w.dtype))
    else:
        coef = np.ones(len(rows), w.dtype) if freq is None else freq[bags.kept].astype(w.dtype)
        picked = w[rows]
        if per_sample_weights is not None:
            picked = picked * per_sample_weights._data[bags.kept][:, None]
        np.add.at(out, bags.of[bags.kept], picked)
        if mode == "mean":
            sizes = np.bincount(bags.of[bags.kept], minlength=bags.count).astype(w.dtype)
            out /= np.maximum(sizes, 1)[:, None]
            coef = coef / np.maximum(sizes, 1)[bags.of[bags.kept]]
        pick = ("sum", rows, bags, coef[:, None])
    return record(EmbeddingBagBackward0, out, (weight, per_sample_weights),
                  (weight, per_sample_weights, pick, w.shape))


# ================================================================================================
# Losses of input - target
# ================================================================================================

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
