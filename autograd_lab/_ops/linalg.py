"""Matrix products: mm, mv, dot, bmm and matmul, recorded as PyTorch decomposes them."""
import math

import numpy as np

from .. import _dtypes
from .._grad_mode import state as _grad
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import _array_of, _broadcast_error, _operand, record, record1
from .arith import DivBackward0, MulBackward0, PowBackward0, PowBackward1
from .views import ReshapeAliasBackward, SqueezeBackward4, expand, reshape, unsqueeze


# ================================================================================================
# Matrix products
# ================================================================================================


def _mm_grad_a(B, g, ans, a, b):
    if b.ndim == 1:
        return g * b if a.ndim == 1 else B.unsqueeze(g, -1) * b
    if a.ndim == 1:
        return B.sum_to(B.squeeze_last(b @ B.unsqueeze(g, -1)), a.shape)
    return B.sum_to(g @ B.mT(b), a.shape)


def _mm_grad_b(B, g, ans, a, b):
    if a.ndim == 1:
        return g * a if b.ndim == 1 else B.sum_to(B.unsqueeze(a, -1) * B.unsqueeze(g, -2), b.shape)
    if b.ndim == 1:
        return B.sum_to(B.squeeze_last(B.mT(a) @ B.unsqueeze(g, -1)), b.shape)
    return B.sum_to(B.mT(a) @ g, b.shape)


_MM_RULES = [_mm_grad_a, _mm_grad_b]
MmBackward0 = defnode("MmBackward0", _MM_RULES, "@", saves=True)
DotBackward0 = defnode("DotBackward0", _MM_RULES, "@", saves=True)
MvBackward0 = defnode("MvBackward0", _MM_RULES, "@", saves=True)
BmmBackward0 = defnode("BmmBackward0", _MM_RULES, "@", saves=True)
# torch.matmul names its node after the last kernel it dispatches to. The forms it decomposes
# into mm/mv/bmm and views are recorded that way (`_matmul_steps`); products whose batch
# dimensions broadcast are one node: an _unsafe_view (or a clone for matrix @ batch).
for _cls, _names in ((MulBackward0, ("self", "other")), (DivBackward0, ("self", "other")),
                     (PowBackward0, ("self", "exponent")), (PowBackward1, ("self", "exponent")),
                     (MmBackward0, ("self", "mat2")), (BmmBackward0, ("self", "mat2")),
                     (MvBackward0, ("self", "vec")), (DotBackward0, ("self", "tensor"))):
    _cls._saved_names = _names  # grad_fn._saved_self, ... as PyTorch names them
_BatchedMatmulBackward = defnode("UnsafeViewBackward0", _MM_RULES, "@", saves=True)
_MatmulCloneBackward0 = defnode("CloneBackward0", _MM_RULES, "@", saves=True)
_MATMUL_NODES = {(1, 1): DotBackward0, (2, 1): MvBackward0, (2, 2): MmBackward0}
_CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                   "int64": "long int", "int32": "int", "int16": "short int",
                   "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _cpp_name(dt):
    """The C++ name PyTorch's messages give a dtype ('float', 'long int', ...)."""
    return _CPP_TYPE_NAMES[dt.name]


def matmul(input, other):
    """Matrix product with numpy's (= PyTorch's) rules for 1-D and batched operands."""
    return _matmul(input, other, None)


def _matmul(input, other, cls):
    a, b = _operand(input, "@"), _operand(other, "@")
    a = a if isinstance(a, Tensor) else _new(np.asarray(a))
    b = b if isinstance(b, Tensor) else _new(np.asarray(b))
    A, Bv = a._data, b._data
    if A.ndim == 0 or Bv.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{A.ndim}D and {Bv.ndim}D")
    if A.dtype is not Bv.dtype and A.ndim == Bv.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtypes.of_array(A).legacy} and {_dtypes.of_array(Bv).legacy}")
    if A.dtype is not Bv.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_cpp_name(_dtypes.of_array(A))} != "
                           f"{_cpp_name(_dtypes.of_array(Bv))}")
    if cls is None:
        steps = _matmul_steps(a, b, A, Bv)
        if steps is not None:
            return steps
    try:
        data = np.matmul(A, Bv)
    except ValueError:
        raise _matmul_error(A.shape, Bv.shape) from None
    if cls is None:
        cls = _MATMUL_NODES.get((A.ndim, Bv.ndim)) or (
            _MatmulCloneBackward0 if A.ndim == 2 else _BatchedMatmulBackward)
    return record(cls, data, (a, b), (a, b))


def _matmul_steps(a, b, A, Bv):
    """a @ b recorded as PyTorch decomposes it, for vector @ matrix (unsqueeze, mm, squeeze),
    batch @ matrix or vector (view, mm/mv, _unsafe_view) and batch @ batch of the same batch
    shape (expand, view, bmm, _unsafe_view); None for the other forms. When nothing records,
    only the steps' numpy calls run (`_matmul_unrecorded`)."""
    vector_matrix = A.ndim == 1 and Bv.ndim == 2
    batch_matrix = A.ndim >= 3 and Bv.ndim <= 2
    batch_batch = A.ndim >= 3 and A.shape[:-2] == Bv.shape[:-2]
    if not (vector_matrix or batch_matrix or batch_batch):
        return None
    if not (_grad.enabled and (a._requires_grad or b._requires_grad)):
        try:
            return _new(_matmul_unrecorded(A, Bv, vector_matrix, batch_matrix))
        except ValueError:
            pass  # the steps below raise PyTorch's error
    if vector_matrix:  # (mm, mv and bmm raise PyTorch's errors for shapes that do not fit)
        out = mm(unsqueeze(a, 0), b)  # squeezed in place, as PyTorch's: not a view
        return record1(SqueezeBackward4, out._data.reshape(Bv.shape[1:]), out, (out._data.shape,))
    if batch_matrix:
        out = (mm if Bv.ndim == 2 else mv)(reshape(a, -1, A.shape[-1]), b)
        shape = A.shape[:-1] + Bv.shape[1:]
    else:
        out = bmm(*[reshape(expand(t, t.shape), -1, *t.shape[-2:]) for t in (a, b)])
        shape = A.shape[:-1] + Bv.shape[-1:]
    return record1(ReshapeAliasBackward, out._data.reshape(shape), out, (out._data.shape,))


def _matmul_unrecorded(A, Bv, vector_matrix, batch_matrix):
    """The array `_matmul_steps` makes, from the numpy calls its steps make (ValueError where a
    step raises): the same bits, strides included."""
    if vector_matrix:  # (unsqueeze reshapes as np.expand_dims does)
        return np.matmul(A.reshape((1,) + A.shape), Bv).reshape(Bv.shape[1:])
    if batch_matrix:
        return np.matmul(A.reshape(-1, A.shape[-1]), Bv).reshape(A.shape[:-1] + Bv.shape[1:])
    # (expand's broadcast_to only zeroes the strides of dims of size 1, which numpy's matmul
    # may then treat otherwise: it is skipped where there are none)
    flat = [(t if min(t.shape) > 1 else np.broadcast_to(t, t.shape)).reshape(-1, *t.shape[-2:])
            for t in (A, Bv)]
    return np.matmul(*flat).reshape(A.shape[:-1] + Bv.shape[-1:])


def _matmul_error(sa, sb):
    """PyTorch's error for operands whose shapes cannot be multiplied."""
    inner_a, inner_b = sa[-1], sb[0] if len(sb) == 1 else sb[-2]
    if inner_a == inner_b:  # the matrices fit: the batch dimensions do not broadcast
        return _broadcast_error(sa[:-2], sb[:-2])
    if len(sa) == 1 and len(sb) == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                            f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                            f"and {sb[0]} elements respectively")
    rows = 1 if len(sa) == 1 else math.prod(sa[:-1])
    cols = 1 if len(sb) == 1 else sb[-1]
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner_a} and "
                        f"{inner_b}x{cols})")


def _product(cls, input, other, ndims, message):
    """mm/mv/dot/bmm: matmul restricted to operands of the given dimensions."""
    a, b = _operand(input, "@"), _operand(other, "@")
    sa, sb = np.shape(_array_of(a)), np.shape(_array_of(b))
    if (len(sa), len(sb)) != ndims:
        raise RuntimeError(message.format(len(sa), len(sb)))
    if cls is BmmBackward0 and (sa[0] != sb[0] or sa[2] != sb[1]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    if cls is MvBackward0 and sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), "
                           f"vec ({sb[0]})")
    return _matmul(a, b, cls)


def mm(input, mat2):
    """The product of two matrices."""
    return _product(MmBackward0, input, mat2, (2, 2),
                    "mm(): expected two matrices (2-D tensors), but got {}D and {}D tensors")


def mv(input, vec):
    """The product of a matrix and a vector."""
    return _product(MvBackward0, input, vec, (2, 1),
                    "mv(): expected a matrix and a vector, but got {}D and {}D tensors")


def dot(input, other):
    """The dot product of two vectors."""
    return _product(DotBackward0, input, other, (1, 1),
                    "1D tensors expected, but got {}D and {}D tensors")


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    return _product(BmmBackward0, input, mat2, (3, 3),
                    "bmm(): expected two 3-D tensors (batches of matrices), but got {}D and {}D "
                    "tensors")
