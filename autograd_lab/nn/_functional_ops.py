"""The op-table entries nn adds: fused layer and loss ops with their own backward rules.

They follow the engine's conventions (see `autograd_lab/_ops/`): a numpy forward, then
`record(...)` with a node class made by `defnode`, whose rules `rule(B, g, ans, *saved)` are
written against the vocabulary `B` (numpy, or autograd_lab ops for create_graph=True).
Each node carries PyTorch's name, so a model's graph reads as PyTorch's does.
"""
import math

import numpy as np

from .. import _dtypes
from .._ops import NP, broadcast_meta, defnode, record, record1
from .._tensor import _new

_EPS = float(np.float32(1e-12))  # PyTorch's floor (a float32) for x * (1 - x) in BCE's gradient

def scalar_type(a):
    """PyTorch's scalar-type name of an array's dtype in messages ('Double', 'Float', ...)."""
    return _dtypes.of_array(a).legacy


# ================================================================================================
# Losses
# ================================================================================================


def reduce_losses(loss, reduction):
    """Apply 'none' / 'mean' / 'sum' to an array of per-element losses."""
    if reduction == "none":
        return loss
    if reduction == "mean" and not loss.size:
        return np.asarray(np.nan, loss.dtype)  # the mean of nothing, without numpy's warning
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
    return np.asarray(loss), np.full(losses.shape, coef)


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


# ================================================================================================
# Small ops PyTorch's composite losses record under their own names
# ================================================================================================

DivBackward1 = defnode("DivBackward1", [lambda B, g, ans, c: g / c], "/")
MulBackward1 = defnode("MulBackward1", [lambda B, g, ans, c: g * c], "*")


def div_scalar(x, c):
    """x / c for a Python number c (DivBackward1)."""
    return record1(DivBackward1, x._data / c, x, (c,))


def mul_scalar(x, c):
    """x * c for a Python number c (MulBackward1)."""
    return record1(MulBackward1, x._data * c, x, (c,))


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
    return B.where(ans > 0, g, g * slope)


LeakyReluBackward0 = defnode("LeakyReluBackward0", [
    lambda B, g, ans, x, slope: B.where(x > 0, g, g * slope)], "leaky_relu", saves=True)
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
    lambda B, g, ans, lo, hi: B.where((ans <= lo) | (ans >= hi), 0.0, g)], "hardtanh",
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
HardsigmoidBackward0 = defnode("HardsigmoidBackward0", [
    lambda B, g, ans, x: B.where((x > -3) & (x < 3), g * _ONE_SIXTH, 0.0)], "hardsigmoid",
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


# ================================================================================================
# Layer norm and embedding
# ================================================================================================

def _normalized(B, x, dims, eps, mean, rstd):
    """((x - mean) * rstd, rstd): the forward's statistics for numpy rules; for create_graph,
    recomputed from x (their own dependence on x matters to higher derivatives)."""
    if B is NP:
        return (x - mean) * rstd, rstd
    xc = x - B.mean(x, dims)
    rstd = B.exp(B.log(B.mean(xc * xc, dims) + eps) * -0.5)
    return xc * rstd, rstd


def _layer_norm_input_rule(B, g, ans, x, w, dims, lead, eps, mean, rstd):
    xhat, rstd = _normalized(B, x, dims, eps, mean, rstd)
    gx = g if w is None else g * w
    return rstd * (gx - B.mean(gx, dims) - xhat * B.mean(gx * xhat, dims))


def _layer_norm_weight_rule(B, g, ans, x, w, dims, lead, eps, mean, rstd):
    return _sum_over(B, g * _normalized(B, x, dims, eps, mean, rstd)[0], lead)


def _sum_over(B, g, dims):
    return B.sum(g, dims, False) if dims else g


NativeLayerNormBackward0 = defnode("NativeLayerNormBackward0", [
    _layer_norm_input_rule, _layer_norm_weight_rule,
    lambda B, g, ans, x, w, dims, lead, *stats: _sum_over(B, g, lead)], "layer_norm", saves=True)


def layer_norm(x, n, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) over the last n dims, then * weight + bias."""
    a = x._data
    dims, lead = tuple(range(a.ndim - n, a.ndim)), tuple(range(a.ndim - n))
    mean = a.mean(dims, keepdims=True)
    xc = a - mean
    rstd = 1 / np.sqrt((xc * xc).mean(dims, keepdims=True) + eps)
    data = xc * rstd
    if weight is not None:
        data = data * weight._data
    if bias is not None:
        data = data + bias._data
    return record(NativeLayerNormBackward0, data, (x, weight, bias),
                  (x, weight, dims, lead, eps, mean, rstd))


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
