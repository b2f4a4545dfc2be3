"""Adadelta (Zeiler, 2012): steps sized by the ratio of running RMS of updates and gradients."""
import numpy as np

from ._optimizer import Optimizer, apply_weight_decay, check_hyper


class Adadelta(Optimizer):
    """With running averages v of g * g and u of squared updates (decay rho):

        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p -= lr * delta

    weight_decay adds weight_decay * p to g.
    """

    _group_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _tensor_step = True

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_hyper("learning rate", lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_hyper("epsilon value", eps)
        check_hyper("weight_decay value", weight_decay)
        super().__init__(params, dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _update(self, group):
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        for p, a, g, state, _ in self._steps(group, "square_avg", "acc_delta"):
            g = apply_weight_decay(a, g, group)
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            v += (1 - rho) * g * g
            delta = np.sqrt(u + eps)
            delta /= np.sqrt(v + eps)
            delta *= g
            u *= rho
            u += (1 - rho) * delta * delta
            self._add_scaled(a, delta, -lr)
            p._bump_version()
