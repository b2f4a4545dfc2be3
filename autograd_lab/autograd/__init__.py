"""Reverse-mode automatic differentiation: `backward`, `grad`, `gradcheck`, grad modes."""
import numpy as np

from .._grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .._tensor import Tensor, _new
from . import _engine
from ._gradcheck import gradcheck, gradgradcheck
from . import functional
from .anomaly import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,
                      is_anomaly_check_nan_enabled)

__all__ = ["backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "functional", "Function", "detect_anomaly",
           "set_detect_anomaly"]

_NOT_CONNECTED = ("element {i} of tensors does not require grad and does not have a grad_fn. "
                  "(It is not connected to any tensor created with requires_grad=True: it was "
                  "made under no_grad(), from .detach(), or only from tensors that do not "
                  "require grad.)")


# Rules compute both sides of a `where` (x / |x| where x == 0, ...): no numpy warnings for the
# side that is thrown away, as PyTorch prints none.
_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


def _as_list(x):
    if isinstance(x, Tensor):
        return [x]
    if x is None:
        return []
    return list(x)


def _root_grads(outputs, grad_outputs, create_graph):
    """The starting gradients: given ones checked against the outputs, or an implicit 1."""
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError("grad can be implicitly created only for scalar outputs"
                           if not grads else f"got {len(outputs)} tensors and {len(grads)} "
                           f"gradients")
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor):
            raise TypeError(f"expected a Tensor as output {i}, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(_NOT_CONNECTED.format(i=i))
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs. "
                                   "(Call .sum() first, or pass gradient=torch.ones_like(out) "
                                   "to backward().)")
            g = np.empty(out._data.shape, out._data.dtype)
            g.fill(1)
        else:
            if not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got "
                                f"{type(g).__name__}")
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {out.shape}.")
            g = g if create_graph else g._data.astype(out._data.dtype, copy=False)
        if create_graph and not isinstance(g, Tensor):
            g = _new(g)
        result.append(g)
    return result


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of `tensors` into the `.grad` of the graph's leaves."""
    outputs = _as_list(tensors)
    roots = _root_grads(outputs, grad_tensors, create_graph)
    keep = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        with np.errstate(**_QUIET):
            _engine.run(outputs, roots, keep, create_graph)
        return
    inputs = _as_list(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    captured = _capture(outputs, roots, inputs, keep, create_graph)
    for t, g in zip(inputs, captured):
        if g is not None and not t.retains_grad:  # a retained grad was filled on the way
            _engine._accumulate(t, g, create_graph)


def _capture(outputs, roots, inputs, keep, create_graph):
    keys = []
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors, but got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        keys.append(t.grad_fn if t.grad_fn is not None else t)
    capture = dict.fromkeys(keys)
    with np.errstate(**_QUIET):
        _engine.run(outputs, roots, keep, create_graph, capture=capture)
    return [capture[k] for k in keys]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of outputs with respect to inputs, returned (no `.grad` is touched)."""
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    roots = _root_grads(outputs, grad_outputs, create_graph)
    keep = create_graph if retain_graph is None else retain_graph
    captured = _capture(outputs, roots, inputs, keep, create_graph)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                result.append(_new(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   f"been used in the graph. Set allow_unused=True if this is "
                                   f"the desired behavior.")
            result.append(None)
        else:
            result.append(g if isinstance(g, Tensor) else _new(np.array(g, dtype=t._data.dtype)))
    return tuple(result)


from ._function import Function  # noqa: E402
