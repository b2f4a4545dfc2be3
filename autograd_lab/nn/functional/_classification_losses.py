"""Classification losses: nll_loss, cross_entropy, binary cross-entropy (of probabilities or of
logits) and multilabel_soft_margin_loss."""
import numpy as np

from ... import _dtypes, _ops
from ..._tensor import _new
from .. import _functional_ops as _F
from ._activations import logsigmoid
from ._common import (_REDUCTIONS, _broadcast_shapes, _check_into, _pair, _reduce, _reduction,
                      _same_shape)


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


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Binary cross-entropy of sigmoid(input) per class, averaged over the classes (last dim),
    then reduced over the samples."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    return _reduce(loss, reduction)
