"""Embedding ops: rows of a weight looked up (EmbeddingBackward0) and summed, averaged or maxed
per bag (EmbeddingBagBackward0)."""
from typing import NamedTuple

import numpy as np

from ..._ops import defnode, record, record1


def _embedding_rule(B, g, ans, ix, shape, padded, freq):
    if freq is not None:
        g = g * freq
    if padded is not None:
        g = B.where(padded, 0.0, g)
    return B.index_grad(g, shape, (ix,))


EmbeddingBackward0 = defnode("EmbeddingBackward0", [_embedding_rule], "embedding")


def embedding(ix, weight, padding_idx, scale_grad_by_freq):
    """weight's rows at the indices ix; rows at padding_idx (>= 0) get no gradient, and with
    scale_grad_by_freq each row's gradient is divided by how often ix names it."""
    w = weight._data
    padded = freq = None
    if padding_idx >= 0:
        padded = (ix == padding_idx)[..., None]
    if scale_grad_by_freq:
        freq = (1 / np.bincount(ix.ravel(), minlength=len(w))[ix]).astype(w.dtype)[..., None]
    return record1(EmbeddingBackward0, w[ix], weight, (ix, w.shape, padded, freq))


def _bag_weight_rule(B, g, ans, w, psw, pick, shape):
    """sum/mean: each kept position's row gets its bag's gradient times its coefficient; max:
    each bag's gradient goes to the rows that gave the maxima."""
    kind, rows, bags, coef = pick
    if kind == "max":
        return B.index_grad(g * coef, shape, (rows, np.arange(shape[1])), False)
    scale = coef if psw is None else coef * B.unsqueeze(psw[bags.kept], 1)
    return B.index_grad(g[bags.of[bags.kept]] * scale, shape, (rows,))


def _bag_sample_weight_rule(B, g, ans, w, psw, pick, shape):
    rows, bags = pick[1:3]
    grads = B.sum(g[bags.of[bags.kept]] * w[rows], (1,), False)
    return B.index_grad(grads, tuple(psw.shape), (bags.kept,), True)


EmbeddingBagBackward0 = defnode("EmbeddingBagBackward0", [_bag_weight_rule,
                                                          _bag_sample_weight_rule],
                                "embedding_bag", saves=True)


class Bags(NamedTuple):
    """The bag of every index position, the positions that count (not padding), and how many
    bags there are."""
    of: np.ndarray
    kept: np.ndarray
    count: int


def embedding_bag(weight, ix, bags, mode, per_sample_weights, freq):
    """Per bag, the sum, mean or max of the rows of weight at its kept indices (0 for a bag
    with none); per_sample_weights scale the rows (sum mode)."""
    w = weight._data
    d = w.shape[1]
    rows = ix[bags.kept]
    out = np.zeros((bags.count, d), w.dtype)
    if mode == "max":
        arg = np.full((bags.count, d), -1)
        for k, (b, r) in enumerate(zip(bags.of[bags.kept], rows)):
            better = (arg[b] < 0) | (w[r] > out[b])
            out[b, better], arg[b, better] = w[r, better], k
        filled = arg >= 0
        pick = ("max", np.where(filled, rows[np.maximum(arg, 0)], 0), bags,
                filled.astype(w.dtype))
    else:
        coef = np.ones(len(rows), w.dtype) if freq is None else freq[bags.kept].astype(w.dtype)
        picked = w[rows]
        if per_sample_weights is not None:
            picked = picked * per_sample_weights._data[bags.kept][:, None]
        np.add.at(out, bags.of[bags.kept], picked)
        if mode == "mean":
            sizes = np.bincount(bags.of[bags.kept], minlength=bags.count).astype(w.dtype)
            out /= np.maximum(sizes, 1)[:, None]
            coef = coef / np.maximum(sizes, 1)[bags.of[bags.kept]]
        pick = ("sum", rows, bags, coef[:, None])
    return record(EmbeddingBagBackward0, out, (weight, per_sample_weights),
                  (weight, per_sample_weights, pick, w.shape))
