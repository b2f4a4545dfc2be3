"""What the losses share: the reduction (also from the legacy size_average/reduce flags), checks
and broadcasting of input and target with PyTorch's errors, and the error for an argument that
must not require grad (batch_norm's too)."""
import warnings

import numpy as np

from ... import _ops
from ..._grad_mode import is_grad_enabled as _grad_enabled
from ..._tensor import Tensor, _new


_REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction, validate=True):
    """The reduction, from the legacy size_average/reduce flags when given (with a warning);
    validate=False leaves an invalid one to the call (as loss modules do)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    if validate and reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _pair(fname, input, target):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(target, Tensor):
        raise TypeError(f"{fname}(): argument 'target' (position 2) must be Tensor, not "
                        f"{type(target).__name__}")


def _broadcast(input, target):
    """input and target expanded to a common shape, with PyTorch's warning if they differ."""
    if input.shape == target.shape:
        return input, target
    warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                  f"({input.shape}). This will likely lead to incorrect results due to "
                  f"broadcasting. Please ensure they have the same size.", UserWarning,
                  stacklevel=3)
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise _ops._broadcast_error(input.shape, target.shape) from None
    return tuple(t if t.shape == shape else _ops.expand(t, shape) for t in (input, target))


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return _ops.mean(losses) if reduction == "mean" else _ops.sum(losses)


def _same_shape(input, target):
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")


def _broadcast_shapes(*shapes):
    """`torch.broadcast_shapes`, with its error message."""
    common = [1] * max(len(s) for s in shapes)
    for i, s in enumerate(shapes):
        for d in range(-1, -len(s) - 1, -1):
            if common[d] == 1:
                common[d] = s[d]
            elif s[d] not in (1, common[d]):
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[d]} at {d}! "
                                   f"Mismatching argument at index {i} had {s}; but expected "
                                   f"shape should be broadcastable to {common}")
    return tuple(common)


def _check_into(shape, other):
    """PyTorch's error for `out.mul_(x)` with out of `shape` and x of shape `other`."""
    try:
        common = np.broadcast_shapes(tuple(shape), tuple(other))
    except ValueError:
        raise _ops._broadcast_error(shape, other) from None
    if common != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(common)}")


def _scalar(value, like):
    """value as a 0-d tensor of like's dtype: how PyTorch's C++ losses use Python numbers (no
    edge in the graph)."""
    return _new(np.asarray(value, like._data.dtype))


def _not_differentiable(fname, **tensors):
    """PyTorch's error for an argument that must not require grad (while grad mode is on)."""
    for name, t in tensors.items():
        if t is not None and t.requires_grad and _grad_enabled():
            raise RuntimeError(f"The function '{fname}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad True.")
