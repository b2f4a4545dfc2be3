"""`autograd.Function`: user-defined ops with their own forward and backward (PyTorch's API)."""
import numpy as np

from .._grad_mode import no_grad
from .._node import defnode
from .. import _ops
from .._tensor import Tensor


class FunctionCtx:
    """The `ctx` object passed to forward/backward: save tensors and values for backward."""

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        """The output is not differentiable (e.g. indices): it gets no grad_fn."""
        self.non_differentiable = tensors


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `.apply`."""

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            out = cls.forward(ctx, *args)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return one Tensor (several outputs are "
                            f"not supported), got {type(out).__name__}")
        if any(t is out for t in getattr(ctx, "non_differentiable", ())):
            return out
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            node_cls = defnode(f"{cls.__name__}Backward", _FunctionRules(cls), cls.__name__,
                               saves=True)
            cls._node_cls = node_cls
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        shapes = [a._data.shape if isinstance(a, Tensor) else None for a in args]
        return _ops.record(node_cls, out._data, tensor_args, (ctx, shapes))


class _FunctionRules:
    """Rule i returns the i-th gradient from the user's backward, which runs once per node and
    backward pass and is checked as PyTorch checks it (count, type, shape)."""

    def __init__(self, cls):
        self.cls = cls

    def __getitem__(self, i):
        def rule(B, g, ans, ctx, shapes):
            if ctx.__dict__.get("_grads_for") is not g:
                gt = g if isinstance(g, Tensor) else _ops._new(np.asarray(g))
                ctx._grads = self._checked(self.cls.backward(ctx, gt), shapes)
                ctx._grads_for = g
            gi = ctx._grads[i]
            if gi is None:  # no gradient for this input: the engine sends none (as PyTorch)
                return None
            gi = gi if B is _ops.TB else gi._data.copy()  # a leaf may keep it: never user arrays
            return gi if gi.shape == shapes[i] else B.sum_to(gi, shapes[i])
        return rule

    def _checked(self, grads, shapes):
        name = f"{self.cls.__name__}Backward"
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(shapes):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {len(shapes)}, got {len(grads)})")
        for i, (gi, shape) in enumerate(zip(grads, shapes)):
            if gi is None or shape is None:
                continue
            if not isinstance(gi, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(gi).__name__})")
            if not _expandable(shape, gi._data.shape):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - "
                                   f"got {list(gi.shape)} but expected shape compatible with "
                                   f"{list(shape)}")
        return grads


def _expandable(shape, to):
    """True if a tensor of `shape` broadcasts to `to` (its gradient then sums back)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], to[::-1]))
