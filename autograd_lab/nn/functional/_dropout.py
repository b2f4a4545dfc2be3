"""Dropout: of elements, of whole channels (dropout1d/2d/3d), and alpha dropout for SELU
networks."""
import math
import warnings

import numpy as np

from ... import _ops
from ..._ops import as_tensor_arg
from ..._random import numpy_rng
from ._activations import _SELU_ALPHA, _SELU_SCALE


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
