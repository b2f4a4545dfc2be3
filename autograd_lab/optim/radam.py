"""RAdam (Liu et al., 2019): Adam with its adaptive step rectified for the variance of the
early second-moment estimates."""
import numpy as np

from ._optimizer import Optimizer, apply_weight_decay, check_adam_hyper, update_moments


class RAdam(Optimizer):
    """With m, v Adam's running averages and rho_inf = 2 / (1 - beta2) - 1,

        rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        p -= lr * m_hat * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)    if rho_t > 5
        p -= lr * m_hat                                                 otherwise

    where m_hat = m / (1 - beta1**t) and
    r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)).
    weight_decay adds weight_decay * p to g, or shrinks p by lr * weight_decay with
    decoupled_weight_decay.
    """

    _group_defaults = dict(foreach=None, maximize=False, differentiable=False,
                           decoupled_weight_decay=False, capturable=False)
    _tensor_step = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_adam_hyper(lr, eps, betas, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        rho_inf = 2 / (1 - beta2) - 1
        for p, a, g, state, step in self._steps(group, "exp_avg", "exp_avg_sq"):
            g = apply_weight_decay(a, g, group)
            m, v = update_moments(state, g, beta1, beta2)
            bias_correction2 = 1 - beta2 ** step
            update = m / (1 - beta1 ** step)
            update *= lr
            rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
            if rho_t > 5.0:
                root = np.sqrt(v)
                root += eps
                update *= bias_correction2 ** 0.5 / root
                update *= ((rho_t - 4) * (rho_t - 2) * rho_inf
                           / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            a -= update
            p._bump_version()
