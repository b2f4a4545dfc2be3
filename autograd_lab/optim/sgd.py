"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""
from .._tensor import _new
from ._axpy import added
from ._optimizer import Optimizer, apply_weight_decay


class SGD(Optimizer):
    """p -= lr * g, where g is the gradient (plus weight_decay * p), or its momentum average:

        buf = momentum * buf + (1 - dampening) * g      (buf = g at the first step)
        g = g + momentum * buf if nesterov else buf
    """

    _group_defaults = dict(nesterov=False, maximize=False, foreach=None, differentiable=False,
                           fused=False)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        for label, value in (("learning rate", lr), ("momentum value", momentum),
                             ("weight_decay value", weight_decay)):
            if value < 0.0:  # PyTorch's SGD checks only this: nan passes (not so in Adam)
                raise ValueError(f"Invalid {label}: {value}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _update(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        nesterov = group["nesterov"]
        for p, a, g in self._with_grads(group):
            g = apply_weight_decay(a, g, group)
            if momentum != 0:
                state = self.state[p]
                if state.get("momentum_buffer") is None:
                    state["momentum_buffer"] = _new(g.copy(order="K"))  # (its layout, as clone)
                    buf = state["momentum_buffer"]._data
                else:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    self._add_scaled(buf, g, 1 - dampening)
                g = added(g, momentum, buf) if nesterov else buf
            self._add_scaled(a, g, -lr)
            p._bump_version()
