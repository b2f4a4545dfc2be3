"""The op-table entries of convolution, pooling and constant padding: numpy kernels and nodes.

Windows are taken by im2col: `_unfold` views the (padded) input as columns (..., *out, *kernel)
with numpy's stride tricks, and `_fold` is its adjoint (the columns scatter-added back, one
vectorized step per kernel offset). Both are linear and each is the other's backward, so the
rules below, written with them and einsum against the vocabulary B, are differentiable again
under create_graph=True (there `_unfold` / `_fold` record Im2ColBackward0 / Col2ImBackward0).
"""
import collections
import functools

import numpy as np

from .._ops import NP, defnode, einsum, record, record1
from .._tensor import _new

Window = collections.namedtuple("Window", "size kernel stride dilation lo hi")
Window.__doc__ = """Sliding windows over the last len(kernel) dims of an input whose spatial size
is `size`, padded by `lo` before and `hi` after each dim (per-dim tuples)."""

_OUT, _KER = "xyz", "ijk"  # einsum letters of the output's and the kernel's spatial dims


def _unfold_np(a, win, fill=0):
    """The windows of a as a read-only view (..., *out, *kernel) (a padded copy first)."""
    d = len(win.kernel)
    if any(win.lo) or any(win.hi):
        a = np.pad(a, [(0, 0)] * (a.ndim - d) + list(zip(win.lo, win.hi)), constant_values=fill)
    extent = tuple(dl * (k - 1) + 1 for k, dl in zip(win.kernel, win.dilation))
    view = np.lib.stride_tricks.sliding_window_view(a, extent, axis=tuple(range(-d, 0)))
    return view[(...,) + tuple(slice(None, None, s) for s in win.stride + win.dilation)]


def _fold_np(cols, win):
    """The adjoint of `_unfold_np`: each column entry added back where it was read from."""
    d = len(win.kernel)
    out_size = cols.shape[-2 * d:-d]
    padded = tuple(n + lo + hi for n, lo, hi in zip(win.size, win.lo, win.hi))
    out = np.zeros(cols.shape[:-2 * d] + padded, cols.dtype)
    for offset in np.ndindex(*win.kernel):
        at = tuple(slice(o * dl, o * dl + s * (n - 1) + 1, s)
                   for o, dl, s, n in zip(offset, win.dilation, win.stride, out_size))
        out[(...,) + at] += cols[(...,) + offset]
    return np.ascontiguousarray(out[(...,) + tuple(slice(lo, lo + n)
                                                   for lo, n in zip(win.lo, win.size))])


Im2ColBackward0 = defnode("Im2ColBackward0", [lambda B, g, ans, win: _fold(B, g, win)], "unfold")
Col2ImBackward0 = defnode("Col2ImBackward0", [lambda B, g, ans, win: _unfold(B, g, win)], "fold")


def _unfold(B, x, win):
    return _unfold_np(x, win) if B is NP else record1(Im2ColBackward0, _unfold_np(x._data, win),
                                                       x, (win,))


def _fold(B, cols, win):
    return _fold_np(cols, win) if B is NP else record1(Col2ImBackward0, _fold_np(cols._data, win),
                                                       cols, (win,))


def _einsum(B, equation, a, b):
    """einsum with numpy's BLAS-backed contraction order for numpy arrays."""
    return np.einsum(equation, a, b, optimize=True) if B is NP else einsum(equation, a, b)


def _by_group(B, a, groups):
    """a (N, C, ...) as (N, groups, C // groups, ...)."""
    return B.reshape(a, (a.shape[0], groups, a.shape[1] // groups) + tuple(a.shape[2:]))


def _weight_by_group(B, w, groups):
    """A weight (C_out, ...) as (groups, C_out // groups, ...)."""
    return B.reshape(w, (groups, w.shape[0] // groups) + tuple(w.shape[1:]))


# ================================================================================================
# Convolution
# ================================================================================================

def _equations(d):
    """The einsum equations of a d-dimensional grouped convolution: forward, input's and weight's
    gradients (n batch, g group, c input and o output channel within the group)."""
    out, ker = _OUT[:d], _KER[:d]
    cols, weight, result = f"ngc{out}{ker}", f"goc{ker}", f"ngo{out}"
    return (f"{cols},{weight}->{result}", f"{result},{weight}->{cols}",
            f"{result},{cols}->{weight}")


def _conv_input_rule(B, g, ans, x, w, win, groups):
    cols = _einsum(B, _equations(len(win.kernel))[1], _by_group(B, g, groups),
                   _weight_by_group(B, w, groups))
    return _fold(B, B.reshape(cols, (cols.shape[0], -1) + tuple(cols.shape[3:])), win)


def _conv_weight_rule(B, g, ans, x, w, win, groups):
    grad = _einsum(B, _equations(len(win.kernel))[2], _by_group(B, g, groups),
                   _by_group(B, _unfold(B, x, win), groups))
    return B.reshape(grad, tuple(w.shape))


def _conv_bias_rule(B, g, ans, x, w, win, groups):
    return B.sum(g, (0,) + tuple(range(2, g.ndim)), False)


ConvolutionBackward0 = defnode("ConvolutionBackward0", [
    _conv_input_rule, _conv_weight_rule, _conv_bias_rule], "conv", saves=True)


def convolution(x, weight, bias, win, groups):
    """The grouped convolution (cross-correlation) of a batched x (N, C, *size) with weight
    (C_out, C // groups, *kernel), plus bias; one ConvolutionBackward0 node."""
    cols = _by_group(NP, _unfold_np(x._data, win), groups)
    data = _einsum(NP, _equations(len(win.kernel))[0], cols,
                   _weight_by_group(NP, weight._data, groups))
    data = np.ascontiguousarray(data.reshape((data.shape[0], -1) + data.shape[3:]))
    if bias is not None:
        data += bias._data.reshape((-1,) + (1,) * len(win.kernel))
    return record(ConvolutionBackward0, data, (x, weight, bias), (x, weight, win, groups))


# ================================================================================================
# Pooling
# ================================================================================================

def _max_pool_rule(B, g, ans, flat_indices, shape):
    """g added at the maxima (overlapping windows may share one), in the flattened input."""
    grad = B.index_grad(B.reshape(g, (-1,)), (int(np.prod(shape)),), (flat_indices,))
    return B.reshape(grad, shape)


MaxPool2DWithIndicesBackward0 = defnode("MaxPool2DWithIndicesBackward0", [_max_pool_rule],
                                        "max_pool2d")


def max_pool(x, win):
    """The largest value of each window (the first one on ties) and its index in the input's
    flattened spatial plane, as PyTorch's; one MaxPool2DWithIndicesBackward0 node."""
    a = x._data
    d = len(win.kernel)
    cols = _unfold_np(a, win, -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min)
    flat = cols.reshape(cols.shape[:-d] + (-1,))
    arg = flat.argmax(-1)
    data = np.take_along_axis(flat, arg[..., None], -1)[..., 0]
    offsets = np.unravel_index(arg, win.kernel)
    out_size = arg.shape[-d:]
    where = [np.arange(n).reshape((-1,) + (1,) * (d - 1 - i)) * s - lo + o * dl
             for i, (n, s, lo, o, dl) in enumerate(zip(out_size, win.stride, win.lo, offsets,
                                                       win.dilation))]
    indices = np.ravel_multi_index(where, win.size)
    lead = arg.shape[:-d]
    planes = np.arange(int(np.prod(lead))).reshape(lead + (1,) * d) * int(np.prod(win.size))
    flat_indices = (planes + indices).ravel()
    out = record1(MaxPool2DWithIndicesBackward0, data, x, (flat_indices, a.shape))
    return out, _new(indices.astype(np.int64))


def pool_divisors(win, count_include_pad, divisor_override):
    """PyTorch's divisor of each window's sum in average pooling (an array (*out_size))."""
    if divisor_override:
        return divisor_override
    counts = []
    for n, k, s, lo, out in zip(win.size, win.kernel, win.stride, win.lo, _out_size(win)):
        start = np.arange(out) * s - lo
        end = np.minimum(start + k, n + lo)
        counts.append(end - start if count_include_pad else
                      np.minimum(end, n) - np.maximum(start, 0))
    return functools.reduce(np.multiply, np.ix_(*counts))


def _out_size(win):
    return tuple((n + lo + hi - dl * (k - 1) - 1) // s + 1 for n, k, s, dl, lo, hi in
                 zip(win.size, win.kernel, win.stride, win.dilation, win.lo, win.hi))


def _avg_pool_rule(B, g, ans, win, divisors):
    g = g / divisors
    shape = tuple(g.shape)
    return _fold(B, B.expand(B.reshape(g, shape + (1,) * len(win.kernel)), shape + win.kernel),
                 win)


AvgPool2DBackward0 = defnode("AvgPool2DBackward0", [_avg_pool_rule], "avg_pool2d")


def avg_pool(x, win, divisors):
    """The sum of each (zero-padded) window over its divisor; one AvgPool2DBackward0 node."""
    a = x._data
    d = len(win.kernel)
    sums = _unfold_np(a, win).sum(tuple(range(-d, 0)))
    if a.dtype.kind == "f":
        data = (sums / divisors).astype(a.dtype, copy=False)
    else:  # (int64: the quotient truncated, as PyTorch's)
        data = np.sign(sums) * (np.abs(sums) // divisors.astype(a.dtype))
    return record1(AvgPool2DBackward0, data, x, (win, np.asarray(divisors, a.dtype)))


def _bins(n, out, dtype):
    """The (out, n) matrix averaging the adaptive bins [floor(i n / out), ceil((i+1) n / out))."""
    i = np.arange(out)
    start, end = i * n // out, -(-(i + 1) * n // out)
    j = np.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


AdaptiveAvgPool2DBackward0 = defnode("AdaptiveAvgPool2DBackward0", [
    lambda B, g, ans, rows, cols: B.const(rows.T) @ g @ B.const(cols)],
    "adaptive_avg_pool2d")


def adaptive_avg_pool2d(x, out_size):
    """The mean of each adaptive bin of the last two dims (averaging matrices on both sides);
    one AdaptiveAvgPool2DBackward0 node."""
    a = x._data
    rows, cols = (_bins(n, out, a.dtype) for n, out in zip(a.shape[-2:], out_size))
    return record1(AdaptiveAvgPool2DBackward0, rows @ a @ cols.T, x, (rows, cols))


# ================================================================================================
# Constant padding
# ================================================================================================

def _pad_np(a, pad, value):
    """a padded (or, for negative amounts, cropped) by pad = (last dim's before, after, the
    dim before's before, after, ...), new entries `value`."""
    shape, src, dst = list(a.shape), [slice(None)] * a.ndim, [slice(None)] * a.ndim
    for i in range(len(pad) // 2):
        dim, lo, hi = a.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        n = shape[dim]
        src[dim] = slice(max(-lo, 0), n - max(-hi, 0))
        shape[dim] = n + lo + hi
        kept = max(n - max(-lo, 0) - max(-hi, 0), 0)
        dst[dim] = slice(max(lo, 0), max(lo, 0) + kept)
    out = np.full(shape, value, a.dtype)
    out[tuple(dst)] = a[tuple(src)]
    return out


def _pad(B, g, pad):
    return _pad_np(g, pad, 0) if B is NP else constant_pad(g, pad, 0)


ConstantPadNdBackward0 = defnode("ConstantPadNdBackward0", [
    lambda B, g, ans, pad: _pad(B, g, [-p for p in pad])], "pad")


def constant_pad(x, pad, value):
    """x padded with `value` (cropped where an amount is negative); its backward crops (pads)
    the gradient back: the same op with the amounts negated."""
    return record1(ConstantPadNdBackward0, _pad_np(x._data, pad, value), x, (tuple(pad),))
