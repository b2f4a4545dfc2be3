"""Scans, reorderings and gathers: cumsum, flip, roll, repeat, gather, index_select, sort,
topk, masked_fill, einsum, random refills and the in-place clamps."""
import builtins

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import defnode
from .._random import numpy_rng
from .._tensor import Tensor, _new
from ._record import (_SCALARS, _Variadic, _array_of, _broadcast_error, _next, _shape_arg,
                      as_tensor_arg, norm_dim, norm_dims, record, record1)
from .arith import _zero_rule, clamp, clamp_max, clamp_min, compare, relu
from .linalg import _cpp_name
from .reductions import _along, return_types
from .indexing import _index_rule
from .views import clone, expand, flatten, reshape, unsqueeze
from .inplace import _apply_inplace, cat, inplace_copy
from .indexing import narrow


# ================================================================================================
# Scans, reorderings, gathers, einsum, sort/topk and more in-place ops
# ================================================================================================

_ACCUMULATE = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def _scan(fn, a, axis):
    """np.cumsum or np.cumprod along axis, running in PyTorch's wider accumulation type for
    float16/float32 (each result rounded back: a product may overflow and come back)."""
    acc = _ACCUMULATE.get(a.dtype)
    if acc is None:
        return fn(a, axis=axis)
    with np.errstate(over="ignore"):  # (an overflow to inf, as PyTorch, silently)
        return fn(a, axis=axis, dtype=acc).astype(a.dtype)


def _cumsum(a, axis):
    """np.cumsum(a, axis) as PyTorch sums: from +0., so that no running sum of floats is -0."""
    out = _scan(np.cumsum, a, axis)
    if out.dtype.kind == "f":
        out += 0.0
    return out


def _reverse_cumsum(B, g, d):
    """Sums of g from each position to the end along d."""
    return B.flip(B.cumsum(B.flip(g, (d,)), d), (d,))


def cumprod_grad(B, g, x, d):
    """The gradient of cumprod(x, d) for the output gradient g, exactly and without dividing:
    d out[j] / d x[k] is the product of x[:j+1] but x[k], so each k's products are taken anew
    with x[k] set to 1 (O(n^2) along d; recorded by TB, so differentiable again)."""
    n = x.shape[d]
    xs, gs = B.transpose(x, d, -1), B.transpose(g, d, -1)  # the scanned dim last
    others = B.cumprod(B.where(np.eye(n, dtype=bool), 1.0, B.unsqueeze(xs, -2)), -1)  # [.., k, j]
    later = np.triu(np.ones((n, n), bool))  # j >= k
    gk = B.sum(B.where(later, others * B.unsqueeze(gs, -2), 0.0), (xs.ndim,), False)
    return B.transpose(gk, d, -1)


CumsumBackward0 = defnode("CumsumBackward0", [  # each input adds into every later output
    lambda B, g, ans, d: g if d is None else _reverse_cumsum(B, g, d)], "cumsum")
CumprodBackward0 = defnode("CumprodBackward0", [  # (NP divides where it can: O(n))
    lambda B, g, ans, x, d: g if d is None or x.shape[d] == 1 else B.cumprod_grad(g, ans, x, d)],
    "cumprod", saves=True, uses_ans=True)
CumprodBackward0._saved_names = ("self", "dim")
FlipBackward0 = defnode("FlipBackward0", [lambda B, g, ans, dims: B.flip(g, dims)], "flip")
RollBackward0 = defnode("RollBackward0", [
    lambda B, g, ans, shifts, dims: B.roll(g, tuple(-s for s in shifts), dims)], "roll")
RepeatBackward0 = defnode("RepeatBackward0", [  # g as (repeat, size) pairs, summed over repeats
    lambda B, g, ans, pairs, shape: B.reshape(
        B.sum(B.reshape(g, pairs), tuple(range(0, len(pairs), 2)), False), shape)], "repeat")
GatherBackward0 = defnode("GatherBackward0", _index_rule, "gather")
IndexSelectBackward0 = defnode("IndexSelectBackward0", _index_rule, "index_select")
SortBackward0 = defnode("SortBackward0", _index_rule, "sort")
SortBackward1 = defnode("SortBackward1", _index_rule, "sort")
TopkBackward0 = defnode("TopkBackward0", _index_rule, "topk")
MaskedFillBackward0 = defnode("MaskedFillBackward0", [
    lambda B, g, ans, mask: B.where(mask, 0.0, g)], "masked_fill")
MaskedFillBackward1 = defnode("MaskedFillBackward1", [
    lambda B, g, ans, mask: B.where(mask, 0.0, g),
    lambda B, g, ans, mask: B.sum(B.where(mask, g, 0.0), tuple(range(g.ndim)), False)],
    "masked_fill")
# Random refills keep the old values from nothing: the old history gets a zero gradient.
UniformBackward0 = defnode("UniformBackward0", [_zero_rule], "uniform_")
NormalBackward0 = defnode("NormalBackward0", [_zero_rule], "normal_")


def _int_tuple(v, fname, arg, pos):
    """An int or a sequence of ints as a tuple (TypeError in PyTorch's words otherwise)."""
    items = v if isinstance(v, (tuple, list)) else (v,)
    for i in items:
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of "
                            f"ints, not {type(v).__name__}")
    return tuple(int(i) for i in items)


def _index_arg(fname, index, position, dtypes):
    """The integer array of an index tensor (int32 or int64, as PyTorch requires)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' (position {position}) must be Tensor, "
                        f"not {type(index).__name__}")
    i = index._data
    if i.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{fname}(): Expected dtype {dtypes} for index")
    return i


def _taken(cls, x, ix):
    """x's elements at the index `ix` (x seen as at least 1-D), recorded as `cls`: the
    gradient adds back into the places they came from (repeated places add up)."""
    a = x._data
    shape = a.shape or (1,)
    meta = None if a.ndim else ((a.shape, a.dtype),)
    return record(cls, np.asarray(a.reshape(shape)[ix]), (x,), (shape, ix), meta)


def cumsum(input, dim, *, dtype=None):
    """Running sums along `dim` (integers and bools sum to int64, as in PyTorch)."""
    x, a, d, meta = _scan_args(input, dim, dtype)
    data = _cumsum(a, d) if a.ndim else a.copy()
    return record(CumsumBackward0, data, (x,), (d if a.ndim else None,), meta)


def cumprod(input, dim, *, dtype=None):
    """Running products along `dim` (integers and bools multiply as int64)."""
    x, a, d, meta = _scan_args(input, dim, dtype)
    data = _scan(np.cumprod, a, d) if a.ndim else a.copy()
    return record(CumprodBackward0, data, (x,), (x if meta is None else _new(a),
                                                 d if a.ndim else None), meta)


def _scan_args(input, dim, dtype):
    """(x, its array in the scan's dtype, the dim, the meta that casts gradients back)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    if dtype is not None:
        dt = _dtypes.to_dtype(dtype)
        if dt.np.kind != "f" and _grad.enabled and x.requires_grad:
            raise RuntimeError(f"Autograd not support dtype: {dt.legacy}")
        a = a.astype(dt.np)
    elif a.dtype.kind in "biu":
        a = a.astype(np.int64)
    meta = None if a.dtype == x._data.dtype else ((x._data.shape, x._data.dtype),)
    return x, a, d, meta


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (x[1:] - x[:-1], n times; bools: x[1:] != x[:-1]),
    after joining `prepend` and `append` on either side."""
    x = as_tensor_arg(input)
    if not x._data.ndim:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, x._data.ndim)
    parts = []
    for name, v in (("prepend", prepend), ("input", x), ("append", append)):
        if v is not None:
            if not isinstance(v, Tensor):
                raise TypeError(f"diff(): argument '{name}' must be Tensor, not "
                                f"{type(v).__name__}")
            if v._data.ndim != x._data.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as "
                                   "input")
            parts.append(v)
    out = cat(parts, d) if len(parts) > 1 else x
    if not n:
        return inplace_copy(_new(np.empty_like(out._data)), out)
    for _ in range(n):
        size = out._data.shape[d]
        if size == 0:
            break
        hi, lo = narrow(out, d, 1, size - 1), narrow(out, d, 0, size - 1)
        out = compare("not_equal", hi, lo) if out._data.dtype == np.bool_ else hi - lo
    return out


def flip(input, *dims_args, dims=None):
    """The elements in reverse order along each of `dims` (`x.flip(0, 1)` or `flip(x, (0, 1))`)."""
    x = as_tensor_arg(input)
    if dims is None:
        dims = dims_args[0] if len(dims_args) == 1 else dims_args
    d = norm_dims(_int_tuple(dims, "flip", "dims", 2), x._data.ndim)
    return record1(FlipBackward0, np.flip(x._data, d).copy(), x, (d,))


def roll(input, shifts, dims=None):
    """Shift elements cyclically along `dims` (along the flattened tensor if dims is None)."""
    x = as_tensor_arg(input)
    a = x._data
    s = _int_tuple(shifts, "roll", "shifts", 2)
    ds = () if dims is None else _int_tuple(dims, "roll", "dims", 3)
    if len(s) != len(ds) and not (dims is None and len(s) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(s)}, dims:{len(ds)}")
    if ds and not a.ndim:
        raise IndexError(f"Dimension specified as {ds[0]} but tensor has no dimensions")
    ds = tuple(norm_dim(d, a.ndim) for d in ds) or None
    return record1(RollBackward0, np.roll(a, s if ds else s[0], ds), x, (s, ds))


def repeat(input, *sizes):
    """x.repeat(*sizes): x tiled sizes[i] times along dim i (leading sizes add dimensions)."""
    x = as_tensor_arg(input, "self")
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(sizes) == 1 and isinstance(sizes[0], Tensor):
        raise TypeError("repeat(): argument 'repeats' (position 1) must be tuple of ints, not "
                        "Tensor")
    reps = _shape_arg(sizes)
    a = x._data
    if len(reps) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(reps) - a.ndim) + a.shape
    out = [r * n for r, n in zip(reps, padded)]
    for r, n in zip(reps, out):
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {out}")
    pairs = tuple(v for rn in zip(reps, padded) for v in rn)
    return record1(RepeatBackward0, np.tile(a, reps), x, (pairs, a.shape))


def tile(input, *dims):
    """input repeated dims[i] times along dim i (missing leading dims count as 1)."""
    x = as_tensor_arg(input)
    reps = _shape_arg(dims)
    return repeat(x, *((1,) * (x._data.ndim - len(reps)) + reps))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated `repeats` times (a number, or one count per element along dim)
    in place, the flattened input if dim is None; `repeat_interleave(counts)` alone gives the
    indices counts[i] times i. As PyTorch: an int repeat expands a new dim and copies it
    (Unsqueeze, Expand, Clone, View nodes), a tensor one index_selects. `output_size` (a hint
    that spares PyTorch a device sync) is checked, as PyTorch does."""
    if repeats is None:
        counts = _repeat_counts(as_tensor_arg(input))
        _check_output_size(counts.sum(), output_size)
        return _new(np.repeat(np.arange(counts.size), counts).astype(counts.dtype))
    x = as_tensor_arg(input)
    if dim is None:
        x, d = flatten(x), 0
    else:
        d = norm_dim(dim, x._data.ndim)
    n = x._data.shape[d] if x._data.ndim else 1
    if isinstance(repeats, Tensor):
        counts = _repeat_counts(repeats, n, 0 if dim is None else dim)
        if counts.size == 1:
            counts = np.repeat(counts.reshape(1), n)
        _check_output_size(counts.sum(), output_size)
        index = _new(np.repeat(np.arange(n), counts))
        return index_select(x, d, index)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    _check_output_size(n * repeats, output_size, counts=False)
    if not x._data.ndim:
        x = flatten(x)
    grown = unsqueeze(x, d + 1)
    shape = list(grown.shape)
    shape[d + 1] = repeats
    copies = clone(expand(grown, shape))
    return reshape(copies, x.shape[:d] + (n * repeats,) + x.shape[d + 1:])


def _check_output_size(total, output_size, counts=True):
    """PyTorch's errors for an output_size other than the result's length (`counts`: the
    repeats are a tensor)."""
    if output_size is not None and output_size != total:
        raise RuntimeError("allocated size does not match required size" if counts else
                           f"repeat_interleave: Invalid output_size, expected {total} but got "
                           f"{output_size}")


def _repeat_counts(repeats, n=None, dim=0):
    """The repeat counts as a vector, checked as PyTorch checks them (one count, or one per
    element of the `n` along `dim` when n is given)."""
    r = repeats._data
    if r.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if n is not None and r.size not in (1, n):
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.size} and input.size({dim}) = {n}")
    if r.dtype.kind not in "iu":
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                  f"'{repeats.dtype.legacy}'")
    if (r < 0).any():
        raise RuntimeError("repeats can not be negative")
    return r.reshape(-1)


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[i][index[i][j]] for dim=1 (and likewise for any dim). The gradient is
    always dense (`sparse_grad` is accepted for compatibility)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    i = _index_arg("gather", index, 3, "int32/int64")
    shape, ishape = a.shape or (1,), i.shape or (1,)
    if len(ishape) != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k, (n, m) in enumerate(zip(ishape, shape)):
        if k != d and n > m:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(i.shape)} to be no larger than self {list(a.shape)} "
                               f"apart from dimension {d}")
    bad = (i < 0) | (i >= shape[d])
    if bad.any():
        raise RuntimeError(f"index {i[bad][0]} is out of bounds for dimension {d} with size "
                           f"{shape[d]}")
    return _taken(GatherBackward0, x, _along(i, d) if i.ndim else (i,))


def index_select(input, dim, index):
    """The slices of input along dim at the positions of a 1-D index (repeats allowed)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    i = _index_arg("index_select", index, 3, "int32 or int64")
    if i.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if not a.ndim and i.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {i.size} "
                           f"value(s)")
    n = a.shape[d] if a.ndim else 1
    bad = (i < 0) | (i >= n)
    if bad.any():
        if a.ndim > 1 and d == 1:  # PyTorch's CPU kernel for dim 1 words it differently
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={i[bad][0]} "
                               f"axis_dim={n}")
        raise IndexError("index out of range in self")
    ix = (slice(None),) * d + (i.reshape(-1) if a.ndim else i.reshape(()),)
    return _taken(IndexSelectBackward0, x, ix)


def _mask_arg(mask, value):
    if not isinstance(mask, Tensor) or not isinstance(value, (Tensor,) + _SCALARS):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got "
                        f"({type(mask).__name__}, {type(value).__name__}), but expected one of:\n"
                        f" * (Tensor mask, Tensor value)\n * (Tensor mask, Number value)")
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_cpp_name(_dtypes.of_array(m))}")
    return m


def masked_fill(input, mask, value):
    """input with `value` (a number or a 0-d tensor) where the boolean mask (broadcast) holds."""
    return _fill_where(MaskedFillBackward0, MaskedFillBackward1, "masked_fill_",
                       as_tensor_arg(input), _mask_arg(mask, value), value)


def _fill_where(cls, tensor_cls, fname, x, m, value):
    """x with `value` (a number: recorded as `cls`, or a 0-d tensor: `tensor_cls`) where the
    boolean array m (broadcast) holds."""
    a = x._data
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"{fname} only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    v = np.asarray(_array_of(value))
    if a.dtype.kind in "biu" and v.dtype.kind == "f" and not np.isfinite(v):
        raise RuntimeError(f"value cannot be converted to type {a.dtype.name}_t without overflow")
    try:
        data = np.where(m, v.astype(a.dtype), a)
    except ValueError:
        raise _broadcast_error(m.shape, a.shape) from None
    grown = ((a.shape, a.dtype),) if data.shape != a.shape else (None,)
    if isinstance(value, Tensor):
        return record(tensor_cls, data, (x, value), (m,), grown + (((), v.dtype),))
    return record(cls, data, (x,), (m,), None if grown == (None,) else grown)


def _argsort(a, d, descending):
    """Stable sort order along d; descending keeps ties in index order and puts NaN first,
    as PyTorch does."""
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    return np.flip(n - 1 - np.argsort(np.flip(a, d), axis=d, kind="stable"), d)


def sort(input, dim=-1, descending=False, *, stable=None):
    """(values, indices) sorted along dim; NaN sorts as the largest value. Always stable: ties
    keep their order (PyTorch promises that only with stable=True, recorded as SortBackward1)."""
    x = as_tensor_arg(input)
    a = x._data
    d = norm_dim(dim, a.ndim)
    idx = _argsort(a, d, descending) if a.ndim else np.zeros((), np.int64)
    cls = SortBackward0 if stable is None else SortBackward1
    values = _taken(cls, x, _along(idx, d) if a.ndim else (idx,))
    return return_types.sort(values, _new(idx.astype(np.int64)))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim and their indices, largest first. Ties go
    to the lower index and `sorted=False` gives them sorted too (PyTorch's order then differs)."""
    x = as_tensor_arg(input)
    a = x._data
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
    d = norm_dim(dim, a.ndim)
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if not a.ndim:
        idx = np.zeros((), np.int64) if k else np.zeros(0, np.int64)
        return return_types.topk(_taken(TopkBackward0, x, (idx,)), _new(idx))
    idx = np.take(_argsort(a, d, largest), np.arange(k), axis=d)
    return return_types.topk(_taken(TopkBackward0, x, _along(idx, d)), _new(idx.astype(np.int64)))


# einsum: one node for the whole contraction. The gradient of operand k is itself an einsum:
# the output gradient contracted with the other operands, onto operand k's subscripts.
_SUBSCRIPTS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # ASCII order, as PyTorch sorts


def _einsum_grad(B, g, ans, k, spec, *ops):
    terms, out, sizes, dt = spec
    mine = terms[k]
    subs, args = [out], [g]
    for j, (o, t) in enumerate(zip(ops, terms)):
        if j != k:  # an operand whose size-1 dimensions broadcast is read expanded
            full = tuple(sizes[c] for c in t)
            subs.append(t)
            args.append(o if tuple(o.shape) == full else B.expand(o, full))
    for c in dict.fromkeys(mine):  # a subscript only operand k has: its gradient is broadcast
        if not builtins.any(c in s for s in subs):
            subs.append(c)
            args.append(B.const(np.ones(sizes[c], dt)))
    free = iter(c for c in _SUBSCRIPTS if c not in "".join(terms) + out)
    result = ""
    for p, c in enumerate(mine):  # a repeated subscript ("ii"): the gradient is on the diagonal
        if c in mine[:p]:
            f = _next(free)
            subs.append(c + f)
            args.append(B.const(np.eye(sizes[c], dtype=dt)))
            c = f
        result += c
    return B.einsum(",".join(subs) + "->" + result, *args)


EinsumBackward0 = defnode("EinsumBackward0", _Variadic(_einsum_grad), "einsum", saves=True)


def einsum(equation, *operands):
    """Einstein summation: `einsum("ij,jk->ik", a, b)` is a @ b. Size-1 dimensions broadcast,
    `...` stands for any leading dimensions, subscripts may repeat ("ii->i" is the diagonal).

    Recorded as one EinsumBackward0 node, whose rules are einsums again (so higher-order
    gradients work). PyTorch instead records the permutes, bmm, sums and views it decomposes
    the equation into, so its grad_fn is e.g. ViewBackward0, PermuteBackward0 or SumBackward1.
    """
    if not isinstance(equation, str):
        if isinstance(equation, Tensor):
            raise NotImplementedError("einsum(): the sublist format einsum(op1, [0, 1], op2, "
                                      "[1, 2]) is not supported by autograd_lab; pass an "
                                      "equation string such as 'ij,jk->ik'")
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    arrays = [t._data for t in operands]
    for arr in arrays[1:]:
        if arr.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_dtypes.of_array(arrays[0]).legacy} but "
                               f"found {_dtypes.of_array(arr).legacy}")
    terms, out, sizes = _einsum_spec(equation, arrays)
    full = [tuple(sizes[c] for c in t) for t in terms]
    expanded = [arr if arr.shape == s else np.broadcast_to(arr, s) for arr, s in zip(arrays, full)]
    data = np.einsum(",".join(terms) + "->" + out, *expanded, optimize=len(arrays) > 2)
    meta = None
    if builtins.any(arr.shape != s for arr, s in zip(arrays, full)):
        meta = tuple((arr.shape, arr.dtype) for arr in arrays)
    spec = (terms, out, sizes, arrays[0].dtype)
    return record(EinsumBackward0, np.asarray(data), operands, (spec,) + tuple(operands), meta)


def _einsum_spec(equation, arrays):
    """(subscripts per operand, output subscripts, size per subscript), all explicit: `...`
    becomes unused letters, an implicit output is PyTorch's (ellipsis, then the subscripts
    used once, sorted)."""
    lhs, arrow, rhs = equation.partition("->")
    for p, c in enumerate(equation):
        ok = c in _SUBSCRIPTS or c in ". " or (c == "," and p < len(lhs)) or (
            p in (len(lhs), len(lhs) + 1) and arrow)
        if not ok:
            raise RuntimeError(f"einsum(): invalid subscript given at index {p} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    raw = [t.replace(" ", "") for t in lhs.split(",")]
    if len(raw) > len(arrays):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(raw) < len(arrays):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ell = builtins.max([arr.ndim - len(t) + 3 for t, arr in zip(raw, arrays) if "..." in t],
                       default=0)
    letters = [c for c in _SUBSCRIPTS if c not in equation][:builtins.max(ell, 0)]
    terms, sizes = [], {}
    for k, (t, arr) in enumerate(zip(raw, arrays)):
        named = t.replace("...", "", 1)
        if "." in named:
            raise RuntimeError(f"einsum(): found '.' for operand {k} for which an ellipsis was "
                               f"already found" if "..." in t else f"einsum(): found '.' for "
                               f"operand {k} that is not part of any ellipsis (...)")
        if "..." not in t and len(t) != arr.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                               f"does not match the number of dimensions ({arr.ndim}) for "
                               f"operand {k} and no ellipsis was given")
        if len(named) > arr.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(named)}) is more than the number of dimensions "
                               f"({arr.ndim}) for operand {k}")
        mine = letters[len(letters) - (arr.ndim - len(named)):] if "..." in t else []
        term = t.replace("...", "".join(mine))
        seen = {}
        for c, n in zip(term, arr.shape):
            if seen.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the "
                                   f"sizes don't match, {n} != {seen[c]}")
            prev = sizes.setdefault(c, n)
            if n != prev and 1 not in (n, prev):
                if c in mine:
                    raise RuntimeError(
                        f"einsum(): dimension {letters.index(c)} covered by "
                        f"ellipsis in operand {k}has size {n} which does not broadcast with "
                        f"previously seen ellipsis with size {prev} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                   f"does not broadcast with previously seen size {prev}")
            sizes[c] = builtins.max(n, prev)
        terms.append(term)
    used = "".join(t.replace("...", "") for t in raw)
    if not arrow:
        once = sorted(c for c in set(used) if used.count(c) == 1)
        return terms, "".join(letters + once), sizes
    rhs = rhs.replace(" ", "")
    named = rhs.replace("...", "", 1)
    if "." in named:
        raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
    for p, c in enumerate(named):
        if c not in used:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation "
                               f"for any input operand")
        if c in named[:p]:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                               f"output")
    return terms, rhs.replace("...", "".join(letters)), sizes


def masked_fill_(input, mask, value):
    """x.masked_fill_(mask, value): masked_fill in place (the mask must fit x's shape)."""
    return _apply_inplace(lambda s: masked_fill(s, mask, value), input, value)


def clamp_(input, min=None, max=None):
    """x.clamp_(min, max): clamp in place."""
    return _apply_inplace(lambda s: clamp(s, min, max), input, min, max, type_name=_cpp_name)


def clamp_min_(input, min):
    return _apply_inplace(lambda s: clamp_min(s, min), input, min, type_name=_cpp_name)


def clamp_max_(input, max):
    return _apply_inplace(lambda s: clamp_max(s, max), input, max, type_name=_cpp_name)


clip_ = clamp_


def relu_(input):
    """x.relu_(): relu in place."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _apply_inplace(relu, input)


def uniform_(input, from_=0.0, to=1.0, *, generator=None):
    """Refill with samples from U(from_, to) drawn from `generator` (default: the generator
    `autograd_lab.manual_seed` seeds). PyTorch calls the bounds `from` and `to`."""
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_:g} > to={to:g}")
    return _random_fill(UniformBackward0, "check_uniform_bounds", input,
                        lambda rng, shape: rng.uniform(from_, to, shape), generator)


def normal_(input, mean=0.0, std=1.0, *, generator=None):
    """Refill with samples from N(mean, std^2) (see uniform_ for the generator)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return _random_fill(NormalBackward0, "normal_kernel_cpu", input,
                        lambda rng, shape: rng.normal(mean, std, shape), generator)


def _random_fill(cls, kernel, x, draw, generator):
    x = as_tensor_arg(x, "self")
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{x.dtype.legacy}\'')
    values = draw(numpy_rng(generator), x._data.shape).astype(x._data.dtype)
    return _apply_inplace(lambda s: record1(cls, values, s), x)
