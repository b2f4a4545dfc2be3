"""NAdam (Dozat, 2016): Adam with Nesterov momentum and a warming-up momentum schedule."""
import numpy as np

from .._tensor import Tensor, _new
from ._optimizer import (Optimizer, apply_weight_decay, check_adam_hyper, check_hyper,
                         count_step, step_counter, update_moments, zeros_state)


class NAdam(Optimizer):
    """Adam whose step looks ahead with the next momentum coefficient:

        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay)),  P_t = mu_1 * ... * mu_t
        p -= lr * ((1 - mu_t) / (1 - P_t) * g + mu_{t+1} / (1 - P_{t+1}) * m) / (sqrt(v_hat) + eps)

    with m, v Adam's running averages and v_hat = v / (1 - beta2**t). weight_decay adds
    weight_decay * p to g, or shrinks p by lr * weight_decay with decoupled_weight_decay.
    """

    _group_defaults = dict(maximize=False, foreach=None, capturable=False, differentiable=False,
                           decoupled_weight_decay=False)
    _tensor_step = True

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_adam_hyper(lr, eps, betas, weight_decay)
        check_hyper("momentum_decay value", momentum_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable))

    def __setstate__(self, state):
        """As PyTorch: a 'mu_product' saved as a number becomes a float32 tensor."""
        super().__setstate__(state)
        for p_state in self.state.values():
            if p_state and not isinstance(p_state.get("mu_product", 0), Tensor):
                p_state["mu_product"] = _new(np.asarray(p_state["mu_product"], np.float32))

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        momentum_decay = group["momentum_decay"]
        for p, a, g in self._with_grads(group):
            state = self.state[p]
            if not state:
                state["step"] = step_counter()
                state["mu_product"] = _new(np.ones((), np.float32))
                state["exp_avg"], state["exp_avg_sq"] = zeros_state(p), zeros_state(p)
            step = count_step(state)
            bias_correction2 = 1 - beta2 ** step
            g = apply_weight_decay(a, g, group)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
            mu_product = state["mu_product"]._data  # float32, as PyTorch keeps it
            mu_product *= mu
            mu_product = float(mu_product)
            m, v = update_moments(state, g, beta1, beta2)
            denom = np.sqrt(v / bias_correction2)
            denom += eps
            a += (-lr * (1.0 - mu) / (1.0 - mu_product) * g) / denom
            a += (-lr * mu_next / (1.0 - mu_product * mu_next) * m) / denom
            p._bump_version()
