"""`optim.Optimizer`: parameter groups, per-parameter state, `zero_grad`, `state_dict`.

Subclasses implement `_update(group)`, which changes each parameter's numpy array in place
(so nothing is recorded and the Parameter objects the model holds stay the same), following
PyTorch's single-tensor update formulas operation by operation.
"""
import copy
import itertools
import warnings
from collections import defaultdict

import numpy as np

from .._grad_mode import enable_grad
from .._tensor import Tensor, _new
from ..nn._module import typename, zero_grads
from ._axpy import added, axpy
from ._heap import keep_freed_memory


_SMALL, _BLOCK = 1 << 12, 1 << 18  # in-place updates (Optimizer._add_scaled): sizes in elements


def _flat_pair(a, g):
    """1-D views of a and g walking both in the same order, or (None, None) if there are none."""
    if a.flags.c_contiguous and g.flags.c_contiguous:
        return a.reshape(-1), g.reshape(-1)
    if a.flags.f_contiguous and g.flags.f_contiguous:
        return a.T.reshape(-1), g.T.reshape(-1)
    return None, None


class _RequiredParameter:
    """Marks a hyper-parameter without default that every param group must give."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of optimizers: `param_groups` (dicts of params and hyper-parameters) and
    `state` (per-parameter buffers such as momentum)."""

    _group_defaults = {}  # what PyTorch's __setstate__ fills in for groups saved without it
    _tensor_step = False  # whether __setstate__ makes a saved number state['step'] a tensor

    def __init__(self, params, defaults):
        self.defaults = defaults
        if defaults.get("differentiable"):
            raise NotImplementedError("autograd_lab optimizers update parameters in place without "
                                      "recording: differentiable=True is not supported")
        if isinstance(params, Tensor):
            raise TypeError(f"params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)
        keep_freed_memory()

    def add_param_group(self, param_group):
        """Add a dict {'params': [...], hyper-parameter: value} (missing ones take defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        zero_grads(itertools.chain.from_iterable(g["params"] for g in self.param_groups),
                   set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a gradient; `closure` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group):
        raise NotImplementedError

    def _add_scaled(self, a, g, alpha):
        """a += alpha * g in place (PyTorch's `a.add_(g, alpha=alpha)`): fused by BLAS where it
        can (see `_axpy`). Else numpy's two steps, large arrays through a scratch buffer the
        optimizer keeps (block by block past _BLOCK elements): a fresh temporary as large as a
        would cost page faults at every step."""
        if axpy(alpha, g, a):
            return
        fa, fg = _flat_pair(a, g) if a.size > _SMALL else (None, None)
        if fa is None:
            a += alpha * g
            return
        temps = self.__dict__.setdefault("_temps", {})
        temp = temps.get(a.dtype)
        if temp is None or temp.size < min(fa.size, _BLOCK):
            temp = temps[a.dtype] = np.empty(min(fa.size, _BLOCK), a.dtype)
        for i in range(0, fa.size, _BLOCK):
            t = temp[:min(_BLOCK, fa.size - i)]
            fa[i:i + _BLOCK] += np.multiply(fg[i:i + _BLOCK], alpha, out=t)

    def _with_grads(self, group):
        """(param, its array, its gradient array) for the params of group that have a grad;
        the gradient is negated when the group maximizes (an array also when 0-d: numpy's
        negation gives a scalar there, which in-place updates of buffers would lose)."""
        for p in group["params"]:
            if p._grad is not None:
                g = p._grad._data
                yield p, p._data, np.asarray(-g) if group.get("maximize") else g

    def _steps(self, group, *buffers):
        """As _with_grads, plus the param's state and the step number (counted); at a param's
        first update its state starts as PyTorch's: a float32 'step', then zero buffers with
        the given names."""
        for p, a, g in self._with_grads(group):
            state = self.state[p]
            if not state:
                state["step"] = step_counter()
                for name in buffers:
                    state[name] = zeros_state(p)
            yield p, a, g, state, count_step(state)

    # ---- (de)serialisation -------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(k)] if isinstance(k, Tensor) else k: v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by `state_dict` (params matched by order)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in self.param_groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        """Restore state (unpickling, load_state_dict), filling in what older state lacks."""
        self.__dict__.update(state)
        for group in self.param_groups:
            for key, value in self._group_defaults.items():
                group.setdefault(key, value)
            for p in group["params"] if self._tensor_step else ():
                p_state = self.state.get(p)
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _new(np.asarray(float(p_state["step"]), np.float32))

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast(param, value, key=None):
    """A saved state value as PyTorch loads it for param: tensors in the param's floating dtype
    (the saved tensor itself when it has it; 'step' as saved), containers item by item."""
    if isinstance(value, Tensor):
        if key == "step" or not param.dtype.is_floating_point:
            return value
        return value.to(param.dtype)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def check_hyper(label, value, high=None):
    """PyTorch's ValueError for a hyper-parameter outside [0, high)."""
    if not (0.0 <= value and (high is None or value < high)):
        raise ValueError(f"Invalid {label}: {value}")


def check_adam_hyper(lr, eps, betas, weight_decay):
    """The ValueErrors of Adam and its variants, checked in PyTorch's order."""
    check_hyper("learning rate", lr)
    check_hyper("epsilon value", eps)
    check_hyper("beta parameter at index 0", betas[0], 1.0)
    check_hyper("beta parameter at index 1", betas[1], 1.0)
    check_hyper("weight_decay value", weight_decay)


def apply_weight_decay(a, g, group):
    """The group's weight decay: a shrunk in place by lr * weight_decay when decoupled
    (AdamW's way), else weight_decay * a added to the gradient. Returns the gradient."""
    weight_decay = group["weight_decay"]
    if weight_decay == 0:
        return g
    if group.get("decoupled_weight_decay"):
        a *= 1 - group["lr"] * weight_decay
        return g
    return added(g, weight_decay, a)


def update_moments(state, g, beta1, beta2):
    """Move state's exp_avg toward g and exp_avg_sq toward g * g (as PyTorch: lerp_, then
    mul_ and addcmul_); returns their arrays."""
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    lerp_(m, g, 1 - beta1)
    v *= beta2
    v += (1 - beta2) * g * g
    return m, v


def zeros_state(p):
    """A state buffer (exp_avg, momentum_buffer, ...) shaped like p."""
    return _new(np.zeros_like(p._data))


def step_counter():
    """The float32 step count PyTorch keeps in Adam's and RMSprop's state."""
    return _new(np.zeros((), np.float32))


def count_step(state):
    """Increment state['step'] and return it as a Python float."""
    step = state["step"]._data
    step += 1
    return float(step)


def lerp_(x, end, weight):
    """x += weight * (end - x) in place, evaluated as PyTorch's lerp_ evaluates it."""
    if abs(weight) < 0.5:
        x += weight * (end - x)
    else:
        np.subtract(end, (end - x) * (1 - weight), out=x)
