"""Whole Jacobians and Hessians, built from reverse-mode passes (PyTorch's autograd.functional)."""
import numpy as np

from .._tensor import Tensor, _new


def _prepare(inputs):
    single = isinstance(inputs, Tensor)
    ins = (inputs,) if single else tuple(inputs)
    return single, tuple(_new(t._data).requires_grad_() for t in ins)


def jacobian(func, inputs, create_graph=False):
    """d func(inputs) / d inputs: shape out.shape + in.shape (per input if there are several)."""
    from . import grad
    single, ins = _prepare(inputs)
    out = func(*ins)
    rows = []
    for r in range(out.numel()):
        seed = np.zeros(out.numel(), out._data.dtype)
        seed[r] = 1
        gs = grad(out, ins, _new(seed.reshape(out._data.shape)), retain_graph=True,
                  create_graph=create_graph, allow_unused=True, materialize_grads=True)
        rows.append(gs)
    jac = []
    for i, t in enumerate(ins):
        stacked = np.stack([row[i]._data for row in rows]) if rows else np.zeros((0,) + t._data.shape)
        jac.append(_new(stacked.reshape(out._data.shape + t._data.shape)))
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
