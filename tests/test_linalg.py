"""torch.linalg (inv, det, slogdet, solve, cholesky, norms, cross, matrix_power) and the
torch.inverse/det/logdet/slogdet functions against PyTorch: values, dtypes, grad_fn names,
reprs, gradients, errors; finite differences and second derivatives."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
from helpers import (helper_test_op, leaves, random_arrays, repr_or_error, require_torch,
                     view_op_matches_torch)


def _well_conditioned(shape, seed=0):
    """Random square matrices (float32) with a dominant diagonal: far from singular."""
    a = random_arrays([shape], low=-1, high=1, seed=seed)[0]
    return (a + 3 * np.eye(shape[-1])).astype(np.float32)


def _spd(shape, seed=0):
    """Random symmetric positive-definite matrices (float32)."""
    a = random_arrays([shape], low=-1, high=1, seed=seed)[0]
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(np.float32)


# (id, fn(module, *inputs), arrays)
OPS = [
    ("inv", lambda T, a: T.linalg.inv(a), [_well_conditioned((3, 3))]),
    ("inv_batch", lambda T, a: T.inverse(a), [_well_conditioned((2, 3, 3))]),
    ("inverse_method", lambda T, a: a.inverse(), [_well_conditioned((2, 2))]),
    ("det", lambda T, a: T.linalg.det(a), [_well_conditioned((3, 3))]),
    ("det_batch", lambda T, a: a.det(), [_well_conditioned((2, 3, 3))]),
    ("logdet", lambda T, a: T.logdet(a), [_well_conditioned((3, 3))]),
    ("slogdet", lambda T, a: T.linalg.slogdet(a).logabsdet, [-_well_conditioned((3, 3))]),
    ("slogdet_sign", lambda T, a: T.slogdet(a).sign, [-_well_conditioned((3, 3))]),
    ("solve", lambda T, a, b: T.linalg.solve(a, b),
     [_well_conditioned((3, 3)), random_arrays([(3, 2)], "float32")[0]]),
    ("solve_vector", lambda T, a, b: T.linalg.solve(a, b),
     [_well_conditioned((3, 3)), random_arrays([(3,)], "float32")[0]]),
    ("solve_batch_broadcast", lambda T, a, b: T.linalg.solve(a, b),
     [_well_conditioned((2, 3, 3)), random_arrays([(3, 4)], "float32")[0]]),
    ("solve_right", lambda T, a, b: T.linalg.solve(a, b, left=False),
     [_well_conditioned((3, 3)), random_arrays([(2, 3)], "float32")[0]]),
    ("cholesky", lambda T, a: T.linalg.cholesky(a), [_spd((3, 3))]),
    ("cholesky_upper_batch", lambda T, a: T.linalg.cholesky(a, upper=True), [_spd((2, 3, 3))]),
    ("matrix_power_negative", lambda T, a: T.linalg.matrix_power(a, -2),
     [_well_conditioned((3, 3))]),
    ("vector_norm", lambda T, a: T.linalg.vector_norm(a), random_arrays([(2, 3)], "float32")),
    ("vector_norm_ord", lambda T, a: T.linalg.vector_norm(a, 3, dim=1, keepdim=True),
     random_arrays([(2, 3)], "float32")),
    ("vector_norm_inf", lambda T, a: T.linalg.vector_norm(a, float("inf"), dim=0),
     random_arrays([(2, 3)], "float32")),
    ("vector_norm_dtype", lambda T, a: T.linalg.vector_norm(a, 1, dtype=T.float64),
     random_arrays([(2, 3)], "float32")),
    ("matrix_norm", lambda T, a: T.linalg.matrix_norm(a), random_arrays([(2, 3)], "float32")),
    ("matrix_norm_1", lambda T, a: T.linalg.matrix_norm(a, 1),
     random_arrays([(2, 3)], "float32")),
    ("matrix_norm_neg_inf", lambda T, a: T.linalg.matrix_norm(a, -float("inf"), keepdim=True),
     random_arrays([(2, 3, 4)], "float32")),
    ("matrix_norm_dims", lambda T, a: T.linalg.matrix_norm(a, -1, dim=(2, 0)),
     random_arrays([(2, 3, 4)], "float32")),
    ("norm", lambda T, a: T.linalg.norm(a), random_arrays([(2, 3, 4)], "float32")),
    ("norm_matrix", lambda T, a: T.linalg.norm(a, float("inf")),
     random_arrays([(2, 3)], "float32")),
    ("eigvalsh", lambda T, a: T.linalg.eigvalsh(a), [_spd((3, 3))]),
    ("eigvalsh_upper_batch", lambda T, a: T.linalg.eigvalsh(a, UPLO="U"), [_spd((2, 3, 3))]),
    ("eigh_values", lambda T, a: T.linalg.eigh(a).eigenvalues, [_spd((3, 3))]),
    # (eigenvectors are defined up to sign: compare their squares)
    ("eigh_vectors", lambda T, a: T.linalg.eigh(a)[1] ** 2, [_spd((3, 3))]),
    ("svdvals", lambda T, a: T.linalg.svdvals(a), random_arrays([(3, 2)], "float32")),
    ("svdvals_wide_batch", lambda T, a: T.linalg.svdvals(a), random_arrays([(2, 2, 4)], "float32")),
    ("matrix_norm_nuc", lambda T, a: T.linalg.matrix_norm(a, "nuc"),
     random_arrays([(3, 4)], "float32")),
    ("svd_s", lambda T, a: T.linalg.svd(a).S, random_arrays([(4, 3)], "float32")),
    # (singular vectors are defined up to sign: compare sign-free products of them)
    ("svd_u_vh", lambda T, a: (lambda r: r.U @ r.Vh)(T.linalg.svd(a, full_matrices=False)),
     random_arrays([(3, 4)], "float32")),
    ("svd_u_squared", lambda T, a: T.linalg.svd(a, False)[0] ** 2,
     random_arrays([(2, 4, 3)], "float32")),
    ("svd_vh_squared", lambda T, a: T.linalg.svd(a, False).Vh ** 2,
     random_arrays([(3, 5)], "float32")),
    ("solve_triangular", lambda T, a, b: T.linalg.solve_triangular(a, b, upper=True),
     [_well_conditioned((3, 3)), random_arrays([(3, 2)], "float32")[0]]),
    ("solve_triangular_lower_right_unit", lambda T, a, b: T.linalg.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True),
     [_well_conditioned((2, 3, 3)), random_arrays([(2, 3)], "float32")[0]]),
    ("vecdot", lambda T, a, b: T.linalg.vecdot(a, b, dim=0), random_arrays([(3, 2), (3, 1)],
                                                                           "float32")),
    ("vecdot_vectors", lambda T, a, b: T.linalg.vecdot(a, b), random_arrays([(3,), (3,)],
                                                                            "float32")),
    ("pinv_tall", lambda T, a: T.linalg.pinv(a), random_arrays([(4, 3)], "float32")),
    ("pinv_wide_batch", lambda T, a: T.linalg.pinv(a), random_arrays([(2, 2, 3)], "float32")),
    ("matrix_exp", lambda T, a: T.linalg.matrix_exp(a), random_arrays([(3, 3)], "float32")),
    ("matrix_exp_batch", lambda T, a: T.matrix_exp(a * 3), random_arrays([(2, 2, 2)], "float32")),
    ("linalg_diagonal", lambda T, a: T.linalg.diagonal(a, offset=-1),
     random_arrays([(2, 3, 3)], "float32")),
    ("qr_q", lambda T, a: T.linalg.qr(a).Q, random_arrays([(4, 3)], "float32")),
    ("qr_r", lambda T, a: T.linalg.qr(a)[1], random_arrays([(4, 3)], "float32")),
    ("qr_wide_q", lambda T, a: T.linalg.qr(a).Q, random_arrays([(2, 2, 4)], "float32")),
    ("qr_wide_r", lambda T, a: T.linalg.qr(a).R, random_arrays([(2, 2, 4)], "float32")),
    ("qr_complete_r", lambda T, a: T.linalg.qr(a, "complete").R,
     random_arrays([(3, 3)], "float32")),
    ("matrix_norm_2", lambda T, a: T.linalg.norm(a, 2), random_arrays([(3, 4)], "float32")),
    ("matrix_norm_neg_2_dims", lambda T, a: T.linalg.matrix_norm(a, -2, (2, 0)),
     random_arrays([(2, 3, 4)], "float32")),
    ("norm_dim", lambda T, a: T.linalg.norm(a, 1, dim=1), random_arrays([(2, 3)], "float32")),
    ("norm_fro_dims", lambda T, a: T.linalg.norm(a, "fro", dim=(0, 2), keepdim=True),
     random_arrays([(2, 3, 4)], "float32")),
]


@pytest.mark.parametrize("name,fn,arrays", OPS, ids=[o[0] for o in OPS])
def test_matches_torch(name, fn, arrays):
    helper_test_op(fn, None, arrays=[a.copy() for a in arrays])


MULTI_DOTS = [
    ("vector_first", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    ("right_first", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), [(4, 3), (3, 3), (3, 1)]),
    ("chain", lambda T, a, b, c, d: T.linalg.multi_dot([a, b, c, d]),
     [(5, 1), (1, 4), (4, 2), (2, 3)]),
    ("vectors", lambda T, a, b: T.linalg.multi_dot([a, b]), [(3,), (3,)]),
]


@pytest.mark.parametrize("name,fn,shapes", MULTI_DOTS, ids=[o[0] for o in MULTI_DOTS])
def test_multi_dot_matches_torch(name, fn, shapes):
    view_op_matches_torch(fn, random_arrays(shapes))


def _f64(arrays):
    return leaves(lab, [a.astype(np.float64) for a in arrays])


FD = [
    ("inv", lambda a: lab.linalg.inv(a), [_well_conditioned((3, 3))]),
    ("det", lambda a: lab.linalg.det(a), [_well_conditioned((2, 3, 3))]),
    ("slogdet", lambda a: lab.linalg.slogdet(a).logabsdet, [-_well_conditioned((3, 3))]),
    ("logdet", lambda a: lab.logdet(a), [_well_conditioned((3, 3))]),
    ("solve", lambda a, b: lab.linalg.solve(a, b),
     [_well_conditioned((3, 3)), random_arrays([(2, 3, 2)])[0]]),
    ("solve_vector", lambda a, b: lab.linalg.solve(a, b),
     [_well_conditioned((3, 3)), random_arrays([(3,)])[0]]),
    ("solve_right", lambda a, b: lab.linalg.solve(a, b, left=False),
     [_well_conditioned((3, 3)), random_arrays([(2, 3)])[0]]),
    # (the input made symmetric first: the factorization reads one triangle)
    ("cholesky", lambda a: lab.linalg.cholesky(a + a.mT), [_spd((3, 3))]),
    ("cholesky_upper", lambda a: lab.linalg.cholesky(a + a.mT, upper=True), [_spd((3, 3))]),
    ("matrix_norm", lambda a: lab.linalg.matrix_norm(a, float("inf")), random_arrays([(3, 4)])),
    ("eigvalsh", lambda a: lab.linalg.eigvalsh(a + a.mT), [_spd((3, 3))]),
    ("eigh_vectors", lambda a: lab.linalg.eigh(a + a.mT).eigenvectors ** 2, [_spd((3, 3))]),
    ("svdvals_tall", lambda a: lab.linalg.svdvals(a), random_arrays([(4, 3)])),
    ("svdvals_wide", lambda a: lab.linalg.svdvals(a), random_arrays([(2, 2, 3)])),
    ("matrix_norm_nuc", lambda a: lab.linalg.matrix_norm(a, "nuc"), random_arrays([(3, 2)])),
    ("qr_tall", lambda a: lab.linalg.qr(a).Q.sin() + lab.linalg.qr(a).R.sum(),
     random_arrays([(4, 3)])),
    ("qr_wide", lambda a: lab.linalg.qr(a).R ** 2, random_arrays([(2, 2, 3)])),
    ("solve_triangular", lambda a, b: lab.linalg.solve_triangular(a, b, upper=True),
     [_well_conditioned((3, 3)), random_arrays([(3, 2)])[0]]),
    ("solve_triangular_unit_right", lambda a, b: lab.linalg.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True),
     [_well_conditioned((3, 3)), random_arrays([(2, 2, 3)])[0]]),
    ("matrix_exp", lambda a: lab.linalg.matrix_exp(a), random_arrays([(3, 3)])),
    ("matrix_exp_batch", lambda a: lab.matrix_exp(a * 3), random_arrays([(2, 2, 2)])),
    ("pinv_tall", lambda a: lab.linalg.pinv(a), random_arrays([(4, 3)])),
    ("pinv_wide", lambda a: lab.linalg.pinv(a), random_arrays([(2, 2, 3)])),
    ("multi_dot", lambda a, b, c: lab.linalg.multi_dot([a, b, c]) ** 2,
     random_arrays([(2, 3), (3, 3), (3,)])),
    ("svd_tall", lambda a: (lambda u, s, vh: u[..., :3].sin() + s.sum() + vh.sum())(
        *lab.linalg.svd(a)), random_arrays([(4, 3)])),
    ("svd_wide_reduced", lambda a: (lambda u, s, vh: u.sin().sum() * s.unsqueeze(-1) + vh.sin())(
        *lab.linalg.svd(a, full_matrices=False)), random_arrays([(2, 2, 3)])),
]


@pytest.mark.parametrize("name,fn,arrays", FD, ids=[f[0] for f in FD])
def test_gradients_match_finite_differences(name, fn, arrays):
    assert lab.autograd.gradcheck(fn, _f64(arrays))


@pytest.mark.parametrize("name,fn,arrays", FD, ids=[f[0] for f in FD])
def test_second_derivatives_match_finite_differences(name, fn, arrays):
    assert lab.autograd.gradgradcheck(fn, _f64(arrays))


def test_det_gradient_at_singular_matrices_matches_torch():
    torch = require_torch()
    a = np.array([[[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], np.eye(3) * 2])  # (singular first)
    ours, theirs = lab.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    lab.linalg.det(ours).sum().backward()
    torch.linalg.det(theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


RANK_DEFICIENT = [
    ("matrix_norm_2", lambda T, a: T.linalg.matrix_norm(a, 2), [[1., 0.], [0., 0.]]),
    ("matrix_norm_nuc", lambda T, a: T.linalg.matrix_norm(a, "nuc"), [[1., 0.], [0., 0.]]),
    ("svdvals", lambda T, a: T.linalg.svdvals(a).sum(), [[1., 2.], [2., 4.]]),
    ("det", lambda T, a: T.det(a), [[1., 2.], [2., 4.]]),
]


@pytest.mark.parametrize("name, fn, matrix", RANK_DEFICIENT, ids=[c[0] for c in RANK_DEFICIENT])
def test_create_graph_gradients_at_rank_deficient_matrices_match_torch(name, fn, matrix):
    """The recorded (create_graph=True) gradient where a singular value is 0 or repeated."""
    torch = require_torch()
    ours, theirs = lab.tensor(matrix, requires_grad=True), torch.tensor(matrix, requires_grad=True)
    g, = lab.autograd.grad(fn(lab, ours), ours, create_graph=True)
    expected, = torch.autograd.grad(fn(torch, theirs), theirs, create_graph=True)
    assert g.grad_fn is not None
    np.testing.assert_allclose(g.detach().numpy(), expected.detach().numpy(), atol=1e-6)


def test_det_second_derivatives_at_singular_matrices_match_torch():
    torch = require_torch()
    a = [[[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], [[2., 1., 0.], [0., 3., 1.], [1., 1., 1.]]]
    grads = []
    for T in (lab, torch):
        x = T.tensor(a, dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad(T.det(x).sum(), x, create_graph=True)
        grads.append(T.autograd.grad((g * g).sum(), x)[0].numpy())
    np.testing.assert_allclose(*grads, atol=1e-9)


@pytest.mark.parametrize("fn", [lambda T, a: T.logdet(a), lambda T, a: T.slogdet(a)[1],
                                lambda T, a: T.linalg.slogdet(a).logabsdet])
def test_slogdet_gradient_at_a_singular_matrix_matches_torch(fn):
    """LU gives infinities (numpy's inv raises)."""
    torch = require_torch()
    grads = []
    for T in (lab, torch):
        a = T.tensor([[1., 2.], [2., 4.]], requires_grad=True)
        fn(T, a).backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(*grads)


def _names(T):
    """T and the small tensors the calls below use."""
    return {"T": T, "A": T.tensor([[2., 1.], [1., 3.]], requires_grad=True),
            "P": T.tensor([[4., 2.], [2., 3.]], requires_grad=True),
            "B": T.tensor([[1., -2., 0.5], [3., 2.5, -1.5]], requires_grad=True),
            "b": T.tensor([1., -1.], requires_grad=True),
            "Z": T.tensor([[0., 5.], [1., 3.]], requires_grad=True)}


CALLS = [
    "T.linalg.inv(A)", "T.linalg.inv(T.ones(2, 3))", "T.linalg.inv(T.ones(2, 2))",
    "T.linalg.inv(T.ones(3))", "T.linalg.inv(T.eye(2, dtype=T.long))",
    "T.linalg.inv(T.zeros(2, 2))", "T.linalg.inv(T.ones(0, 0))",
    "T.linalg.inv(T.stack([T.eye(2), T.ones(2, 2)]))",
    "T.linalg.det(A)", "T.det(A)", "T.linalg.det(T.ones(2, 3))", "T.linalg.det(T.ones(2, 2, 2))",
    "T.logdet(A)", "T.logdet(-A[:1, :1])", "T.logdet(T.ones(2, 2))",
    "T.linalg.slogdet(A)", "T.slogdet(A)", "T.linalg.slogdet(-A)",
    "T.linalg.solve(A, b)", "T.linalg.solve(A, b.reshape(2, 1))", "T.linalg.solve(A, b[:1])",
    "T.linalg.solve(A, T.ones(3))", "T.linalg.solve(T.ones(2, 2), b)",
    "T.linalg.solve(A, b, left=False)", "T.linalg.solve(A, b.double())",
    "T.linalg.cholesky(P)", "T.linalg.cholesky(P, upper=True)", "T.linalg.cholesky(-P)",
    "T.linalg.cholesky(A)", "T.linalg.cholesky(T.stack([P, -P]))",
    "T.linalg.norm(B)", "T.linalg.norm(B, 'fro')", "T.linalg.norm(B, 1)",
    "T.linalg.norm(B, -1)", "T.linalg.norm(b, 3)", "T.linalg.norm(B, dim=1)",
    "T.linalg.norm(B, 3)", "T.linalg.norm(T.ones(2, 2, 2))", "T.linalg.norm(T.ones(2, 2, 2), 2)",
    "T.linalg.vector_norm(B, 0)", "T.linalg.vector_norm(B, 0.5)",
    "T.linalg.vector_norm(T.tensor([1, 2]))", "T.linalg.matrix_norm(b)",
    "T.linalg.matrix_norm(B, 3)", "T.linalg.matrix_norm(B, 'foo')",
    "T.linalg.matrix_norm(T.ones(2, 2, 3), dim=(0, 2))",
    # (empty matrices, dims and dtype checked as PyTorch)
    "T.linalg.matrix_norm(T.ones(0, 3), 2)", "T.linalg.matrix_norm(T.ones(0, 3), float('inf'))",
    "T.linalg.matrix_norm(T.ones(2, 0, 3), 2)", "T.linalg.matrix_norm(T.ones(0, 3), 'nuc')",
    "T.linalg.matrix_norm(T.ones(2, 0, 3), 1, keepdim=True)",
    "T.linalg.matrix_norm(T.ones(0, 3), -float('inf'))",
    "T.linalg.matrix_norm(T.ones(2, 3), 1, dim=(0, 5))",
    "T.linalg.matrix_norm(T.ones(2, 3), 2, dim=(-3, 1))",
    "T.linalg.matrix_norm(T.ones(2, 3), 1, dim=(0, 0))",
    "T.linalg.matrix_norm(T.ones(2, 3), 'nuc', dim=(1, -1))",
    "T.linalg.matrix_norm(T.ones(2, 3), 1, dim=(0, 1, 1))",
    "T.linalg.matrix_norm(T.ones(2, 3), 2, dtype=T.long)",
    "T.linalg.matrix_norm(T.ones(2, 3).double(), 2, dtype=T.float32)",
    "T.linalg.matrix_norm(T.ones(2, 3), 1, dtype=T.float64)",
    "T.linalg.vector_norm(T.ones(3), dtype=T.float16)",
    "T.linalg.vector_norm(T.ones(3), dtype=T.long)",
    "T.linalg.vector_norm(T.ones(3, dtype=T.long), dtype=T.float32)",
    "T.linalg.vector_norm(T.ones(3).half(), dtype=T.float32)",
    "T.linalg.norm(T.ones(3), 'fro')", "T.linalg.norm(T.ones(3), 'nuc')",
    "T.linalg.norm(T.ones(2, 3), 'fro', dim=1)", "T.linalg.norm(T.ones(2, 2, 2), 'fro')",
    "T.linalg.matrix_rank(T.eye(3), atol=T.tensor(1.5))",
    "T.linalg.matrix_rank(T.eye(3), atol=T.tensor(0.5), rtol=T.tensor(0.1))",
    "T.linalg.matrix_rank(T.stack([T.eye(3), T.eye(3) * 2]), atol=T.tensor([1.5, 1.5]))",
    "T.linalg.pinv(T.eye(2) * 2, rtol=T.tensor(0.5))",
    "T.matrix_power(A, -2)", "T.matrix_power(T.arange(4).reshape(2, 2), -1)",
    "T.linalg.eigh(P)", "T.linalg.eigvalsh(P, UPLO='U')", "T.linalg.eigh(T.ones(2, 3))",
    "T.linalg.eigh(T.ones(2, 2, dtype=T.long))", "T.linalg.eigh(P, UPLO='X')",
    "T.linalg.svdvals(B)", "T.linalg.svdvals(T.ones(3))",
    "T.linalg.svdvals(T.ones(2, 2, dtype=T.long))", "T.linalg.norm(B, 'nuc')",
    "T.linalg.matrix_norm(T.ones(2, 2, 3), 'nuc', dim=(0, 2))",
    "T.linalg.matrix_norm(T.ones(2, 2, 3), 2, dim=(2, 0), keepdim=True)",
    "T.linalg.norm(B.t(), -2)",
    "T.linalg.qr(A)", "T.linalg.qr(B, mode='complete')", "T.linalg.qr(B, mode='r')",
    "T.linalg.qr(B.t(), mode='complete')", "T.linalg.qr(B, mode='x')", "T.linalg.qr(b)",
    "T.linalg.qr(T.ones(2, 2, dtype=T.long))",
    "T.linalg.svd(B).S", "T.linalg.svd(b)", "T.linalg.svd(T.ones(2, 2, dtype=T.long))",
    "[t.shape for t in T.linalg.svd(B)]", "[t.shape for t in T.linalg.svd(B, False)]",
    "T.linalg.multi_dot([A, b.reshape(2, 1)])", "T.linalg.multi_dot([b, A, b])",
    "T.linalg.multi_dot([A])", "T.linalg.multi_dot([A, B.t()])",
    "T.linalg.multi_dot([A, T.ones(2, 2, 2)])", "T.linalg.multi_dot([T.ones(2, 2, 2), A])",
    "T.linalg.multi_dot([A, T.ones(2, 2, 2), b])", "T.linalg.multi_dot([A, A.double()])",
    "T.linalg.vecdot(B, T.ones(2))", "T.linalg.vecdot(b, T.ones(3))",
    "T.linalg.vecdot(b.long(), b.long())", "T.linalg.vecdot(b, b.double())",
    "T.linalg.matrix_rank(T.ones(3, 3))", "T.linalg.matrix_rank(T.ones(2, 3, 3), hermitian=True)",
    "T.linalg.matrix_rank(T.eye(3), atol=1.5)", "T.linalg.matrix_rank(T.eye(3) * 2, rtol=0.6)",
    "T.linalg.matrix_rank(b)", "T.linalg.matrix_rank(A.long())", "T.linalg.matrix_rank(B)",
    "T.linalg.solve_triangular(A, B, upper=True)", "T.linalg.solve_triangular(A, b, upper=True)",
    "T.linalg.solve_triangular(A, B, upper=True, left=False)",
    "T.linalg.solve_triangular(B, A, upper=True)",
    # (a zero on the diagonal: substitution gives inf/NaN)
    "T.linalg.solve_triangular(Z, A, upper=True)", "T.linalg.solve_triangular(Z, A, upper=False)",
    "T.linalg.solve_triangular(Z, A, upper=True, left=False)",
    "T.linalg.solve_triangular(Z, A, upper=False, left=False)",
    "T.linalg.solve_triangular(T.stack([A, Z]), A, upper=True)",
    "T.linalg.solve_triangular(T.zeros(2, 2), A, upper=False, unitriangular=True)",
    "[T.linalg.solve_triangular(Z, A, upper=True).sum().backward(), Z.grad, A.grad]",
    "T.linalg.pinv(b)", "T.linalg.pinv(A.long())", "T.linalg.pinv(T.ones(2, 3), atol=0.5)",
    "T.linalg.pinv(T.ones(2, 3), rtol=0.5)", "T.linalg.pinv(T.eye(2) * 2, hermitian=True)",
    "T.linalg.matrix_exp(T.ones(3))", "T.linalg.matrix_exp(T.ones(2, 3))",
    "T.linalg.matrix_exp(T.ones(2, 2).long())", "T.linalg.matrix_exp(T.ones(0, 0))",
    "T.linalg.matrix_exp(T.ones(1, 1) * 3)", "T.linalg.matrix_exp(T.zeros(2, 2, 2))",
    "T.linalg.matrix_exp(T.tensor([[0., -30.], [30., 0.]], dtype=T.float64))",
    # (float16 and bool inputs, edge cases)
    "T.linalg.inv(T.eye(2).half())",
    "T.linalg.det(T.eye(2).half())",
    "T.linalg.solve(T.eye(2).half(), T.ones(2).half())",
    "T.linalg.cholesky(T.eye(2).half())",
    "T.linalg.svdvals(T.eye(2).half())",
    "T.linalg.qr(T.eye(2).half())",
    "T.linalg.eigh(T.eye(2).half())",
    "T.linalg.slogdet(T.eye(2).half())",
    "T.linalg.pinv(T.eye(2).half())",
    "T.linalg.solve_triangular(T.eye(2).half(), T.eye(2).half(), upper=True)",
    "T.linalg.matrix_rank(T.eye(2).half())",
    "T.linalg.eigvalsh(T.eye(2).half())",
    "T.linalg.matrix_norm(T.eye(2).half(), 2)",
    "T.linalg.matrix_norm(T.eye(2).half())",
    "T.logdet(T.eye(2).half())",
    "T.linalg.svd(T.eye(2).half())",
    "T.linalg.qr(B, mode='r').R.sum().backward()",
    "T.linalg.qr(B.t(), mode='complete').Q.sum().backward()",
]


@pytest.mark.parametrize("code", CALLS)
def test_calls_match_torch(code):
    assert repr_or_error(code, _names(lab)) == repr_or_error(code, _names(require_torch()))


def test_linalg_errors_are_runtime_errors():
    with pytest.raises(RuntimeError):
        lab.linalg.inv(lab.zeros(2, 2))
    assert issubclass(lab.linalg.LinAlgError, RuntimeError)


def test_linalg_loads_lazily():
    code = ("import sys, autograd_lab as t; assert 'autograd_lab.linalg' not in sys.modules; "
            "t.linalg.inv(t.eye(2)); assert 'autograd_lab.linalg' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_matrices_match_torch(data):
    """Values and gradients of a loss through every differentiable linalg function, for random
    batches of well-conditioned matrices."""
    torch = require_torch()
    n = data.draw(st.integers(1, 4))
    batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=2))
    a = data.draw(hnp.arrays(np.float64, batch + (n, n), elements=st.floats(-1, 1)))
    a = a + 3 * np.eye(n)
    # (eigenvectors and singular vectors of repeated values have no derivative)
    for values in (np.linalg.eigvalsh(a @ np.swapaxes(a, -1, -2)), np.linalg.svd(a)[1]):
        assume(np.all(np.abs(np.diff(np.sort(values, -1), axis=-1)) > 1e-2))
    w = data.draw(hnp.arrays(np.float64, (n, n), elements=st.floats(-1, 1)))

    def loss(T, x):
        lin, w_ = T.linalg, T.tensor(w)
        spd = x @ x.mT
        u, s, vh = lin.svd(x, full_matrices=False)
        q, r = lin.qr(x)
        return ((lin.inv(x) * w_).sum() + lin.det(x).sum() + lin.slogdet(x).logabsdet.sum()
                + (lin.solve(x, x.mT) * w_).sum() + (lin.cholesky(spd) * w_).sum()
                + lin.eigvalsh(spd).sum() + (lin.eigh(spd).eigenvectors ** 2 * w_).sum()
                + (s * s).sum() + ((u @ vh) * w_).sum() + (r.abs() * w_).sum()
                + (q @ r * w_).sum() + lin.matrix_norm(x, "nuc").sum()
                + (lin.pinv(x) * w_).sum() + (lin.matrix_exp(x / 4) * w_).sum())

    ours, theirs = lab.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    lo, lt = loss(lab, ours), loss(torch, theirs)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-9)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-7, atol=1e-9)
