"""Activations (also in place: `relu_`, `elu_`, ...), softmax, log_softmax and softmin."""
import warnings

import numpy as np

from ... import _ops
from ..._ops import tanh, sigmoid, as_tensor_arg  # noqa: F401 (tanh, sigmoid: F.tanh, F.sigmoid)
from .. import _functional_ops as _F


def relu(input, inplace=False):
    """max(x, 0) (ReluBackward0); inplace=True overwrites input."""
    return _ops.relu_(input) if inplace else _ops.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x (LeakyReluBackward0; LeakyReluBackward1 in place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.leaky_relu(s, negative_slope, inplace), x, inplace)


def _activation(op, input, inplace):
    """op(x); inplace=True writes it into input (the op's graph then starts from a copy of
    input's old values, and a rule that reads the result watches input's version)."""
    x = as_tensor_arg(input)
    return _ops._apply_inplace(op, x) if inplace else op(x)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1) (EluBackward0; EluBackward1 in place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.elu(s, alpha, inplace), x, inplace)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1) (CeluBackward0; CeluBackward1 in
    place)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.celu(s, alpha, inplace), x, inplace)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with SELU's fixed alpha and scale (EluBackward0; EluBackward1 in
    place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.elu(s, _SELU_ALPHA, inplace, scale=_SELU_SCALE), x,
                       inplace)


def gelu(input, approximate="none"):
    """x * Φ(x), Φ the standard normal CDF; approximate='tanh' uses the tanh formula
    (GeluBackward0)."""
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _F.gelu(as_tensor_arg(input), approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (SiluBackward0)."""
    return _activation(_F.silu, input, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x)) (MishBackward0)."""
    return _activation(_F.mish, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta; x itself where beta * x > threshold (SoftplusBackward0)."""
    return _F.softplus(as_tensor_arg(input), beta, threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val] (HardtanhBackward0)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.hardtanh(s, min_val, max_val), x, inplace)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6) (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6 (HardsigmoidBackward0)."""
    return _activation(_F.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x) (HardswishBackward0)."""
    return _activation(_F.hardswish, input, inplace)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably (LogSigmoidBackward0)."""
    return _F.logsigmoid(as_tensor_arg(input))


def prelu(input, weight):
    """x where x > 0, else weight * x, with one weight or one per channel (dim 1)
    (PreluKernelBackward0; a weight of other dims than x's is viewed to broadcast, as PyTorch)."""
    x = as_tensor_arg(input)
    if x.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {x.dtype.legacy} and "
                           f"{weight.dtype.legacy}")
    if weight.numel() != 1:
        if not x.ndim:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = x.shape[1] if x.ndim > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    if x.ndim != weight.ndim:
        weight = _ops.reshape(weight, *[weight.numel() if d == 1 else 1 for d in range(x.ndim)])
    return _F.prelu(x, weight)


def threshold(input, threshold, value, inplace=False):
    """value where x <= threshold, else x (ThresholdBackward0; ThresholdBackward1 in place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.threshold(s, threshold, value, inplace), x, inplace)


# ---- in place: PyTorch's F.relu_, F.elu_, ... (the activations with inplace=True) ----------
def relu_(input):
    """relu, written into input."""
    return relu(input, True)


def elu_(input, alpha=1.0):
    """elu, written into input."""
    return elu(input, alpha, True)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu, written into input."""
    return leaky_relu(input, negative_slope, True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh, written into input (without hardtanh's check of min_val <= max_val, as
    PyTorch's)."""
    return _activation(lambda s: _F.hardtanh(s, min_val, max_val), input, True)


def threshold_(input, threshold, value):
    """threshold, written into input."""
    return _activation(lambda s: _F.threshold(s, threshold, value, True), input, True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """rrelu, written into input."""
    return rrelu(input, lower, upper, training, True)


def celu_(input, alpha=1.0):
    """celu, written into input."""
    return celu(input, alpha, True)


def selu_(input):
    """selu, written into input."""
    return selu(input, True)


def glu(input, dim=-1):
    """a * sigmoid(b), a and b the halves of input along dim (GluBackward0)."""
    x = as_tensor_arg(input)
    if not x.ndim:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _ops.norm_dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{x.shape[d]}")
    return _F.glu(x, d)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (HardshrinkBackward0)."""
    return _F.hardshrink(as_tensor_arg(input), lambd)


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0 (SoftshrinkBackward0)."""
    x = as_tensor_arg(input)
    if x.dtype.is_floating_point and not 0 <= lambd <= np.finfo(x._data.dtype).max:
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(x._data.dtype).max:g}] for "
                           f"input dtype {x.dtype.legacy}, but found {lambd:g}")
    return _F.softshrink(x, lambd)


def softsign(input):
    """x / (|x| + 1), composed as PyTorch's (DivBackward0 over AddBackward0 and AbsBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x) (SubBackward0 over TanhBackward0)."""
    return input - input.tanh()


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """x where x > 0, else x times a slope drawn uniformly from [lower, upper] per element when
    training (from autograd_lab's generator), else (lower + upper) / 2
    (RreluWithNoiseBackward0; RreluWithNoiseBackward1 in place)."""
    x = as_tensor_arg(input)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    _F._floating(x._data, "leaky_relu_cpu")
    return _activation(lambda s: _F.rrelu(s, lower, upper, training, inplace), x, inplace)


def _implicit_dim(name, dim):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      f"call to include dim=X as an argument.", UserWarning, stacklevel=3)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / exp(x).sum(dim) (SoftmaxBackward0)."""
    _implicit_dim("softmax", dim)
    return _ops.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x, dim) (LogSoftmaxBackward0)."""
    _implicit_dim("log_softmax", dim)
    return _ops.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x, dim): SoftmaxBackward0 over NegBackward0."""
    _implicit_dim("softmin", dim)
    return _ops.softmax(_ops.neg(input), dim, dtype)
