"""The two vocabularies backward rules are written in: `NP` (numpy: first-order backward
costs what numpy costs) and `TB` (autograd_lab's own ops: recorded, for create_graph=True)."""
import builtins
import types

import numpy as np

from .. import _dtypes
from .._tensor import Tensor, _new
from .._node import defnode
from ._record import _array, _array_of, _ndarray, _sum, record
from .arith import (_sigmoid, _sign, abs, cos, exp, isnan, log, sigmoid, sign, sin, sqrt,
                    tanh, where)
from .views import _swapaxes, expand, permute, reshape, squeeze, transpose, unsqueeze
from .reductions import _prod_of_others, _recorded_prod_of_others, mean, sum
from .indexing import _index_grad_np, index_grad
from .scans import (_cumsum, _reverse_cumsum, _scan, cumprod, cumprod_grad, cumsum, einsum,
                    flip, roll)
from .pointwise import _np_erf, cosh, erf, log1p, sinh, tril, triu
from .solvers import (_np_cofactor, _np_inv, _np_matrix_exp, _np_solve, _np_triangular_solve,
                      inv, matrix_exp, solve, solve_triangular)
from .decompositions import cofactor, eigh, qr, svd


# ================================================================================================
# The two vocabularies the rules are written in
# ================================================================================================


_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}  # an int dtype to view floats' bits as


def _np_relu_grad(g, ans):
    """g where the output is positive, else +0, as PyTorch's threshold_backward: also where g is
    NaN or infinite (a NaN output passes its gradient on). One AND of g's bits with a mask:
    exact, and faster than g * mask, which gives -0. and NaN there and needs a fix-up pass."""
    bits = _INT_OF_SIZE[g.dtype.itemsize]
    mask = _array(ans <= 0, bits)  # 1 where dropped (an array, also for 0-d ans)
    mask -= 1  # 0 where dropped, all bits set where kept
    return np.bitwise_and(g.view(bits), mask, out=mask).view(g.dtype)


def _np_expand(g, shape):
    """np.broadcast_to(g, shape): a read-only view, made directly (numpy's own goes through
    nditer: 3.9 us, most of a small sum's backward; this takes 1.4)."""
    if g.__class__ is not _ndarray:
        g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = len(shape) - g.ndim
    if g.size == 1:
        strides = (0,) * len(shape)
    elif lead >= 0 and builtins.all(n == 1 or n == s for n, s in zip(g.shape, shape[lead:])):
        strides = (0,) * lead + tuple(0 if n == 1 else st for n, st in zip(g.shape, g.strides))
    else:
        return np.broadcast_to(g, shape)  # numpy's error
    try:
        out = _ndarray(shape, g.dtype, g, 0, strides)
    except (TypeError, ValueError, BufferError):  # g not contiguous: no simple buffer
        return np.broadcast_to(g, shape)
    out.flags.writeable = False
    return out


def _np_sum_to(g, shape):
    """Sum a broadcast gradient back down to `shape` (undoes numpy broadcasting)."""
    if g.__class__ is not _ndarray:
        g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    ones = tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if not ones and shape:  # only leading dims to sum away (a bias): no keepdims, no reshape
        return _sum(g, tuple(range(lead)))
    return _sum(g, tuple(range(lead)) + ones, keepdims=True).reshape(shape)


def _np_cumprod_grad(g, ans, x, d):
    """cumprod's gradient: sums of g * out from each place on, over x (PyTorch's formula, O(n))
    while every output is a normal number; else (a zero, or products that underflow) the exact
    O(n^2) one. TB always takes that: dividing by tiny values makes second derivatives lose
    all precision."""
    if np.all(np.abs(ans) >= np.finfo(ans.dtype).tiny):
        return _reverse_cumsum(NP, g * ans, d) / x
    return cumprod_grad(NP, g, x, d)


NP = types.SimpleNamespace(
    exp=np.exp, log=np.log, sin=np.sin, cos=np.cos, sign=_sign, abs=np.abs, where=np.where,
    tanh=np.tanh, erf=_np_erf, sqrt=np.sqrt,
    zeros_like=np.zeros_like, floor=np.floor, tril=np.tril, triu=np.triu, log1p=np.log1p,
    sigmoid=_sigmoid, sinh=np.sinh, cosh=np.cosh,
    relu_grad=_np_relu_grad,
    piecewise=lambda name, g, source, rule: rule(NP, g, source),
    isnan=np.isnan,
    sum=lambda g, dims, keep: _sum(g, dims, keepdims=keep),
    mean=lambda x, dims: np.mean(x, axis=dims, keepdims=True),
    reshape=np.reshape, expand=_np_expand, permute=np.transpose, transpose=_swapaxes,
    unsqueeze=np.expand_dims, squeeze_last=lambda g: np.squeeze(g, -1),
    mT=lambda a: a.swapaxes(-1, -2), sum_to=_np_sum_to, index_grad=_index_grad_np,
    cast=lambda g, dt: np.asarray(g).astype(dt, copy=False), const=lambda a: a,
    flip=np.flip, cumsum=_cumsum, cumprod=lambda a, axis: _scan(np.cumprod, a, axis),
    cumprod_grad=_np_cumprod_grad,
    roll=np.roll,
    einsum=lambda eq, *ops: np.einsum(eq, *ops, optimize=len(ops) > 2),
    prod_of_others=_prod_of_others,
    inv=_np_inv, solve=_np_solve, solve_triangular=_np_triangular_solve, cofactor=_np_cofactor,
    eigh=np.linalg.eigh,
    qr=np.linalg.qr, svd=lambda a: np.linalg.svd(a, full_matrices=False),
    matrix_exp=_np_matrix_exp,
)


_PIECEWISE = {}  # name -> the node class of a recorded piecewise-linear gradient


def _tb_piecewise(name, g, source, rule):
    """`rule(B, g, source)`, the gradient of a piecewise-linear op (relu, leaky_relu, hardtanh,
    ...): linear in g, locally constant in source. Recorded as PyTorch's `name` node, which
    stays connected to source with a zero derivative (so a further grad gives zeros) and
    saves it (so changing it in place is caught)."""
    cls = _PIECEWISE.get(name)
    if cls is None:
        cls = _PIECEWISE[name] = defnode(name, [
            lambda B, gg, ans, src, rule: rule(B, gg, B.const(_array_of(src))),
            lambda B, gg, ans, src, rule: B.zeros_like(gg)], name[:-17].lower() + "'", saves=True)
    if not isinstance(source, Tensor):  # (a constant: the gradient of this gradient)
        source = _new(np.asarray(source))
    data = np.asarray(rule(NP, g._data, source._data))
    return record(cls, data, (g, source), (source, rule))


def _relu_rule(B, g, ans):
    return B.relu_grad(g, ans)


def _tb_sum_to(g, shape):
    if tuple(g.shape) == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and g.shape[i + lead] != 1)
    return reshape(sum(g, dims, True), shape)


TB = types.SimpleNamespace(
    exp=exp, log=log, sin=sin, cos=cos, sign=sign, abs=abs, where=where, isnan=isnan,
    tanh=tanh, erf=erf, sqrt=sqrt,
    zeros_like=lambda g: _new(np.zeros_like(g._data)),
    floor=lambda x: _new(np.floor(x._data)),  # (its derivative is 0: a constant)
    tril=tril, triu=triu, log1p=log1p, sigmoid=sigmoid, sinh=sinh, cosh=cosh,
    relu_grad=lambda g, ans: _tb_piecewise("ThresholdBackwardBackward0", g, ans, _relu_rule),
    piecewise=_tb_piecewise,
    sum=lambda g, dims, keep: sum(g, dims, keep),
    mean=lambda x, dims: mean(x, dims, True),
    reshape=reshape, expand=expand, permute=permute, transpose=transpose, unsqueeze=unsqueeze,
    squeeze_last=lambda g: squeeze(g, -1), mT=lambda a: transpose(a, -1, -2), sum_to=_tb_sum_to,
    index_grad=index_grad, cast=lambda g, dt: g.to(_dtypes.FROM_NP[np.dtype(dt)]),
    const=lambda a: _new(a),
    flip=flip, cumsum=cumsum, cumprod=cumprod, roll=roll, einsum=einsum,
    cumprod_grad=lambda g, ans, x, d: cumprod_grad(TB, g, x, d),
    prod_of_others=_recorded_prod_of_others,
    inv=inv, solve=solve, eigh=eigh, qr=qr, svd=lambda a: svd(a, False),
    solve_triangular=lambda a, b, upper, left: solve_triangular(a, b, upper=upper, left=left),
    matrix_exp=matrix_exp,
    cofactor=lambda a, d: cofactor(a),
)
