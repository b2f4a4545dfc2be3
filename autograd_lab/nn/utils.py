"""`nn.utils`: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`) and the conversion of
parameters to one vector and back (`parameters_to_vector`, `vector_to_parameters`), as
PyTorch's."""
import types
import warnings

from .. import _factories, _ops
from .._grad_mode import no_grad
from .._tensor import Tensor
from ._module import typename

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _grads(parameters):
    """The gradients (those not None) of a tensor or an iterable of tensors."""
    return [p.grad for p in ([parameters] if isinstance(parameters, Tensor) else parameters)
            if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients in place so that their norm, taken over all of them as one vector,
    is at most max_norm (by max_norm / (norm + 1e-6) when it is larger). Returns that norm as
    it was before clipping."""
    if not isinstance(parameters, Tensor):
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return _factories.tensor(0.0)
    total_norm = _ops.stack([g.norm(norm_type) for g in grads]).norm(norm_type)
    if error_if_nonfinite and (total_norm.isnan() | total_norm.isinf()).item():
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    clip_coef = _ops.clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(clip_coef)
    return total_norm


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)


def _check_param_device(param):
    """PyTorch's check that the parameters are on one device. All are on the CPU here, so what
    remains is its failure on a non-tensor (an AttributeError on 'device')."""
    return param.device


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one vector (recorded: gradients flow back
    to each parameter)."""
    vec = []
    for param in parameters:
        _check_param_device(param)
        vec.append(param.view(-1))
    return _ops.cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the next slice of vec, in order (a view: they share memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    pointer = 0
    for param in parameters:
        _check_param_device(param)
        count = param.numel()
        param.data = vec[pointer:pointer + count].view_as(param).data
        pointer += count
