"""Products beyond matmul: addmm, addmv, baddbmm, addbmm (beta * input + alpha * product, one
node each), tensordot, kron, multi_dot and vecdot (composed as PyTorch composes them), cross
and matrix_power."""
import builtins

import numpy as np

from .._node import defnode
from .._tensor import Tensor, _new
from ._record import _broadcast_error, as_tensor_arg, norm_dim, record, record1, tensor_param
from .arith import mul
from .reductions import sum
from .views import ReshapeAliasBackward, clone, expand, permute, reshape, unsqueeze, view
from .linalg import _MM_RULES, _cpp_name, _product, matmul, mm
from .solvers import inv
from .vocab import NP
from .pointwise import _inplace_of


def _scaled(g, s):
    return g if s == 1 else g * s


def _mat_rules(name):
    """Rules of beta * input + alpha * (m1 @ m2) (summed over the batch for addbmm)."""
    def m1_rule(B, g, ans, m1, m2, beta, alpha):
        if m2.ndim == 1:  # addmv: the outer product of g and the vector
            return _scaled(B.unsqueeze(g, -1) * m2, alpha)
        return _scaled(g @ B.mT(m2), alpha)

    def m2_rule(B, g, ans, m1, m2, beta, alpha):
        if m2.ndim == 1:
            return _scaled(B.mT(m1) @ g, alpha)
        # (g.T @ m1).T rather than m1.T @ g: equal values, and a C-contiguous weight.grad for
        # nn.Linear, whose weight.T is m2
        return _scaled(B.mT(B.mT(g) @ m1), alpha)
    return defnode(name, [lambda B, g, ans, m1, m2, beta, alpha: _scaled(g, beta), m1_rule,
                          m2_rule], name.removesuffix("Backward0").lower(), saves=True)


AddmmBackward0, AddmvBackward0, BaddbmmBackward0, AddbmmBackward0 = map(_mat_rules, (
    "AddmmBackward0", "AddmvBackward0", "BaddbmmBackward0", "AddbmmBackward0"))
for _cls in (AddmmBackward0, AddmvBackward0, BaddbmmBackward0, AddbmmBackward0):
    _cls._saved_names = ("mat1", "mat2", "beta", "alpha")
# addmm with beta = alpha = 1 (nn.Linear's): the same rules without the scalings
_PlainAddmmBackward0 = defnode("AddmmBackward0", [
    lambda B, g, ans, m1, m2: g,
    lambda B, g, ans, m1, m2: g @ B.mT(m2),
    lambda B, g, ans, m1, m2: B.mT(B.mT(g) @ m1)], "addmm", saves=True)
_PlainAddmmBackward0._saved_names = ("mat1", "mat2")
_PlainAddmmBackward0._saved_constants = {"beta": 1, "alpha": 1}


_KERNELS = {AddmmBackward0: "addmm_impl_cpu_", AddmvBackward0: "addmv_impl_cpu",
            BaddbmmBackward0: "baddbmm", AddbmmBackward0: "addmm_impl_cpu_"}


def _add_product(cls, input, m1, m2, product, beta, alpha):
    """beta * input (broadcast to the product's shape) + alpha * product, as `cls` (beta and
    alpha cast to an integer dtype as PyTorch; alpha = 0 drops the product's inf/NaN, but for
    baddbmm)."""
    if product.dtype == np.bool_:
        raise NotImplementedError(f'"{_KERNELS[cls]}" not implemented for \'Bool\'')
    beta = beta.item() if isinstance(beta, Tensor) else beta
    alpha = alpha.item() if isinstance(alpha, Tensor) else alpha
    if product.dtype.kind in "iu":
        beta, alpha = (np.array(v).astype(product.dtype).item() for v in (beta, alpha))
    if alpha == 0 and cls is not BaddbmmBackward0:
        data = np.zeros_like(product)
    else:
        data = product if alpha == 1 else product * alpha
    a = input._data
    if a.shape != data.shape[data.ndim - a.ndim:] and (a.ndim > data.ndim or builtins.any(
            n not in (1, s) for n, s in zip(a.shape[::-1], data.shape[::-1]))):
        expand(_new(a), data.shape)  # PyTorch's error: input must broadcast to the product
    if beta != 0:
        addend = a if beta == 1 else a * beta
        if addend.dtype == data.dtype:  # (data is a new array: add in place, as nn.Linear's
            np.add(data, addend, out=data)  # floor does; no second batch-sized array)
        else:
            data = data + addend
    meta = None if a.shape == data.shape else ((a.shape, a.dtype), None, None)
    data = data.astype(m1._data.dtype, copy=False)
    if beta == 1 and alpha == 1 and cls is AddmmBackward0:  # nn.Linear: two saved values
        return record(_PlainAddmmBackward0, data, (input, m1, m2), (m1, m2), meta)
    return record(cls, data, (input, m1, m2), (m1, m2, beta, alpha), meta)


def _legacy(t):
    return t.dtype.legacy


def _matrices(fname, input, mat1, mat2, names=("mat1", "mat2")):
    return (tensor_param(input, fname, "input", 1), tensor_param(mat1, fname, names[0], 2),
            tensor_param(mat2, fname, names[1], 3))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) for matrices mat1, mat2 (input broadcast)."""
    x, m1, m2 = _matrices("addmm", input, mat1, mat2)
    d1, d2 = m1._data, m2._data
    if d1.ndim != 2 or d2.ndim != 2 or x._data.dtype != d2.dtype or d1.dtype != d2.dtype \
            or d1.shape[1] != d2.shape[0]:  # (one test on nn.Linear's path, then the errors)
        _addmm_error(x, m1, m2)
    return _add_product(AddmmBackward0, x, m1, m2, d1 @ d2, beta, alpha)


def _addmm_error(x, m1, m2):
    """PyTorch's error for the first of addmm's checks that its arguments fail."""
    for name, m in (("mat1", m1), ("mat2", m2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    if x._data.dtype != m2._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_legacy(x)} and "
                           f"{_legacy(m2)}")
    if m1._data.dtype != m2._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_legacy(m1)} and "
                           f"{_legacy(m2)}")
    (r, k), (k2, c) = m1._data.shape, m2._data.shape
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({r}x{k} and {k2}x{c})")


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec) for a matrix and a vector (input broadcast)."""
    x, m, v = _matrices("addmv", input, mat, vec, ("mat", "vec"))
    if m._data.ndim != 2 or v._data.ndim != 1 or x._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {x._data.ndim}, "
                           f"{m._data.ndim}, {v._data.ndim}")
    (r, k), n = m._data.shape, v._data.shape[0]
    if k != n or x._data.shape not in ((), (1,), (r,)):
        raise RuntimeError(f"size mismatch, got input ({x._data.size}), mat ({r}x{k}), "
                           f"vec ({n})")
    if not x._data.dtype == m._data.dtype == v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_legacy(x)}, {_legacy(m)}, and {_legacy(v)}")
    return _add_product(AddmvBackward0, x, m, v, m._data @ v._data, beta, alpha)


def _batches(fname, input, batch1, batch2):
    x, b1, b2 = _matrices(fname, input, batch1, batch2, ("batch1", "batch2"))
    for name, b in (("batch1", b1), ("batch2", b2)):
        if b._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    return x, b1, b2


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), matrix by matrix (input broadcast)."""
    x, b1, b2 = _batches("baddbmm", input, batch1, batch2)
    if not x._data.dtype == b1._data.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {x.dtype.legacy.lower()}, "
                           f"batch1: {b1.dtype.legacy.lower()}, batch2: "
                           f"{b2.dtype.legacy.lower()}")
    if b1._data.dtype != b2._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(b1)} but found {_legacy(b2)}")
    (n, _, k), (n2, k2, _) = b1._data.shape, b2._data.shape
    if (n2, k2) != (n, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{n}, {k}] but got: [{n2}, {k2}].")
    return _add_product(BaddbmmBackward0, x, b1, b2, b1._data @ b2._data, beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    x, b1, b2 = _batches("addbmm", input, batch1, batch2)
    (n, r, k), (n2, k2, c) = b1._data.shape, b2._data.shape
    if n != n2:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {n} and "
                           f"{n2}")
    if k != k2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({r}x{k} and {k2}x{c})")
    expand(_new(x._data), (r, c))  # (PyTorch's error for an input of another shape)
    if x._data.dtype != b2._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_legacy(x)} and "
                           f"{_legacy(b2)}")
    product = np.einsum("bij,bjk->ik", b1._data, b2._data)
    return _add_product(AddbmmBackward0, x, b1, b2, product, beta, alpha)


def tensordot(a, b, dims=2):
    """Sum of products over the dims listed (or the last `dims` of a with the first of b):
    permute, reshape and one mm, as PyTorch computes it."""
    x, y = as_tensor_arg(a), as_tensor_arg(b, "other")
    sa, sb = x._data.shape, y._data.shape
    counted = isinstance(dims, (int, np.integer))
    if counted:
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > builtins.min(len(sa), len(sb)):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        if not builtins.all(isinstance(d, (list, tuple)) for d in dims):
            raise TypeError(f"tensordot(): argument 'dims_self' (position 3) must be tuple of "
                            f"ints, not {type(dims[0]).__name__}")
        da, db = ([int(d) for d in ds] for ds in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if sa[norm_dim(i, len(sa))] != sb[norm_dim(j, len(sb))]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{sa[i]} in dim {i} and second has size {sb[j]} in dim {j}")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da, db = [norm_dim(d, len(sa)) for d in da], [norm_dim(d, len(sb)) for d in db]
    keep_a = [d for d in range(len(sa)) if d not in da]
    keep_b = [d for d in range(len(sb)) if d not in db]
    k = int(np.prod([sa[d] for d in da]))
    left = reshape(permute(x, keep_a + da), (-1, k))
    right = reshape(permute(y, db + keep_b), (k, -1))
    return reshape(mm(left, right), [sa[d] for d in keep_a] + [sb[d] for d in keep_b])


def kron(input, other):
    """The Kronecker product: every element of input times all of other, as blocks."""
    x, y = as_tensor_arg(input), tensor_param(other, "kron", "other", 2)
    n = builtins.max(x._data.ndim, y._data.ndim)
    sa = (1,) * (n - x._data.ndim) + x._data.shape
    sb = (1,) * (n - y._data.ndim) + y._data.shape
    blocks = mul(reshape(x, [s for d in sa for s in (d, 1)]),
                 reshape(y, [s for d in sb for s in (1, d)]))
    shape = tuple(p * q for p, q in zip(sa, sb))
    return record1(ReshapeAliasBackward, blocks._data.reshape(shape), blocks, (blocks.shape,))


def _cross(B, a, b, d):
    """a x b along dim d (of size 3): a[i+1] b[i+2] - a[i+2] b[i+1], through rolls."""
    return B.roll(a, -1, d) * B.roll(b, -2, d) - B.roll(a, -2, d) * B.roll(b, -1, d)


LinalgCrossBackward0 = defnode("LinalgCrossBackward0", [
    lambda B, g, ans, a, b, d: _cross(B, b, g, d),
    lambda B, g, ans, a, b, d: _cross(B, g, a, d)], "cross", saves=True)
LinalgCrossBackward0._saved_names = ("self", "other", "dim")


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along dim (the inputs broadcast)."""
    x, y = as_tensor_arg(input), tensor_param(other, "linalg_cross", "other", 2)
    a, b = x._data, y._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(x)} but found {_legacy(y)}")
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _broadcast_error(a.shape, b.shape) from None
    d = norm_dim(dim, len(shape))
    if a.dtype == np.bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    meta = tuple((v.shape, v.dtype) for v in (a, b)) if a.shape != b.shape else None
    return record(LinalgCrossBackward0, _cross(NP, a, b, d), (x, y), (x, y, d), meta)


def cross(input, other, dim=None):
    """linalg.cross; without dim, along the first dim of size 3 (as PyTorch, which warns)."""
    x, y = as_tensor_arg(input), tensor_param(other, "cross", "other", 2)
    if dim is None:
        dim = next((d for d, n in enumerate(x._data.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(x, y, dim=dim)


def matrix_power(input, n):
    """input multiplied by itself n times (by squaring; n = 0: the identity; n < 0: powers of
    the inverse), matrix by matrix in a batch."""
    x = as_tensor_arg(input)
    a = x._data
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {a.shape[-2]} by {a.shape[-1]} matrices")
    if a.dtype == np.bool_ and abs(n) > 1:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if n == 0:
        out = clone(x)
        out.copy_(_new(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)))
        return out
    if n < 0:
        x, n = inv(x), -n
    if n == 1:
        return clone(x)
    if n == 2:
        return matmul(x, x)
    if n == 3:
        return matmul(matmul(x, x), x)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = x if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def _chain_order(dims):
    """PyTorch's matrix-chain order for matrices dims[i] x dims[i + 1]: split[i][j] (the first
    cheapest split wins)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors):
    """The product of the matrices (the first and last may be vectors), multiplied in the
    cheapest order (as PyTorch: mm steps, then a view to the result's shape)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        d = as_tensor_arg(t)._data.ndim
        where = "the first tensor" if i == 0 else "the last tensor" if i == len(ts) - 1 else None
        if where and d not in (1, 2):
            raise RuntimeError(f"multi_dot(): {where} must be 1D or 2D but got {d}D")
        if not where and d != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {d}D")
    for i, t in enumerate(ts[1:], 1):
        if t._data.dtype != ts[0]._data.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {_cpp_name(ts[0]._data.dtype)} and tensor {i} "
                               f"{_cpp_name(t._data.dtype)}")
    shape = [s for s in (ts[0].shape[0] if ts[0].ndim == 2 else None,
                         ts[-1].shape[-1] if ts[-1].ndim == 2 else None) if s is not None]
    if ts[0].ndim == 1:
        ts[0] = unsqueeze(ts[0], 0)
    if ts[-1].ndim == 1:
        ts[-1] = unsqueeze(ts[-1], -1)
    for i in range(len(ts) - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               f"cannot be multiplied")
    if len(ts) == 3:  # (PyTorch compares the two orders directly)
        a, b, c, d = ts[0].shape[0], ts[1].shape[0], ts[2].shape[0], ts[2].shape[1]
        out = mm(ts[0], mm(ts[1], ts[2])) if (a * c) * (b + d) > (b * d) * (a + c) else \
            mm(mm(ts[0], ts[1]), ts[2])
    else:
        split = _chain_order([t.shape[0] for t in ts] + [ts[-1].shape[1]])
        out = _chain_product(ts, split, 0, len(ts) - 1)
    return view(out, shape)


def _chain_product(ts, split, i, j):
    """ts[i] @ ... @ ts[j] in the order `split` gives."""
    if i == j:
        return ts[i]
    k = split[i][j]
    return mm(_chain_product(ts, split, i, k), _chain_product(ts, split, k + 1, j))


VdotBackward0 = defnode("VdotBackward0", _MM_RULES, "vdot", saves=True)
VdotBackward0._saved_names = ("self", "other")


def vecdot(x, y, *, dim=-1):
    """The dot products of the vectors along dim (inputs broadcast): (x * y).sum(dim)."""
    a, b = as_tensor_arg(x), tensor_param(y, "linalg_vecdot", "y", 2)
    for t in (a, b):
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                               f"input. Got {t.dtype.legacy}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {a.dtype.legacy} and y of type {b.dtype.legacy} instead")
    if a._data.ndim == b._data.ndim == 1:  # (PyTorch: vdot)
        return _product(VdotBackward0, a, b, (1, 1), "")
    return sum(mul(a, b), dim)


addmm_, addmv_, baddbmm_, addbmm_ = (_inplace_of(op, op.__name__)
                                     for op in (addmm, addmv, baddbmm, addbmm))
