"""Reductions (sum, mean, var, std, prod, max, min, norm, ...) and softmax / log_softmax."""
import math
import warnings

import numpy as np

from .. import _dtypes
from .._group import defgroupnode, record_group
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import _NO_DIM, _max, _sum, as_tensor_arg, norm_dim, norm_dims, record1
from .arith import maximum, minimum, where


# ================================================================================================
# Reductions
# ================================================================================================


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(B, g, shape, dims, keepdim):
    """The gradient of a reduction over `dims`, spread back over the input's shape."""
    if not keepdim:
        g = B.reshape(g, _keep_shape(shape, dims))
    return B.expand(g, shape)


SumBackward0 = defnode("SumBackward0", [lambda B, g, ans, shape, dims, keep:
                                        _expand_back(B, g, shape, dims, keep)], "sum")
SumBackward1 = defnode("SumBackward1", SumBackward0._vjps, "sum")
MeanBackward0 = defnode("MeanBackward0", [lambda B, g, ans, shape, dims, keep, n:
                                          _expand_back(B, g, shape, dims, keep) / n], "mean")
MeanBackward1 = defnode("MeanBackward1", MeanBackward0._vjps, "mean")


def _reduce_args(x, dim, keepdim):
    x = as_tensor_arg(x)
    if isinstance(dim, (list, tuple)) and not dim:
        dim = None  # no dims listed: PyTorch reduces over all of them
    return x, norm_dims(dim, x._data.ndim), bool(keepdim)


def _require_nonempty(name, a, dims, all_dims, error=RuntimeError):
    """PyTorch's refusal to take a max/min/argmax over nothing (they have no identity)."""
    if a.size:
        return
    if all_dims:
        hint = " Specify the reduction dim with the 'dim' argument."
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                    + (hint if error is RuntimeError else ""))
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum over `dim` (all dims by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    # the ufunc itself, not np.sum: numpy's overflow warnings are then attributed to (and
    # silenced in) autograd_lab, as PyTorch gives inf silently
    data = _sum(a, dims, keepdims=keep, dtype=np.int64 if a.dtype.kind in "biu" else None)
    cls = SumBackward0 if dim is None else SumBackward1
    return record1(cls, data, x, (a.shape, dims, keep))


def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over `dim` (all dims by default)."""
    return _mean(MeanBackward0 if dim is None else MeanBackward1, input, dim, keepdim, dtype)


def _mean(cls, input, dim, keepdim, dtype=None):
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    if a.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: "
                           f"{_dtypes.of_array(a).legacy}")
    data, n = _mean_array(a, dims, keep)
    return record1(cls, data, x, (a.shape, dims, keep, n))


def _mean_array(a, dims, keep):
    """(the mean of a over dims, how many elements each mean has)."""
    n = 1
    for d in dims:
        n *= a.shape[d]
    total = _sum(a, dims, keepdims=keep)
    data = total / a.dtype.type(n) if n else np.full(np.shape(total), np.nan, a.dtype)
    return data.astype(a.dtype, copy=False), n


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


VarBackward0 = defnode("VarBackward0", [
    lambda B, g, ans, x, dims, c, keep, n:
        _expand_back(B, g, x.shape, dims, keep) * (2 * (x - B.mean(x, dims)) / (n - c))],
    "var", saves=True)
StdBackward0 = defnode("StdBackward0", [
    lambda B, g, ans, x, dims, c, keep, n:
        _expand_back(B, B.where(ans == 0, 0.0, g / ans), x.shape, dims, keep)
        * ((x - B.mean(x, dims)) / (n - c))],  # constant input: gradient 0, not nan
    "std", saves=True, uses_ans=True)


def _var_like(cls, npfn, input, dim, unbiased, keepdim, correction):
    x, data, saved = _var_array(cls, npfn, input, dim, unbiased, keepdim, correction)
    return record1(cls, data, x, (x,) + saved)


def _var_array(cls, npfn, input, dim, unbiased, keepdim, correction, name=None):
    """(x, var or std of x as `cls` computes it, (dims, correction, keepdim, n)); `name`:
    var_mean or std_mean, as PyTorch's messages call them."""
    if isinstance(dim, bool):  # var(x, False): the old `unbiased` positional argument
        dim, unbiased = None, dim
    if as_tensor_arg(input)._data.dtype.kind != "f":
        raise RuntimeError(f"{name or 'std and var'} only support floating point and complex "
                           f"dtypes")
    x, dims, keep = _reduce_args(input, dim, keepdim)
    c = _correction(unbiased, correction)
    n = 1
    for d in dims:
        n *= x._data.shape[d]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if n - c > 0:
            data = npfn(x._data, axis=dims, ddof=c, keepdims=keep)
        else:  # PyTorch's warning instead of numpy's
            warnings.warn(f"{name or cls.__name__[:3].lower()}(): degrees of freedom is <= 0. "
                          f"Correction should be strictly less than the reduction factor (input "
                          f"numel divided by output numel).", UserWarning, stacklevel=4)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                data = npfn(x._data, axis=dims, ddof=c, keepdims=keep)
    return x, np.asarray(data, x._data.dtype), (dims, c, keep, n)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over `dim`, with Bessel's correction by default (as PyTorch)."""
    return _var_like(VarBackward0, np.var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over `dim`, with Bessel's correction by default."""
    return _var_like(StdBackward0, np.std, input, dim, unbiased, keepdim, correction)


# var_mean/std_mean: one node for both results, as PyTorch's (see _group.py)
VarMeanBackward0 = defgroupnode("VarMeanBackward0", "var_mean")
StdMeanBackward0 = defgroupnode("StdMeanBackward0", "std_mean")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over `dim`, as var() and mean() give them."""
    return _with_mean(VarMeanBackward0, VarBackward0, np.var, input, dim, unbiased, keepdim,
                      correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over `dim`, as std() and mean() give them."""
    return _with_mean(StdMeanBackward0, StdBackward0, np.std, input, dim, unbiased, keepdim,
                      correction)


def _with_mean(member, spread, npfn, input, dim, unbiased, keepdim, correction):
    """(`spread` (var or std), mean) of input, recorded as one `member` group."""
    x, data, saved = _var_array(spread, npfn, input, dim, unbiased, keepdim, correction,
                                member.__name__[:-9].lower().replace("mean", "_mean"))
    dims, _, keep, n = saved
    first = spread._vjps[0]

    def rule(B, grads, ans, a):
        gs, gm = grads
        out = None if gs is None else first(B, gs, ans[0], a, *saved)
        if gm is not None:
            part = _expand_back(B, gm, a.shape, dims, keep) / n
            out = part if out is None else out + part
        return out
    return tuple(record_group(member, (data, _mean_array(x._data, dims, keep)[0]), x, rule,
                              (0,) if spread._uses_ans else ()))  # (std's rule reads std)


def _prod_rule(B, g, ans, x, dims, keep):
    return _expand_back(B, g, x.shape, dims, keep) * B.prod_of_others(x, dims)


def _recorded_prod_of_others(x, dims):
    """_prod_of_others from recorded ops and without dividing, so that create_graph=True
    differentiates it correctly where x has zeros: one masked product per reduced position."""
    shape = tuple(x.shape)
    mask_shape = tuple(s if i in dims else 1 for i, s in enumerate(shape))
    others = x * 0
    for pos in np.ndindex(*(shape[d] for d in dims)):
        mask = np.zeros(mask_shape, bool)
        mask[tuple(pos[dims.index(i)] if i in dims else 0 for i in range(len(shape)))] = True
        others = others + where(mask, prod(where(mask, 1.0, x), dims, True), 0.0)
    return others


def _prod_of_others(x, dims):
    """For each element, the product of the other elements it was multiplied with (zeros ok)."""
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = np.transpose(x, rest + list(dims))
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    return np.transpose((left * right).reshape(moved.shape), np.argsort(rest + list(dims)))


ProdBackward0 = defnode("ProdBackward0", [_prod_rule], "prod", saves=True, uses_ans=True)
ProdBackward1 = defnode("ProdBackward1", [_prod_rule], "prod", saves=True, uses_ans=True)


def prod(input, dim=None, keepdim=False, dtype=None):
    """Product over `dim` (all dims by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data
    data = np.multiply.reduce(a, dims, keepdims=keep,
                              dtype=np.int64 if a.dtype.kind in "biu" else None)
    cls = ProdBackward0 if dim is None else ProdBackward1
    return record1(cls, data, x, (x, dims, keep))


def _spread_rule(B, g, ans, x, dims, keep):
    """amax/amin/max(): the gradient is shared evenly between the tied extreme values."""
    hit = x == _expand_back(B, ans, x.shape, dims, keep)
    count = B.sum(hit * 1.0, dims, True)
    return _expand_back(B, g, x.shape, dims, keep) * hit / count


AmaxBackward0 = defnode("AmaxBackward0", [_spread_rule], "amax", saves=True, uses_ans=True)
AminBackward0 = defnode("AminBackward0", [_spread_rule], "amin", saves=True, uses_ans=True)
AminmaxBackward0 = defgroupnode("AminmaxBackward0", "aminmax")
def _evenly_rule(B, g, ans, x, dims, keep):
    """max()/min() of everything: like amax, but a NaN result sends the gradient to the NaNs."""
    hit = (x == ans) | (B.isnan(x) & B.isnan(ans))
    return B.where(hit, g / B.sum(hit * 1.0, dims, False), 0.0)  # +0 elsewhere, as PyTorch


MaxBackward1 = defnode("MaxBackward1", [_evenly_rule], "max", saves=True, uses_ans=True)
MinBackward1 = defnode("MinBackward1", [_evenly_rule], "min", saves=True, uses_ans=True)
MaxBackward0 = defnode("MaxBackward0", [lambda B, g, ans, shape, ix: B.index_grad(g, shape, ix)],
                       "max", saves=False)
MinBackward0 = defnode("MinBackward0", MaxBackward0._vjps, "min")


def _named_pair(name, *fields):
    """A pair (a tuple; or a triple) with named fields, printed as PyTorch's
    torch.return_types.<name>."""
    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        return f"torch.return_types.{name}(\n" + ",\n".join(
            f"{f}={v!r}" for f, v in zip(fields, self)) + ")"
    attrs = {f: property(lambda self, i=i: self[i]) for i, f in enumerate(fields)}
    return type(name, (tuple,), {"__slots__": (), "__new__": __new__, "__repr__": __repr__,
                                 **attrs})


class return_types:
    """Named results of max/min/sort/topk/median/... along a dim and of aminmax, printed as
    PyTorch."""

    max, min, sort, topk, median, nanmedian, mode, kthvalue, cummax, cummin = (
        _named_pair(n, "values", "indices") for n in (
            "max", "min", "sort", "topk", "median", "nanmedian", "mode", "kthvalue", "cummax",
            "cummin"))
    aminmax = _named_pair("aminmax", "min", "max")
    slogdet, linalg_slogdet = (_named_pair(n, "sign", "logabsdet")
                               for n in ("slogdet", "linalg_slogdet"))
    linalg_eigh = _named_pair("linalg_eigh", "eigenvalues", "eigenvectors")
    linalg_qr = _named_pair("linalg_qr", "Q", "R")
    linalg_svd = _named_pair("linalg_svd", "U", "S", "Vh")


def _extreme(input, dim, keepdim, which, other):
    x = as_tensor_arg(input)
    a = x._data
    if isinstance(dim, Tensor) or (dim is not None and not isinstance(dim, (int, np.integer))):
        return (maximum if which == "max" else minimum)(x, dim)  # torch.max(a, b)
    if dim is None:
        _require_nonempty(which, a, (), True)
        data = a.max() if which == "max" else a.min()
        return record1(MaxBackward1 if which == "max" else MinBackward1, data, x,
                       (x, tuple(range(a.ndim)), False))
    d = norm_dim(dim, a.ndim)
    _require_nonempty(which, a, (d,), False)
    idx = (np.argmax if which == "max" else np.argmin)(a, axis=d, keepdims=True) if a.ndim else \
        np.zeros((), np.int64)
    if a.ndim == 0:
        values = record1(MaxBackward0 if which == "max" else MinBackward0, a.copy(), x,
                         ((), ()))
        return getattr(return_types, which)(values, _new(np.zeros((), np.int64)))
    ix = _along(idx, d)
    vals = a[ix]
    if not keepdim:
        vals, idx = np.squeeze(vals, d), np.squeeze(idx, d)
    values = record1(MaxBackward0 if which == "max" else MinBackward0, vals, x,
                     (a.shape, _keepdim_index(ix, d, keepdim)))
    return getattr(return_types, which)(values, _new(idx.astype(np.int64)))


def _along(idx, d):
    """The index that picks, in every line along dim d, the positions idx (same ndim) holds."""
    ix = list(np.indices(idx.shape, sparse=True))
    ix[d] = idx
    return tuple(ix)


def _keepdim_index(ix, d, keepdim):
    """Index arrays that scatter a (possibly squeezed) reduction result back into the input."""
    if keepdim:
        return ix
    return tuple(np.squeeze(i, d) if i.ndim and i.shape[d] == 1 and i.size else
                 np.squeeze(i, d) if i.ndim else i for i in ix)


def max(input, dim=None, keepdim=False):
    """The maximum; with `dim`, (values, indices) along it; with a tensor, elementwise."""
    return _extreme(input, dim, keepdim, "max", maximum)


def min(input, dim=None, keepdim=False):
    """The minimum; with `dim`, (values, indices) along it; with a tensor, elementwise."""
    return _extreme(input, dim, keepdim, "min", minimum)


def amax(input, dim=(), keepdim=False):
    x, dims, keep = _reduce_args(input, dim, keepdim)
    _require_nonempty("amax", x._data, dims, dim in ((), None))
    return record1(AmaxBackward0, np.amax(x._data, axis=dims, keepdims=keep), x, (x, dims, keep))


def amin(input, dim=(), keepdim=False):
    x, dims, keep = _reduce_args(input, dim, keepdim)
    _require_nonempty("amin", x._data, dims, dim in ((), None))
    return record1(AminBackward0, np.amin(x._data, axis=dims, keepdims=keep), x, (x, dims, keep))


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) over dim (all elements by default); ties share the gradient evenly."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    a = x._data
    if not a.size and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")

    def rule(B, grads, ans, a):
        parts = [_spread_rule(B, g, r, a, dims, keep) for g, r in zip(grads, ans) if g is not None]
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]
    arrays = [np.asarray(fn(a, axis=dims, keepdims=keep)) for fn in (np.amin, np.amax)]
    return return_types.aminmax(*record_group(AminmaxBackward0, arrays, x, rule, (0, 1)))


def count_nonzero(input, dim=None):
    """The number of nonzero elements (along dim: an int or a tuple of ints), as int64."""
    x, dims, _ = _reduce_args(input, dim, False)
    return _new(np.asarray(np.count_nonzero(x._data, axis=dims), np.int64))


def argmax(input, dim=None, keepdim=False):
    """The index of the largest value (in the flattened tensor, or along dim)."""
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest value (in the flattened tensor, or along dim)."""
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim)


def _arg_extreme(name, npfn, input, dim, keepdim):
    x = as_tensor_arg(input)
    a = x._data
    if dim is None:
        _require_nonempty(name, a, (), True, IndexError)
        return _new(np.asarray(npfn(a), np.int64))
    d = norm_dim(dim, a.ndim)
    _require_nonempty(name, a, (d,), False)
    return _new(np.asarray(npfn(a, axis=d, keepdims=keepdim) if a.ndim else 0, np.int64))


def _norm_rule(B, g, ans, x, p, dims, keep):
    ge = _expand_back(B, g, x.shape, dims, keep)
    an = _expand_back(B, ans, x.shape, dims, keep)
    if p == 2:
        return ge * B.where(an == 0, 0.0, x / an)
    if p == 0:
        return ge * 0
    if p == 1:
        return ge * B.sign(x)
    if p in (math.inf, -math.inf):
        return _spread_rule(B, g, ans, B.abs(x), dims, keep) * B.sign(x)
    return ge * B.where(an == 0, 0.0, x * B.abs(x) ** (p - 2) / an ** (p - 1))


LinalgVectorNormBackward0 = defnode("LinalgVectorNormBackward0", [_norm_rule], "norm",
                                    saves=True, uses_ans=True)


def norm(input, p=2, dim=None, keepdim=False):
    """The vector p-norm over `dim` (all elements by default)."""
    x, dims, keep = _reduce_args(input, dim, keepdim)
    p = {"fro": 2}.get(p, p)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.legacy}")
    a = np.abs(x._data)
    if p in (math.inf, -math.inf):
        listed = dim if isinstance(dim, (list, tuple)) else [] if dim is None else [dim]
        empty = [d for d in listed if a.ndim and a.shape[norm_dim(d, a.ndim)] == 0]
        if empty or not a.size and not listed:
            where = (f"the dimension {empty[0]}because this dimension is empty and" if empty
                     else "an empty tensor because")  # (PyTorch's text has no space there)
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on {where} the "
                               f"operation does not have an identity")
        data = (np.amax if p > 0 else np.amin)(a, axis=dims, keepdims=keep)
    elif p == 0:
        data = np.sum(a != 0, axis=dims, keepdims=keep)
    elif math.prod(a.shape[d] for d in dims) == 1:  # |x| itself, as PyTorch (no x**p overflow)
        data = _sum(a, dims, keepdims=keep)
    elif p == 2:
        data = np.sqrt(np.sum(a * a, axis=dims, keepdims=keep))
    else:
        data = np.sum(a ** p, axis=dims, keepdims=keep) ** (1.0 / p)
    return record1(LinalgVectorNormBackward0, np.asarray(data, x._data.dtype), x,
                   (x, p, dims, keep))


# ================================================================================================
# Softmax
# ================================================================================================

SoftmaxBackward0 = defnode("SoftmaxBackward0", [
    lambda B, g, ans, dims: ans * (g - B.sum(g * ans, dims, True))], "softmax", uses_ans=True)
LogSoftmaxBackward0 = defnode("LogSoftmaxBackward0", [
    lambda B, g, ans, dims: g - B.exp(ans) * B.sum(g, dims, True)], "log_softmax", uses_ans=True)


def _softmax_args(name, input, dim, dtype):
    """The tensor, the normalised dim and the float array that (log_)softmax works on."""
    if dim is _NO_DIM:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    x = as_tensor_arg(input)
    if dim is None:
        dim = 0 if x._data.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit choice
    a = x._data if dtype is None else x._data.astype(_dtypes.to_dtype(dtype).np)
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{x.dtype.legacy}' (softmax needs floats: call .float() "
                                  f"first or pass dtype=torch.float32)")
    d = norm_dim(dim, x._data.ndim)
    return x, d, a, (d,) if a.ndim else ()  # (the dims the rules sum over)


def softmax(input, dim=_NO_DIM, dtype=None):
    """exp(x) / exp(x).sum(dim), computed stably."""
    x, d, a, dims = _softmax_args("softmax", input, dim, dtype)
    e = np.exp(a - _max(a, d, keepdims=True, initial=-np.inf))
    return record1(SoftmaxBackward0, e / _sum(e, d, keepdims=True), x, (dims,))


def log_softmax(input, dim=_NO_DIM, dtype=None):
    """x - logsumexp(x, dim), computed stably."""
    x, d, a, dims = _softmax_args("log_softmax", input, dim, dtype)
    shifted = a - _max(a, d, keepdims=True, initial=-np.inf)  # (initial: an empty dim)
    if a.size:
        data = shifted - np.log(_sum(np.exp(shifted), d, keepdims=True))
    else:
        data = shifted  # (no log of an empty dim's sum, 0., and no warning about it)
    return record1(LogSoftmaxBackward0, data, x, (dims,))
