"""autograd_lab: a small, readable reverse-mode autodiff engine on numpy with PyTorch's API.

    import autograd_lab as torch
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = 2 * x + 1
    y.sum().backward()
    x.grad                      # tensor([2., 2., 2., 2.])

In Jupyter every tensor also draws its computation graph (see `autograd_lab.viz`).
Importing this package imports numpy only; display and widgets load on first use.
"""
import warnings as _warnings

from ._dtypes import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32,
                      float64, get_default_dtype, set_default_dtype)
from ._grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                         is_inference_mode_enabled)
from ._tensor import Tensor, Size, Device as device, is_tensor
from ._format import set_printoptions
from ._ops import (add, sub, mul, div, pow, matmul, mm, mv, dot, bmm, neg, exp, log, sqrt, abs,
                   sin, cos, tanh, sigmoid, relu, clamp, clip, clamp_min, clamp_max, maximum,
                   minimum, where, reciprocal, sign, square, rsqrt, sum, mean, var, std, prod, max,
                   min, amax, amin, argmax, argmin, norm, softmax, log_softmax, reshape, flatten,
                   squeeze, unsqueeze, permute, transpose, swapaxes, t, cat, stack, clone, eq, ne,
                   gt, ge, lt, le, isnan, isfinite, isinf, multiply, divide, subtract,
                   true_divide, negative, absolute, broadcast_to, return_types, cumsum, flip,
                   roll, gather, index_select, masked_fill, einsum, sort, topk, clamp_,
                   clamp_min_, clamp_max_, clip_, relu_, remainder, floor_divide, rsub,
                   floor, ceil, round, trunc, frac, log1p, expm1, log2, log10, tril, triu,
                   logsumexp, split, chunk, unbind, unsafe_split, unsafe_chunk,
                   unsafe_split_with_sizes, hstack, vstack, any, all, argsort,
                   nonzero, outer, sinh, cosh, tan, asin, acos, atan, asinh, acosh, atanh,
                   arcsin, arccos, arctan, arcsinh, arccosh, arctanh, erf, erfc, sgn, logit,
                   atan2, arctan2, hypot, lerp, xlogy, isclose, narrow, select, movedim,
                   moveaxis, unflatten, adjoint, broadcast_tensors, meshgrid, tile,
                   repeat_interleave, cumprod, var_mean, std_mean, aminmax, count_nonzero,
                   diff, scatter, scatter_add, index_add, index_fill, masked_select, take, diag,
                   trace, multinomial, bernoulli, logical_and, logical_or, logical_xor,
                   logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not, nan_to_num,
                   exp2, sinc, nansum, nanmean, atleast_1d, atleast_2d, atleast_3d, ravel,
                   column_stack, dstack, diagonal, diag_embed, rot90, addmm, addmv, baddbmm,
                   addbmm, tensordot, kron, cross, matrix_power, median, nanmedian, mode,
                   kthvalue, quantile, nanquantile, cummax, cummin, searchsorted, bucketize,
                   unique, unique_consecutive, bincount, histc, inverse, det, logdet, slogdet,
                   matrix_exp)
from ._factories import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like,
                         ones_like, empty_like, full_like, arange, linspace, logspace, eye, rand,
                         randn, randint, randperm, rand_like, randn_like, allclose, equal, numel)
from ._random import (Generator, default_generator, manual_seed, seed, initial_seed,
                      get_rng_state, set_rng_state)
from ._typeinfo import (finfo, iinfo, promote_types, result_type, can_cast, is_floating_point,
                        is_complex)
from . import autograd, cuda, random

# NaN and inf propagate silently, as in PyTorch: numpy's "divide by zero encountered in log"
# warnings, raised from inside the op table, would point learners at library code.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd_lab(\.|$)")
from .autograd.anomaly import is_anomaly_enabled, is_anomaly_check_nan_enabled

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
concat = concatenate = cat

__version__ = "0.1.0"


def __getattr__(name):
    """Load the heavier subpackages (nn, optim, utils, viz, widgets, ...) and save/load on first
    use."""
    import importlib
    if name in ("nn", "optim", "utils", "viz", "widgets", "serialization", "testing", "linalg"):
        return importlib.import_module(f".{name}", __name__)
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    raise AttributeError(f"module 'autograd_lab' has no attribute '{name}'")
