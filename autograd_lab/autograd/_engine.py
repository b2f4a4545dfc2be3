"""The backward pass: one iterative sweep over the graph in reverse topological order.

Nodes run newest first (a heap on their creation order `_seq`): a node is made after its
inputs, so all its consumers have run before it and its gradient is complete; every node and
every leaf is visited exactly once. No recursion: a 10^5-op chain is a loop.
"""
import gc
import heapq
import re
import sys

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import FREED, PAIR, Node, _Scope
from .._ops import NP, TB, GradCopyBackwards, record
from .._tensor import Tensor, _new
from . import anomaly

_heappush, _heappop = heapq.heappush, heapq.heappop
_BACKWARD = re.compile(r"Backward\d*$")


def _arrays(saved):
    """A node's saved values with tensors replaced by their arrays (what numpy rules read)."""
    return [s._data if isinstance(s, Tensor) else s for s in saved]


def _as_tensor(g):
    return g if isinstance(g, Tensor) else _new(np.asarray(g))


def _run_hooks(hooks, g, create):
    for hook in list(hooks):
        new = hook(_as_tensor(g))
        if new is not None:
            _check_hook_result(hook, new, g)
            g = new if create else new._data
    return g


def _check_hook_result(hook, new, g):
    """PyTorch's errors when a hook returns something that cannot replace the gradient `g`."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    old = _as_tensor(g)._data
    if new._data.dtype != old.dtype:  # checked first, as PyTorch does
        was, got = _dtypes.of_array(old), _dtypes.of_array(new._data)
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"torch.{was.legacy}Tensor got torch.{got.legacy}Tensor)")
    if new._data.shape != old.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def _counts(g):
    """Reference counts of a gradient array and of the array it is a view of (0: none)."""
    base = g.base
    return sys.getrefcount(g), (0 if base is None else sys.getrefcount(base))


def _through(g):
    """Stands in for `_accumulate` in `_calibrate`: the same call depth, the same references."""
    return _counts(g)


def _calibrate():
    """The counts `_accumulate` sees for arrays nothing else holds (measured, not assumed)."""
    g = np.empty(2)
    free, _ = _through(g)
    g = np.empty(2)[::-1]
    _, free_base = _through(g)
    return free, free_base


_FREE, _FREE_BASE = _calibrate()


def _unshared(g, dt, counts):
    """Whether nothing but the engine holds g (or the array g views): the leaf may keep it.
    `counts` must be `_counts(g)` taken in `_accumulate` (where `_calibrate` measures them)."""
    if g.__class__ is not np.ndarray or g.dtype != dt or not g.flags.writeable:
        return False
    refs, base_refs = counts
    if refs > _FREE:
        return False
    base = g.base
    return base is None or (base.__class__ is np.ndarray and base.base is None
                            and base_refs <= _FREE_BASE)


def _accumulate(leaf, g, create):
    """leaf.grad += g. The first time the leaf keeps g if nothing else holds it and it is laid
    out as the leaf (as PyTorch's AccumulateGrad steals such gradients), else a copy laid out
    as the leaf: gradients never alias each other."""
    dt = leaf._data.dtype
    if create:
        g = _as_tensor(g)
        if g._data.dtype != dt:
            g = g.to(leaf.dtype)
        leaf._grad = record(GradCopyBackwards, g._data.copy(), (None, g)) \
            if leaf._grad is None else leaf._grad + g
    elif leaf._grad is None:
        counts = _counts(g) if g.__class__ is np.ndarray else None
        a = leaf._data
        if counts and _unshared(g, dt, counts) and g.strides == a.strides:
            leaf._grad = _new(g)
        else:  # a copy laid out as the leaf (PyTorch's gradient layout contract)
            copy = np.empty_like(a)
            copy[...] = g
            leaf._grad = _new(copy)
    else:
        acc = leaf._grad._data
        if acc.flags.writeable and acc.shape == np.shape(g):
            np.add(acc, g, out=acc, casting="unsafe")
            leaf._grad._bump_version()
        else:
            leaf._grad = _new(np.asarray(acc + g, dtype=dt))
    extra = leaf._extra
    if extra is not None and extra.get("post_accumulate_hooks"):
        for hook in list(extra["post_accumulate_hooks"]):
            result = hook(leaf)
            if isinstance(result, Tensor):
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")
            if result is not None:
                raise TypeError(f"expected Variable, but hook returned "
                                f"'{type(result).__name__}'")


_VERSION_HINT = (  # PyTorch's hint, then ours
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False). (The value was changed in "
    "place after this operation used it, e.g. by `y += 1` or `y.add_(1)`: `y = y + 1` makes a "
    "new tensor instead.)")
_ANOMALY_HINT = ("Hint: the backtrace further above shows the operation that failed to compute "
                 "its gradient. The variable in question was changed in there or anywhere later. "
                 "Good luck!")


def _check_versions(fn):
    """PyTorch's error when a tensor this node saved was modified in place after it was saved."""
    extra = fn._extra
    tensors = [s for s in fn._saved_values() if isinstance(s, Tensor)]
    vcs = [(s._vc, s) for s in tensors if s._vc is not None]
    if extra is not None and extra.get("ans_vc") is not None:
        vcs.append((extra["ans_vc"], None))
    for vc, t in vcs:
        if vc.changed_since(fn._seq):
            if t is not None:
                array, maker = t._data, t.grad_fn
                made_by = None if maker is None else maker.name()
            elif fn._wraps is not None:  # CopySlices: its op's output, a view
                array, made_by = fn._saved_values()[0](NP, fn._out), fn._wraps.__name__
            else:
                array, made_by = fn._out, fn.name()
            raise modified_error(array, vc.version, vc.version_at(fn._seq), made_by)


def modified_error(array, version, expected, made_by, output_nr=0):
    """PyTorch's error for a saved value (`array`) modified in place, output `output_nr` of an
    op named `made_by` ('MulBackward0': "output 0 of Mul"), or of none (None)."""
    what = "" if made_by is None else \
        f", which is output {output_nr} of {_BACKWARD.sub('', made_by)},"
    hint = _ANOMALY_HINT if anomaly.is_anomaly_enabled() else _VERSION_HINT
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{_dtypes.of_array(array).legacy}Tensor {list(array.shape)}]{what} is "
        f"at version {version}; expected version {expected} instead. {hint}")


def run(roots, root_grads, keep_graph, create_graph, capture=None, trace=None):
    """Propagate root_grads back from roots.

    Leaves get `.grad` accumulated, unless `capture` (a dict keyed by node or leaf) is given:
    then the gradients arriving there are stored in it instead. `trace(fn, g, edge_grads)` is
    called for every node (the backward player replays it).
    """
    B = TB if create_graph else NP
    grads = {}
    for t, g in zip(roots, root_grads):
        key = t.grad_fn if t.grad_fn is not None else t
        grads[key] = grads[key] + g if key in grads else g
    # Nodes run in decreasing creation order (a node is made after its inputs, so all its
    # consumers have run before it: its gradient is complete), as PyTorch's ready queue does;
    # leaves accumulate at the end, once every contribution has arrived.
    heap = [(-k._seq, k) for k in grads if isinstance(k, Node)]
    heapq.heapify(heap)
    leaves = [k for k in grads if not isinstance(k, Node)]
    prev_mode, prev_keep = _grad.enabled, _grad.keep_graph
    _grad.enabled, _grad.keep_graph = create_graph, keep_graph
    gc_was_on = gc.isenabled()
    gc.disable()  # the sweep allocates many short-lived objects and frees no cycles
    fn = None
    tracing = trace is not None
    try:
        # A node known to run next (the newest of all ready ones) skips the heap and keeps its
        # gradient in `nxt_g`, not in `grads`: a chain touches neither.
        nxt = nxt_g = None
        while heap or nxt is not None:
            if nxt is not None:
                fn, g, nxt = nxt, nxt_g, None
            else:
                fn = _heappop(heap)[1]
                g = grads.pop(fn)
            extra = fn._extra
            if extra is not None:
                g = _node_extras(fn, extra, g, create_graph, grads)
            if capture is not None and fn in capture:
                capture[fn] = g
            saved = fn._saved
            if saved is PAIR:  # rules get 0 or 2 saved values as plain arguments: no *saved
                arity = 2
                s0, s1 = fn._s0, fn._s1
            elif saved is None:
                raise RuntimeError(FREED)
            else:
                arity = len(saved)
            ans = fn._out
            n, vjps, saves = fn._sweep  # the class's _nin, _vjps, _saves
            if saves:
                if fn._seq < _Scope.epoch:  # an in-place change came after the node
                    _check_versions(fn)
                if create_graph:
                    if fn._uses_ans:
                        ans = _new(ans)
                        ans.grad_fn, ans._requires_grad = fn, True
                elif arity == 2:  # the binary ops: tensors to arrays, unrolled (hot)
                    if isinstance(s0, Tensor):
                        s0 = s0._data
                    if isinstance(s1, Tensor):
                        s1 = s1._data
                elif saved:
                    saved = _arrays(saved)
            meta = fn._meta
            if extra is not None and extra.get("post_hooks"):
                vjps = _post_hooked(fn, extra["post_hooks"], B, g, ans,
                                    (s0, s1) if arity == 2 else saved, create_graph)
            out = [] if tracing or extra is not None else None
            i = -1  # the loop goes over fn._edges, read from the slots here
            for e in (fn._e0,) if n == 1 else (fn._e0, fn._e1) if n == 2 else fn._eall:
                i += 1
                if e is None:
                    continue
                if arity == 0:
                    gi = vjps[i](B, g, ans)
                elif arity == 2:
                    gi = vjps[i](B, g, ans, s0, s1)
                else:
                    gi = vjps[i](B, g, ans, *saved)
                if gi is None:  # a custom Function's backward may give an input no gradient
                    continue
                if meta is not None and meta[i] is not None:
                    shape, dt = meta[i]
                    if gi.shape != shape:
                        gi = B.sum_to(gi, shape)
                    if gi.dtype != dt:
                        gi = B.cast(gi, dt)
                if out is not None:
                    out.append((e, gi))
                if e is nxt:
                    nxt_g = nxt_g + gi
                    continue
                prev = grads.get(e)  # one dict lookup when the input is seen first (the usual)
                if prev is not None:
                    grads[e] = prev + gi
                elif not isinstance(e, Node):
                    grads[e] = gi
                    leaves.append(e)
                elif nxt is None and (not heap or e._seq > -heap[0][0]):
                    nxt, nxt_g = e, gi
                else:
                    grads[e] = gi
                    _heappush(heap, (-e._seq, e))
                    if nxt is not None and e._seq > nxt._seq:  # e goes first: nxt to the heap
                        grads[nxt] = nxt_g
                        _heappush(heap, (-nxt._seq, nxt))
                        nxt = None
            if extra is not None:
                _after_node(fn, extra, g, out)
            if trace is not None:
                trace(fn, g, out)
            if not keep_graph and saves:
                fn._saved = None
                if arity == 2:
                    fn._s0 = fn._s1 = None
        gi = out = s0 = s1 = prev = nxt_g = None  # a leaf may keep a gradient nobody holds
        for fn in leaves:
            g = grads.pop(fn)
            extra = fn._extra
            if extra is not None and extra.get("hooks"):
                g = _run_hooks(extra["hooks"], g, create_graph)
            if capture is not None:
                if fn in capture:
                    capture[fn] = g
            else:
                _accumulate(fn, g, create_graph)
            if trace is not None:
                trace(fn, g, ())
    except Exception as exc:
        if isinstance(fn, Node) and fn._extra is not None and "anomaly" in fn._extra:
            anomaly.report(fn, exc)
        raise
    finally:
        _grad.enabled, _grad.keep_graph = prev_mode, prev_keep
        if gc_was_on:
            gc.enable()


def _per_input(fn, out):
    """The gradients a node produced, one per input (None where the input needs none or the
    node sent it none: `out` holds the (edge, gradient) pairs sent, in the order of the edges)."""
    grads, k = [], 0
    for e in fn._edges:
        sent = e is not None and k < len(out) and out[k][0] is e
        grads.append(out[k][1] if sent else None)
        k += sent
    return grads


def _after_node(fn, extra, g, out):
    """Anomaly mode's NaN check on the gradients the node produced."""
    info = extra.get("anomaly")
    if info is not None:
        anomaly.check_nan(fn, info, _per_input(fn, out))


def _post_hooked(fn, hooks, B, g, ans, saved, create):
    """The node's gradients, computed up front so that its post-hooks `hook(grad_inputs,
    grad_outputs)` see them and may return replacements (as in PyTorch); as rules for the sweep."""
    grads = []
    for i, e in enumerate(fn._edges):
        gi = None
        if e is not None:
            gi = fn._vjps[i](B, g, ans, *saved)
            if fn._meta is not None and fn._meta[i] is not None:
                shape, dt = fn._meta[i]
                gi = B.cast(B.sum_to(gi, shape), dt)
        grads.append(gi)
    grad_inputs = tuple(None if gi is None else _as_tensor(gi) for gi in grads)
    for hook in hooks:
        new = hook(grad_inputs, (_as_tensor(g),))
        if new is not None:
            if len(new) != len(grads):
                raise RuntimeError(f"hook '{getattr(hook, '__name__', 'hook')}' has returned an "
                                   f"incorrect number of values (got {len(new)}, but expected "
                                   f"{len(grads)})")
            for i, (gi, ni) in enumerate(zip(grads, new)):
                if gi is not None and ni is None:
                    grads[i] = gi * 0  # no gradient for this input
                elif gi is not None:
                    _check_hook_result(hook, ni, gi)
                    grads[i] = ni if create else ni._data
            grad_inputs = tuple(new)
    return [lambda *_, gi=gi: gi for gi in grads]


def _node_extras(fn, extra, g, create, pending):
    """The gradient of the tensor this node made, after its hooks (`_hooked`); the node's
    `group` (the nodes standing for one multi-output function, e.g. nn's backward hooks) takes
    it with the `pending` ones of the other nodes of the group (complete: made together, they
    run one after another) and runs their hooks too, in the order of the outputs, as PyTorch
    runs those of its one node's outputs."""
    group = extra.get("group")
    if group is None:
        return _hooked(extra, g, create)
    return group.gather(fn, g, pending, lambda n, gn: _hooked(n._extra, gn, create), create)


def _hooked(extra, g, create):
    """Pre-hooks, hooks on the tensor the node made, retain_grad: the gradient they leave."""
    for hook in extra.get("pre_hooks", ()):
        new = hook((_as_tensor(g),))
        if new is not None:
            _check_hook_result(hook, new[0], g)
            g = new[0] if create else new[0]._data
    if extra.get("hooks"):
        g = _run_hooks(extra["hooks"], g, create)
    ref = extra.get("retain")
    t = ref() if ref is not None else None
    if t is not None:
        if t._grad is None:
            t._grad = _as_tensor(g) if create else _new(np.array(g, dtype=t._data.dtype))
        else:
            t._grad = t._grad + _as_tensor(g)
    return g
