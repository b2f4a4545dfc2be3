"""Sampling: multinomial and bernoulli, drawn from the numpy generator behind a `Generator`
(seeded: the same numbers on every run; not PyTorch's numbers)."""
import operator

import numpy as np

from .._node import defnode
from .._random import numpy_rng
from .._tensor import Tensor, _new
from ._record import as_tensor_arg, record, record1
from .arith import _zero_rule
from .inplace import _apply_inplace
from .views import expand

# Samples carry no gradient: their inputs get zeros (as PyTorch's zeros_like(grad)).
BernoulliBackward0 = defnode("BernoulliBackward0", [_zero_rule], "bernoulli")
BernoulliBackward1 = defnode("BernoulliBackward1", [_zero_rule, _zero_rule], "bernoulli_")
BernoulliBackward2 = defnode("BernoulliBackward2", [_zero_rule], "bernoulli_")

_BAD_ENTRY = "probability tensor contains either `inf`, `nan` or element < 0"
_BAD_SUM = "invalid multinomial distribution (sum of probabilities <= 0)"
_BAD_P = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
          "be improved?  If so, please report an enhancement request to PyTorch.)")


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """`num_samples` indices per row of `input` (1-D or 2-D, non-negative weights, not
    necessarily summing to 1), drawn with the row's weights as probabilities; without
    replacement each index comes at most once."""
    x = as_tensor_arg(input)
    if isinstance(num_samples, bool) or not hasattr(type(num_samples), "__index__"):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    n, p = operator.index(num_samples), x._data
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{x.dtype.legacy}")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and n > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if p.shape[-1] > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows, rng = p.reshape(-1, p.shape[-1]).astype(np.float64), numpy_rng(generator)
    if replacement and n > 1:
        _check_weights(rows)
        samples = _draw_with_replacement(rows, n, rng)
    else:  # PyTorch's fast path: the n largest of weight / Exp(1) (a draw without replacement)
        if not np.isfinite(rows).all() or (rows < 0).any():
            raise RuntimeError(_BAD_ENTRY)
        if (rows.sum(1) <= 0).any():
            raise RuntimeError(_BAD_SUM)
        keys = rows / rng.standard_exponential(rows.shape)
        samples = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    return _new(samples.reshape(p.shape[:-1] + (n,)).astype(np.int64))


def _check_weights(rows):
    """PyTorch's checks (and texts) for sampling with replacement: the first bad entry, then the
    sums."""
    bad = ~(rows >= 0) | np.isinf(rows)
    if bad.any():
        kind = "= infinity or NaN" if np.isinf(rows.flat[np.argmax(bad)]) else "< 0"
        raise RuntimeError(f"invalid multinomial distribution (encountering probability entry "
                           f"{kind})")
    if (rows.sum(1) <= 0).any():
        raise RuntimeError(_BAD_SUM)


def _draw_with_replacement(rows, n, rng):
    """n indices per row, by inverting each row's cumulative weights at uniform draws (an index
    of zero weight is never drawn)."""
    out = np.empty((rows.shape[0], n), np.int64)
    for i, w in enumerate(rows):
        cdf = np.cumsum(w)
        drawn = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        out[i] = np.minimum(drawn, np.flatnonzero(w)[-1])  # u * total rounded up to the total
    return out


def bernoulli(input, p=None, *, generator=None):
    """1 with probability `input` (elementwise, in [0, 1]), else 0; with `p`, 1 with probability
    p everywhere. The result has input's dtype."""
    x = as_tensor_arg(input)
    if p is not None:
        return bernoulli_(_new(np.empty_like(x._data)), p, generator=generator)
    probs = _probabilities(x)
    return record1(BernoulliBackward0, _draw(probs, x._data.dtype, generator), x)


def bernoulli_(input, p=0.5, *, generator=None):
    """x.bernoulli_(p): refill x with 1 (probability p: a number, or a tensor broadcast to x's
    shape) or 0."""
    x = as_tensor_arg(input, "self")
    if isinstance(p, Tensor):
        probs = _probabilities(expand(p, x.shape))
        values = _draw(probs, x._data.dtype, generator)
        return _apply_inplace(lambda s: record(BernoulliBackward1, values, (s, p), meta=(
            None, (p._data.shape, p._data.dtype))), x, p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    values = _draw(np.asarray(p), x._data.dtype, generator, x._data.shape)
    return _apply_inplace(lambda s: record1(BernoulliBackward2, values, s), x)


def _probabilities(t):
    """The float probabilities of tensor t, checked as PyTorch does."""
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{t.dtype.legacy}'")
    if not ((t._data >= 0) & (t._data <= 1)).all():
        raise RuntimeError(_BAD_P)
    return t._data


def _draw(probs, dtype, generator, shape=None):
    """1 where a uniform draw falls below the probability, else 0, as `dtype`."""
    shape = probs.shape if shape is None else shape
    return (numpy_rng(generator).random(shape) < probs).astype(dtype)
