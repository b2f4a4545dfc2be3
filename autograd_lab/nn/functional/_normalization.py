"""Normalisation: normalize, layer_norm, rms_norm, batch_norm, group_norm and instance_norm."""
import math
import warnings

import numpy as np

from ... import _dtypes, _ops
from ..._grad_mode import no_grad
from ..._ops import as_tensor_arg
from .. import _functional_ops as _F
from ._common import _not_differentiable


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, eps) along dim: DivBackward0 over ExpandBackward0, ClampMinBackward0 and
    LinalgVectorNormBackward0, as PyTorch composes it."""
    x = as_tensor_arg(input)
    denom = _ops.expand_as(_ops.clamp_min(_ops.norm(x, p, dim, keepdim=True), eps), x)
    if out is None:
        return _ops.div(x, denom)
    return out.copy_(_ops.div(x, denom))


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
