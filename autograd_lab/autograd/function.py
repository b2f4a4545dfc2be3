"""`torch.autograd.function`: `Function`, `FunctionCtx` and the `once_differentiable`
decorator for a backward that cannot itself be differentiated."""
import functools

from .. import _ops
from .._grad_mode import is_grad_enabled, no_grad
from .._node import defnode
from .._tensor import Tensor
from ._function import Function, FunctionCtx

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


def _twice(B, g, ans, i):
    raise RuntimeError(_TWICE)


Error = defnode("Error", _ops._Variadic(_twice))  # PyTorch's torch::autograd::Error


def once_differentiable(backward):
    """Run `backward` without recording; with create_graph its results get an `Error` node
    that fails if a later backward reaches it (PyTorch's behaviour)."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            outputs = backward(ctx, *grads)
        needing = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not (is_grad_enabled() and needing):
            return outputs
        single = not isinstance(outputs, tuple)
        wrapped = tuple(_ops.record(Error, o._data, needing) if isinstance(o, Tensor) else o
                        for o in ((outputs,) if single else outputs))
        return wrapped[0] if single else wrapped
    return wrapper
