"""`nn.functional`'s convolutions, pooling and padding: PyTorch's argument handling and errors
in front of the kernels of `_conv_ops` (1-D pooling and circular padding are made of other ops,
as PyTorch's)."""
import warnings

import numpy as np

from .. import _ops
from .._grad_mode import is_grad_enabled
from .._ops import as_tensor_arg
from . import _conv_ops as _C
from ._functional_ops import _floating, scalar_type


def _ntuple(value, d):
    """An int as a d-tuple; a sequence as a tuple."""
    return (value,) * d if isinstance(value, int) else tuple(value)


def _conv(input, weight, bias, stride, padding, dilation, groups, d, fname):
    """A d-dimensional convolution: the checks of PyTorch's `conv{d}d`, then one
    ConvolutionBackward0 node (under SqueezeBackward1 and over UnsqueezeBackward0 for an
    unbatched input; over ConstantPadNdBackward0 for 'same' padding needing an uneven pad)."""
    x = as_tensor_arg(input)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {fname}, "
                           f"but got input of size: {list(x.shape)}")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(s != 1 for s in _ntuple(stride, d)):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
    k = weight.ndim - 2
    named = {"stride": stride, "dilation": dilation}
    if not isinstance(padding, str):
        named["padding"] = padding
    for what, value in named.items():
        value = named[what] = _ntuple(value, d)
        if len(value) != k:
            raise RuntimeError(f"expected {what} to be a single integer value or a list of {k} "
                               f"values to match the convolution dimensions, but got "
                               f"{what}={list(value)}")
    stride, dilation, padding = named["stride"], named["dilation"], named.get("padding", padding)
    batched = x.ndim == d + 2
    if not batched:
        x = _ops.unsqueeze(x, 0)
    if padding == "valid":
        padding = (0,) * d
    elif padding == "same":
        x, padding = _same_padding(x, weight.shape[2:], dilation)
    out = _C.convolution(x, weight, bias, _conv_window(x, weight, bias, stride, padding, dilation,
                                                       groups), groups)
    return out if batched else _ops.squeeze(out, 0)


def _same_padding(x, kernel, dilation):
    """(x, padding) for padding='same': where a dim needs one more on the right than on the
    left, x is padded by that one first (with PyTorch's warning)."""
    total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
    if all(t % 2 == 0 for t in total):
        return x, tuple(t // 2 for t in total)
    warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                  "zero-padded copy of the input be created", UserWarning, stacklevel=4)
    extra = []
    for t in reversed(total):
        extra += [0, t % 2]
    return _C.constant_pad(x, extra, 0), tuple(t // 2 for t in total)


def _conv_window(x, weight, bias, stride, padding, dilation, groups):
    """The convolution's Window, after PyTorch's checks of the arguments and shapes."""
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    shape, w_shape = list(x.shape), list(weight.shape)
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{w_shape}] instead")
    if shape[1] != w_shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {w_shape}, expected "
                           f"input{shape} to have {w_shape[1] * groups} channels, but got "
                           f"{shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w_shape[0]):
        raise RuntimeError(f"Given weight of size {w_shape}, expected bias to be 1-dimensional "
                           f"with {w_shape[0]} elements, but got bias of size {list(bias.shape)} "
                           f"instead")
    padded = [n + 2 * p for n, p in zip(shape[2:], padding)]
    extent = [dl * (k - 1) + 1 for k, dl in zip(w_shape[2:], dilation)]
    if any(n < e for n, e in zip(padded, extent)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, extent))}). Kernel size can't be greater "
                           f"than actual input size")
    a = x._data
    if weight._data.dtype != a.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type(a)} but found "
                           f"{scalar_type(weight._data)}")
    if bias is not None and bias._data.dtype != a.dtype:
        raise RuntimeError(f"Input type ({scalar_type(a).lower()}) and bias type "
                           f"({scalar_type(bias._data).lower()}) should be the same")
    return _C.Window(tuple(shape[2:]), tuple(w_shape[2:]), stride, dilation, padding, padding)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of (N, C, L) or (C, L) input with weight
    (C_out, C // groups, k) (ConvolutionBackward0)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of (N, C, H, W) or (C, H, W) input with weight
    (C_out, C // groups, kh, kw) (ConvolutionBackward0)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _pair(value, what, fname, omitted=""):
    """A pooling argument (an int or one or two ints) as a pair (PyTorch's error otherwise)."""
    value = (value,) if isinstance(value, int) else tuple(value)
    if len(value) not in (1, 2):
        raise RuntimeError(f"{fname}: {what} must {omitted}be either a single int, or a tuple of "
                           f"two ints" if what == "dilation" else
                           f"{fname}: {what} must either be {omitted}a single int, or a tuple of "
                           f"two ints")
    return value * (3 - len(value))


def _no_stride(stride):
    """Whether a pooling's stride is omitted (None or empty: then it is the kernel size)."""
    return stride is None or (not isinstance(stride, int) and not len(stride))


def _pooled_size(n, k, s, p, dl, ceil_mode):
    """PyTorch's number of pooling windows along a dim of size n (ceil_mode: the last window
    may stick out on the right, if it starts inside the input or the left padding)."""
    o = (n + 2 * p - dl * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    return o - 1 if ceil_mode and (o - 1) * s >= n + p else o


def _pool_window(x, kernel_size, stride, padding, dilation, ceil_mode, fname):
    """The Window of a 2-D pooling, after PyTorch's checks (ceil_mode: the last window may
    start in the right padding, hence more padding on that side)."""
    kernel = _pair(kernel_size, "kernel_size", fname)
    stride = kernel if _no_stride(stride) else _pair(stride, "stride", fname, "omitted, ")
    padding, dilation = _pair(padding, "padding", fname), _pair(dilation, "dilation", fname)
    if x.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    size, out, hi = x.shape[-2:], [], []
    for n, k, s, p, dl in zip(size, kernel, stride, padding, dilation):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > (dl * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={dl}")
        o = _pooled_size(n, k, s, p, dl, ceil_mode)
        out.append(o)
        hi.append(max(p, (o - 1) * s + dl * (k - 1) + 1 - n - p))
    if min(kernel) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    if not all(x.shape[-3:]):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(x.shape)}")
    if fname == "max_pool2d" and any(p > k // 2 for p, k in zip(padding, kernel)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    if min(out) < 1:
        channels = x.shape[-3]
        raise RuntimeError(f"Given input size: ({channels}x{size[0]}x{size[1]}). Calculated "
                           f"output size: ({channels}x{out[0]}x{out[1]}). Output size is too "
                           f"small")
    return _C.Window(tuple(size), kernel, stride, dilation, padding, tuple(hi))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window of the last two dims (MaxPool2DWithIndicesBackward0); with
    return_indices, also each maximum's index in its flattened input plane."""
    x = as_tensor_arg(input)
    win = _pool_window(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if x._data.dtype == np.bool_:
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    return _C.max_pool(x, win, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window of the last two dims (AvgPool2DBackward0): the window's sum over
    its size (padding included, with count_include_pad) or over divisor_override."""
    x = as_tensor_arg(input)
    win = _pool_window(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if x._data.dtype.kind != "f" and x._data.dtype != np.int64:
        _floating(x._data, "avg_pool2d")
    return _C.avg_pool(x, win, _C.pool_divisors(win, count_include_pad, divisor_override))


def _adaptive_size(output_size, x):
    """A 2-D adaptive pooling's output size as a tuple, None entries taken from x's size (as
    PyTorch's `_list_with_default`)."""
    if isinstance(output_size, int):
        return output_size, output_size
    if x.ndim <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    return tuple(n if o is None else o for o, n in zip(output_size, x.shape[-len(output_size):]))


def _check_non_empty(x, fname, dims):
    """PyTorch's error when one of x's dims `dims` is empty."""
    for i in dims:
        if not x.shape[i]:
            raise RuntimeError(f"{fname}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(x.shape)} with dimension "
                               f"{i} being empty")


def adaptive_avg_pool2d(input, output_size):
    """The mean of each of output_size bins of the last two dims (AdaptiveAvgPool2DBackward0;
    MeanBackward1 for a 1x1 output); None in output_size keeps that dim's size."""
    x = as_tensor_arg(input)
    size = _adaptive_size(output_size, x)
    if len(size) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if min(size) < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{size[0]}, {size[1]}}}")
    if size == (1, 1):
        return _ops.mean(x, (-1, -2), keepdim=True)
    _check_non_empty(x, "adaptive_avg_pool2d", (x.ndim - 2, x.ndim - 1))
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(x.shape)}")
    _floating(x._data, "adaptive_avg_pool2d")
    return _C.adaptive_avg_pool2d(x, size)


def _negative_dimension(shape):
    """PyTorch's error for making a tensor of a shape with a negative size."""
    return RuntimeError(f"Trying to create tensor with negative dimension "
                        f"{next(n for n in shape if n < 0)}: {shape}")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum of each of output_size bins of the last two dims
    (AdaptiveMaxPool2DBackward0); with return_indices, also each maximum's index in its
    flattened input plane. None in output_size keeps that dim's size."""
    x = as_tensor_arg(input)
    size = _adaptive_size(output_size, x)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(x.shape)}")
    _check_non_empty(x, "adaptive_max_pool2d", range(1, x.ndim))
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    if min(size) < 0:
        raise _negative_dimension(list(x.shape[:-2]) + list(size))
    _floating(x._data, "adaptive_max_pool2d")
    return _C.adaptive_max_pool2d(x, size, return_indices)


# ---- 1-D pooling: the 2-D one over x.unsqueeze(-2), as PyTorch's -------------------------------
def _check1d(value, what, fname):
    """A 1-D pooling argument (an int or one int) as a 1-tuple (PyTorch's `check1d`)."""
    value = (value,) if isinstance(value, int) else tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{fname}() argument '{what}' should contain one int (got "
                           f"{len(value)})")
    return value


def _check_dim_range(x, fname):
    """PyTorch's check that a 1-D pooling's input is 2-D or 3-D."""
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {fname})")


def _pool1d_args(x, fname, kernel_size, stride, *others):
    """(kernel, stride, *others) as 1-tuples after PyTorch's checks of a 1-D pooling made of
    the 2-D one (others: padding[, dilation])."""
    if _no_stride(stride):
        stride = kernel_size
    _check_dim_range(x, fname)
    names = ("kernel_size", "stride", "padding", "dilation")
    return [_check1d(v, what, fname) for v, what in zip((kernel_size, stride) + others, names)]


def _adaptive_size1d(output_size, x, fname):
    """An adaptive 1-D pooling's output size as a 1-tuple, after PyTorch's checks."""
    if output_size is None:
        raise TypeError(f"{fname}(): argument 'output_size' (position 2) must be tuple of ints, "
                        f"not NoneType")
    _check_dim_range(x, fname)
    return _check1d(output_size, "output_size", fname)


def _squeezed(out):
    """A 2-D pooling's output (and indices) over an unsqueezed 1-D input, squeezed back."""
    if isinstance(out, tuple):
        return tuple(_ops.squeeze(t, -2) for t in out)
    return _ops.squeeze(out, -2)


_MAX_POOL1D_SIZES = {
    "kernel_size": "must be an int, list of ints or tuple of ints",
    "stride": "must be None, an int, list of ints, or tuple of ints",
    "padding": "must be an int, list of ints, or tuple of ints",
    "dilation": "must be an int, list of ints or tuple of ints",
}


def _check_max_pool1d(x, ceil_mode, **args):
    """max_pool1d's own checks (without return_indices): its arguments as 1-tuples."""
    if not (x.ndim == 2 and all(x.shape) or x.ndim == 3 and all(x.shape[1:])):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(x.shape)}")
    for what, value in args.items():
        value = args[what] = () if value is None else _ntuple(value, 1)
        if len(value) != 1 and (what != "stride" or value):
            raise RuntimeError(f"max_pool1d() {what} {_MAX_POOL1D_SIZES[what]} of size 1 but got "
                               f"size {len(value)}")
    (k,), (p,), (dl,) = args["kernel_size"], args["padding"], args["dilation"]
    (s,) = args["stride"] or (k,)
    for what, value in (("kernel_size", k), ("stride", s)):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {value}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if dl <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {dl}")
    out = _pooled_size(x.shape[-1], k, s, p, dl, ceil_mode)
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return (k,), (s,), (p,), (dl,)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window of the last dim (as max_pool2d over input.unsqueeze(-2):
    SqueezeBackward1 over MaxPool2DWithIndicesBackward0); with return_indices, also each
    maximum's index."""
    x = as_tensor_arg(input)
    if return_indices:
        args = _pool1d_args(x, "max_pool1d", kernel_size, stride, padding, dilation)
    else:
        args = _check_max_pool1d(x, ceil_mode, kernel_size=kernel_size, stride=stride,
                                 padding=padding, dilation=dilation)
        if not (x.requires_grad and is_grad_enabled()):
            _floating(x._data, "max_pool1d_impl")
    kernel, stride, padding, dilation = ((start,) + a for start, a in zip((1, 1, 0, 1), args))
    return _squeezed(max_pool2d(_ops.unsqueeze(x, -2), kernel, stride, padding, dilation,
                                ceil_mode, return_indices))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window of the last dim (as avg_pool2d over input.unsqueeze(-2):
    SqueezeBackward1 over AvgPool2DBackward0)."""
    x = as_tensor_arg(input)
    (k,), (s,), (p,) = _pool1d_args(x, "avg_pool1d", kernel_size, stride, padding)
    return _squeezed(avg_pool2d(_ops.unsqueeze(x, -2), (1, k), (1, s), (0, p), ceil_mode,
                                count_include_pad))


def adaptive_avg_pool1d(input, output_size):
    """The mean of each of output_size bins of the last dim (as adaptive_avg_pool2d over
    input.unsqueeze(-2))."""
    x = as_tensor_arg(input)
    (size,) = _adaptive_size1d(output_size, x, "adaptive_avg_pool1d")
    return _squeezed(adaptive_avg_pool2d(_ops.unsqueeze(x, -2), (1, size)))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The maximum of each of output_size bins of the last dim (as adaptive_max_pool2d over
    input.unsqueeze(-2)); with return_indices, also each maximum's index."""
    x = as_tensor_arg(input)
    (size,) = _adaptive_size1d(output_size, x, "adaptive_max_pool1d")
    return _squeezed(adaptive_max_pool2d(_ops.unsqueeze(x, -2), (1, size), return_indices))


def pad(input, pad, mode="constant", value=None):
    """input padded by `pad` (the last dim's before, after, then the dim before's, ...; negative
    amounts crop): with `value` (0 by default; ConstantPadNdBackward0), or by the input's edges
    mirrored ('reflect'), repeated ('replicate') or wrapped around ('circular')."""
    x = as_tensor_arg(input)
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{x.ndim}")
    pad = [int(p) for p in pad]
    if mode == "constant":
        for i in range(len(pad) // 2):
            if x.shape[-1 - i] + pad[2 * i] + pad[2 * i + 1] < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return _C.constant_pad(x, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    d = len(pad) // 2
    if d not in (1, 2, 3) or x.ndim not in (d + 1, d + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\nSupported "
            f"combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads "
            f"last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - "
            f"4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular_pad(x, pad)
    _check_edge_pad(x, pad, mode)
    return _C.edge_pad(x, pad, mode)


def _check_edge_pad(x, pad, mode):
    """PyTorch's checks of reflection and replication padding."""
    d, shape = len(pad) // 2, list(x.shape)
    batched = x.ndim == d + 2
    if not all(shape[1:] if batched else shape):
        raise RuntimeError(f"Expected {d + 1}D or {d + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{shape}")
    sizes = shape[-d:][::-1]  # (W, H, D), as pad
    if mode == "reflect":
        for i, n in enumerate(sizes):
            lo, hi = pad[2 * i], pad[2 * i + 1]
            if lo >= n or hi >= n:
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({lo}, "
                                   f"{hi}) at dimension {x.ndim - 1 - i} of input {shape}")
    out = [n + pad[2 * i] + pad[2 * i + 1] for i, n in enumerate(sizes)]
    if max(out) < 1:
        names = "WHD"[:d][::-1]
        space = " " if mode == "replicate" and d == 2 else ""
        sizes_text = (f"D: {sizes[2]} " if d == 3 else "") + ", ".join(
            f"{c}: {n}" for c, n in zip(names[-2:], sizes[:2][::-1]))
        raise RuntimeError(f"input ({sizes_text}{space}) is too small. Calculated output "
                           f"{' '.join(f'{c}: {o}' for c, o in zip(names, out[::-1]))}")
    if min(out) < 0:
        out_shape = shape[:-d] + out[::-1]
        if mode == "reflect" and d < 3 and all(out_shape):
            # (PyTorch's 1-D and 2-D kernels first take the numel, the sizes as unsigned ints)
            raise RuntimeError("numel: integer multiplication overflow")
        raise _negative_dimension(out_shape)
    if x._data.dtype == np.bool_:
        kind = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f'"{kind}_pad{d}d" not implemented for \'Bool\'')


def _circular_pad(x, pad):
    """Circular padding as PyTorch's composite `_pad_circular`: x (cropped where an amount is
    negative) copied into an empty tensor, then each dim's ends copied from the opposite ends
    (a graph of CopySlices and SliceBackward0 nodes, as PyTorch's; corners are written more
    than once)."""
    d = len(pad) // 2
    lead, in_shape = x.ndim - d, tuple(x.shape)
    out_shape = list(in_shape)
    for i in range(d):
        lo, hi = pad[2 * (d - i - 1)], pad[2 * (d - i - 1) + 1]
        n = in_shape[lead + i]
        out_shape[lead + i] = n + lo + hi
        if lo > n or hi > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if out_shape[lead + i] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")

    def part(t, dim, start, end):
        return _ops.narrow(t, dim, start, end - start)

    def at(dims_and_bounds):
        index = [slice(None)] * x.ndim
        for dim, start, end in dims_and_bounds:
            index[dim] = slice(start, end)
        return tuple(index)
    out = x.new_empty(out_shape)  # (written through out[...] = ...: CopySlices on out)
    inner, in_part = [], x
    for i in range(d):
        dim, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        inner.append((dim, max(lo, 0), out_shape[dim] - max(hi, 0)))
        in_part = part(in_part, dim, max(-lo, 0), in_shape[dim] - max(-hi, 0))
    out[at(inner)] = in_part
    for i in range(d):
        dim, lo, hi = x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        end = out_shape[dim] - max(hi, 0)
        if lo > 0:
            out[at([(dim, 0, lo)])] = part(out, dim, end - lo, end)
        if hi > 0:
            out[at([(dim, out_shape[dim] - hi, out_shape[dim])])] = part(out, dim, max(lo, 0),
                                                                         max(lo, 0) + hi)
    return out
