"""Activation ops, with formulas as PyTorch's CPU kernels write them; the in-place forms
(Backward1 nodes) work from the result."""
import math

import numpy as np

from ... import _ops
from ..._ops import NP, broadcast_meta, defnode, record, record1
from ..._random import numpy_rng
from .common import _floating


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


def _log_sigmoid(B, x):
    """log(sigmoid(x)) as PyTorch computes it: min(x, 0) - log1p(exp(-|x|))."""
    return B.where(x < 0, x, 0.0) - B.log1p(B.exp(-B.abs(x)))


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
