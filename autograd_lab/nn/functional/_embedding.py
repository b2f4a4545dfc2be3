"""Embeddings: one_hot, embedding and embedding_bag."""
import numpy as np

from ... import _ops
from ..._tensor import Tensor, _new
from .. import _functional_ops as _F


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
    ix = _embedding_indices(input, weight, "embedding")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if ix.size and (ix.min() < 0 or ix.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, ix, max_norm, norm_type)
    pad = -1 if padding_idx is None else padding_idx % n
    return _F.embedding(ix, weight, pad, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """The sum, mean or max of the embeddings in each bag (EmbeddingBagBackward0): the rows of
    a 2-D input, or the runs of a 1-D input starting at `offsets`; entries equal to padding_idx
    are left out; per_sample_weights scale each entry (mode='sum'). scale_grad_by_freq divides
    each row's gradient by how often input names it, as documented (PyTorch 2.13's CPU kernel
    scales some rows by other rows' counts)."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        offsets = _new(np.arange(0, input.numel(), input.shape[1], dtype=input._data.dtype))
        include_last_offset = False
        input = _ops.reshape(input, -1)
        if per_sample_weights is not None:
            per_sample_weights = _ops.reshape(per_sample_weights, -1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise (ValueError("max mode does not support sparse weights") if mode == "max" else
               NotImplementedError("autograd_lab has no sparse gradients: use sparse=False"))
    ix = _embedding_indices(input, weight, "embedding_bag")
    if max_norm is not None:
        _renorm_rows(weight, ix, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    bags = _bags(ix, offsets._data, include_last_offset, weight.shape[0], padding_idx)
    freq = 1 / np.bincount(ix, minlength=weight.shape[0])[ix] if scale_grad_by_freq else None
    return _F.embedding_bag(weight, ix, bags, mode, per_sample_weights, freq)


def _embedding_indices(input, weight, fname):
    """input's index array, checked as PyTorch's embedding functions do."""
    ix = input._data
    if ix.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} instead "
                           f"(while checking arguments for {fname})")
    n = weight.shape[0]
    bad = (ix < 0) | (ix >= n)
    if fname == "embedding_bag" and bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise RuntimeError(f"Index {k} of input takes value {ix[k]} which is not in the valid "
                           f"range [0, {n})")
    return ix


def _bags(ix, starts, include_last_offset, n, padding_idx):
    """The Bags of the index positions: bag b runs from starts[b] to the next start."""
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {starts[0]}\n"
                           f"[ torch.LongTensor{{}} ]")
    if starts.size and starts[-1] > len(ix):
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {len(ix)} but "
                           f"got offsets[-1] of {starts[-1]}")
    if padding_idx is not None and not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} through "
                           f"{n - 1}, but got {padding_idx}")
    count = len(starts) - 1 if include_last_offset else len(starts)
    of = np.searchsorted(starts, np.arange(len(ix)), side="right") - 1
    kept = of < count  # (with include_last_offset, as documented, nothing after the last one:
    # PyTorch's kernels differ there by dtype)
    if padding_idx is not None:
        kept &= ix != padding_idx % n
    return _F.Bags(of, np.flatnonzero(kept), count)


def _renorm_rows(weight, ix, max_norm, norm_type):
    """Scale the rows of weight named in ix whose norm exceeds max_norm down to it, in place."""
    w = weight._data
    rows = np.unique(ix)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    w[rows[big]] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
    weight._bump_version()
