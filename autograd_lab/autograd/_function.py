"""`autograd.Function`: user-defined ops with their own forward and backward (PyTorch's API)."""
import numpy as np

from .._grad_mode import no_grad
from .._node import Node, defnode
from .. import _ops
from .._tensor import Tensor


class FunctionCtx:
    """The `ctx` object passed to forward/backward: save tensors and values for backward."""

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        pass


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `.apply`."""

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx()
        with no_grad():
            out = cls.forward(ctx, *args)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}")
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            node_cls = defnode(f"{cls.__name__}Backward", _FunctionRules(cls), cls.__name__,
                               saves=True)
            cls._node_cls = node_cls
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        return _ops.record(node_cls, out._data, tensor_args, (ctx, len(args)))


class _FunctionRules:
    """Rule i returns the i-th gradient from the user's backward (computed once per node)."""

    def __init__(self, cls):
        self.cls = cls

    def __getitem__(self, i):
        def rule(B, g, ans, ctx, n):
            gt = g if isinstance(g, Tensor) else _ops._new(np.asarray(g))
            grads = self.cls.backward(ctx, gt)
            grads = grads if isinstance(grads, tuple) else (grads,)
            gi = grads[i] if i < len(grads) else None
            if gi is None:
                return gt * 0
            return gi if B is _ops.TB else gi._data
        return rule
