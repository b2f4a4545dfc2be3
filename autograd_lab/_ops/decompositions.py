"""torch.linalg's inverses, determinants, solves and decompositions (Cholesky, QR, symmetric
eigenvalues, SVD): one node per result, named as PyTorch's, with rules written with the
vocabulary's `inv`, `solve`, `cofactor`, `eigh`, `qr`, `svd`: a rule that needs a
decomposition recomputes it, recorded when create_graph=True, so it differentiates again."""
import types

import numpy as np

from .. import _dtypes
from .._node import defnode
from .._tensor import _new
from ._record import as_tensor_arg, record, record1, tensor_param
from .arith import where
from .scans import flip
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


def _first_zero_pivot(m):
    """The 1-based column where LU with partial pivoting meets a zero pivot (LAPACK's info),
    or 0."""
    m = m.astype(np.float64)
    for k in range(len(m)):
        p = k + np.argmax(np.abs(m[k:, k]))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:] -= np.outer(m[k + 1:, k] / m[k, k], m[k])
    return 0


def _singular_error(name, a):
    """PyTorch's error for the first singular matrix of a."""
    for i, m in enumerate(a.reshape(-1, *a.shape[-2:])):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            k = _first_zero_pivot(m) or len(m)
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
LinalgSlogdetBackward0 = defnode("LinalgSlogdetBackward0", [
    lambda B, g, ans, a: B.unsqueeze(B.unsqueeze(g, -1), -1) * B.mT(B.inv(a))], "slogdet",
    saves=True)
_SignOfSlogdet = defnode("LinalgSlogdetBackward0", [lambda B, g, ans: None],
                         "slogdet")  # (one node per result here, PyTorch has one for both)
for _cls, _names in ((LinalgDetBackward0, ("A",)), (LinalgSlogdetBackward0, ("A",))):
    _cls._saved_names = _names


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
    sign, logabs = np.linalg.slogdet(a)
    return pair(record1(_SignOfSlogdet, np.asarray(sign, a.dtype), x),
                record1(LinalgSlogdetBackward0, np.asarray(logabs, a.dtype), x, (x,)))


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


def _cholesky_rule(B, g, ans, upper):
    """L^-H Φ(L^H gL) L^-1, Φ taking the lower triangle with half the diagonal, symmetrized
    (PyTorch's cholesky_backward)."""
    low, gl = (B.mT(ans), B.mT(g)) if upper else (ans, g)
    t = B.tril(B.mT(low) @ gl, 0)
    p = 0.5 * (t + B.mT(B.tril(t, -1)))
    half = B.solve(B.mT(low), p)  # L^-H P
    return B.mT(B.solve(B.mT(low), B.mT(half)))  # (L^-H (L^-H P)^H)^H = L^-H P L^-1


LinalgCholeskyExBackward0 = defnode("LinalgCholeskyExBackward0", [_cholesky_rule],
                                    "cholesky", uses_ans=True)


def cholesky(A, *, upper=False):
    """L lower triangular with L L^H = A for a symmetric positive-definite A (its lower
    triangle is read); U = L^H with upper=True."""
    x = as_tensor_arg(A)
    a = _square("linalg.cholesky", x, "cholesky_cpu")
    try:
        data = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise _not_positive_definite(a) from None
    if upper:
        data = np.swapaxes(data, -1, -2).copy()
    return record1(LinalgCholeskyExBackward0, data.astype(a.dtype, copy=False), x, (upper,))


def _not_positive_definite(a):
    flat = a.reshape(-1, *a.shape[-2:])
    for i, m in enumerate(flat):
        for k in range(1, len(m) + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return _LinAlgError(
                    f"linalg.cholesky: {_batch_prefix(a, i)}The factorization could not be "
                    f"completed because the input is not positive-definite (the leading minor "
                    f"of order {k} is not positive-definite).")
    return _LinAlgError("linalg.cholesky: The factorization could not be completed because the "
                        "input is not positive-definite.")


inverse = inv


def _eigh_arrays(name, x, uplo):
    a = x._data
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"linalg_eigh_cpu" not implemented for '
                                  f"'{_dtypes.of_array(a).legacy}'")
    _square(name, x, "linalg_eigh_cpu")
    values, vectors = np.linalg.eigh(a, uplo)
    return values.astype(a.dtype, copy=False), vectors.astype(a.dtype, copy=False)


def _eye(n, like):
    """The n x n identity in the dtype of `like` (an array or a tensor)."""
    return np.eye(n, dtype=_dtypes.to_dtype(like.dtype).np)


def _eigenvalue_rule(B, g, ans, a, uplo):
    """V diag(g) V^T."""
    v = B.eigh(a, uplo)[1]
    return (v * B.unsqueeze(g, -2)) @ B.mT(v)


def _eigenvector_rule(B, g, ans, a, uplo):
    """V (skew(V^T g) / 2 / (L_j - L_i)) V^T (0 on the diagonal)."""
    values, v = B.eigh(a, uplo)
    s = B.mT(v) @ g
    s = (s - B.mT(s)) * 0.5
    gaps = B.unsqueeze(values, -2) - B.unsqueeze(values, -1) + B.const(_eye(values.shape[-1], a))
    return v @ (s / gaps) @ B.mT(v)


LinalgEighBackward0 = defnode("LinalgEighBackward0", [_eigenvalue_rule], "eigh", saves=True)
_EigenvectorsOfEigh = defnode("LinalgEighBackward0", [_eigenvector_rule], "eigh", saves=True)


def eigh(A, UPLO="L"):
    """(eigenvalues, eigenvectors) of a symmetric matrix (its lower triangle, or upper with
    UPLO='U'), the eigenvalues ascending. Eigenvectors are defined up to sign: LAPACK builds
    may pick other signs than PyTorch's."""
    x = as_tensor_arg(A)
    values, vectors = _eigh_arrays("linalg.eigh", x, UPLO)
    return return_types.linalg_eigh(record1(LinalgEighBackward0, values, x, (x, UPLO)),
                                    record1(_EigenvectorsOfEigh, vectors, x, (x, UPLO)))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending."""
    x = as_tensor_arg(A)
    values = _eigh_arrays("linalg.eigh", x, UPLO)[0]
    return record1(LinalgEighBackward0, values, x, (x, UPLO))


def _np_svdvals_grad(g, s, a):
    """U diag(g) Vh."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return (u * g[..., None, :]) @ vh


def svdvals_grad(g, s, a):
    """U diag(g) Vh, recorded through eigh of the smaller Gram matrix (U diag(g / s) U^T A or
    A V diag(g / s) V^T): differentiable again (where no singular value is 0)."""
    tall = a.shape[-2] >= a.shape[-1]
    gram = (a.mT @ a) if tall else (a @ a.mT)
    v = eigh(gram).eigenvectors  # ascending: the singular values' reversed order
    w = flip(g, (-1,)) / flip(s, (-1,))
    m = (v * w.unsqueeze(-2)) @ v.mT
    return a @ m if tall else m @ a


LinalgSvdBackward0 = defnode("LinalgSvdBackward0", [
    lambda B, g, ans, a: B.svdvals_grad(g, ans, a)], "svd", saves=True, uses_ans=True)


def svdvals(A):
    """The singular values of a matrix (or of each in a batch), descending."""
    x = as_tensor_arg(A)
    a = _svd_input(x)
    values = np.linalg.svd(a, compute_uv=False)
    return record1(LinalgSvdBackward0, values.astype(a.dtype, copy=False), x, (x,))


def _triangle(B, a, upper, unit):
    """The triangle of a that solve_triangular reads (a unit diagonal with unitriangular)."""
    if not unit:
        return B.triu(a, 0) if upper else B.tril(a, 0)
    eye = B.const(_eye(a.shape[-1], a))
    return (B.triu(a, 1) if upper else B.tril(a, -1)) + eye


def _solve_triangular_grad_b(B, g, ans, a, upper, left, unit):
    t = _triangle(B, a, upper, unit)
    return B.solve(B.mT(t), g) if left else B.mT(B.solve(t, B.mT(g)))


def _solve_triangular_grad_a(B, g, ans, a, upper, left, unit):
    gb = _solve_triangular_grad_b(B, g, ans, a, upper, left, unit)
    ga = -(gb @ B.mT(ans)) if left else -(B.mT(ans) @ gb)
    k = 1 if unit else 0
    return B.triu(ga, k) if upper else B.tril(ga, -k)


_NP_TRIANGLES = types.SimpleNamespace(tril=np.tril, triu=np.triu, const=np.asarray)
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
    t = _triangle(_NP_TRIANGLES, a, upper, unitriangular)
    b = b.astype(a.dtype, copy=False)
    try:
        data = _np_solve(t, b) if left else np.swapaxes(
            _np_solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    except np.linalg.LinAlgError:
        data = np.full(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:], np.nan,
                       a.dtype)  # (a zero on the diagonal: PyTorch's substitution gives inf/NaN)
    meta = ((a.shape, a.dtype), (y._data.shape, y._data.dtype))
    return record(LinalgSolveTriangularBackward0, data.astype(a.dtype, copy=False), (x, y),
                  (x, upper, left, unitriangular), meta)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """How many singular values exceed max(atol, rtol * the largest) (rtol eps * max(m, n)
    when neither is given)."""
    x = as_tensor_arg(A)
    a = x._data
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None else 0.0
    top = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
    tol = np.maximum(0.0 if atol is None else atol, rtol * top)
    return _new(np.sum(s > tol, -1).astype(np.int64))


def _pinv_rule(B, g, ans, a):
    """PyTorch's pinv_backward (for real matrices), arranged to multiply the smallest
    matrices."""
    p, ph, gh = ans, B.mT(ans), B.mT(g)
    if a.shape[-2] <= a.shape[-1]:
        k = gh @ p
        kph = k @ ph
        return -B.mT(p @ k) + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
    k = p @ gh
    phk = ph @ k
    return -B.mT(k @ p) + (gh - a @ k) @ p @ ph + phk - phk @ p @ a


LinalgPinvBackward0 = defnode("LinalgPinvBackward0", [_pinv_rule], "pinv", saves=True,
                              uses_ans=True)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The pseudoinverse: V diag(1/s) U^T over the singular values s above max(atol, rtol *
    the largest) (rtol eps * max(m, n) when neither is given)."""
    x = as_tensor_arg(A)
    a = x._data
    if a.ndim < 2 or a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"linalg.pinv({x.dtype.legacy}{{{list(a.shape)}}}): expected a "
                           f"tensor with 2 or more dimensions of float, double, cfloat or "
                           f"cdouble types")
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None else 0.0
    top = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
    tol = np.maximum(0.0 if atol is None else atol, rtol * top)
    inv_s = np.where(s > tol, 1 / np.where(s > tol, s, 1), 0).astype(a.dtype)
    data = np.swapaxes(vh, -1, -2) @ (inv_s[..., :, None] * np.swapaxes(u, -1, -2))
    return record1(LinalgPinvBackward0, data.astype(a.dtype, copy=False), x, (x,))


def _qr_square_grad(B, gq, gr, q, r):
    """The gradient of A = QR (m >= n, Q with n columns): (gQ + Q copyltu(M)) R^-T with
    M = R gR^T - gQ^T Q, copyltu mirroring the lower triangle (Liao et al., 2019)."""
    m = -(B.mT(gq) @ q) if gr is None else r @ B.mT(gr)
    if gq is not None and gr is not None:
        m = m - B.mT(gq) @ q
    sym = B.tril(m, 0) + B.mT(B.tril(m, -1))
    top = q @ sym if gq is None else gq + q @ sym
    return B.mT(B.solve(r, B.mT(top)))


def _qr_grad(B, gq, gr, a, mode):
    """The gradient of linalg.qr for the cotangents gQ and gR (one may be None). A wide A =
    Q [X | Y] is differentiated as X = QU (square) and Y = QV."""
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through linalg.qr.")
    rows, cols = a.shape[-2], a.shape[-1]
    if rows > cols and mode == "complete":
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    q, r = B.qr(a)
    if rows >= cols:
        return _qr_square_grad(B, gq, gr, q, r)
    k = (Ellipsis, slice(0, rows))
    rest = (Ellipsis, slice(rows, None))
    y = a[rest]
    gv = None if gr is None else gr[rest]
    if gv is not None:  # (V = Q^T Y: gV reaches Q too)
        gq = y @ B.mT(gv) if gq is None else gq + y @ B.mT(gv)
    gx = _qr_square_grad(B, gq, None if gr is None else gr[k], q, r[k])
    out = B.index_grad(gx, a.shape, k, True)
    return out if gv is None else out + B.index_grad(q @ gv, a.shape, rest, True)


LinalgQrBackward0 = defnode("LinalgQrBackward0", [
    lambda B, g, ans, a, mode: _qr_grad(B, g, None, a, mode)], "qr", saves=True)
_ROfQr = defnode("LinalgQrBackward0", [
    lambda B, g, ans, a, mode: _qr_grad(B, None, g, a, mode)], "qr", saves=True)


def qr(A, mode="reduced"):
    """(Q, R) with A = QR, Q with orthonormal columns and R upper triangular ('reduced': k =
    min(m, n) columns of Q; 'complete': m; 'r': R only, Q empty)."""
    x = as_tensor_arg(A)
    a = x._data
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    if a.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"linalg.qr: Expected a floating point or complex tensor as input. "
                           f"Got {_dtypes.of_array(a).legacy}")
    _no_half("linalg.qr", a, "geqrf_cpu")
    q, r = np.linalg.qr(a, "complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros(0, a.dtype)
    return return_types.linalg_qr(record1(LinalgQrBackward0, q.astype(a.dtype, copy=False), x,
                                          (x, mode)),
                                  record1(_ROfQr, r.astype(a.dtype, copy=False), x, (x, mode)))


def _svd_grad(B, gu, gs, gvh, a, full):
    """PyTorch's svd_backward for the cotangents of U, S, Vh (None where there is none), on
    the reduced factors (k = min(m, n) columns of U, rows of Vh)."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    u, s, vh = B.svd(a)
    if full:  # only the first k columns of U and rows of Vh depend on A smoothly
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
    if gu is None and gvh is None:
        return (u * B.unsqueeze(gs, -2)) @ vh
    s2 = s * s
    eye = B.const(_eye(k, a))
    gaps = B.unsqueeze(s2, -2) - B.unsqueeze(s2, -1) + eye
    if gu is not None:
        uhgu = B.mT(u) @ gu
        inner = (uhgu - B.mT(uhgu)) * B.unsqueeze(s, -2) / gaps
    else:
        gv = B.mT(gvh)
        vhgv = vh @ gv
        inner = B.unsqueeze(s, -1) * (vhgv - B.mT(vhgv)) / gaps
    if gs is not None:
        inner = inner + B.unsqueeze(gs, -1) * eye
    if m > k and gu is not None:
        gus = gu / B.unsqueeze(s, -2)
        return (u @ inner + gus - u @ (B.mT(u) @ gus)) @ vh
    if n > k and gvh is not None:
        sgvh = gvh / B.unsqueeze(s, -1)
        return u @ (inner @ vh + sgvh - (sgvh @ B.mT(vh)) @ vh)
    return u @ inner @ vh


_SOfSvd = defnode("LinalgSvdBackward0", [
    lambda B, g, ans, a, full: _svd_grad(B, None, g, None, a, full)], "svd", saves=True)
_UOfSvd = defnode("LinalgSvdBackward0", [
    lambda B, g, ans, a, full: _svd_grad(B, g, None, None, a, full)], "svd", saves=True)
_VhOfSvd = defnode("LinalgSvdBackward0", [
    lambda B, g, ans, a, full: _svd_grad(B, None, None, g, a, full)], "svd", saves=True)


def _svd_input(x):
    a = x._data
    if a.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. "
                           f"Got {_dtypes.of_array(a).legacy}")
    _no_half("linalg.svd", a, "linalg_svd_cpu")
    return a


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending (U, Vh square with full_matrices, else
    min(m, n) columns / rows). Singular vectors are defined up to sign: LAPACK builds may pick
    other signs than PyTorch's."""
    x = as_tensor_arg(A)
    a = _svd_input(x)
    u, s, vh = (v.astype(a.dtype, copy=False) for v in np.linalg.svd(a, full_matrices))
    saved = (x, full_matrices)
    return return_types.linalg_svd(record1(_UOfSvd, u, x, saved),
                                   record1(_SOfSvd, s, x, saved),
                                   record1(_VhOfSvd, vh, x, saved))


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
