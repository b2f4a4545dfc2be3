"""Whole Jacobians and Hessians, built from reverse-mode passes (PyTorch's autograd.functional)."""
import numpy as np

from .._ops import stack
from .._tensor import Tensor, _new


def _prepare(inputs, create_graph=False):
    """Fresh leaves to differentiate at; with create_graph, inputs that require grad stay
    connected to their own graph (through a view), as PyTorch does."""
    single = isinstance(inputs, Tensor)
    ins = (inputs,) if single else tuple(inputs)
    for t in ins:
        if not isinstance(t, Tensor):
            raise TypeError(f"The inputs given to jacobian must be either a Tensor or a tuple of "
                            f"Tensors but the given argument has type {type(t).__name__}")
    return single, tuple(t.view_as(t) if create_graph and t.requires_grad
                         else _new(t._data).requires_grad_() for t in ins)


def jacobian(func, inputs, create_graph=False):
    """d func(inputs) / d inputs: shape out.shape + in.shape (per input if there are several)."""
    from . import grad
    single, ins = _prepare(inputs, create_graph)
    out = func(*ins)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian supports a function that returns one Tensor (got "
                        f"{type(out).__name__}): call it once per output")
    rows = []
    for r in range(out.numel()):
        seed = np.zeros(out.numel(), out._data.dtype)
        seed[r] = 1
        gs = grad(out, ins, _new(seed.reshape(out._data.shape)), retain_graph=True,
                  create_graph=create_graph, allow_unused=True, materialize_grads=True)
        rows.append(gs)
    jac = []
    for i, t in enumerate(ins):
        if not rows:
            jac.append(_new(np.zeros(out._data.shape + t._data.shape, t._data.dtype)))
            continue
        stacked = stack([row[i] for row in rows])  # recorded when create_graph made them so
        jac.append(stacked.reshape(out._data.shape + t._data.shape))
    return jac[0] if single else tuple(jac)


def hessian(func, inputs):
    """The matrix of second derivatives of a scalar func (for one input)."""
    from . import grad
    single, ins = _prepare(inputs)
    if not single:
        raise NotImplementedError("hessian with several inputs: pass one tensor")

    def gradient(x):
        return grad(func(x), x, create_graph=True)[0]
    return jacobian(gradient, ins[0])
