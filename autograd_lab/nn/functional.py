"""`nn.functional`: layers and losses as functions, with PyTorch's signatures and errors.

Activations and softmax are the engine's ops; convolutions, pooling and `pad` are in `_conv`;
`linear` and the losses are the fused ops of
`_functional_ops` (or engine ops composed exactly as PyTorch composes them, so that the
`grad_fn` names match: `l1_loss` is `MeanBackward0` over `AbsBackward0`, `cross_entropy` is
`NllLossBackward0` over `LogSoftmaxBackward0`).
"""
import math
import warnings

import numpy as np

from .. import _dtypes, _ops
from .._grad_mode import is_grad_enabled as _grad_enabled, no_grad
from .._ops import tanh, sigmoid, as_tensor_arg
from .._random import numpy_rng
from .._tensor import Tensor, _new
from . import _functional_ops as _F
from ._conv import (  # noqa: F401
    conv1d, conv2d, max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
    adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, pad)

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "pad", "relu", "tanh", "sigmoid", "softmax", "log_softmax",
           "dropout", "leaky_relu", "elu", "celu", "selu", "gelu", "silu", "mish", "softplus",
           "hardtanh", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "prelu", "threshold",
           "glu", "hardshrink", "softshrink", "softsign", "tanhshrink", "dropout1d", "dropout2d",
           "dropout3d", "alpha_dropout", "feature_alpha_dropout", "softmin", "one_hot", "normalize",
           "cosine_similarity", "pairwise_distance", "layer_norm", "rms_norm", "batch_norm",
           "group_norm", "instance_norm", "embedding", "embedding_bag", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "kl_div", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss", "rrelu", "relu_", "elu_", "leaky_relu_", "hardtanh_",
           "threshold_", "rrelu_", "celu_", "selu_"]


# ---- layers -------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """input @ weight.T + bias: AddmmBackward0 for 2-D input (MmBackward0 without bias)."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D "
                           f"and {weight.ndim}D")
    wt = _ops.t(weight)
    if bias is None:  # (matmul records PyTorch's mm steps for 1-D and batched inputs too)
        return _ops.matmul(x, wt)
    if x.ndim == 2:
        return _ops.addmm(bias, x, wt)
    flat = _ops.reshape(x, -1, x.shape[-1])
    return _ops.reshape(_ops.addmm(bias, flat, wt), *x.shape[:-1], weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """x1ᵀ W_o x2 for every output o (TrilinearBackward0 on the flattened inputs, viewed back),
    plus bias (AddBackward0)."""
    x1, x2 = as_tensor_arg(input1), as_tensor_arg(input2)
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{x1.shape[d]} and {x2.shape[d]}")
    for i, x in ((1, x1), (2, x2)):
        expected = weight.shape[_ops.norm_dim(i, weight.ndim)]
        if x.shape[-1] != expected:
            raise RuntimeError(f"bilinear(): input{i} size does not match weight size: got "
                               f"{x.shape[-1]} but expected {expected}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    named = {"input1": x1, "input2": x2, "weight": weight, "bias": bias}
    if len({t.dtype for t in named.values() if t is not None}) > 1:
        got = ", ".join(f"{k}: {t.dtype.legacy.lower()}" for k, t in named.items() if t is not None)
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    flat = [_ops.reshape(x, -1, x.shape[-1]) for x in (x1, x2)]
    out = _ops.reshape(_F.trilinear(flat[0], weight, flat[1]), *x1.shape[:-1], weight.shape[0])
    return out if bias is None else _ops.add(out, bias)


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


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,), 1 at each class index, else 0;
    num_classes=-1 takes the largest index + 1."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if not t.size:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    elif num_classes == -1:
        num_classes = int(t.max()) + 1
    elif t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _new((t[..., None] == np.arange(num_classes)).astype(np.int64))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, eps) along dim: DivBackward0 over ExpandBackward0, ClampMinBackward0 and
    LinalgVectorNormBackward0, as PyTorch composes it."""
    x = as_tensor_arg(input)
    denom = _ops.expand_as(_ops.clamp_min(_ops.norm(x, p, dim, keepdim=True), eps), x)
    if out is None:
        return _ops.div(x, denom)
    return out.copy_(_ops.div(x, denom))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum((x1 / max(‖x1‖, eps)) * (x2 / max(‖x2‖, eps)), dim), x1 and x2 broadcast, composed
    as PyTorch's: the norms are cloned and clamped in place without recording."""
    dtype = _dtypes.result_type(x1._data, x2._data)
    if dtype.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dtypes.FROM_NP[dtype].legacy}")
    x1, x2 = (x if x._data.dtype.kind == "f" else _ops.to_dtype(x, _dtypes.FROM_NP[dtype])
              for x in (x1, x2))
    if x1.shape != x2.shape:  # (both expanded, as PyTorch records it)
        try:
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        except ValueError:
            raise _ops._broadcast_error(x1.shape, x2.shape) from None
        x1, x2 = _ops.expand(x1, shape), _ops.expand(x2, shape)
    norms = [_ops.clone(_ops.norm(x, 2, dim, keepdim=True)) for x in (x1, x2)]
    with no_grad():
        for n in norms:
            n.clamp_min_(eps)
    return _ops.sum(_ops.mul(_ops.div(x1, norms[0]), _ops.div(x2, norms[1])), dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p over the last dim, x1 and x2 broadcast (NormBackward1 over AddBackward1
    and SubBackward0, as PyTorch)."""
    d = max(x1.ndim, x2.ndim) - 1
    return _F.norm(_F.add_scalar(_ops.sub(x1, x2), eps), p, d, keepdim)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing dims `normalized_shape` (mean 0, variance 1), then scale by
    weight and shift by bias (NativeLayerNormBackward0)."""
    x = as_tensor_arg(input)
    shape = _normalized_shape("layer_norm", x, normalized_shape, weight=weight, bias=bias)
    _check_norm_dtypes(x, "LayerNormKernelImpl", weight, bias)
    return _F.layer_norm(x, len(shape), weight, bias, eps)


def _normalized_shape(fname, x, normalized_shape, **params):
    """normalized_shape as a list, checked against x's trailing dims and the parameters' shapes
    with PyTorch's errors (fname's wording)."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    shape = list(normalized_shape)
    if not shape:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., "
                           f"containing at least one element, but got normalized_shape = {shape}")
    for name, p in params.items():
        if p is not None and list(p.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(p.shape)} and normalized_shape = {shape}")
    if fname == "rms_norm" and x.ndim < len(shape):
        raise ValueError(f"Input tensor must have at least {len(shape)} dimensions, but got "
                         f"{x.ndim}")
    if list(x.shape[x.ndim - len(shape):]) != shape or x.ndim < len(shape):
        star = "*" if fname == "rms_norm" else "*, "
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[{star}{', '.join(map(str, shape))}], but got input of size"
                           f"{list(x.shape)}")
    return shape


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x², trailing dims) + eps) * weight, composed as PyTorch's (eps None: the
    dtype's machine epsilon; a weight of another dtype: the product cast back to x's)."""
    x = as_tensor_arg(input)
    shape = _normalized_shape("rms_norm", x, normalized_shape, weight=weight)
    _F._floating(x._data, "rms_norm")
    eps = float(np.finfo(x._data.dtype).eps) if eps is None else eps
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    scale = _ops.rsqrt(_F.add_scalar(_ops.mean(_ops.pow(x, 2), dims, keepdim=True), eps))
    out = _ops.mul(x, scale)
    if weight is None:
        return out
    if {x.dtype, weight.dtype} == {_dtypes.float32, _dtypes.float64}:
        warnings.warn("Mismatch dtype between input and weight: input dtype = "
                      f"{x.dtype.legacy.lower()}, weight dtype = {weight.dtype.legacy.lower()}, "
                      "Cannot dispatch to fused implementation.", UserWarning, stacklevel=2)
    out = _ops.mul(out, weight)
    return out if out.dtype == x.dtype else _ops.to_dtype(out, x.dtype)


def _check_norm_dtypes(x, kernel, *params):
    """A floating x, and parameters of x's dtype, with PyTorch's errors."""
    _F._floating(x._data, kernel)
    if any(p is not None and p.dtype != x.dtype for p in params):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                           f"{x.dtype.legacy}" if x.dtype == _dtypes.float32 else
                           "mixed dtype (CPU): all inputs must share same datatype.")


def _not_differentiable(fname, **tensors):
    """PyTorch's error for an argument that must not require grad (while grad mode is on)."""
    for name, t in tensors.items():
        if t is not None and t.requires_grad and _grad_enabled():
            raise RuntimeError(f"The function '{fname}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad True.")


def _verify_batch_size(size):
    """PyTorch's check that training statistics have more than one value per channel."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) over the batch and spatial dims, then * weight + bias
    (NativeBatchNormBackward0). Training uses the batch's statistics and updates running_mean
    and running_var in place (new = (1 - momentum) * old + momentum * batch's, the variance
    unbiased); otherwise the running statistics normalise."""
    x = as_tensor_arg(input)
    if training:
        _verify_batch_size(x.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    channels = x.shape[1] if x.ndim > 1 else 0  # (PyTorch's count for fewer dims)
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
        if t is None and not training and name.startswith("running"):
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    _not_differentiable("native_batch_norm", running_mean=running_mean, running_var=running_var)
    _check_norm_dtypes(x, "batch_norm", weight, bias, running_mean, running_var)
    _ops.norm_dim(1, x.ndim)  # (PyTorch's IndexError for fewer dims, after its checks)
    if not x.numel():  # PyTorch: a copy (times weight[0], plus bias[0]); no statistics
        out = _ops.clone(x)
        if weight is not None:
            out = _ops.mul(out, weight[0])
        return out if bias is None else _ops.add(out, bias[0])
    return _F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample's channels in num_groups groups (over the group's channels and
    spatial dims), then a per-channel weight and bias (NativeGroupNormBackward0)."""
    x = as_tensor_arg(input)
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{x.ndim}")
    n, c = x.shape[:2]
    _verify_batch_size([n * c // num_groups, num_groups] + list(x.shape[2:]))
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            shown = [0] if weight is None else list(weight.shape)  # (PyTorch shows weight's)
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {shown} and input "
                               f"of shape {list(x.shape)}")
    _check_norm_dtypes(x, "GroupNormKernelImpl", weight, bias)
    return _F.group_norm(x, num_groups, weight, bias, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial dims, as PyTorch composes it:
    batch_norm of the (1, N * C, ...) view with the parameters repeated N times, viewed back;
    running statistics get the batch's mean of the per-sample updates."""
    x = as_tensor_arg(input)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    if use_input_stats:
        size = x.shape
        if math.prod(size[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {size}")
    n, c = x.shape[:2]
    repeated = [None if t is None else _ops.repeat(t, n)
                for t in (running_mean, running_var, weight, bias)]
    out = batch_norm(_ops.reshape(x, 1, n * c, *x.shape[2:]), *repeated, use_input_stats,
                     momentum, eps)
    with no_grad():
        for t, r in zip((running_mean, running_var), repeated):
            if t is not None:
                t.copy_(_ops.mean(_ops.reshape(r, n, c), 0))
    return _ops.reshape(out, *x.shape)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of weight at the indices in input (EmbeddingBackward0); the row at padding_idx
    gets no gradient; with max_norm, the rows looked up are first rescaled in place (without
    recording) to norm at most max_norm."""
    n = weight.shape[0]
    if padding_idx is not None and not -n <= padding_idx < n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if sparse:
        raise NotImplementedError("autograd_lab has no sparse gradients: use sparse=False")
    ix = _embedding_indices(input, weight, "embedding")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if ix.size and (ix.min() < 0 or ix.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, ix, max_norm, norm_type)
    pad = -1 if padding_idx is None else padding_idx % n
    return _F.embedding(ix, weight, pad, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """The sum, mean or max of the embeddings in each bag (EmbeddingBagBackward0): the rows of
    a 2-D input, or the runs of a 1-D input starting at `offsets`; entries equal to padding_idx
    are left out; per_sample_weights scale each entry (mode='sum'). scale_grad_by_freq divides
    each row's gradient by how often input names it, as documented (PyTorch 2.13's CPU kernel
    scales some rows by other rows' counts)."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        offsets = _new(np.arange(0, input.numel(), input.shape[1], dtype=input._data.dtype))
        include_last_offset = False
        input = _ops.reshape(input, -1)
        if per_sample_weights is not None:
            per_sample_weights = _ops.reshape(per_sample_weights, -1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise (ValueError("max mode does not support sparse weights") if mode == "max" else
               NotImplementedError("autograd_lab has no sparse gradients: use sparse=False"))
    ix = _embedding_indices(input, weight, "embedding_bag")
    if max_norm is not None:
        _renorm_rows(weight, ix, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    bags = _bags(ix, offsets._data, include_last_offset, weight.shape[0], padding_idx)
    freq = 1 / np.bincount(ix, minlength=weight.shape[0])[ix] if scale_grad_by_freq else None
    return _F.embedding_bag(weight, ix, bags, mode, per_sample_weights, freq)


def _embedding_indices(input, weight, fname):
    """input's index array, checked as PyTorch's embedding functions do."""
    ix = input._data
    if ix.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} instead "
                           f"(while checking arguments for {fname})")
    n = weight.shape[0]
    bad = (ix < 0) | (ix >= n)
    if fname == "embedding_bag" and bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise RuntimeError(f"Index {k} of input takes value {ix[k]} which is not in the valid "
                           f"range [0, {n})")
    return ix


def _bags(ix, starts, include_last_offset, n, padding_idx):
    """The Bags of the index positions: bag b runs from starts[b] to the next start."""
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {starts[0]}\n"
                           f"[ torch.LongTensor{{}} ]")
    if starts.size and starts[-1] > len(ix):
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {len(ix)} but "
                           f"got offsets[-1] of {starts[-1]}")
    if padding_idx is not None and not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} through "
                           f"{n - 1}, but got {padding_idx}")
    count = len(starts) - 1 if include_last_offset else len(starts)
    of = np.searchsorted(starts, np.arange(len(ix)), side="right") - 1
    kept = of < count  # (with include_last_offset, as documented, nothing after the last one:
    # PyTorch's kernels differ there by dtype)
    if padding_idx is not None:
        kept &= ix != padding_idx % n
    return _F.Bags(of, np.flatnonzero(kept), count)


def _renorm_rows(weight, ix, max_norm, norm_type):
    """Scale the rows of weight named in ix whose norm exceeds max_norm down to it, in place."""
    w = weight._data
    rows = np.unique(ix)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    w[rows[big]] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
    weight._bump_version()


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p), when training.

    The mask comes from the generator seeded by `manual_seed` (not PyTorch's numbers).
    """
    _check_p(p)
    return _dropout(as_tensor_arg(input), p, training, inplace)


def _dropout(x, p, training, inplace, feature=0, alpha=False):
    """PyTorch's dropout kernel: x * noise (+ a shift for alpha dropout), noise drawn per
    element or, for feature dropout, per entry of the first `feature` dims (per channel: 2)."""
    if not training or p == 0 or not x.numel():
        return x
    a = x._data
    if feature and a.ndim < feature:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        noise = np.zeros((), a.dtype)
    else:
        shape = a.shape[:feature] + (1,) * (a.ndim - feature) if feature else a.shape
        kept = numpy_rng().random(shape, dtype=a.dtype if a.dtype in (
            np.float32, np.float64) else np.float64) >= p
        noise = kept.astype(a.dtype)
        if not alpha:
            noise *= 1.0 / (1.0 - p)
    if not alpha or p == 1:
        return _ops.mul_(x, noise) if inplace else _ops.mul(x, noise)
    alpha = _SELU_ALPHA * _SELU_SCALE  # (dropped elements end at selu's floor -alpha)
    scale = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    shift = (noise - 1) * (alpha * scale) + alpha * scale * p
    noise *= scale
    if inplace:
        return _ops.add_(_ops.mul_(x, noise), shift)
    return _ops.add(_ops.mul(x, noise), shift)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scaling the rest by
    1/(1-p), when training."""
    _check_p(p)
    x = as_tensor_arg(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. "
                           f"Note that dropout1d exists to provide channel-wise dropout on inputs "
                           f"with 1 spatial dimension, a channel dimension, and an optional batch "
                           f"dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(x, p, training, inplace, x.ndim == 3)


def _channel_dropout(x, p, training, inplace, batched):
    """Feature dropout; unbatched input is a batch of one (viewed so; in place it gets a
    (C, 1, ...) mask directly, where PyTorch unsqueezes it in place: two more view nodes)."""
    if batched or inplace:
        return _dropout(x, p, training, inplace, feature=2 if batched else 1)
    return _ops.squeeze(_dropout(_ops.unsqueeze(x, 0), p, training, inplace, feature=2), 0)


def _warn_unusual_dims(n, ndim):
    """PyTorch's warning for dropout{n}d of input without n + 1 or n + 2 dims."""
    if ndim not in (n + 1, n + 2):
        warnings.warn(f"dropout{n}d: Received a {ndim}-D input to dropout{n}d, which is "
                      f"deprecated and will result in an error in a future release. To retain "
                      f"the behavior and silence this warning, please use dropout instead. Note "
                      f"that dropout{n}d exists to provide channel-wise dropout on inputs with {n} "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension "
                      f"(i.e. {n + 1}D or {n + 2}D inputs).", UserWarning, stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (dim 1) of (N, C, H, W) input with probability p, scaling the rest by
    1/(1-p), when training; other dims warn as PyTorch's (3-D input is taken as (N, C, L))."""
    _check_p(p)
    x = as_tensor_arg(input)
    _warn_unusual_dims(2, x.ndim)
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, "
                      "H, W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", UserWarning, stacklevel=2)
    return _dropout(x, p, training, inplace, feature=2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p, scaling
    the rest by 1/(1-p), when training; other dims warn as PyTorch's (and count as unbatched)."""
    _check_p(p)
    x = as_tensor_arg(input)
    _warn_unusual_dims(3, x.ndim)
    return _channel_dropout(x, p, training, inplace, x.ndim == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value and an
    affine map keeps the mean and variance, when training."""
    _check_p(p)
    return _dropout(as_tensor_arg(input), p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dim 1)."""
    _check_p(p)
    return _dropout(as_tensor_arg(input), p, training, inplace, feature=2, alpha=True)


# ---- losses -------------------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction, validate=True):
    """The reduction, from the legacy size_average/reduce flags when given (with a warning);
    validate=False leaves an invalid one to the call (as loss modules do)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    if validate and reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _pair(fname, input, target):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(target, Tensor):
        raise TypeError(f"{fname}(): argument 'target' (position 2) must be Tensor, not "
                        f"{type(target).__name__}")


def _broadcast(input, target):
    """input and target expanded to a common shape, with PyTorch's warning if they differ."""
    if input.shape == target.shape:
        return input, target
    warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                  f"({input.shape}). This will likely lead to incorrect results due to "
                  f"broadcasting. Please ensure they have the same size.", UserWarning,
                  stacklevel=3)
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise _ops._broadcast_error(input.shape, target.shape) from None
    return tuple(t if t.shape == shape else _ops.expand(t, shape) for t in (input, target))


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


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return _ops.mean(losses) if reduction == "mean" else _ops.sum(losses)


def _weighted(errors, weight, input, reduction):
    """Per-element weights, as PyTorch's mse_loss/l1_loss apply them ('mean' divides by sum(w))."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    losses = errors * weight
    if reduction == "mean":
        return _ops.div(_ops.sum(losses), _ops.sum(weight))
    return _reduce(losses, reduction)


def _check_targets(input, target, weight):
    """PyTorch's checks on class-index targets and class weights."""
    shape, t = input._data.shape, target._data
    if not shape:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if len(shape) >= 2 and t.ndim >= 1 and shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({t.shape[0]}).")
    if len(shape) <= 2 and t.ndim != max(len(shape) - 1, 0):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(shape) > 2 and t.shape[1:] != shape[2:]:
        raise RuntimeError(f"Expected target size {[shape[0]] + list(shape[2:])}, "
                           f"got {list(t.shape)}")
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    if weight is not None and weight._data.size != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_F.scalar_type(t)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.legacy} but found "
                           f"{weight.dtype.legacy}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of the target classes, given log-probabilities (NllLossBackward0).

    input is (C,), (N, C) or (N, C, d1, ...); target holds class indices; entries equal to
    ignore_index are left out (also of the mean's denominator).
    """
    _pair("nll_loss", input, target)
    return _nll(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def _nll(input, target, weight, ignore_index, reduction):
    _check_targets(input, target, weight)
    shape = input._data.shape
    if len(shape) in (1, 2, 4):
        return _F.nll_loss(input, target, weight, ignore_index, reduction)
    n, c = shape[:2]  # 3-D and 5-D+: PyTorch views them as (N, C, 1, -1) images
    loss = _F.nll_loss(_ops.reshape(input, n, c, 1, -1), _ops.reshape(target, n, 1, -1), weight,
                       ignore_index, reduction)
    return _ops.reshape(loss, *target.shape) if reduction == "none" else loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dim, then nll_loss; target holds class indices or, with the
    input's shape, class probabilities. Optional label smoothing as in PyTorch."""
    _pair("cross_entropy", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        return _soft_cross_entropy(input, target, weight, ignore_index, reduction,
                                   label_smoothing)
    _check_smoothing(label_smoothing)
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = _ops.log_softmax(input, class_dim)
    loss = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0:
        return loss
    n_classes = input.shape[class_dim]
    smooth = _ops.neg(_ops.sum(_class_weighted(logp, weight, class_dim), class_dim))
    ignored = target._data == ignore_index
    smooth = _ops.masked_fill(smooth, _new(ignored), 0.0)
    if reduction == "mean":
        kept = ~ignored
        total = kept.sum() if weight is None else weight._data[target._data[kept]].sum()
        smooth = _ops.div(_ops.sum(smooth), float(total))
    elif reduction == "sum":
        smooth = _ops.sum(smooth)
    return _ops.add(_F.mul_scalar(loss, 1 - label_smoothing),
                    _F.mul_scalar(smooth, label_smoothing / n_classes))


def _class_weighted(x, weight, class_dim):
    """x * weight along the class dim (x itself without weights)."""
    if weight is None:
        return x
    return x * _ops.reshape(weight, *[-1 if d == class_dim else 1 for d in range(x.ndim)])


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _soft_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing):
    """-sum(target * log_softmax(input)) over classes: NegBackward0 over SumBackward, as PyTorch."""
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.legacy}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    _check_smoothing(label_smoothing)
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if input.ndim == 1 else 1
    logp = _ops.log_softmax(input, class_dim)
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = _class_weighted(logp * target, weight, class_dim)
    if reduction == "none":
        return _ops.neg(_ops.sum(terms, class_dim))
    total = _ops.sum(terms)
    if reduction == "sum":
        return _ops.neg(total)
    if not logp.numel():  # the mean of nothing: PyTorch fills the sum with nan
        return _ops.neg(total.fill_(float("nan")))
    return _F.div_scalar(_ops.neg(total), logp.numel() / n_classes)


def _same_shape(input, target):
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)) for probabilities x (BinaryCrossEntropyBackward0)."""
    _pair("binary_cross_entropy", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _same_shape(input, target)
    if weight is not None:
        _check_into(input.shape, _broadcast_shapes(target.shape, weight.shape))
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype.legacy} but expected {input.dtype.legacy}")
    return _F.binary_cross_entropy(input, target, weight, reduction)


def _broadcast_shapes(*shapes):
    """`torch.broadcast_shapes`, with its error message."""
    common = [1] * max(len(s) for s in shapes)
    for i, s in enumerate(shapes):
        for d in range(-1, -len(s) - 1, -1):
            if common[d] == 1:
                common[d] = s[d]
            elif s[d] not in (1, common[d]):
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[d]} at {d}! "
                                   f"Mismatching argument at index {i} had {s}; but expected "
                                   f"shape should be broadcastable to {common}")
    return tuple(common)


def _check_into(shape, other):
    """PyTorch's error for `out.mul_(x)` with out of `shape` and x of shape `other`."""
    try:
        common = np.broadcast_shapes(tuple(shape), tuple(other))
    except ValueError:
        raise _ops._broadcast_error(shape, other) from None
    if common != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(common)}")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input), computed stably from the logits."""
    _pair("binary_cross_entropy_with_logits", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input.shape != target.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if target.dtype == _dtypes.bool_:
        raise RuntimeError(_ops.BOOL_SUBTRACTION)
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {input.dtype.legacy} can't be cast to the desired "
                           f"output type {target.dtype.legacy}")
    if pos_weight is not None:  # log_sigmoid(input).mul_((pos_weight - 1) * target)
        try:
            log_weight = np.broadcast_shapes(tuple(pos_weight.shape), tuple(target.shape))
        except ValueError:
            raise _ops._broadcast_error(pos_weight.shape, target.shape) from None
        _check_into(input.shape, log_weight)
    if weight is not None:  # loss.mul_(weight)
        _check_into(input.shape, weight.shape)
    return _F.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


def _scalar(value, like):
    """value as a 0-d tensor of like's dtype: how PyTorch's C++ losses use Python numbers (no
    edge in the graph)."""
    return _new(np.asarray(value, like._data.dtype))


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


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Binary cross-entropy of sigmoid(input) per class, averaged over the classes (last dim),
    then reduced over the samples."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    return _reduce(loss, reduction)


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


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """x where x > 0, else x times a slope drawn uniformly from [lower, upper] per element when
    training (from autograd_lab's generator), else (lower + upper) / 2
    (RreluWithNoiseBackward0; RreluWithNoiseBackward1 in place)."""
    x = as_tensor_arg(input)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    _F._floating(x._data, "leaky_relu_cpu")
    return _activation(lambda s: _F.rrelu(s, lower, upper, training, inplace), x, inplace)
