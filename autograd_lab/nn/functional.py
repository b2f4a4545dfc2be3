"""`nn.functional`: layers and losses as functions, with PyTorch's signatures and errors.

Activations and softmax are the engine's ops; convolutions, pooling and `pad` are in `_conv`;
`linear` and the losses are the fused ops of
`_functional_ops` (or engine ops composed exactly as PyTorch composes them, so that the
`grad_fn` names match: `l1_loss` is `MeanBackward0` over `AbsBackward0`, `cross_entropy` is
`NllLossBackward0` over `LogSoftmaxBackward0`).
"""
import warnings

import numpy as np

from .. import _dtypes, _ops
from .._grad_mode import no_grad
from .._ops import tanh, sigmoid, as_tensor_arg
from .._random import numpy_rng
from .._tensor import Tensor, _new
from . import _functional_ops as _F
from ._conv import (conv1d, conv2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,  # noqa: F401
                    pad)

__all__ = ["linear", "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad",
           "relu", "tanh", "sigmoid", "softmax", "log_softmax", "dropout",
           "leaky_relu", "elu", "celu", "selu", "gelu", "silu", "mish", "softplus", "hardtanh",
           "relu6", "hardsigmoid", "hardswish", "logsigmoid",
           "softmin", "one_hot", "normalize", "cosine_similarity", "layer_norm", "embedding",
           "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cross_entropy",
           "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


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
        return _ops.addmm(bias, x, wt)
    flat = _ops.reshape(x, -1, x.shape[-1])
    return _ops.reshape(_ops.addmm(bias, flat, wt), *x.shape[:-1], weight.shape[0])


def relu(input, inplace=False):
    """max(x, 0) (ReluBackward0); inplace=True overwrites input."""
    return _ops.relu_(input) if inplace else _ops.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x (LeakyReluBackward0; LeakyReluBackward1 in place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.leaky_relu(s, negative_slope, inplace), x, inplace)


def _activation(op, input, inplace):
    """op(x); inplace=True writes it into input (the op's graph then starts from a copy of
    input's old values, and a rule that reads the result watches input's version)."""
    x = as_tensor_arg(input)
    return _ops._apply_inplace(op, x) if inplace else op(x)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1) (EluBackward0; EluBackward1 in place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.elu(s, alpha, inplace), x, inplace)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1) (CeluBackward0; CeluBackward1 in
    place)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.celu(s, alpha, inplace), x, inplace)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with SELU's fixed alpha and scale (EluBackward0; EluBackward1 in
    place)."""
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.elu(s, _SELU_ALPHA, inplace, scale=_SELU_SCALE), x,
                       inplace)


def gelu(input, approximate="none"):
    """x * Φ(x), Φ the standard normal CDF; approximate='tanh' uses the tanh formula
    (GeluBackward0)."""
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _F.gelu(as_tensor_arg(input), approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (SiluBackward0)."""
    return _activation(_F.silu, input, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x)) (MishBackward0)."""
    return _activation(_F.mish, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta; x itself where beta * x > threshold (SoftplusBackward0)."""
    return _F.softplus(as_tensor_arg(input), beta, threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val] (HardtanhBackward0)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = as_tensor_arg(input)
    return _activation(lambda s: _F.hardtanh(s, min_val, max_val), x, inplace)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6) (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6 (HardsigmoidBackward0)."""
    return _activation(_F.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x) (HardswishBackward0)."""
    return _activation(_F.hardswish, input, inplace)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably (LogSigmoidBackward0)."""
    return _F.logsigmoid(as_tensor_arg(input))


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


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x, dim): SoftmaxBackward0 over NegBackward0."""
    _implicit_dim("softmin", dim)
    return _ops.softmax(_ops.neg(input), dim, dtype)


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,), 1 at each class index, else 0;
    num_classes=-1 takes the largest index + 1."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if not t.size:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    elif num_classes == -1:
        num_classes = int(t.max()) + 1
    elif t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _new((t[..., None] == np.arange(num_classes)).astype(np.int64))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, eps) along dim: DivBackward0 over ExpandBackward0, ClampMinBackward0 and
    LinalgVectorNormBackward0, as PyTorch composes it."""
    x = as_tensor_arg(input)
    denom = _ops.expand_as(_ops.clamp_min(_ops.norm(x, p, dim, keepdim=True), eps), x)
    if out is None:
        return _ops.div(x, denom)
    return out.copy_(_ops.div(x, denom))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum((x1 / max(‖x1‖, eps)) * (x2 / max(‖x2‖, eps)), dim), x1 and x2 broadcast, composed
    as PyTorch's: the norms are cloned and clamped in place without recording."""
    dtype = _dtypes.result_type(x1._data, x2._data)
    if dtype.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dtypes.FROM_NP[dtype].legacy}")
    x1, x2 = (x if x._data.dtype.kind == "f" else _ops.to_dtype(x, _dtypes.FROM_NP[dtype])
              for x in (x1, x2))
    if x1.shape != x2.shape:  # (both expanded, as PyTorch records it)
        try:
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        except ValueError:
            raise _ops._broadcast_error(x1.shape, x2.shape) from None
        x1, x2 = _ops.expand(x1, shape), _ops.expand(x2, shape)
    norms = [_ops.clone(_ops.norm(x, 2, dim, keepdim=True)) for x in (x1, x2)]
    with no_grad():
        for n in norms:
            n.clamp_min_(eps)
    return _ops.sum(_ops.mul(_ops.div(x1, norms[0]), _ops.div(x2, norms[1])), dim)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing dims `normalized_shape` (mean 0, variance 1), then scale by
    weight and shift by bias (NativeLayerNormBackward0)."""
    x = as_tensor_arg(input)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    shape = list(normalized_shape)
    if not shape:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., "
                           f"containing at least one element, but got normalized_shape = {shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and list(p.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(p.shape)} and normalized_shape = {shape}")
    if list(x.shape[x.ndim - len(shape):]) != shape or x.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(x.shape)}")
    _F._floating(x._data, "LayerNormKernelImpl")
    params = [p for p in (weight, bias) if p is not None]
    if any(p.dtype != x.dtype for p in params):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                           f"{x.dtype.legacy}" if x.dtype == _dtypes.float32 else
                           "mixed dtype (CPU): all inputs must share same datatype.")
    return _F.layer_norm(x, len(shape), weight, bias, eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of weight at the indices in input (EmbeddingBackward0); the row at padding_idx
    gets no gradient; with max_norm, the rows looked up are first rescaled in place (without
    recording) to norm at most max_norm."""
    n = weight.shape[0]
    if padding_idx is not None and not -n <= padding_idx < n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if sparse:
        raise NotImplementedError("autograd_lab has no sparse gradients: use sparse=False")
    ix = input._data
    if ix.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} instead "
                           f"(while checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if ix.size and (ix.min() < 0 or ix.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, ix, max_norm, norm_type)
    pad = -1 if padding_idx is None else padding_idx % n
    return _F.embedding(ix, weight, pad, scale_grad_by_freq)


def _renorm_rows(weight, ix, max_norm, norm_type):
    """Scale the rows of weight named in ix whose norm exceeds max_norm down to it, in place."""
    w = weight._data
    rows = np.unique(ix)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    w[rows[big]] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
    weight._bump_version()


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
        draw = numpy_rng().random(a.shape, dtype=a.dtype if a.dtype in (
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
    if weight is not None:
        return _weighted(_ops.abs(_ops.sub(x, t)), weight, input, reduction)
    return _l1(x, t, reduction)


def _l1(x, t, reduction):
    """|x - t| reduced: AbsBackward0 over SubBackward0, then Mean/SumBackward0."""
    return _reduce(_ops.abs(_ops.sub(x, t)), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below beta, absolute error above (SmoothL1LossBackward0); beta=0 is
    l1_loss."""
    _pair("smooth_l1_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return _l1(x, t, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _F.smooth_l1_loss(x, t, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below delta, delta-scaled absolute error above (HuberLossBackward0); with
    weight, the per-element losses are weighted before the reduction."""
    _pair("huber_loss", input, target)
    x, t = _broadcast(input, target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return _F.huber_loss(x, t, reduction, delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    return _reduce(_ops.mul(_F.huber_loss(x, t, "none", delta), weight), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log(target) - input) for log-probabilities input,
    composed as PyTorch's (xlogy(t, t) - t * x; with log_target, exp(t) * (t - x)), reduced;
    'batchmean' divides the sum by the batch size."""
    _pair("kl_div", input, target)
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if reduction != "batchmean":
        _reduction(None, None, reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        losses = _ops.mul(_ops.exp(target), _ops.sub(target, input))
    else:
        losses = _ops.sub(_ops.xlogy(target, target), _ops.mul(target, input))
    if reduction != "batchmean":
        return _reduce(losses, reduction)
    total = _ops.sum(losses)
    return _ops.div(total, input.shape[0]) if input.ndim else total


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
