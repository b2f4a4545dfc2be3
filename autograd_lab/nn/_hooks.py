"""Module backward hooks as PyTorch makes them: identity `BackwardHookFunctionBackward` nodes
around a module's tensor inputs and outputs, whose gradients the hooks see and may replace.

PyTorch's BackwardHookFunction is one node with an output per tensor; a node here has one
output, so each tensor that requires grad gets its own node (all with the same edges: one per
tensor, as PyTorch's). The nodes of one call form a `Group` (autograd_lab/_group.py): the first
of them to run in a backward pass gathers the gradients of all, calls the group's hook, and
sends the results along every edge; the others send nothing. The deprecated non-full hooks
are post-hooks of the node that made the module's output (`register_non_full`).
"""
import warnings

import numpy as np

from .._grad_mode import state as _grad
from .._ops import VIEW_OF_MANY, record
from .._tensor import Tensor
from ..autograd._engine import _as_tensor, _check_hook_result
from .._group import Group, defgroupnode

BackwardHookFunctionBackward = defgroupnode("BackwardHookFunctionBackward")
BackwardHookFunctionBackward._is_view = True  # its outputs share their inputs' memory
_VIEW_OF_ONE = ("This view was created inside a custom Function (or because an input was returned "
                "as-is) and the autograd logic to handle view+inplace would override the custom "
                "backward associated with the custom Function, leading to incorrect gradients. "
                "This behavior is forbidden. You can fix this by cloning the output of the "
                "custom Function.")


def _inplace_error(node):
    """PyTorch's refusal to modify an output of BackwardHookFunction in place."""
    saved = node._saved_values()
    group = saved[0] if saved else None
    index = node._extra["group_index"] if group else 0
    many = group is not None and sum(m is not None for m in group.members) > 1  # (made ones)
    return (f"Output {index} of BackwardHookFunction is a view and is being modified inplace. "
            f"{VIEW_OF_MANY if many else _VIEW_OF_ONE}")


BackwardHookFunctionBackward.inplace_error = _inplace_error

_NO_INPUT_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


def _hook_backward(hook, like, materialize):
    """The group backward of one BackwardHookFunction call: `hook(grads)` gets one gradient per
    tensor (None where none arrived, or zeros if `materialize`) and may return replacements."""
    def backward(grads, create):
        if materialize:
            grads = [np.zeros(*lk) if gi is None else gi for gi, lk in zip(grads, like)]
        grads = [None if gi is None else _as_tensor(gi) for gi in grads]
        new = hook(tuple(grads))
        if new is not None:
            for i, (gi, ni) in enumerate(zip(grads, new)):
                if ni is not None:  # (checked against itself where no gradient arrived)
                    _check_hook_result(hook, ni, ni if gi is None else gi)
                grads[i] = ni
        return [gi if gi is None or create else gi._data for gi in grads]
    return backward


def _apply(args, hook, materialize):
    """PyTorch's BackwardHookFunction on the tensors among args: (new args, their indices), or
    (args, None) when no tensor requires grad or grad mode is off."""
    index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    tensors = [args[i] for i in index]
    if not (_grad.enabled and any(t.requires_grad for t in tensors)):
        return args, None
    like = [(t._data.shape, t._data.dtype) for t in tensors]
    group = Group(len(tensors), _hook_backward(hook, like, materialize))
    new = list(args)
    for k, (i, t) in enumerate(zip(index, tensors)):
        if t.requires_grad:
            out = record(BackwardHookFunctionBackward, t._data, tensors, (group,))
            out._vc = t._shared_vc()  # a view: in-place changes of either show in both
            group.add(k, out.grad_fn)
            new[i] = out
    return (tuple(new) if type(args) is tuple else type(args)(*new)), index


def _pack(index, values, size):
    res = [None] * size
    for i, v in zip(index, values):
        res[i] = v
    return tuple(res)


class BackwardHook:
    """One module call's backward hooks (PyTorch's torch.utils.hooks.BackwardHook): the output
    nodes record `grad_output` and run the pre-hooks; the input nodes run the full hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    def setup_input_hook(self, args):
        def hook(grad_input):  # (PyTorch's errors name the hook 'hook')
            if self.grad_outputs is None:  # reached the inputs without passing the outputs
                return None
            res = _pack(self.input_index, grad_input, self.n_inputs)
            for user_hook in self.hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return tuple(res[i] for i in self.input_index)

        args, self.input_index = _apply(args, hook, materialize=True)
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result):
        def hook(grad_output):
            self.grad_outputs = _pack(self.output_index, grad_output, self.n_outputs)
            for user_hook in self.pre_hooks:
                out = user_hook(self.module, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(self.grad_outputs):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(out)}, but expected "
                                       f"{len(self.grad_outputs)}")
                self.grad_outputs = out
            grad_outputs = self.grad_outputs
            if self.input_index is None:  # no input requires grad: the hooks run here
                warnings.warn(_NO_INPUT_GRAD, stacklevel=5)
                grad_inputs = (None,) * self.n_inputs
                for user_hook in self.hooks:
                    res = user_hook(self.module, grad_inputs, grad_outputs)
                    if res is not None and not (isinstance(res, tuple) and
                                                all(r is None for r in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for all "
                                           "gradients.")
                self.grad_outputs = None
            return tuple(grad_outputs[i] for i in self.output_index)

        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(f"For backward hooks to be called, module output should be a Tensor or "
                          f"a tuple of Tensors but received {type(result)}", stacklevel=3)
        one = not isinstance(result, tuple)
        outs, self.output_index = _apply((result,) if one else result, hook, materialize=False)
        self.n_outputs = len(outs)
        return outs[0] if one else outs


def register_non_full(module, hooks, args, result):
    """PyTorch's deprecated `register_backward_hook`: `hook(module, grad_input, grad_output)`
    becomes a post-hook of the node that made the module's (first) output tensor and sees that
    node's gradients; FutureWarnings say when they are not the module's."""
    var = result
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) \
            else var[0]
    grad_fn = var.grad_fn
    if grad_fn is None:
        return
    for hook in hooks:
        grad_fn.register_hook(_bound(hook, module))
    problem = _non_full_problem(args, result, grad_fn)
    if problem:
        warnings.warn(problem, FutureWarning, stacklevel=4)


def _bound(hook, module):
    def bound(grad_input, grad_output):
        return hook(module, grad_input, grad_output)
    bound.__name__ = getattr(hook, "__name__", type(hook).__name__)  # (named in errors)
    return bound


_DEPRECATED = " is deprecated and will be removed in future versions. This hook will be missing "
_USE_FULL = " Please use register_full_backward_hook to get the documented behavior."
_NOT_TENSORS_OUT = ("Using non-full backward hooks on a Module that does not return a single "
                    "Tensor or a tuple of Tensors" + _DEPRECATED + "some of the grad_output." +
                    _USE_FULL)
_NOT_TENSORS_IN = ("Using non-full backward hooks on a Module that does not take as input a "
                   "single Tensor or a tuple of Tensors" + _DEPRECATED +
                   "some of the grad_input." + _USE_FULL)
_NESTED = ("Using a non-full backward hook when outputs are nested in python data structure" +
           _DEPRECATED + "some grad_output.")
_SEVERAL_OUT = ("Using a non-full backward hook when outputs are generated by different "
                "autograd Nodes" + _DEPRECATED + "some grad_output." + _USE_FULL)
_SEVERAL_NODES = ("Using a non-full backward hook when the forward contains multiple autograd "
                  "Nodes" + _DEPRECATED + "some grad_input." + _USE_FULL)


def _non_full_problem(inputs, result, grad_fn):
    """PyTorch's FutureWarning for non-full hooks on grad_fn, or None."""
    result = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return _NOT_TENSORS_OUT
    if not all(isinstance(i, Tensor) for i in inputs):
        return _NOT_TENSORS_IN
    out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
        return _NESTED
    if len(out_fns) > 1:
        return _SEVERAL_OUT
    if {i.grad_fn for i in inputs if i.grad_fn is not None} != \
            {f for f, _ in grad_fn.next_functions}:
        return _SEVERAL_NODES
    return None
