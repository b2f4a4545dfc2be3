"""Linear layers as functions: `linear` (x @ weight.T + bias) and `bilinear`."""
from ... import _ops
from ..._ops import as_tensor_arg
from .. import _functional_ops as _F


def linear(input, weight, bias=None):
    """input @ weight.T + bias: AddmmBackward0 for 2-D input (MmBackward0 without bias)."""
    x = as_tensor_arg(input)
    ndim = x._data.ndim
    if ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D "
                           f"and {weight.ndim}D")
    wt = _ops.t(weight)
    if bias is None:  # (matmul records PyTorch's mm steps for 1-D and batched inputs too)
        return _ops.matmul(x, wt)
    if ndim == 2:
        return _ops.addmm(bias, x, wt)
    flat = _ops.reshape(x, -1, x.shape[-1])
    return _ops.reshape(_ops.addmm(bias, flat, wt), *x.shape[:-1], weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """x1ᵀ W_o x2 for every output o (TrilinearBackward0 on the flattened inputs, viewed back),
    plus bias (AddBackward0)."""
    x1, x2 = as_tensor_arg(input1), as_tensor_arg(input2)
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{x1.shape[d]} and {x2.shape[d]}")
    for i, x in ((1, x1), (2, x2)):
        expected = weight.shape[_ops.norm_dim(i, weight.ndim)]
        if x.shape[-1] != expected:
            raise RuntimeError(f"bilinear(): input{i} size does not match weight size: got "
                               f"{x.shape[-1]} but expected {expected}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    named = {"input1": x1, "input2": x2, "weight": weight, "bias": bias}
    if len({t.dtype for t in named.values() if t is not None}) > 1:
        got = ", ".join(f"{k}: {t.dtype.legacy.lower()}" for k, t in named.items() if t is not None)
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    flat = [_ops.reshape(x, -1, x.shape[-1]) for x in (x1, x2)]
    out = _ops.reshape(_F.trilinear(flat[0], weight, flat[1]), *x1.shape[:-1], weight.shape[0])
    return out if bias is None else _ops.add(out, bias)
