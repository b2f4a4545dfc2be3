"""Normalisation ops: layer, batch and group norm share one set of rules."""
import math
from typing import NamedTuple

import numpy as np

from ..._ops import NP, defnode, record


class NormGeometry(NamedTuple):
    """Where a normalisation takes its statistics and applies its weight and bias."""
    dims: tuple  # the dims of x (or of its grouped view) the statistics are taken over
    view: tuple  # group norm's (N, groups, -1) view of x; None for the others
    pdims: tuple  # the dims of x that weight's and bias's gradients sum over
    pshape: tuple  # weight's and bias's shape
    wshape: tuple  # weight's shape broadcast against x
    eps: float
    training: bool  # statistics of x itself (else running ones: constants)


def _grouped(B, t, geo):
    return t if geo.view is None else B.reshape(t, geo.view)


def _normalized(B, x, geo, mean, var):
    """((x - mean) * rstd, rstd) in the statistics' view, rstd = 1 / sqrt(var + eps). Running
    statistics are constants; batch statistics are the forward's for numpy rules, and for
    create_graph recomputed from x (their own dependence on x matters to higher derivatives)."""
    x = _grouped(B, x, geo)
    if not geo.training:
        mean, var = B.reshape(mean, geo.wshape), B.reshape(var, geo.wshape)
    elif B is not NP:
        mean = B.mean(x, geo.dims)
        xc = x - mean
        var = B.mean(xc * xc, geo.dims)
    rstd = 1 / B.sqrt(var + geo.eps)
    return (x - mean) * rstd, rstd


def _norm_input_rule(B, g, ans, x, w, geo, mean, var, *running):
    xhat, rstd = _normalized(B, x, geo, mean, var)
    gx = _grouped(B, g if w is None else g * B.reshape(w, geo.wshape), geo)
    if geo.training:
        gx = gx - B.mean(gx, geo.dims) - xhat * B.mean(gx * xhat, geo.dims)
    return B.reshape(rstd * gx, x.shape)


def _param_grad(B, g, geo):
    """g summed over pdims into the parameters' shape."""
    return B.reshape(B.sum(g, geo.pdims, True), geo.pshape) if geo.pdims else g


def _norm_weight_rule(B, g, ans, x, w, geo, mean, var, *running):
    xhat = B.reshape(_normalized(B, x, geo, mean, var)[0], x.shape)
    return _param_grad(B, g * xhat, geo)


_NORM_RULES = [_norm_input_rule, _norm_weight_rule,
               lambda B, g, ans, x, w, geo, *stats: _param_grad(B, g, geo)]
NativeLayerNormBackward0 = defnode("NativeLayerNormBackward0", _NORM_RULES, "layer_norm",
                                   saves=True)
NativeBatchNormBackward0 = defnode("NativeBatchNormBackward0", _NORM_RULES, "batch_norm",
                                   saves=True)
NativeGroupNormBackward0 = defnode("NativeGroupNormBackward0", _NORM_RULES, "group_norm",
                                   saves=True)


def _normalize(cls, x, weight, bias, geo, running=(None, None)):
    """(x - mean) / sqrt(var + eps) * weight + bias, recorded as cls; the statistics are taken
    over geo.dims when training, else they are the running ones. Running statistics are saved
    (last when training, for the version check only): changing them in place before backward is
    an error, as in PyTorch."""
    a = _grouped(NP, x._data, geo)
    mean, var = running
    if geo.training:
        mean = a.mean(geo.dims, keepdims=True)
        xc = a - mean
        var = (xc * xc).mean(geo.dims, keepdims=True)
        rstd = 1 / np.sqrt(var + geo.eps)
    else:
        xc = a - mean._data.reshape(geo.wshape)
        rstd = 1 / np.sqrt(var._data.reshape(geo.wshape) + geo.eps)
    data = (xc * rstd).reshape(x._data.shape)
    if weight is not None:
        data = data * weight._data.reshape(geo.wshape)
    if bias is not None:
        data = data + bias._data.reshape(geo.wshape)
    saved = (x, weight, geo, mean, var)
    if geo.training and running[0] is not None:
        saved += running
    return record(cls, data, (x, weight, bias), saved)


def layer_norm(x, n, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) over the last n dims, then * weight + bias."""
    ndim = x._data.ndim
    shape = x._data.shape[ndim - n:]
    geo = NormGeometry(tuple(range(ndim - n, ndim)), None, tuple(range(ndim - n)), shape, shape,
                       eps, True)
    return _normalize(NativeLayerNormBackward0, x, weight, bias, geo)


def _channel_geometry(shape, dims, eps, training, view=None):
    """The geometry of a norm with one weight and bias per channel (dim 1)."""
    return NormGeometry(dims, view, (0,) + tuple(range(2, len(shape))), shape[1:2],
                        (shape[1],) + (1,) * (len(shape) - 2), eps, training)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    """Normalise each channel over the batch (and spatial dims) with the batch's statistics
    when training (updating the running ones in place: momentum-weighted, unbiased variance),
    else with the running statistics."""
    a = x._data
    dims = (0,) + tuple(range(2, a.ndim))
    geo = _channel_geometry(a.shape, dims, eps, training)
    out = _normalize(NativeBatchNormBackward0, x, weight, bias, geo, (running_mean, running_var))
    if training and running_mean is not None:  # in float64, as PyTorch's accumulate type;
        # the version stays: PyTorch's kernel writes the buffers directly
        a = a.astype(np.float64)
        mean = a.mean(dims)
        var = ((a - mean.reshape(geo.wshape)) ** 2).sum(dims) / (a.size // a.shape[1] - 1)
        for buf, stat in ((running_mean, mean), (running_var, var)):
            buf._data[...] = momentum * stat + (1 - momentum) * buf._data.astype(np.float64)
    return out


def group_norm(x, groups, weight, bias, eps):
    """Normalise each sample's channels in `groups` groups, then a per-channel weight and bias."""
    shape = x._data.shape
    geo = _channel_geometry(shape, (2,), eps, True,
                            (shape[0], groups, math.prod(shape[1:]) // groups))
    return _normalize(NativeGroupNormBackward0, x, weight, bias, geo)
