"""RMSprop (Hinton's lecture 6e), with momentum and the centered variant."""
import numpy as np

from ._optimizer import Optimizer, apply_weight_decay, check_hyper, lerp_


class RMSprop(Optimizer):
    """Divide the gradient by a running root mean square of recent gradients:

        v = alpha * v + (1 - alpha) * g * g
        p -= lr * g / (sqrt(v) + eps)

    centered subtracts the square of the running mean of g from v; momentum averages the steps.
    """

    _group_defaults = dict(momentum=0, centered=False, foreach=None, maximize=False,
                           differentiable=False, capturable=False)
    _tensor_step = True

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_hyper("learning rate", lr)
        check_hyper("epsilon value", eps)
        check_hyper("momentum value", momentum)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("alpha value", alpha)
        super().__init__(params, dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach,
            maximize=maximize, differentiable=differentiable))

    def _update(self, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, centered = group["momentum"], group["centered"]
        buffers = ("square_avg",) + (("momentum_buffer",) if momentum > 0 else ()) \
            + (("grad_avg",) if centered else ())
        for p, a, g, state, _ in self._steps(group, *buffers):
            g = apply_weight_decay(a, g, group)
            v = state["square_avg"]._data
            v *= alpha
            v += (1 - alpha) * g * g
            if centered:
                mean = state["grad_avg"]._data
                lerp_(mean, g, 1 - alpha)
                avg = np.sqrt(v - mean * mean)
            else:
                avg = np.sqrt(v)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += g / avg
                a -= lr * buf
            else:
                a += -lr * (g / avg)
            p._bump_version()
