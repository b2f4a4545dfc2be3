"""`nn.functional`: layers and losses as functions, with PyTorch's signatures and errors.

Activations and softmax are the engine's ops; `linear` and the losses are the fused ops of
`_functional_ops` (or engine ops composed exactly as PyTorch composes them, so that the
`grad_fn` names match: `l1_loss` is `MeanBackward0` over `AbsBackward0`, `cross_entropy` is
`NllLossBackward0` over `LogSoftmaxBackward0`).
"""
import warnings

import numpy as np

from .. import _dtypes, _factories, _ops
from .._grad_mode import state as _grad
from .._ops import tanh, sigmoid, as_tensor_arg
from .._tensor import Tensor, _new
from . import _functional_ops as _F

__all__ = ["linear", "relu", "tanh", "sigmoid", "softmax", "log_softmax", "dropout",
           "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]


# ---- layers -------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """input @ weight.T + bias: AddmmBackward0 for 2-D input (MmBackward0 without bias)."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D "
                           f"and {weight.ndim}D")
    wt = _ops.t(weight)
    if bias is None:  # (matmul records PyTorch's mm steps for 1-D and batched inputs too)
        return _ops.matmul(x, wt)
    if x.ndim == 2:
        return _F.addmm(bias, x, wt)
    flat = _ops.reshape(x, -1, x.shape[-1])
    return _ops.reshape(_F.addmm(bias, flat, wt), *x.shape[:-1], weight.shape[0])


def _inplace_result(x, result):
    """Finish an `inplace=True` call: x takes result's values and its place in the graph."""
    if _grad.enabled and (x.requires_grad or result.requires_grad):
        _ops._check_inplace(x)
    np.copyto(x._data, result._data)
    x._bump_version()
    if result.grad_fn is not None:
        _ops.rebase(x, result)
    return x


def relu(input, inplace=False):
    """max(x, 0) (ReluBackward0); inplace=True overwrites input."""
    out = _ops.relu(input)
    return _inplace_result(input, out) if inplace else out


def _implicit_dim(name, dim):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      f"call to include dim=X as an argument.", UserWarning, stacklevel=3)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / exp(x).sum(dim) (SoftmaxBackward0)."""
    _implicit_dim("softmax", dim)
    return _ops.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x, dim) (LogSoftmaxBackward0)."""
    _implicit_dim("log_softmax", dim)
    return _ops.log_softmax(input, dim, dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p), when training.

    The mask comes from the generator seeded by `manual_seed` (not PyTorch's numbers).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = as_tensor_arg(input)
    if not training or p == 0:
        return x
    a = x._data
    if p == 1:
        mask = np.zeros_like(a)
    else:
        draw = _factories.generator().random(a.shape, dtype=a.dtype if a.dtype in (
            np.float32, np.float64) else np.float64)
        mask = (draw >= p).astype(a.dtype) * (1.0 / (1.0 - p))
    return _ops.mul_(x, mask) if inplace else _ops.mul(x, mask)


# ---- losses -------------------------------------------------------------------------------------
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


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (MseLossBackward0); with weight, sum(w * err**2) / sum(w) for 'mean'."""
    _pair("mse_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_ops.pow(_ops.sub(x, t), 2), weight, input, reduction)
    return _F.mse_loss(x, t, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: |input - target| reduced (AbsBackward0, then Mean/SumBackward0)."""
    _pair("l1_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    errors = _ops.abs(_ops.sub(x, t))
    if weight is not None:
        return _weighted(errors, weight, input, reduction)
    return _reduce(errors, reduction)


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return _ops.mean(losses) if reduction == "mean" else _ops.sum(losses)


def _weighted(errors, weight, input, reduction):
    """Per-element weights, as PyTorch's mse_loss/l1_loss apply them ('mean' divides by sum(w))."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    losses = errors * weight
    if reduction == "mean":
        return _ops.div(_ops.sum(losses), _ops.sum(weight))
    return _reduce(losses, reduction)


def _check_targets(input, target, weight):
    """PyTorch's checks on class-index targets and class weights."""
    shape, t = input._data.shape, target._data
    if not shape:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if len(shape) >= 2 and t.ndim >= 1 and shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({t.shape[0]}).")
    if len(shape) <= 2 and t.ndim != max(len(shape) - 1, 0):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(shape) > 2 and t.shape[1:] != shape[2:]:
        raise RuntimeError(f"Expected target size {[shape[0]] + list(shape[2:])}, "
                           f"got {list(t.shape)}")
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    if weight is not None and weight._data.size != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_F.scalar_type(t)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.legacy} but found "
                           f"{weight.dtype.legacy}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of the target classes, given log-probabilities (NllLossBackward0).

    input is (C,), (N, C) or (N, C, d1, ...); target holds class indices; entries equal to
    ignore_index are left out (also of the mean's denominator).
    """
    _pair("nll_loss", input, target)
    return _nll(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def _nll(input, target, weight, ignore_index, reduction):
    _check_targets(input, target, weight)
    shape = input._data.shape
    if len(shape) in (1, 2, 4):
        return _F.nll_loss(input, target, weight, ignore_index, reduction)
    n, c = shape[:2]  # 3-D and 5-D+: PyTorch views them as (N, C, 1, -1) images
    loss = _F.nll_loss(_ops.reshape(input, n, c, 1, -1), _ops.reshape(target, n, 1, -1), weight,
                       ignore_index, reduction)
    return _ops.reshape(loss, *target.shape) if reduction == "none" else loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dim, then nll_loss; target holds class indices or, with the
    input's shape, class probabilities. Optional label smoothing as in PyTorch."""
    _pair("cross_entropy", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        return _soft_cross_entropy(input, target, weight, ignore_index, reduction,
                                   label_smoothing)
    _check_smoothing(label_smoothing)
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = _ops.log_softmax(input, class_dim)
    loss = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0:
        return loss
    n_classes = input.shape[class_dim]
    smooth = _ops.neg(_ops.sum(_class_weighted(logp, weight, class_dim), class_dim))
    ignored = target._data == ignore_index
    smooth = _ops.masked_fill(smooth, _new(ignored), 0.0)
    if reduction == "mean":
        kept = ~ignored
        total = kept.sum() if weight is None else weight._data[target._data[kept]].sum()
        smooth = _ops.div(_ops.sum(smooth), float(total))
    elif reduction == "sum":
        smooth = _ops.sum(smooth)
    return _ops.add(_F.mul_scalar(loss, 1 - label_smoothing),
                    _F.mul_scalar(smooth, label_smoothing / n_classes))


def _class_weighted(x, weight, class_dim):
    """x * weight along the class dim (x itself without weights)."""
    if weight is None:
        return x
    return x * _ops.reshape(weight, *[-1 if d == class_dim else 1 for d in range(x.ndim)])


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _soft_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing):
    """-sum(target * log_softmax(input)) over classes: NegBackward0 over SumBackward, as PyTorch."""
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.legacy}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    _check_smoothing(label_smoothing)
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if input.ndim == 1 else 1
    logp = _ops.log_softmax(input, class_dim)
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = _class_weighted(logp * target, weight, class_dim)
    if reduction == "none":
        return _ops.neg(_ops.sum(terms, class_dim))
    total = _ops.sum(terms)
    if reduction == "sum":
        return _ops.neg(total)
    if not logp.numel():  # the mean of nothing: PyTorch fills the sum with nan
        return _ops.neg(total.fill_(float("nan")))
    return _F.div_scalar(_ops.neg(total), logp.numel() / n_classes)


def _same_shape(input, target):
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)) for probabilities x (BinaryCrossEntropyBackward0)."""
    _pair("binary_cross_entropy", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _same_shape(input, target)
    if weight is not None:
        _check_into(input.shape, _broadcast_shapes(target.shape, weight.shape))
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype.legacy} but expected {input.dtype.legacy}")
    return _F.binary_cross_entropy(input, target, weight, reduction)


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


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input), computed stably from the logits."""
    _pair("binary_cross_entropy_with_logits", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input.shape != target.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if target.dtype == _dtypes.bool_:
        raise RuntimeError(_ops.BOOL_SUBTRACTION)
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {input.dtype.legacy} can't be cast to the desired "
                           f"output type {target.dtype.legacy}")
    if pos_weight is not None:  # log_sigmoid(input).mul_((pos_weight - 1) * target)
        try:
            log_weight = np.broadcast_shapes(tuple(pos_weight.shape), tuple(target.shape))
        except ValueError:
            raise _ops._broadcast_error(pos_weight.shape, target.shape) from None
        _check_into(input.shape, log_weight)
    if weight is not None:  # loss.mul_(weight)
        _check_into(input.shape, weight.shape)
    return _F.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)
