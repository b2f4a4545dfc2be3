"""The op-table entries of convolution, pooling and padding: numpy kernels and nodes.

Windows are taken by im2col: `_unfold` views the (padded) input as columns (..., *kernel, *out)
with numpy's stride tricks, and `_fold` is its adjoint (the columns scatter-added back, one
vectorized step per kernel offset). Both are linear and each is the other's backward, so the
rules below, written with them and matmul against the vocabulary B, are differentiable again
under create_graph=True (there `_unfold` / `_fold` record Im2ColBackward0 / Col2ImBackward0).
A convolution is one batched matmul of the weight with the columns (copied contiguous).
"""
import collections
import functools

import numpy as np

from .._ops import NP, defnode, record, record1
from .._tensor import _new

Window = collections.namedtuple("Window", "size kernel stride dilation lo hi")
Window.__doc__ = """Sliding windows over the last len(kernel) dims of an input whose spatial size
is `size`, padded by `lo` before and `hi` after each dim (per-dim tuples)."""


def _unfold_np(a, win, fill=0, writeable=False, trailing=0):
    """The windows of a as a view (..., *kernel, *out, *trail) (of a padded copy if win pads),
    the spatial dims of a being followed by `trailing` others."""
    d = len(win.kernel)
    first, last = a.ndim - trailing - d, a.ndim - trailing
    if any(win.lo) or any(win.hi):
        a = np.pad(a, [(0, 0)] * first + list(zip(win.lo, win.hi)) + [(0, 0)] * trailing,
                   constant_values=fill)
    steps = a.strides[first:last]
    return np.lib.stride_tricks.as_strided(
        a, a.shape[:first] + win.kernel + _out_size(win) + a.shape[last:],
        a.strides[:first] + tuple(st * dl for st, dl in zip(steps, win.dilation)) +
        tuple(st * s for st, s in zip(steps, win.stride)) + a.strides[last:],
        writeable=writeable)


def _at(offset, trailing=0):
    """The index of one kernel offset's plane (..., *out, *trail) in columns
    (..., *kernel, *out, *trail)."""
    return (Ellipsis,) + offset + (slice(None),) * (len(offset) + trailing)


def _scatter_np(write, lead, win, dtype, trail=()):
    """zeros (*lead, *win.size, *trail) where `write(k, offset, dst)` put the plane
    (..., *out, *trail) of the k-th kernel offset (ndindex order) into dst, the view of where
    `_unfold_np` reads it from."""
    padded = tuple(n + lo + hi for n, lo, hi in zip(win.size, win.lo, win.hi))
    out = np.zeros(lead + padded + trail, dtype)
    cols = _unfold_np(out, win._replace(lo=(0,) * len(padded), hi=(0,) * len(padded),
                                        size=padded), writeable=True, trailing=len(trail))
    for k, offset in enumerate(np.ndindex(*win.kernel)):
        write(k, offset, cols[_at(offset, len(trail))])
    if not any(win.lo) and not any(win.hi):
        return out
    crop = tuple(slice(lo, lo + n) for lo, n in zip(win.lo, win.size))
    return np.ascontiguousarray(out[(...,) + crop + (slice(None),) * len(trail)])


def _fold_np(cols, win, trail=()):
    """The adjoint of `_unfold_np`: each column entry added back where it was read from."""
    d = len(win.kernel)
    return _scatter_np(lambda k, offset, dst: np.add(dst, cols[_at(offset, len(trail))], out=dst),
                       cols.shape[:cols.ndim - len(trail) - 2 * d], win, cols.dtype, trail)


Im2ColBackward0 = defnode("Im2ColBackward0", [lambda B, g, ans, win: _fold(B, g, win)], "unfold")
Col2ImBackward0 = defnode("Col2ImBackward0", [lambda B, g, ans, win: _unfold(B, g, win)], "fold")


def _unfold(B, x, win):
    return _unfold_np(x, win) if B is NP else record1(Im2ColBackward0, _unfold_np(x._data, win),
                                                       x, (win,))


def _fold(B, cols, win):
    return _fold_np(cols, win) if B is NP else record1(Col2ImBackward0, _fold_np(cols._data, win),
                                                       cols, (win,))


# ================================================================================================
# Convolution
# ================================================================================================

def _columns(B, x, win, groups):
    """x's windows as matrices (N, groups, C // groups * prod(kernel), prod(out))."""
    cols = _unfold(B, x, win)
    out = tuple(cols.shape[-len(win.kernel):])
    return B.reshape(cols, (cols.shape[0], groups, -1, int(np.prod(out))))


def _by_group(B, a, groups):
    """An output or its gradient (N, C, *out) as matrices (N, groups, C // groups, prod(out))."""
    return B.reshape(a, (a.shape[0], groups, a.shape[1] // groups, -1))


def _weight_matrices(B, w, groups):
    """A weight (C_out, C // groups, *kernel) as (groups, C_out // groups, C // groups *
    prod(kernel))."""
    return B.reshape(w, (groups, w.shape[0] // groups, -1))


def _conv_input_grad_np(g, w, x_shape, win, groups):
    """The input's gradient with the batch innermost (long rows for the additions of `_fold`):
    the weight's transpose times g (groups, C_out // groups, prod(out) * N), folded into
    (C, *size, N)."""
    n = g.shape[0]
    moved = np.moveaxis(g, 0, -1).reshape(groups, g.shape[1] // groups, -1)
    cols = np.swapaxes(_weight_matrices(NP, w, groups), -1, -2) @ moved
    cols = cols.reshape((x_shape[1],) + win.kernel + g.shape[2:] + (n,))
    return np.ascontiguousarray(np.moveaxis(_fold_np(cols, win, (n,)), -1, 0))


def _conv_input_rule(B, g, ans, x, w, win, groups):
    if B is NP:
        return _conv_input_grad_np(g, w, x.shape, win, groups)
    cols = B.mT(_weight_matrices(B, w, groups)) @ _by_group(B, g, groups)
    return _fold(B, B.reshape(cols, tuple(x.shape[:2]) + win.kernel + tuple(g.shape[2:])), win)


def _conv_weight_rule(B, g, ans, x, w, win, groups):
    grad = B.sum(_by_group(B, g, groups) @ B.mT(_columns(B, x, win, groups)), (0,), False)
    return B.reshape(grad, tuple(w.shape))


def _conv_bias_rule(B, g, ans, x, w, win, groups):
    return B.sum(g, (0,) + tuple(range(2, g.ndim)), False)


ConvolutionBackward0 = defnode("ConvolutionBackward0", [
    _conv_input_rule, _conv_weight_rule, _conv_bias_rule], "conv", saves=True)


def convolution(x, weight, bias, win, groups):
    """The grouped convolution (cross-correlation) of a batched x (N, C, *size) with weight
    (C_out, C // groups, *kernel), plus bias: one batched matmul of the weight with x's
    columns; one ConvolutionBackward0 node."""
    data = _weight_matrices(NP, weight._data, groups) @ _columns(NP, x._data, win, groups)
    data = data.reshape((data.shape[0], -1) + _out_size(win))
    if bias is not None:
        data += bias._data.reshape((-1,) + (1,) * len(win.kernel))
    return record(ConvolutionBackward0, data, (x, weight, bias), (x, weight, win, groups))


# ================================================================================================
# Pooling
# ================================================================================================

def _argmax_np(cols, d, nan_aware):
    """The largest value of each window of cols (..., *kernel, *out) and its offset in the
    flattened kernel, as PyTorch's scan: a later value wins when greater or NaN."""
    offsets = list(np.ndindex(*cols.shape[-2 * d:-d]))
    best = cols[_at(offsets[0])].copy()
    arg = np.zeros(best.shape, np.int8 if len(offsets) < 128 else np.int64)
    for k, offset in enumerate(offsets[1:], 1):
        plane = cols[_at(offset)]
        wins = plane > best
        if nan_aware:
            wins |= np.isnan(plane)
        arg += wins * (k - arg)  # (arithmetic: faster than masked writes)
        np.maximum(plane, best, out=best)  # (NaN spreads; numpy keeps best on ties)
    return best, arg


def _window_max_np(cols, d):
    """`_argmax_np`, NaN-aware only when a NaN came out (rare: the scan runs again)."""
    data, arg = _argmax_np(cols, d, False)
    if cols.dtype.kind == "f" and np.isnan(data).any():
        data, arg = _argmax_np(cols, d, True)
    return data, arg


def _max_indices(arg, win):
    """The index of each window's maximum in its flattened input plane, from its offset in the
    flattened kernel; a window of only -inf (or only its dtype's minimum) gets its first
    element that is not padding, as PyTorch's."""
    d = len(win.kernel)
    where = []
    for i, (n, s, lo, o, dl) in enumerate(zip(arg.shape[-d:], win.stride, win.lo,
                                              np.unravel_index(arg, win.kernel), win.dilation)):
        at = np.arange(n).reshape((-1,) + (1,) * (d - 1 - i)) * s - lo + o * dl
        where.append(at + np.maximum(dl - 1 - at, 0) // dl * dl)
    return np.ravel_multi_index(where, win.size)


def _in_flat_input(indices, d, plane):
    """Indices (..., *out) into flattened input planes of `plane` elements as indices into the
    whole flattened input."""
    lead = indices.shape[:-d]
    return (np.arange(int(np.prod(lead))).reshape(lead + (1,) * d) * plane + indices).ravel()


def _max_pool_grad_np(g, arg, win):
    """g added at the maxima, one step per kernel offset: multiplied by the offset's mask
    straight into place where windows are disjoint (and g finite: inf * 0 is NaN); the -0. of
    negative g times 0 made +0. by one pass at the end, as PyTorch's zeros."""
    finite = np.isfinite(g).all()
    if finite and all(s >= dl * (k - 1) + 1 for k, s, dl in zip(win.kernel, win.stride,
                                                              win.dilation)):
        def write(k, offset, dst):
            np.multiply(g, arg == k, out=dst)
    else:
        def write(k, offset, dst):
            dst += g * (arg == k) if finite else np.where(arg == k, g, 0)
    grad = _scatter_np(write, g.shape[:-len(win.kernel)], win, g.dtype)
    grad += 0.0
    return grad


def _max_pool_rule(B, g, ans, arg, win):
    """g added at the maxima (overlapping windows may share one); differentiable: g scattered
    at the maxima's flat indices."""
    if B is NP:
        return _max_pool_grad_np(g, arg, win)
    flat = _in_flat_input(_max_indices(arg, win), len(win.kernel), int(np.prod(win.size)))
    return _scatter_rule(B, g, ans, flat, tuple(g.shape[:-len(win.kernel)]) + win.size)


MaxPool2DWithIndicesBackward0 = defnode("MaxPool2DWithIndicesBackward0", [_max_pool_rule],
                                        "max_pool2d")


def max_pool(x, win, return_indices):
    """The largest value of each window (the first one on ties, the last NaN), with
    return_indices also its index in the input's flattened spatial plane, as PyTorch's; one
    MaxPool2DWithIndicesBackward0 node."""
    a = x._data
    cols = _unfold_np(a, win, -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min)
    data, arg = _window_max_np(cols, len(win.kernel))
    out = record1(MaxPool2DWithIndicesBackward0, data, x, (arg, win))
    return (out, _new(_max_indices(arg, win).astype(np.int64))) if return_indices else out


def pool_divisors(win, count_include_pad, divisor_override):
    """PyTorch's divisor of each window's sum in average pooling (an array (*out_size))."""
    if divisor_override:
        return np.asarray(divisor_override)
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
    """g over the divisors added to every element of its window (numpy: one step per kernel
    offset; differentiable: g expanded to columns and folded)."""
    g = g / divisors
    d, shape = len(win.kernel), tuple(g.shape)
    if B is NP:
        return _scatter_np(lambda k, offset, dst: np.add(dst, g, out=dst), shape[:-d], win,
                           g.dtype)
    return _fold(B, B.expand(B.reshape(g, shape[:-d] + (1,) * d + shape[-d:]),
                             shape[:-d] + win.kernel + shape[-d:]), win)


AvgPool2DBackward0 = defnode("AvgPool2DBackward0", [_avg_pool_rule], "avg_pool2d")


def avg_pool(x, win, divisors):
    """The sum of each (zero-padded) window over its divisor; one AvgPool2DBackward0 node."""
    a = x._data
    cols = _unfold_np(a, win)
    offsets = np.ndindex(*win.kernel)
    sums = cols[_at(next(offsets))].copy()
    for offset in offsets:  # (window by window in PyTorch's order, faster than a strided sum)
        sums += cols[_at(offset)]
    if a.dtype.kind == "f":
        data = (sums / divisors).astype(a.dtype, copy=False)
    else:  # (int64: the quotient truncated, as PyTorch's)
        data = np.sign(sums) * (np.abs(sums) // divisors.astype(a.dtype))
    return record1(AvgPool2DBackward0, data, x, (win, np.asarray(divisors, a.dtype)))


def _bin_ends(n, out):
    """The starts and ends of PyTorch's adaptive bins [floor(i n / out), ceil((i+1) n / out))."""
    i = np.arange(out)
    return i * n // out, -(-(i + 1) * n // out)


def _bins(n, out, dtype):
    """The (out, n) matrix averaging the adaptive bins of n elements."""
    start, end = _bin_ends(n, out)
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


def _scatter_rule(B, g, ans, flat_indices, shape):
    """g added at the flat indices it was taken from (bins may share one)."""
    grad = B.index_grad(B.reshape(g, (-1,)), (int(np.prod(shape)),), (flat_indices,))
    return B.reshape(grad, shape)


AdaptiveMaxPool2DBackward0 = defnode("AdaptiveMaxPool2DBackward0", [_scatter_rule],
                                     "adaptive_max_pool2d")


def adaptive_max_pool2d(x, out_size, return_indices):
    """The largest value of each adaptive bin of the last two dims (PyTorch's scan, as
    `max_pool`), with return_indices also its index in the flattened input plane; one
    AdaptiveMaxPool2DBackward0 node. Shorter bins repeat their last element."""
    a = x._data
    spans = [_bin_ends(n, out) for n, out in zip(a.shape[-2:], out_size)]
    kernel = [int((end - start).max(initial=1)) for start, end in spans]
    rows, cols = (np.minimum(start + np.arange(k)[:, None], end - 1)
                  for (start, end), k in zip(spans, kernel))
    data, arg = _window_max_np(a[..., rows[:, None, :, None], cols[None, :, None, :]], 2)
    at_row, at_col = np.unravel_index(arg, kernel)
    indices = (rows[at_row, np.arange(out_size[0])[:, None]] * a.shape[-1] +
               cols[at_col, np.arange(out_size[1])])
    flat = _in_flat_input(indices, 2, a.shape[-1] * a.shape[-2])
    out = record1(AdaptiveMaxPool2DBackward0, data, x, (flat, a.shape))
    return (out, _new(indices)) if return_indices else out


# ================================================================================================
# Padding
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


def _edge_indices(n, lo, hi, mode):
    """Where each of the n + lo + hi entries of a dim padded by `mode` ('reflect': mirrored at
    the ends, the end itself not repeated; 'replicate': the end repeated) reads from."""
    i = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    i = np.abs(i)
    return np.where(i >= n, 2 * (n - 1) - i, i)


def _take_back_np(g, idx, n, axis):
    """The adjoint of np.take(a, idx, axis) for an axis of n: each entry of g added back where
    it was read from (the first read of each place gathered at once, the repeats one by one)."""
    places, first = np.unique(idx, return_index=True)
    lead = (slice(None),) * (axis % g.ndim)
    out = np.take(g, first, axis)
    if len(places) < n:  # (cropped places get nothing)
        out, taken = np.zeros(g.shape[:axis % g.ndim] + (n,) + g.shape[axis % g.ndim + 1:],
                              g.dtype), out
        out[lead + (places,)] = taken
    for at in np.setdiff1d(np.arange(len(idx)), first):
        out[lead + (idx[at],)] += g[lead + (at,)]
    return out


def _edge_pad_rule(B, g, ans, indices, shape):
    """g added back where the padding read from: dim by dim (numpy), or scattered at the
    gathered places (differentiable)."""
    d = len(indices)
    if B is NP:
        for i, idx in enumerate(indices):
            g = _take_back_np(g, idx, shape[i - d], i - d)
        return g
    return B.index_grad(g, shape, (Ellipsis,) + np.ix_(*indices))


_EDGE_PAD_NODES = {
    (mode, d): defnode(f"{name}Pad{d}DBackward0", [_edge_pad_rule], f"{mode}_pad")
    for mode, name in (("reflect", "Reflection"), ("replicate", "Replication"))
    for d in (1, 2, 3)}


def edge_pad(x, pad, mode):
    """x's last len(pad) // 2 dims padded by reflecting or replicating their ends (cropped where
    an amount is negative): a gather, dim by dim; its backward adds the gradient back where it
    was read (ReflectionPad{d}DBackward0 or ReplicationPad{d}DBackward0)."""
    a = x._data
    d = len(pad) // 2
    indices = [_edge_indices(n, pad[2 * (d - 1 - i)], pad[2 * (d - 1 - i) + 1], mode)
               for i, n in enumerate(a.shape[-d:])]
    data = a
    for i, idx in enumerate(indices):
        data = np.take(data, idx, i - d)
    return record1(_EDGE_PAD_NODES[mode, d], data, x, (indices, a.shape))
