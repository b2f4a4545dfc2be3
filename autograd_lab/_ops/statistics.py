"""Order statistics: median, nanmedian, mode, kthvalue, quantile, nanquantile, cummax, cummin.
Values picked from the input pass the gradient back to the place they came from."""
import numpy as np

from .._node import defnode
from .._tensor import _new
from ._record import as_tensor_arg, norm_dim, record1
from .views import SqueezeBackward4, movedim, reshape
from .reductions import _along, _evenly_rule, _keepdim_index, _require_nonempty, return_types
from .indexing import _index_rule
from .pointwise import lerp
from .scans import _argsort, gather, sort


MedianBackward0 = defnode("MedianBackward0", [_evenly_rule], "median", saves=True, uses_ans=True)
NanmedianBackward0 = defnode("NanmedianBackward0", [_evenly_rule], "nanmedian", saves=True,
                             uses_ans=True)
MedianBackward0._saved_names = NanmedianBackward0._saved_names = ("self",)
MedianBackward1 = defnode("MedianBackward1", _index_rule, "median")
NanmedianBackward1 = defnode("NanmedianBackward1", _index_rule, "nanmedian")
ModeBackward0 = defnode("ModeBackward0", _index_rule, "mode")
KthvalueBackward0 = defnode("KthvalueBackward0", _index_rule, "kthvalue")
CummaxBackward0 = defnode("CummaxBackward0", _index_rule, "cummax")
CumminBackward0 = defnode("CumminBackward0", _index_rule, "cummin")


def _picked(pair, cls, x, idx, d, keepdim):
    """pair(values, indices): x's elements at the positions idx (keepdim shape) along dim d."""
    a = x._data
    if a.ndim == 0:
        return pair(record1(cls, a.copy(), x, ((), ())), _new(np.zeros((), np.int64)))
    ix = _along(idx, d)
    values = a[ix]
    if not keepdim:
        values, idx = np.squeeze(values, d), np.squeeze(idx, d)
    return pair(record1(cls, values, x, (a.shape, _keepdim_index(ix, d, keepdim))),
                _new(idx.astype(np.int64)))


def _order(a, d):
    """The stable ascending sort order of a along d (NaN last), and how many are not NaN."""
    order = _argsort(a, d, False)
    if a.dtype.kind != "f":
        return order, np.full(a.shape[:d] + (1,) + a.shape[d + 1:], a.shape[d])
    return order, np.sum(~np.isnan(a), d, keepdims=True)


def _not_for_bool(kernel, a):
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _median(name, input, dim, keepdim, skip_nan):
    x = as_tensor_arg(input)
    a = x._data
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    _not_for_bool("median_cpu" if dim is None else "median_out", a)
    whole, along = ((NanmedianBackward0, NanmedianBackward1) if skip_nan else
                    (MedianBackward0, MedianBackward1))
    pair = getattr(return_types, name)
    if dim is None:
        flat = a.reshape(-1)
        if not flat.size:
            return _new(np.asarray(np.nan, a.dtype))
        order, valid = _order(flat, 0)
        k = (int(valid[0]) - 1) // 2 if skip_nan or valid[0] == flat.size else flat.size - 1
        return record1(whole, flat[order[max(k, 0)]], x, (x, tuple(range(a.ndim)), False))
    d = norm_dim(dim, a.ndim)
    if not a.ndim:
        return _picked(pair, along, x, None, 0, keepdim)
    _require_nonempty(name, a, (d,), False, IndexError)
    order, valid = _order(a, d)
    n = a.shape[d]
    k = (valid - 1) // 2 if skip_nan else np.where(valid == n, (n - 1) // 2, n - 1)
    idx = np.take_along_axis(order, np.maximum(k, 0), d)
    if not skip_nan and a.dtype.kind == "f":  # a line with NaN: its first NaN
        nan = np.isnan(a)
        idx = np.where(valid < n, np.argmax(nan, d, keepdims=True), idx)
    return _picked(pair, along, x, idx, d, keepdim)


def median(input, dim=None, keepdim=False):
    """The lower median (of all elements, or (values, indices) along dim); NaN if any is NaN."""
    return _median("median", input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """The lower median of the values that are not NaN."""
    return _median("nanmedian", input, dim, keepdim, True)


def _lines(a, d):
    """a with dim d moved last, as rows (a 2-D view or copy), and a function that puts a
    per-row result (rows, 1) back in keepdim shape."""
    moved = np.moveaxis(a, d, -1)
    rows = moved.reshape(-1, moved.shape[-1] if moved.ndim else 1)
    return rows, lambda r: np.moveaxis(r.reshape(moved.shape[:-1] + (1,)), -1, d)


def _insertion_order(row):
    """The order libstdc++'s insertion sort (std::sort of up to 16 elements) leaves the
    indices of row in: NaN compares false with everything, so it stops the elements moving."""
    order = []
    for j, v in enumerate(row):
        k = len(order)
        if order and v < row[order[0]]:
            k = 0
        while k and v < row[order[k - 1]]:
            k -= 1
        order.insert(k, j)
    return np.array(order, np.int64)


def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along dim (the smallest of equally frequent
    ones) and the index of its last occurrence, as PyTorch's CPU kernel: each NaN counts
    once; a row of up to 16 with NaNs is ordered as std::sort leaves it, a longer one with
    the NaNs last."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    if not a.ndim:
        return _picked(return_types.mode, ModeBackward0, x, None, 0, keepdim)
    if not a.shape[d]:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    rows, back = _lines(a, d)
    idx = np.empty((rows.shape[0], 1), np.int64)
    for i, row in enumerate(rows):
        small_nan = len(row) <= 16 and row.dtype.kind == "f" and np.isnan(row).any()
        order = _insertion_order(row) if small_nan else np.argsort(row, kind="stable")
        v = row[order]
        ends = np.flatnonzero(np.append(v[1:] != v[:-1], True))  # the last of each run
        idx[i] = order[ends[np.argmax(np.diff(ends, prepend=-1))]]
    return _picked(return_types.mode, ModeBackward0, x, back(idx), d, keepdim)


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices): the k-th smallest value along dim (k from 1; NaN counts as largest)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    _not_for_bool("kthvalue_cpu", a)
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if not a.ndim:
        return _picked(return_types.kthvalue, KthvalueBackward0, x, None, 0, keepdim)
    idx = np.take(_argsort(a, d, False), [k - 1], d)
    return _picked(return_types.kthvalue, KthvalueBackward0, x, idx, d, keepdim)


def _cumulative(name, cls, better, input, dim):
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    pair = getattr(return_types, name)
    if not a.ndim:
        return _picked(pair, cls, x, None, 0, True)
    moved = np.moveaxis(a, d, 0)
    idx = np.zeros(moved.shape, np.int64)
    best = moved[0] if len(moved) else None
    for i in range(1, len(moved)):  # a later tie wins; so does a NaN, and only a NaN after one
        cur = moved[i]
        take = better(cur, best) | (cur == best)
        if a.dtype.kind == "f":
            take = np.isnan(cur) | (take & ~np.isnan(best))
        idx[i] = np.where(take, i, idx[i - 1])
        best = np.where(take, cur, best)
    return _picked(pair, cls, x, np.moveaxis(idx, 0, d), d, True)


def cummax(input, dim):
    """(values, indices): the running maximum along dim and where it was found."""
    return _cumulative("cummax", CummaxBackward0, np.greater, input, dim)


def cummin(input, dim):
    """(values, indices): the running minimum along dim and where it was found."""
    return _cumulative("cummin", CumminBackward0, np.less, input, dim)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, skip_nan):
    x = as_tensor_arg(input)
    a = x._data
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, type(x)):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != a.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs, scalar = q._data, q._data.ndim == 0
    elif isinstance(q, (int, float, np.number)) and not isinstance(q, bool):
        qs, scalar = np.asarray(q, a.dtype), True
    else:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(q).__name__}), but expected one of:\n * (Tensor input, Tensor q, "
                        f"int dim = None, bool keepdim = False, *, str interpolation = \"linear\","
                        f" Tensor out = None)\n * (Tensor input, float q, int dim = None, bool "
                        f"keepdim = False, *, str interpolation = \"linear\", Tensor out = "
                        f"None)\n")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got "
                           f"{float(qs[(qs < 0) | (qs > 1)].flat[0]):g}")
    if not a.size:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = reshape(x, -1), 0
    else:
        d = norm_dim(dim, a.ndim)
        if not a.ndim:
            x = reshape(x, 1)
    s = movedim(sort(x, d).values, d, -1)  # (..., n), NaN last
    sa = s._data
    n = sa.shape[-1]
    nan = np.isnan(sa)
    qv = qs.reshape(-1).astype(a.dtype)
    if skip_nan:
        ranks = qv * (np.sum(~nan, -1, keepdims=True) - 1).astype(a.dtype)
        ranks = np.where(ranks < 0, 0, ranks).astype(a.dtype)
    else:
        ranks = np.where(nan.any(-1, keepdims=True), a.dtype.type(n - 1),
                         qv * a.dtype.type(n - 1)).astype(a.dtype)
    rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation)
    if rounding is not None:
        out = gather(s, -1, _new(rounding(ranks).astype(np.int64)))
    else:
        below = np.floor(ranks).astype(np.int64)
        above = np.ceil(ranks).astype(np.int64)
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else \
            (ranks - below).astype(a.dtype)
        out = lerp(gather(s, -1, _new(below)), gather(s, -1, _new(above)), _new(weights))
    out = movedim(out, -1, 0)  # (q, ...)
    shape = list(out._data.shape)
    if keepdim and dim is None:
        shape = shape[:1] + [1] * a.ndim
    elif keepdim and a.ndim:
        shape.insert(d + 1, 1)
    if scalar:
        shape = shape[1:]
    data = out._data.reshape(shape)
    return record1(SqueezeBackward4, data, out, (out._data.shape,))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a number or a 1-D tensor, listed first) of all elements or along
    dim, interpolated between the nearest ranks; NaN where a line holds NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile of the values that are not NaN (NaN where a line holds only NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)
