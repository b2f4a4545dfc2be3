"""In-place ops and the version counter: add_ ..., setitem, fill_/zero_/copy_, and the
rebasing of views whose base changed in place."""
import builtins
import itertools
import re

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import defnode, _seq
from .._tensor import Tensor, _new
from ._record import (_Variadic, _array_of, _broadcast_error, _edge, _link, _ndarray, _no_record,
                      _operand, as_tensor_arg, norm_dim, np_vocab, record, record1)
from .arith import _arith, _zero_rule, add, sub
from .indexing import _index, _index_error, _is_advanced


CopySlices = defnode("CopySlices", [
    lambda B, g, ans, ix, vshape, vdtype: B.where(B.const(_hole(g, ix)), g, 0.0),  # +0: PyTorch
    lambda B, g, ans, ix, vshape, vdtype: B.sum_to(B.cast(g[ix], vdtype), vshape)], "[]=")
IndexPutBackward0 = defnode("IndexPutBackward0", CopySlices._vjps, "[]=")  # x[mask] = v
CopyBackwards = defnode("CopyBackwards", CopySlices._vjps, "copy_")
# A leaf's first gradient under create_graph=True: PyTorch copies it into new memory
GradCopyBackwards = defnode("CopyBackwards", [_zero_rule, lambda B, g, ans: g], "copy_")


def _hole(g, ix):
    mask = np.ones(np.shape(g), bool)
    mask[ix] = False
    return mask


def setitem(x, index, value):
    """x[index] = value, in place; recorded (CopySlices, IndexPutBackward0 for integer-array and
    mask indices) when x or value requires grad."""
    ix = _index(index)
    v = _operand(value, "=") if not isinstance(value, (list, tuple)) else np.asarray(value)
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or (isinstance(v, Tensor) and v.requires_grad))
    if recording:  # (PyTorch writes through a view, x[index]: a leaf gets the view's error)
        _check_inplace(x, _VIEW_OF_LEAF)
    try:
        x._data[ix] = _array_of(v)
    except IndexError as e:
        raise _index_error(e, x._data.shape, ix) from None
    except ValueError as e:
        raise RuntimeError(str(e).replace("could not broadcast input array from shape",
                                          "shape mismatch: value tensor of shape")) from None
    x._bump_version()
    if recording:
        vt = v if isinstance(v, Tensor) else _new(np.asarray(v))
        cls = IndexPutBackward0 if _is_advanced(ix) else CopySlices
        rebase(x, record(cls, x._data, (x, vt), (ix, vt._data.shape, vt._data.dtype)))


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    ts = _tensor_list(tensors, "cat")
    ref = builtins.max(ts, key=lambda t: t._data.ndim)
    d = norm_dim(dim, ref._data.ndim)
    arrays = [t._data for t in ts if not (t._data.ndim == 1 and t._data.size == 0)] or [ts[0]._data]
    try:
        data = np.concatenate(arrays, axis=d)
    except ValueError:
        raise _cat_error(arrays, d) from None
    data = data.astype(_promote_all(ts), copy=False)
    sizes = [t._data.shape[d] if t._data.ndim else 0 for t in ts]
    offsets = list(itertools.accumulate([0] + sizes))
    return record(CatBackward0, data, ts, (d, offsets))


def _cat_error(arrays, d):
    """PyTorch's error for tensors that cat cannot join: the first one that does not fit."""
    ref = arrays[0].shape
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != len(ref):
            return RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                                f"and {a.ndim}")
        for k, (n, m) in enumerate(zip(ref, a.shape)):
            if k != d and n != m:
                return RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                    f"Expected size {n} but got size {m} for tensor number {i} "
                                    f"in the list.")
    return RuntimeError(f"Sizes of tensors must match except in dimension {d}.")


CatBackward0 = defnode("CatBackward0", _Variadic(
    lambda B, g, ans, i, d, off: g[(slice(None),) * d + (slice(off[i], off[i + 1]),)]), "cat")
StackBackward0 = defnode("StackBackward0", _Variadic(
    lambda B, g, ans, i, d: g[(slice(None),) * d + (i,)]), "stack")


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dimension."""
    ts = _tensor_list(tensors, "stack")
    d = norm_dim(dim, ts[0]._data.ndim + 1)
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != ts[0]._data.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ts[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    data = np.stack([t._data for t in ts], axis=d).astype(_promote_all(ts), copy=False)
    return record(StackBackward0, data, ts, (d,))


def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        if fname == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{fname}(): expected a non-empty list of Tensors")
    for t in tensors:
        as_tensor_arg(t, f"{fname}(): every element of 'tensors'")
    return list(tensors)


def _promote_all(ts):
    dt = ts[0]._data
    for t in ts[1:]:
        dt = np.empty(0, _dtypes.result_type(dt, t._data))
    return dt.dtype


# ================================================================================================
# In-place ops
# ================================================================================================


def is_view_node(fn):
    """True if `fn` made a view (its output shares memory with its input)."""
    return fn is not None and fn._is_view


_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block (if "
    "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")


VIEW_OF_MANY = ("This view is the output of a function that returns multiple views. Such "
                "functions do not allow the output views to be modified inplace. You should "
                "replace the inplace operation by an out-of-place one.")
_LEAF = ("a leaf Variable that requires grad is being used in an in-place operation. (Wrap the "
         "update in `with torch.no_grad():`, or use an out-of-place op such as `x = x + 1`.)")
_VIEW_OF_LEAF = ("a view of a leaf Variable that requires grad is being used in an in-place "
                 "operation.")


def _check_inplace(x, leaf_message=_LEAF):
    """PyTorch's refusal to modify, while recording, a leaf (or a view of one) that needs grad."""
    if x._extra is not None and x._extra.get("no_grad_view"):
        raise RuntimeError(_NO_GRAD_VIEW)
    if x.grad_fn is None and x.requires_grad:
        raise RuntimeError(leaf_message)
    view = x._extra.get("view") if x._extra is not None else None
    fn = x.grad_fn
    if fn is not None and fn.inplace_error is not None:  # the node's own words
        raise RuntimeError(fn.inplace_error())
    if fn is not None and x._extra is not None and x._extra.get("multi_view"):  # (of a piece)
        raise RuntimeError(f"Output 0 of {re.sub(r'Backward[0-9]*$', '', fn.name())} is a view "
                           f"and is being modified inplace. {VIEW_OF_MANY}")
    if view is None and fn is not None and fn._is_view:
        raise RuntimeError("in-place modification of this view of a tensor that requires grad "
                           "is not supported by autograd_lab (expand, or a view made under "
                           "no_grad); use an out-of-place op instead.")
    while view is not None:
        base = view[0]
        if base.grad_fn is None and base.requires_grad:
            raise RuntimeError(_VIEW_OF_LEAF)
        view = base._extra.get("view") if base._extra is not None else None


def _writable(x):
    """In-place ops cannot write into an expanded (broadcast) tensor, as in PyTorch."""
    if not x._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")


def rebase(x, result):
    """Make x the output of result's node `fn` (history after an in-place op). If x is a view,
    its root base gets a CopySlices node around fn, as in PyTorch; then every view of that memory
    made earlier gets a new history (`_regenerate`)."""
    fn = result.grad_fn
    if fn is not None:
        fn._out = x._data
    x.grad_fn = fn
    x.requires_grad = result.requires_grad or x.requires_grad
    view = x._extra.get("view") if x._extra is not None else None
    if view is not None and fn is not None:
        x = _copy_slices(x, view, fn)
    if x.grad_fn is not None:
        _regenerate(x)


def _copy_slices(x, view, fn):
    """The root base of the view x gets a CopySlices node around fn (x's new history), as in
    PyTorch: its edges are the root's old history and fn's other inputs; its rules run fn's on
    the view's part of the gradient. Returns the root."""
    root, replays = view[0], [view[1]]
    up = root._extra.get("view") if root._extra is not None else None
    while up is not None:
        root = up[0]
        replays.append(up[1])
        up = root._extra.get("view") if root._extra is not None else None
    edges = (_edge(root), *fn._edges[1:])
    part = _ViewPart(replays[::-1], builtins.max(i for i, e in enumerate(edges) if e is not None))
    meta = fn._meta
    saved = (part, view[2], meta and meta[0], *fn._saved_values())
    node = _link(_copy_slices_class(type(fn)), root._data, edges, saved,
                 meta and (None, *meta[1:])).grad_fn
    node._seq = fn._seq  # fn's place in the order of events: the write it made comes after
    if fn._extra is not None and "ans_vc" in fn._extra:  # fn's rules read x's new values
        node._extras()["ans_vc"] = fn._extra["ans_vc"]
    root.grad_fn, root.requires_grad = node, True
    return root


class _ViewPart:
    """Where a view sits in its root base: `self(B, t)` is the view's part of a tensor shaped
    like the root. `part(B, g, i)` takes it once per gradient for all the rules of a
    CopySlices node (its last rule, `last`, lets go of it)."""

    def __init__(self, replays, last):
        self.replays, self.last = replays, last
        self.g = self.gv = None

    def __call__(self, B, t):
        for r in self.replays:
            t = r(B, t)
        return t

    def part(self, B, g, i):
        if self.g is not g:
            self.g, self.gv = g, self(B, g)
        gv = self.gv
        if i == self.last:
            self.g = self.gv = None
        return gv

    def hole(self, shape):
        """A mask of a root-shaped array: True outside the view."""
        hole = np.ones(shape, bool)
        hole.reshape(-1)[self(np_vocab(), np.arange(hole.size).reshape(shape)).reshape(-1)] = False
        return hole


class _CopySlicesRules:
    """The rules of CopySlices around a node class: rule i runs the class's rule i on the view's
    part of the gradient. Rule 0, the root's old history, gets the gradient outside the view
    and, inside it, the rule's gradient for the view's old values (put back in place by the
    view's own backward, `steps`, when recorded). Saved: (view part, steps, meta0, *fn's)."""

    def __init__(self, vjps):
        self.vjps = vjps

    def __getitem__(self, i):
        rule = self.vjps[i]

        def run(B, g, ans, view, saved):
            ans = view(B if isinstance(ans, Tensor) else np_vocab(), ans)
            return rule(B, view.part(B, g, i), ans, *saved)

        if i:
            return lambda B, g, ans, view, steps, meta0, *saved: run(B, g, ans, view, saved)

        def old_values(B, g, ans, view, steps, meta0, *saved):
            gv = run(B, g, ans, view, saved)
            if gv is not None and meta0 is not None:
                gv = B.cast(gv, meta0[1])
            if isinstance(g, _ndarray):  # numpy: g with the view's part overwritten
                out = np.array(g)
                region = view(np_vocab(), out)
                if np.shares_memory(region, out):
                    region[...] = 0.0 if gv is None else gv
                    return out
            hole = B.const(view.hole(np.shape(g)))
            return B.where(hole, g, 0.0 if gv is None else _through_steps(B, gv, steps))
        return old_values


_COPY_SLICES = {}  # node class -> the CopySlices class around it


def _copy_slices_class(cls):
    made = _COPY_SLICES.get(cls)
    if made is None:
        made = _COPY_SLICES[cls] = defnode("CopySlices", _CopySlicesRules(cls._vjps), "[]=",
                                           saves=cls._saves, uses_ans=cls._uses_ans)
        made._wraps = cls
    return made


# A view whose base changed in place: the gradient flows back through the chain of view steps
# (each view node's own rule, newest first) to the base's current history, as in PyTorch.
AsStridedBackward0 = defnode("AsStridedBackward0", [
    lambda B, g, ans, steps: _through_steps(B, g, steps)], "as_strided")
AsStridedBackward0._is_view = True


def _through_steps(B, g, steps):
    while steps is not None:
        (rule, saved), steps = steps
        g = rule(B, g, None, *saved)
    return g


def _regenerate(root):
    """Give every live view of root's memory a history straight from root's new one (an
    AsStridedBackward0 node), as PyTorch does when an in-place op changed root or a view of it."""
    stack = [root]
    while stack:
        base = stack.pop()
        views = base._extra.get("views") if base._extra is not None else None
        for v in list(views or ()):
            stack.append(v)
            fresh = record1(AsStridedBackward0, v._data, root, (v._extra["view"][2],))
            v.grad_fn, v._requires_grad = fresh.grad_fn, fresh._requires_grad


def _inplace(op, x, other):
    other = _operand(other, op)
    return _apply_inplace(lambda s: _arith(op, s, other), x, other)


def _any_requires_grad(values):
    for v in values:
        if isinstance(v, Tensor) and v._requires_grad:
            return True
    return False


def _apply_inplace(op, x, *others, type_name=lambda dt: dt.legacy):
    """x.op_(...): `op(x)`, computed out of place (while recording, on a copy that carries x's
    old history), written back into x's memory; x then carries the result's history."""
    x = as_tensor_arg(x, "self")
    _writable(x)
    recording = _grad.enabled and (x._requires_grad or _any_requires_grad(others))
    if recording:
        _check_inplace(x)
        snap = _new(x._data.copy())
        snap.grad_fn, snap.requires_grad = x.grad_fn, x.requires_grad
        result = op(snap)
    else:
        with _no_record():
            result = op(x)
    r = result._data
    if r.shape != x._data.shape:
        raise RuntimeError(f"output with shape {list(x._data.shape)} doesn't match the broadcast "
                           f"shape {list(r.shape)}")
    if not np.can_cast(r.dtype, x._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {_dtypes.of_array(r).legacy} can't be cast "
                           f"to the desired output type {type_name(x.dtype)}")
    np.copyto(x._data, r, casting="same_kind")
    x._bump_version()
    if recording:
        fn = result.grad_fn
        if fn is not None and fn._uses_ans:  # its rule reads x's new values: watch them from now
            fn._seq = next(_seq)  # (numbered after the change; nothing consumes it yet)
            fn._extras()["ans_vc"] = x._shared_vc()
        rebase(x, result)
    return x


def add_(input, other, alpha=1):
    other = _operand(other, "add")
    return _apply_inplace(lambda s: add(s, other, alpha), input, other)


def sub_(input, other, alpha=1):
    other = _operand(other, "sub")
    return _apply_inplace(lambda s: sub(s, other, alpha), input, other)


def mul_(input, other):
    return _inplace("mul", input, other)


def div_(input, other):
    return _inplace("div", input, other)


# The old values get no gradient; a tensor fill value gets the sum of the gradient.
FillBackward2 = defnode("FillBackward2", [_zero_rule], "fill_")
FillBackward3 = defnode("FillBackward3", [
    _zero_rule,
    lambda B, g, ans, vdtype: B.sum(B.cast(g, vdtype), tuple(range(g.ndim)), False)], "fill_")
ZeroBackward0 = defnode("ZeroBackward0", [_zero_rule], "zero_")


def inplace_fill(x, value):
    """x.fill_(value): overwrite every element with a number or a 0-d tensor."""
    return _fill(x, value, FillBackward2)


def inplace_zero(x):
    """x.zero_()."""
    return _fill(x, 0, ZeroBackward0)


def _fill(x, value, cls):
    v = _operand(value, "fill_")
    if isinstance(v, _ndarray) or isinstance(v, Tensor) and v._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{np.ndim(_array_of(v))} dimensions.")
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or (isinstance(v, Tensor) and v.requires_grad))
    if recording:
        _check_inplace(x)
    x._data[...] = _array_of(v)
    x._bump_version()
    if recording:
        if isinstance(v, Tensor):
            rebase(x, record(FillBackward3, x._data, (x, v), (v._data.dtype,)))
        else:
            rebase(x, record1(cls, x._data, x))
    return x


def inplace_copy(x, src):
    """x.copy_(src): overwrite with src's values (broadcast), recorded if either needs grad."""
    src = src if isinstance(src, Tensor) else _new(np.asarray(_operand(src, "copy_")))
    _writable(x)
    recording = _grad.enabled and (x.requires_grad or src.requires_grad)
    if recording:
        _check_inplace(x)
    try:
        np.copyto(x._data, np.broadcast_to(src._data, x._data.shape), casting="unsafe")
    except ValueError:
        raise _broadcast_error(x._data.shape, src._data.shape) from None
    x._bump_version()
    if recording:
        rebase(x, record(CopyBackwards, x._data, (x, src),
                         ((...,), src._data.shape, src._data.dtype)))
    return x
