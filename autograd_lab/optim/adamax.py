"""Adamax (Kingma & Ba, 2015, section 7): Adam with the infinity norm in place of the RMS."""
import numpy as np

from ._optimizer import Optimizer, apply_weight_decay, check_adam_hyper, lerp_


class Adamax(Optimizer):
    """Divide the running average m of g by the decayed maximum u of |g|:

        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p -= lr / (1 - beta1**t) * m / u

    weight_decay adds weight_decay * p to g.
    """

    _group_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _tensor_step = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_adam_hyper(lr, eps, betas, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        for p, a, g, state, step in self._steps(group, "exp_avg", "exp_inf"):
            g = apply_weight_decay(a, g, group)
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            lerp_(m, g, 1 - beta1)
            u *= beta2
            bound = np.abs(g)
            bound += eps
            np.maximum(u, bound, out=u)
            a += (-(lr / (1 - beta1 ** step)) * m) / u
            p._bump_version()
