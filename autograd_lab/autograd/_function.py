"""`autograd.Function`: user-defined ops with their own forward and backward (PyTorch's API).

A forward that returns a tuple gives each differentiable tensor in it its own node, in a
`Group` (autograd_lab/_group.py): the user's backward runs once per backward pass with one
gradient per output."""
import inspect

import numpy as np

from .._grad_mode import no_grad, state as _grad
from .._node import FREED, defnode
from .. import _ops
from .._tensor import Tensor
from ._engine import _as_tensor, modified_error
from .._group import Group, defgroupnode


class FunctionCtx:
    """The `ctx` object passed to forward/backward: save tensors and values for backward."""

    _saved = ()  # (tensor or None, its version when saved, the op that made it or None) each

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self._saved = tuple((t, None, None) if t is None else (t, t._shared_vc().version, None)
                            for t in tensors)

    @property
    def saved_tensors(self):
        """The saved tensors; PyTorch's errors once backward freed them or if one was modified
        in place since."""
        if self._saved is None:
            raise RuntimeError(FREED)
        for t, version, made_by in self._saved:
            if t is not None and t._vc.version != version:
                made_by = made_by or (t.grad_fn and t.grad_fn.name())
                raise modified_error(t._data, t._vc.version, version, made_by)
        return tuple(t for t, _, _ in self._saved)

    def _backward(self, cls, grads, shapes):
        """The user's backward, checked; it frees the saved tensors unless the graph is kept."""
        result = _checked(cls, cls.backward(self, *grads), shapes)
        if not _grad.keep_graph:
            self._saved = None
        return result

    def _outputs_made(self, name, outs, results):
        """Saved outputs of forward share the version of the tensors apply returns (as they are
        the same tensors in PyTorch) and are named as made by the function."""
        for o, r in zip(outs, results):
            if isinstance(o, Tensor) and r is not o:
                r._vc = o._shared_vc()
        self._saved = tuple((t, v, name if any(t is o for o in outs) else made_by)
                            for t, v, made_by in self._saved)

    def mark_dirty(self, *tensors):
        """Forward changed these inputs in place (and returns them): they get its node."""
        self.dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """The output is not differentiable (e.g. indices): it gets no grad_fn."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        """With False, backward gets None (not zeros) for outputs that received no gradient."""
        self.materialize_grads = value


class Function:
    """Subclass with static `forward(ctx, *args)` (or `forward(*args)` and
    `setup_context(ctx, inputs, output)`) and `backward(ctx, *grads)`; call `.apply`. The
    tensors a function made answer for its ctx: `y.grad_fn.saved_tensors`, `y.grad_fn.k`."""

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override to save for backward apart from a `forward` that takes no ctx."""
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        separate = cls.setup_context is not Function.setup_context
        if separate:  # (keyword arguments become positional, as in PyTorch)
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            out = cls.forward(*args, **kwargs) if separate else cls.forward(ctx, *args, **kwargs)
            if separate:
                cls.setup_context(ctx, args, out)
        if isinstance(out, tuple):
            return _record_outputs(cls, ctx, args, out)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple, got "
                            f"{type(out).__name__}")
        if out._data.dtype.kind != "f" or any(t is out for t in
                                              getattr(ctx, "non_differentiable", ())):
            return out  # (integer outputs are never differentiable, as in PyTorch)
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            node_cls = defnode(f"{cls.__name__}Backward", _FunctionRules(cls), cls.__name__)
            node_cls.__getattr__ = _ctx_attribute
            cls._node_cls = node_cls
        edges, shapes, positions = _inputs(args)
        dirty = any(out is t for t in getattr(ctx, "dirty", ()))
        if dirty and _grad.enabled and out.requires_grad:
            if out.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            _ops._check_inplace(out)
        result = _ops.record(node_cls, out._data, edges, (ctx, shapes, positions))
        if dirty:  # the input itself, with the function's node as its history
            out._bump_version()
            if result.grad_fn is not None:
                _ops.rebase(out, result)
            return out
        ctx._outputs_made(cls.__name__, (out,), (result,))
        return result


def _ctx_attribute(node, name):
    """A Function's node answers for its ctx (in PyTorch they are one object)."""
    ctx = None if name.startswith("_") else node._saved[0]
    try:
        return getattr(getattr(ctx, "ctx", ctx), name)  # (a Group holds the ctx)
    except AttributeError:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'") \
            from None


def _inputs(args):
    """The tensor arguments (the node's edges: PyTorch's Function has none for other arguments),
    the shape of every argument (None if not a tensor) and the tensors' positions among them."""
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    return ([args[i] for i in positions], [a._data.shape if isinstance(a, Tensor) else None
                                          for a in args], positions)


class _FunctionRules:
    """Rule i returns the i-th gradient from the user's backward, which runs once per node and
    backward pass."""

    def __init__(self, cls):
        self.cls = cls

    def __getitem__(self, i):
        def rule(B, g, ans, ctx, shapes, positions):
            if ctx.__dict__.get("_grads_for") is not g:
                gt = _as_tensor(g)
                ctx._grads = ctx._backward(self.cls, (gt,), shapes)
                ctx._grads_for = g
            k = positions[i]
            return _to_edge(ctx._grads[k], shapes[k], B is _ops.TB)
        return rule


def _checked(cls, grads, shapes):
    """The user's backward result, checked as PyTorch checks it (count, type, shape)."""
    name = f"{cls.__name__}Backward"
    grads = grads if isinstance(grads, tuple) else (grads,)
    if len(grads) != len(shapes):
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {len(shapes)}, got {len(grads)})")
    for i, (gi, shape) in enumerate(zip(grads, shapes)):
        if gi is None:
            continue
        if shape is None:
            raise RuntimeError(f"function {name} returned a gradient different than None at "
                               f"position {i + 1}, but the corresponding forward input was not "
                               f"a Variable")
        if not isinstance(gi, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(gi).__name__})")
        if not _expandable(shape, gi._data.shape):
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - "
                               f"got {list(gi.shape)} but expected shape compatible with "
                               f"{list(shape)}")
    return grads


def _to_edge(gi, shape, create):
    """A gradient the user's backward returned, as the engine sends it to input `shape`."""
    if gi is None:  # no gradient for this input: the engine sends none (as PyTorch)
        return None
    B = _ops.TB if create else _ops.NP
    gi = gi if create else gi._data.copy()  # a leaf may keep it: never the user's arrays
    return gi if gi.shape == shape else B.sum_to(gi, shape)


def _record_outputs(cls, ctx, args, outs):
    """The outputs of a forward that returned a tuple: each floating-point tensor not marked
    non-differentiable gets a node of one group (when recording and an input requires grad)."""
    if getattr(ctx, "dirty", ()):
        raise NotImplementedError("mark_dirty in a forward that returns a tuple is not "
                                  "supported by autograd_lab")
    skip = getattr(ctx, "non_differentiable", ())
    linked = [isinstance(o, Tensor) and o._data.dtype.kind == "f" and
              not any(o is t for t in skip) for o in outs]
    if not (_grad.enabled and any(linked) and
            any(isinstance(a, Tensor) and a.requires_grad for a in args)):
        return outs
    node_cls = cls.__dict__.get("_group_node_cls")
    if node_cls is None:
        node_cls = cls._group_node_cls = defgroupnode(f"{cls.__name__}Backward", cls.__name__)
        node_cls.__getattr__ = _ctx_attribute
    edges, shapes, positions = _inputs(args)
    like = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs]

    def backward(grads, create):
        if getattr(ctx, "materialize_grads", True):
            grads = [np.zeros(*lk) if g is None and lk is not None else g
                     for g, lk in zip(grads, like)]
        grads = [None if g is None else _as_tensor(g) for g in grads]
        result = ctx._backward(cls, grads, shapes)
        return [_to_edge(result[k], shapes[k], create) for k in positions]

    group = Group(len(outs), backward)
    group.ctx = ctx
    result = list(outs)
    for k, o in enumerate(outs):
        if linked[k]:
            result[k] = _ops.record(node_cls, o._data, edges, (group,))
            group.add(k, result[k].grad_fn)
    ctx._outputs_made(cls.__name__, outs, result)
    return tuple(result)


def _expandable(shape, to):
    """True if a tensor of `shape` broadcasts to `to` (its gradient then sums back)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], to[::-1]))
