"""torch.linalg's inverses, determinants and solves (inv, det, slogdet, logdet, solve,
solve_triangular) and matrix_exp, and the argument checks and errors the decompositions share:
one node per result, named as PyTorch's, with rules written with the vocabulary's `inv`,
`solve`, `solve_triangular`, `cofactor`, `matrix_exp`; LU and substitution in numpy for
singular and triangular matrices (inf/NaN where LAPACK gives them, no exception)."""

import numpy as np

from .. import _dtypes
from .._group import defgroupnode, record_group
from .._node import defnode
from ._record import as_tensor_arg, np_vocab, record, record1, tensor_param
from .arith import where
from .reductions import return_types


class _LinAlgError(RuntimeError):
    """A matrix the operation cannot handle (singular, not positive-definite), as PyTorch's
    torch.linalg.LinAlgError."""


def _no_half(name, a, kernel=None):
    """PyTorch's refusal of float16 matrices: its LAPACK kernel's name, or (kernel None) its
    low-precision error."""
    if a.dtype == np.float16:
        if kernel is None:
            raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
        raise NotImplementedError(f'"{kernel}" not implemented for \'Half\'')


def _square(name, x, kernel=None):
    """x's array, checked to be a (batch of) square single or double precision matrices
    (`kernel`: the name of PyTorch's kernel in its error for float16)."""
    a = x._data
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtypes.of_array(a).legacy}")
    _no_half(name, a, kernel)
    return a


def _batch_prefix(a, i):
    return f"(Batch element {i}): " if a.ndim > 2 else ""


def _np_lu(a):
    """LAPACK's LU with partial pivoting of each matrix of a: (lu, perm) with a[..., perm, :] =
    L U, U in lu's upper triangle and L (unit diagonal) below it; a zero pivot stays."""
    lu = a.reshape(-1, *a.shape[-2:]).copy()
    n = a.shape[-1]
    r = np.arange(len(lu))
    perm = np.tile(np.arange(n), (len(lu), 1))
    for k in range(n):
        p = k + np.argmax(np.abs(lu[:, k:, k]), -1)
        lu[r, k], lu[r, p] = lu[r, p], lu[r, k]
        perm[r, k], perm[r, p] = perm[r, p], perm[r, k]
        pivot = lu[:, k, k, None]
        f = np.divide(lu[:, k + 1:, k], pivot, out=np.zeros_like(pivot * lu[:, k + 1:, k]),
                      where=pivot != 0)
        lu[:, k + 1:, k] = f
        lu[:, k + 1:, k + 1:] -= f[..., None] * lu[:, None, k, k + 1:]
    return lu.reshape(a.shape), perm.reshape(a.shape[:-1])


def _np_substitute(t, b, upper, keep_zeros=True):
    """t^-1 b for triangular matrices t (the other triangle is not read) by back (upper) or
    forward substitution, over all right-hand sides and batches (broadcast) at once. A zero on
    the diagonal gives inf/NaN as LAPACK's trsm (a zero numerator stays 0 with keep_zeros, as
    in its left-side form)."""
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, shape + t.shape[-2:])
    x = np.array(np.broadcast_to(b, shape + b.shape[-2:]), np.result_type(t, b))
    n = t.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            done = slice(i + 1, n) if upper else slice(0, i)
            num = x[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, done], x[..., done, :])
            div = num / t[..., i, i, None]
            x[..., i, :] = np.where(num == 0, num, div) if keep_zeros else div
    return x


def _np_inv(a):
    """A^-1; for singular matrices the substitutions through LU give inf/NaN, as PyTorch's
    backward of slogdet (which entries are inf or NaN may differ: its BLAS orders the sums
    otherwise)."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        lu, perm = _np_lu(a)
        eye = np.eye(a.shape[-1], dtype=a.dtype)
        return _np_substitute(lu, _np_substitute(np.tril(lu, -1) + eye, eye[perm], False), True)


def _singular_error(name, a):
    """PyTorch's error for the first singular matrix of a."""
    for i, m in enumerate(a.reshape(-1, *a.shape[-2:])):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            zeros = np.flatnonzero(np.diagonal(_np_lu(m)[0]) == 0)
            k = zeros[0] + 1 if len(zeros) else len(m)
            return _LinAlgError(f"{name}: {_batch_prefix(a, i)}The diagonal element {k} is zero,"
                                f" the inversion could not be completed because the input matrix"
                                f" is singular.")
    return _LinAlgError(f"{name}: The input matrix is singular.")


def _np_solve(a, b):
    """A^-1 b for matrices b (batch dims broadcast)."""
    return np.linalg.solve(a, b)


def _np_cofactor(a, d):
    """det(A) A^-T, the cofactor matrix; zeros where det(A) = d is 0 (PyTorch's gradient
    there)."""
    out = np.zeros_like(a)
    ok = d != 0
    out[ok] = d[ok][..., None, None] * np.swapaxes(np.linalg.inv(a[ok]), -1, -2)
    return out


LinalgInvExBackward0 = defnode("LinalgInvExBackward0", [
    lambda B, g, ans: -(B.mT(ans) @ g @ B.mT(ans))], "inv", uses_ans=True)


LinalgDetBackward0 = defnode("LinalgDetBackward0", [
    lambda B, g, ans, a: B.unsqueeze(B.unsqueeze(g, -1), -1) * B.cofactor(a, ans)], "det",
    saves=True, uses_ans=True)


LinalgSlogdetBackward0 = defgroupnode("LinalgSlogdetBackward0", "slogdet")
LinalgDetBackward0._saved_names = ("A",)


def _slogdet_rule(B, grads, ans, a):
    """Only logabsdet's gradient reaches A (the sign is locally constant), as in PyTorch."""
    g = grads[1]
    return None if g is None else B.unsqueeze(B.unsqueeze(g, -1), -1) * B.mT(B.inv(a))


def inv(A):
    """The inverse of a square matrix (or of each in a batch)."""
    x = as_tensor_arg(A)
    a = _square("linalg.inv", x)
    try:
        data = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular_error("linalg.inv", a) from None
    return record1(LinalgInvExBackward0, data.astype(a.dtype, copy=False), x)


def det(A):
    """The determinant of a square matrix (or of each in a batch)."""
    x = as_tensor_arg(A)
    a = _square("linalg.det", x, "lu_cpu")
    return record1(LinalgDetBackward0, np.asarray(np.linalg.det(a), a.dtype), x, (x,))


def _slogdet(pair, A):
    x = as_tensor_arg(A)
    a = _square("linalg.slogdet", x)
    arrays = [np.asarray(v, a.dtype) for v in np.linalg.slogdet(a)]
    return pair(*record_group(LinalgSlogdetBackward0, arrays, x, _slogdet_rule, (0,)))


def slogdet(A):
    """(sign, logabsdet): the sign of the determinant and the log of its absolute value."""
    return _slogdet(return_types.slogdet, A)


def linalg_slogdet(A):
    """torch.linalg.slogdet: (sign, logabsdet), as slogdet."""
    return _slogdet(return_types.linalg_slogdet, A)


def logdet(input):
    """log(det(A)): NaN where the determinant is negative."""
    _no_half("logdet", as_tensor_arg(input)._data)
    sign, logabs = slogdet(input)
    return where(sign == -1, float("nan"), logabs)


def _solve_grad_b(B, g, ans, a, vector, left):
    if vector:
        return B.squeeze_last(B.solve(B.mT(a), B.unsqueeze(g, -1)))
    return B.solve(B.mT(a), g) if left else B.mT(B.solve(a, B.mT(g)))


def _solve_grad_a(B, g, ans, a, vector, left):
    gb = _solve_grad_b(B, g, ans, a, vector, left)
    if vector:
        return -(B.unsqueeze(gb, -1) * B.unsqueeze(ans, -2))
    return -(gb @ B.mT(ans)) if left else -(B.mT(ans) @ gb)


LinalgSolveExBackward0 = defnode("LinalgSolveExBackward0", [_solve_grad_a, _solve_grad_b],
                                 "solve", saves=True, uses_ans=True)


def solve(A, B, *, left=True):
    """X with A X = B (X A = B with left=False), B a matrix or a vector (batches broadcast)."""
    x, y = as_tensor_arg(A), tensor_param(B, "linalg_solve", "B", 2)
    a = _square("linalg.solve", x, "lu_cpu")
    b = y._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    n = a.shape[-1]
    if (bm.shape[-2] if left else bm.shape[-1]) != n:
        eq, shown = ("AX = B", bm.shape[-2:]) if left else ("XA = B", bm.shape[-2:])
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {shown[0]}x{shown[1]})")
    if b.dtype != a.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {x.dtype.legacy} and B of type {y.dtype.legacy} instead")
    try:
        data = _np_solve(a, bm) if left else np.swapaxes(
            _np_solve(np.swapaxes(a, -1, -2), np.swapaxes(bm, -1, -2)), -1, -2)
    except np.linalg.LinAlgError:
        raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                           "singular.") from None
    if vector:
        data = data[..., 0]
    meta = ((a.shape, a.dtype), (b.shape, b.dtype))
    return record(LinalgSolveExBackward0, data.astype(a.dtype, copy=False), (x, y),
                  (x, vector, left), meta)


inverse = inv


def _eye(n, like):
    """The n x n identity in the dtype of `like` (an array or a tensor)."""
    return np.eye(n, dtype=_dtypes.to_dtype(like.dtype).np)


def _triangle(B, a, upper, unit):
    """The triangle of a that solve_triangular reads (a unit diagonal with unitriangular)."""
    if not unit:
        return B.triu(a, 0) if upper else B.tril(a, 0)
    eye = B.const(_eye(a.shape[-1], a))
    return (B.triu(a, 1) if upper else B.tril(a, -1)) + eye


def _np_triangular_solve(t, b, upper, left=True):
    """X with t X = b (X t = b with left=False) for triangular matrices t, by substitution."""
    if left:
        return _np_substitute(t, b, upper)
    return np.swapaxes(_np_substitute(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2),
                                      not upper, False), -1, -2)


def _solve_triangular_grad_b(B, g, ans, a, upper, left, unit):
    t = _triangle(B, a, upper, unit)
    return B.solve_triangular(B.mT(t), g, not upper, left)


def _solve_triangular_grad_a(B, g, ans, a, upper, left, unit):
    gb = _solve_triangular_grad_b(B, g, ans, a, upper, left, unit)
    ga = -(gb @ B.mT(ans)) if left else -(B.mT(ans) @ gb)
    k = 1 if unit else 0
    return B.triu(ga, k) if upper else B.tril(ga, -k)


LinalgSolveTriangularBackward0 = defnode("LinalgSolveTriangularBackward0", [
    _solve_triangular_grad_a, _solve_triangular_grad_b], "solve_triangular", saves=True,
    uses_ans=True)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (X A = B with left=False) for a triangular A: only its upper (or lower)
    triangle is read, and with unitriangular its diagonal is taken as ones."""
    x, y = as_tensor_arg(A), tensor_param(B, "linalg_solve_triangular", "B", 2)
    a = _square("linalg.solve_triangular", x, "triangular_solve_cpu")
    b = y._data
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    t = _triangle(np_vocab(), a, upper, unitriangular)
    data = _np_triangular_solve(t, b.astype(a.dtype, copy=False), upper, left)
    meta = ((a.shape, a.dtype), (y._data.shape, y._data.dtype))
    return record(LinalgSolveTriangularBackward0, data.astype(a.dtype, copy=False), (x, y),
                  (x, upper, left, unitriangular), meta)


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)


def _np_matrix_exp(a):
    """exp of each matrix of a: Padé 13 with scaling and squaring (Higham, 2005), in double
    precision (PyTorch's float32 results can differ in the last digit)."""
    out = np.empty(a.shape, np.float64)
    n = a.shape[-1]
    eye = np.eye(n)
    b = _PADE13
    for i in np.ndindex(a.shape[:-2]):
        m = a[i].astype(np.float64)
        norm = np.abs(m).sum(0).max() if n else 0.0
        s = max(0, int(np.ceil(np.log2(norm / 5.371920351148152)))) if norm > 0 else 0
        m = m / 2.0 ** s
        m2 = m @ m
        m4 = m2 @ m2
        m6 = m4 @ m2
        u = m @ (m6 @ (b[13] * m6 + b[11] * m4 + b[9] * m2) + b[7] * m6 + b[5] * m4
                 + b[3] * m2 + b[1] * eye)
        v = m6 @ (b[12] * m6 + b[10] * m4 + b[8] * m2) + b[6] * m6 + b[4] * m4 + b[2] * m2 \
            + b[0] * eye
        r = np.linalg.solve(v - u, v + u) if n else m
        for _ in range(s):
            r = r @ r
        out[i] = r
    return out.astype(a.dtype)


def _matrix_exp_rule(B, g, ans, a):
    """The upper right block of exp([[A^T, G], [0, A^T]])."""
    n = a.shape[-1]
    shape = tuple(a.shape[:-2]) + (2 * n, 2 * n)
    top, right, bottom = (slice(0, n), slice(0, n)), (slice(0, n), slice(n, None)), \
        (slice(n, None), slice(n, None))
    at = B.mT(a)
    block = (B.index_grad(at, shape, (Ellipsis,) + top, True)
             + B.index_grad(g, shape, (Ellipsis,) + right, True)
             + B.index_grad(at, shape, (Ellipsis,) + bottom, True))
    return B.matrix_exp(block)[(Ellipsis,) + right]


LinalgMatrixExpBackward0 = defnode("LinalgMatrixExpBackward0", [_matrix_exp_rule],
                                   "matrix_exp", saves=True)


def matrix_exp(A):
    """The matrix exponential of a square matrix (or of each in a batch)."""
    x = as_tensor_arg(A)
    a = _square("linalg.matrix_exp", x)
    return record1(LinalgMatrixExpBackward0, _np_matrix_exp(a), x, (x,))
