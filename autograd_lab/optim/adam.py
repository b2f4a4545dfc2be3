"""Adam and AdamW (Kingma & Ba, 2015; Loshchilov & Hutter, 2019), with amsgrad."""
import numpy as np

from ._optimizer import Optimizer, apply_weight_decay, check_adam_hyper, update_moments


class Adam(Optimizer):
    """Adaptive moments: with m, v running averages of g and g*g (bias-corrected),

        p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    weight_decay adds weight_decay * p to g (Adam) or shrinks p by lr * weight_decay (AdamW);
    amsgrad uses the running maximum of v.
    """

    _group_defaults = dict(amsgrad=False, maximize=False, foreach=None, capturable=False,
                           differentiable=False, decoupled_weight_decay=False, fused=None)
    _tensor_step = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_adam_hyper(lr, eps, betas, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        amsgrad = group["amsgrad"]
        buffers = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
        for p, a, g, state, step in self._steps(group, *buffers):
            g = apply_weight_decay(a, g, group)
            m, v = update_moments(state, g, beta1, beta2)
            if amsgrad:
                v = np.maximum(state["max_exp_avg_sq"]._data, v,
                               out=state["max_exp_avg_sq"]._data)
            denom = np.sqrt(v) / (1 - beta2 ** step) ** 0.5
            denom += eps
            a += -(lr / (1 - beta1 ** step)) * (m / denom)
            p._bump_version()


class AdamW(Adam):
    """Adam with decoupled weight decay (p *= 1 - lr * weight_decay before the Adam step)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
