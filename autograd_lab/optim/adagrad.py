"""Adagrad (Duchi, Hazan & Singer, 2011): per-coordinate steps shrinking with the gradients seen."""
import numpy as np

from .._tensor import _new
from ._optimizer import Optimizer, apply_weight_decay, check_hyper, count_step, step_counter


class Adagrad(Optimizer):
    """Divide the gradient by the root of the sum of all squared gradients so far:

        sum += g * g
        p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)

    sum starts at initial_accumulator_value; weight_decay adds weight_decay * p to g.
    """

    _group_defaults = dict(foreach=None, maximize=False, differentiable=False, fused=None)
    _tensor_step = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_hyper("learning rate", lr)
        check_hyper("lr_decay value", lr_decay)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("initial_accumulator_value value", initial_accumulator_value)
        check_hyper("epsilon value", eps)
        super().__init__(params, dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused))
        for group in self.param_groups:  # as PyTorch: the state exists before the first step
            for p in group["params"]:
                self.state[p]["step"] = step_counter()
                self.state[p]["sum"] = _new(np.full_like(p._data, initial_accumulator_value))

    def _update(self, group):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        for p, a, g in self._with_grads(group):
            state = self.state[p]
            step = count_step(state)
            g = apply_weight_decay(a, g, group)
            clr = lr / (1 + (step - 1) * lr_decay)
            total = state["sum"]._data
            total += g * g
            std = np.sqrt(total)
            std += eps
            a += -clr * (g / std)
            p._bump_version()
