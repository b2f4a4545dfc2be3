"""Ops PyTorch's composite functions record under their own names: a Python number added,
subtracted, divided or multiplied (Add/Sub/Div/MulBackward1), `at::norm` (NormBackward1) and
bilinear's trilinear product (TrilinearBackward0)."""
import numpy as np

from ... import _ops
from ..._grad_mode import no_grad
from ..._ops import LinalgVectorNormBackward0, defnode, norm_dim, record, record1


AddBackward1 = defnode("AddBackward1", [lambda B, g, ans: g], "+")
SubBackward1 = defnode("SubBackward1", [lambda B, g, ans: g], "-")
DivBackward1 = defnode("DivBackward1", [lambda B, g, ans, c: g / c], "/")
MulBackward1 = defnode("MulBackward1", [lambda B, g, ans, c: g * c], "*")
NormBackward1 = defnode("NormBackward1", LinalgVectorNormBackward0._vjps, "norm", saves=True,
                        uses_ans=True)


def add_scalar(x, c):
    """x + c for a Python number c (AddBackward1)."""
    return record1(AddBackward1, x._data + c, x)


def sub_scalar(x, c):
    """x - c for a Python number c (SubBackward1)."""
    return record1(SubBackward1, x._data - c, x)


def div_scalar(x, c):
    """x / c for a Python number c (DivBackward1)."""
    return record1(DivBackward1, x._data / c, x, (c,))


def mul_scalar(x, c):
    """x * c for a Python number c (MulBackward1)."""
    return record1(MulBackward1, x._data * c, x, (c,))


def norm(x, p, dim, keepdim):
    """The p-norm of x along dim (`at::norm`, as PyTorch's C++ functions call it: NormBackward1)."""
    with no_grad():
        data = _ops.norm(x, p, dim, keepdim)._data
    return record1(NormBackward1, data, x, (x, p, (norm_dim(dim, x._data.ndim),), keepdim))


TrilinearBackward0 = defnode("TrilinearBackward0", [
    lambda B, g, ans, x1, w, x2: B.einsum("bo,oij,bj->bi", g, w, x2),
    lambda B, g, ans, x1, w, x2: B.einsum("bo,bi,bj->oij", g, x1, x2),
    lambda B, g, ans, x1, w, x2: B.einsum("bo,bi,oij->bj", g, x1, w)], "trilinear", saves=True)


def trilinear(x1, w, x2):
    """out[b, o] = sum_ij x1[b, i] w[o, i, j] x2[b, j] for 2-D x1, x2 and 3-D w."""
    data = np.einsum("bi,oij,bj->bo", x1._data, w._data, x2._data, optimize=True)
    return record(TrilinearBackward0, data, (x1, w, x2), (x1, w, x2))
