"""torch.linalg's decompositions (cholesky, qr, eigh, eigvalsh, svd, svdvals) and what is
built on the SVD (pinv, matrix_rank), named as PyTorch's; the results of qr, eigh and svd are
the members of one group (_group.py), whose backward gets all their gradients at once. A rule
that needs a decomposition recomputes it with the vocabulary's `eigh`, `qr` or `svd`, recorded
when create_graph=True, so it differentiates again; `cofactor` is det's recorded rule (through
the SVD, valid for singular matrices)."""
import numpy as np

from .. import _dtypes
from .._group import defgroupnode, record_group
from .._node import defnode
from .._tensor import Tensor, _new
from ._record import as_tensor_arg, record1
from .reductions import _recorded_prod_of_others, return_types
from .solvers import _LinAlgError, _batch_prefix, _eye, _no_half, _square


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


def _eigh_grad(B, gl, gv, a, uplo):
    """V (diag(gL) + skew(V^T gV) / 2 / (L_j - L_i)) V^T for the cotangents gL, gV of the
    eigenvalues L and eigenvectors V (one may be None; PyTorch's linalg_eig_backward)."""
    values, v = B.eigh(a, uplo)
    if gv is None:
        return (v * B.unsqueeze(gl, -2)) @ B.mT(v)
    s = B.mT(v) @ gv
    s = (s - B.mT(s)) * 0.5
    gaps = B.unsqueeze(values, -2) - B.unsqueeze(values, -1) + B.const(_eye(values.shape[-1], a))
    inner = s / gaps
    if gl is not None:
        inner = inner + B.unsqueeze(gl, -1) * B.const(_eye(values.shape[-1], a))
    return v @ inner @ B.mT(v)


# eigvalsh: PyTorch's LinalgEighBackward0 with the eigenvalues only; eigh: a group of two
_EigvalshBackward = defnode("LinalgEighBackward0", [
    lambda B, g, ans, a, uplo: _eigh_grad(B, g, None, a, uplo)], "eigh", saves=True)
LinalgEighBackward0 = defgroupnode("LinalgEighBackward0", "eigh")


def eigh(A, UPLO="L"):
    """(eigenvalues, eigenvectors) of a symmetric matrix (its lower triangle, or upper with
    UPLO='U'), the eigenvalues ascending. Eigenvectors are defined up to sign: LAPACK builds
    may pick other signs than PyTorch's."""
    x = as_tensor_arg(A)
    arrays = _eigh_arrays("linalg.eigh", x, UPLO)
    return return_types.linalg_eigh(*record_group(
        LinalgEighBackward0, arrays, x,
        lambda B, grads, ans, a: _eigh_grad(B, *grads, a, UPLO), (0, 1)))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending."""
    x = as_tensor_arg(A)
    values = _eigh_arrays("linalg.eigh", x, UPLO)[0]
    return record1(_EigvalshBackward, values, x, (x, UPLO))


LinalgSvdBackward0 = defnode("LinalgSvdBackward0", [
    lambda B, g, ans, a: _svd_grad(B, None, g, None, a, False)], "svd", saves=True)
LinalgSvdBackward0._output_nr = 1  # svdvals: PyTorch's svd node, its output S


def svdvals(A):
    """The singular values of a matrix (or of each in a batch), descending."""
    x = as_tensor_arg(A)
    a = _svd_input(x)
    values = np.linalg.svd(a, compute_uv=False)
    return record1(LinalgSvdBackward0, values.astype(a.dtype, copy=False), x, (x,))


def _above_tolerance(s, a, atol, rtol):
    """Where the singular values s of a exceed max(atol, rtol * the largest), rtol being
    eps * max(m, n) when neither is given (PyTorch's rule); atol and rtol may be tensors of
    the batch's shape."""
    atol, rtol = (t._data[..., None] if isinstance(t, Tensor) else t for t in (atol, rtol))
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None else 0.0
    top = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
    return s > np.maximum(0.0 if atol is None else atol, rtol * top)


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
    return _new(np.sum(_above_tolerance(s, a, atol, rtol), -1).astype(np.int64))


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
    kept = _above_tolerance(s, a, atol, rtol)
    inv_s = np.where(kept, 1 / np.where(kept, s, 1), 0).astype(a.dtype)
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


LinalgQrBackward0 = defgroupnode("LinalgQrBackward0", "qr")


def qr(A, mode="reduced"):
    """(Q, R) with A = QR, Q with orthonormal columns and R upper triangular ('reduced': k =
    min(m, n) columns of Q; 'complete': m; 'r': R only, Q empty)."""
    x = as_tensor_arg(A)
    a = x._data
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    _matrices("linalg.qr", a, "geqrf_cpu")
    q, r = np.linalg.qr(a, "complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros(0, a.dtype)
    arrays = [q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)]
    return return_types.linalg_qr(*record_group(
        LinalgQrBackward0, arrays, x, lambda B, grads, ans, a: _qr_grad(B, *grads, a, mode),
        (0, 1)))


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
    inner = None
    if gu is not None:
        uhgu = B.mT(u) @ gu
        inner = (uhgu - B.mT(uhgu)) * B.unsqueeze(s, -2)
    if gvh is not None:
        vhgv = vh @ B.mT(gvh)
        part = B.unsqueeze(s, -1) * (vhgv - B.mT(vhgv))
        inner = part if inner is None else inner + part
    inner = inner / gaps
    if gs is not None:
        inner = inner + B.unsqueeze(gs, -1) * eye
    if m > k and gu is not None:
        gus = gu / B.unsqueeze(s, -2)
        return (u @ inner + gus - u @ (B.mT(u) @ gus)) @ vh
    if n > k and gvh is not None:
        sgvh = gvh / B.unsqueeze(s, -1)
        return u @ (inner @ vh + sgvh - (sgvh @ B.mT(vh)) @ vh)
    return u @ inner @ vh


_SvdGroupBackward = defgroupnode("LinalgSvdBackward0", "svd")


def cofactor(a):
    """det(A) A^-T, recorded through the SVD A = U S Vh as det(U) det(Vh) U diag(the product of
    the other singular values) Vh: valid for singular A too (PyTorch's linalg_det_backward in
    grad mode)."""
    u, s, vh = svd(a, False)
    sign = _new(np.asarray(np.linalg.det(u._data) * np.linalg.det(vh._data)))
    others = _recorded_prod_of_others(s, (s.ndim - 1,)) * sign.unsqueeze(-1)
    return (u * others.unsqueeze(-2)) @ vh


def _matrices(name, a, kernel):
    """a, checked to be a (batch of) single or double precision matrices (`kernel`: the name
    of PyTorch's kernel in its error for float16)."""
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtypes.of_array(a).legacy}")
    _no_half(name, a, kernel)
    return a


def _svd_input(x):
    return _matrices("linalg.svd", x._data, "linalg_svd_cpu")


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending (U, Vh square with full_matrices, else
    min(m, n) columns / rows). Singular vectors are defined up to sign: LAPACK builds may pick
    other signs than PyTorch's."""
    x = as_tensor_arg(A)
    a = _svd_input(x)
    u, s, vh = (v.astype(a.dtype, copy=False) for v in np.linalg.svd(a, full_matrices))
    return return_types.linalg_svd(*record_group(
        _SvdGroupBackward, (u, s, vh), x,
        lambda B, grads, ans, a: _svd_grad(B, *grads, a, full_matrices), (0, 1, 2)))
