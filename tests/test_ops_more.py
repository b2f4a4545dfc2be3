"""cumsum, flip, roll, repeat, gather, index_select, masked_fill, einsum, sort, topk and the
in-place masked_fill_, clamp_, relu_, uniform_, normal_ against PyTorch: values, dtype,
grad_fn name, repr, gradients, errors; finite differences and second derivatives."""
import numpy as np
import pytest

import autograd_lab as lab
from helpers import (assert_matches_torch, backward_both, helper_test_op, leaves, random_arrays,
                     require_torch)


def _index(T, rows):
    return T.tensor(rows)


# (id, fn(module, *inputs), input shapes)
OPS = [
    ("cumsum", lambda T, x: T.cumsum(x, 1), [(3, 4)]),
    ("cumsum_neg_dim", lambda T, x: x.cumsum(-3), [(2, 3, 4)]),
    ("cumsum_dtype", lambda T, x: x.cumsum(0, dtype=T.float64), [(4,)]),
    ("cumsum_0d", lambda T, x: T.cumsum(x, 0), [()]),
    ("flip", lambda T, x: T.flip(x, (0,)), [(3, 4)]),
    ("flip_dims", lambda T, x: x.flip(-1, 0), [(2, 3, 4)]),
    ("flip_list_kw", lambda T, x: T.flip(x, dims=[1, 2]), [(2, 3, 4)]),
    ("flip_none", lambda T, x: x.flip(()), [(3,)]),
    ("roll", lambda T, x: T.roll(x, 1, 0), [(3, 4)]),
    ("roll_flat", lambda T, x: x.roll(5), [(3, 4)]),
    ("roll_dims", lambda T, x: T.roll(x, (1, -2), (0, -1)), [(2, 3, 4)]),
    ("roll_same_dim", lambda T, x: x.roll((1, 1), (0, 0)), [(3, 4)]),
    ("repeat", lambda T, x: x.repeat(2, 1), [(3, 4)]),
    ("repeat_new_dims", lambda T, x: x.repeat(2, 1, 3), [(3, 4)]),
    ("repeat_tuple", lambda T, x: x.repeat((1, 2)), [(3, 1)]),
    ("repeat_0d", lambda T, x: x.repeat(2, 3), [()]),
    ("repeat_zero", lambda T, x: x.repeat(0, 2), [(3, 4)]),
    ("gather", lambda T, x: T.gather(x, 1, _index(T, [[0, 0, 3], [2, 1, 0], [1, 1, 1]])), [(3, 4)]),
    ("gather_dim0", lambda T, x: x.gather(0, _index(T, [[2, 0, 0, 1]])), [(3, 4)]),
    ("gather_neg_dim", lambda T, x: x.gather(-1, _index(T, [[[1], [0]], [[2], [2]]])),
     [(2, 2, 3)]),
    ("gather_int32", lambda T, x: x.gather(1, _index(T, [[1], [0]]).int()), [(2, 3)]),
    ("gather_0d", lambda T, x: T.gather(x, 0, _index(T, [0, 0])), [()]),
    ("index_select", lambda T, x: T.index_select(x, 1, _index(T, [0, 3, 3])), [(3, 4)]),
    ("index_select_dim0", lambda T, x: x.index_select(0, _index(T, [2, 0, 2, 2])), [(3, 4)]),
    ("index_select_neg", lambda T, x: x.index_select(-1, _index(T, [1]).int()), [(2, 3, 4)]),
    ("index_select_0d_index", lambda T, x: x.index_select(1, _index(T, 2)), [(3, 4)]),
    ("masked_fill", lambda T, x: x.masked_fill(x > 0, 0.5), [(3, 4)]),
    ("masked_fill_broadcast_mask", lambda T, x: T.masked_fill(
        x, T.tensor([True, False, True, False]), -1), [(3, 4)]),
    ("masked_fill_bigger_mask", lambda T, x: x.masked_fill(T.ones(2, 3, 4) > 0.5, 2.0), [(3, 4)]),
    ("masked_fill_tensor_value", lambda T, x, v: x.masked_fill(x < 0, v), [(3, 4), ()]),
    ("masked_fill_nan", lambda T, x: x.masked_fill(x < 0, float("nan")), [(3,)]),
    ("sort", lambda T, x: T.sort(x).values, [(3, 4)]),
    ("sort_desc_dim0", lambda T, x: x.sort(0, True)[0], [(3, 4)]),
    ("sort_stable", lambda T, x: x.sort(dim=-2, stable=True).values, [(2, 3, 4)]),
    ("sort_0d", lambda T, x: x.sort().values, [()]),
    ("topk", lambda T, x: T.topk(x, 2).values, [(3, 4)]),
    ("topk_smallest_dim0", lambda T, x: x.topk(2, 0, largest=False).values, [(3, 4)]),
    ("topk_all", lambda T, x: x.topk(4, dim=-1)[0], [(2, 4)]),
    ("topk_zero", lambda T, x: x.topk(0).values, [(2, 4)]),
    # in place, on non-leaves (recorded)
    ("masked_fill_", lambda T, x: x.clone().masked_fill_(x > 0, 0.0), [(3, 4)]),
    ("masked_fill_tensor_", lambda T, x, v: (x * 1).masked_fill_(x > 0, v), [(3, 4), ()]),
    ("clamp_", lambda T, x: x.clone().clamp_(-0.5, 0.5), [(3, 4)]),
    ("clamp_min_kw_", lambda T, x: (x * 2).clamp_(min=0.1), [(3, 4)]),
    ("clamp_tensor_", lambda T, x, lo: x.clone().clamp_(lo), [(3, 4), (4,)]),
    ("clamp_min_", lambda T, x: x.clone().clamp_min_(0.1), [(4,)]),
    ("clamp_max_", lambda T, x: x.clone().clamp_max_(0.1), [(4,)]),
    ("clip_", lambda T, x: x.clone().clip_(-1, 1), [(4,)]),
    ("relu_", lambda T, x: (x * 1).relu_(), [(3, 4)]),
    ("relu_fn", lambda T, x: T.relu_(x.clone()) * 2, [(3, 4)]),
    ("relu_view", lambda T, x: relu_row(x.clone()), [(3, 4)]),
]


def relu_row(t):
    t[1].relu_()
    return t


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[op[0] for op in OPS])
def test_op_matches_torch(name, fn, shapes, dtype):
    helper_test_op(fn, shapes, dtype=dtype)


# (id, fn(module, *int inputs)): no gradient; integer and bool inputs keep PyTorch's dtypes
INTEGER_OPS = [
    ("cumsum_int", lambda T, x: x.cumsum(0)),
    ("cumsum_int32", lambda T, x: x.int().cumsum(0)),
    ("cumsum_bool", lambda T, x: (x > 1).cumsum(1)),
    ("cumsum_to_float", lambda T, x: x.cumsum(1, dtype=T.float32)),
    ("flip_int", lambda T, x: x.flip(0)),
    ("gather_int", lambda T, x: x.gather(1, T.tensor([[0], [2]]))),
    ("masked_fill_int_float_value", lambda T, x: x.masked_fill(x > 1, 2.7)),
    ("masked_fill_bool", lambda T, x: (x > 1).masked_fill(x > 2, False)),
    ("sort_int", lambda T, x: x.sort(descending=True).indices),
    ("sort_bool", lambda T, x: (x > 1).sort(stable=True).values),
    ("topk_int", lambda T, x: x.topk(1).values),
    ("einsum_int", lambda T, x: T.einsum("ij,kj->ik", x, x)),
    ("relu_int", lambda T, x: (x - 2).relu_()),
    ("clamp_int", lambda T, x: x.clone().clamp_(1, 2)),
]


@pytest.mark.parametrize("name,fn", INTEGER_OPS, ids=[op[0] for op in INTEGER_OPS])
def test_integer_and_bool_dtypes_match_torch(name, fn):
    torch = require_torch()
    values = [[3, 0, 1], [2, 5, 4]]
    ours, theirs = fn(lab, lab.tensor(values)), fn(torch, torch.tensor(values))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", [
    lambda T, x: T.sort(x, 0),
    lambda T, x: x.sort(descending=True),
    lambda T, x: T.topk(x, 3),
    lambda T, x: x.topk(2, dim=0, largest=False),
], ids=["sort", "sort_descending", "topk", "topk_smallest"])
def test_sort_and_topk_return_types_match_torch(fn, dtype):
    torch = require_torch()
    a, = random_arrays([(3, 4)], dtype)
    ours, theirs = fn(lab, lab.tensor(a, requires_grad=True)), fn(torch, torch.tensor(
        a, requires_grad=True))
    values, indices = ours  # unpacks like a tuple
    assert values is ours.values and indices is ours.indices
    assert indices.dtype == lab.int64 and not indices.requires_grad
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("fn", [
    lambda T, x: x.sort(),
    lambda T, x: x.sort(descending=True),
    lambda T, x: x.sort(stable=True, descending=True),
], ids=["ascending", "descending", "stable_descending"])
def test_sort_order_of_ties_and_nan_matches_torch(fn):
    torch = require_torch()
    values = [2.0, float("nan"), 1.0, 2.0, float("nan"), 1.0, 2.0]
    assert repr(fn(lab, lab.tensor(values))) == repr(fn(torch, torch.tensor(values)))


# einsum: PyTorch records the permutes, bmm, sums and views it decomposes the equation into, so
# its grad_fn is ViewBackward0, PermuteBackward0, SumBackward1, MulBackward0 ... depending on the
# equation; autograd_lab records one EinsumBackward0 node. Values and gradients are PyTorch's.
EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("iji->ij", [(2, 3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i->i", [(4,), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...i->i", [(2, 3, 4)]),
    ("i...", [(2, 3)]),
    ("bA", [(2, 3)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 2)]),
    ("ij,ij->i", [(3, 4), (1, 4)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("i j , j k -> i k", [(3, 4), (4, 2)]),
    ("->", [()]),
    (",i->i", [(), (3,)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("equation,shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_matches_torch(equation, shapes, dtype):
    torch = require_torch()
    rtol, atol = (1e-5, 1e-5) if dtype == "float32" else (1e-10, 1e-12)
    arrays = random_arrays(shapes, dtype)
    ours_in, theirs_in = leaves(lab, arrays), leaves(torch, arrays)
    ours, theirs = lab.einsum(equation, *ours_in), torch.einsum(equation, *theirs_in)
    assert_matches_torch(ours, theirs, rtol, atol)
    assert ours.grad_fn.name() == "EinsumBackward0"  # PyTorch's name varies, see above
    g = np.random.default_rng(1).uniform(-1, 1, tuple(theirs.shape)).astype(dtype)
    backward_both(ours, theirs, ours_in, theirs_in, g,
                  lambda a, b: assert_matches_torch(a, b, 10 * rtol, 10 * atol))


def test_einsum_takes_a_list_of_operands():
    a, b = (lab.tensor(v) for v in random_arrays([(2, 3), (3, 2)]))
    assert lab.allclose(lab.einsum("ij,jk->ik", [a, b]), a @ b)


# Finite differences (float64) and, through create_graph=True, second derivatives: every rule is
# written once against the `B` vocabulary, so its recorded form must differentiate too.
FD = [
    ("cumsum", lambda x: lab.cumsum(x, -1) ** 2, [(3, 4)]),
    ("flip", lambda x: x.flip(0, 1) * x, [(3, 4)]),
    ("roll", lambda x: lab.roll(x, (1, 2), (0, 1)) * x, [(3, 4)]),
    ("repeat", lambda x: x.repeat(2, 1, 2) ** 2, [(3, 2)]),
    ("gather", lambda x: x.gather(1, lab.tensor([[0, 0], [2, 1]])) ** 2, [(2, 3)]),
    ("index_select", lambda x: x.index_select(0, lab.tensor([1, 1, 0])) ** 2, [(2, 3)]),
    ("masked_fill", lambda x, v: x.masked_fill(lab.tensor([True, False, True]), v) ** 2,
     [(2, 3), ()]),
    ("sort", lambda x: x.sort(0, descending=True).values ** 2, [(3, 4)]),
    ("topk", lambda x: x.topk(2).values ** 2, [(3, 4)]),
    ("einsum_matmul", lambda a, b: lab.einsum("ij,jk->ik", a, b) ** 2, [(2, 3), (3, 2)]),
    ("einsum_diagonal", lambda a, b: lab.einsum("ii,i->i", a, b) ** 2, [(3, 3), (3,)]),
    ("einsum_broadcast", lambda a, b: lab.einsum("...ij,ij->...", a, b) ** 2,
     [(2, 2, 3), (1, 3)]),
    ("clamp_", lambda x: (x * 1).clamp_(-0.5, 0.5) * x, [(3, 4)]),
    ("relu_", lambda x: (x * x - 0.5).relu_(), [(3, 4)]),
    ("masked_fill_", lambda x: (x * x).masked_fill_(lab.tensor([False, True, False]), 1.0),
     [(2, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_gradients_match_finite_differences(name, fn, shapes):
    inputs = leaves(lab, random_arrays(shapes, seed=3))
    assert lab.autograd.gradcheck(fn, inputs)


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[f[0] for f in FD])
def test_second_derivatives_match_finite_differences(name, fn, shapes):
    inputs = leaves(lab, random_arrays(shapes, seed=4))
    assert lab.autograd.gradgradcheck(fn, inputs)


# Bad calls: PyTorch's exception type and message. `x` is 3x4 float, `i` a 2-D int64 index.
ERRORS = [
    "T.cumsum(x, 2)",
    "x.cumsum(-3)",
    "x.flip((0, 0))",
    "x.flip((0, -2))",
    "x.flip((2,))",
    "T.roll(x, (1, 2), (0,))",
    "T.roll(x, (1, 2))",
    "T.roll(x, 1, 2)",
    "T.roll(x, 1.5, 0)",
    "T.roll(T.tensor(1.0), 1, 0)",
    "x.repeat(2)",
    "x.repeat(-1, 2)",
    "x.repeat(2, -1, 2)",
    "x.repeat()",
    "x.repeat(T.tensor([1, 2]))",
    "T.gather(x, 2, i)",
    "T.gather(x, 1, i.float())",
    "T.gather(x, 1, i.to(T.int16))",
    "T.gather(x, 1, [[0]])",
    "T.gather(x, 1, T.tensor([[5]]))",
    "T.gather(x, 1, T.tensor([[0, 7], [9, 0]]))",
    "T.gather(x, 1, T.tensor([[-1]]))",
    "T.gather(x, 1, T.tensor([1]))",
    "T.gather(x, 1, T.zeros(4, 2, dtype=T.int64))",
    "T.gather(x, 0, T.zeros(2, 5, dtype=T.int64))",
    "T.index_select(x, 3, T.tensor([0]))",
    "T.index_select(x, 1, T.tensor([0.0, 1.0]))",
    "T.index_select(x, 1, T.tensor([[0, 1]]))",
    "T.index_select(x, 1, [0])",
    "T.index_select(x, 0, T.tensor([0, 5]))",
    "T.index_select(x, 1, T.tensor([4, 0]))",
    "T.index_select(x, -1, T.tensor([-1]))",
    "T.index_select(T.tensor(2.0), 0, T.tensor([0, 0]))",
    "x.masked_fill(T.tensor([1, 0, 1, 0]), 0.0)",
    "x.masked_fill(T.tensor([1, 0, 1, 0]).int(), 0.0)",
    "x.masked_fill(T.tensor([True, False, True]), 0.5)",
    "x.masked_fill(x > 0, T.tensor([2.0]))",
    "T.tensor([1, 2]).masked_fill(T.tensor([True, False]), float('inf'))",
    "x.masked_fill_(T.ones(2, 3, 4) > 0, 1.0)",
    "T.sort(x, 2)",
    "x.topk(5)",
    "x.topk(-1)",
    "x.topk(1, 2)",
    "x.topk(1.5)",
    "T.tensor([True, False]).topk(1)",
    "T.einsum('ij,jk->ik', x, x)",
    "T.einsum('ij,jk->ik', x)",
    "T.einsum('ij->ij', x, x)",
    "T.einsum('ijk->ij', x)",
    "T.einsum('ij->ik', x)",
    "T.einsum('ij->ii', x)",
    "T.einsum('ij,jk->ik', x, x.double().t())",
    "T.einsum('i1->i', x)",
    "T.einsum('ij-i', x)",
    "T.einsum('i->i->i', x[0])",
    "T.einsum('...i...->i', x)",
    "T.einsum('i->i.', x[0])",
    "T.einsum('ii->i', x)",
    "T.einsum('...i,...i->...', x, T.ones(2, 4))",
    "T.einsum('ij')",
    "T.einsum(3, x)",
    "T.einsum('i', [1.0, 2.0])",
    "T.tensor([1, 2]).clamp_(0.5, 1.5)",
    "x.clamp_()",
    "T.tensor([True]).relu_()",
    "T.zeros(3).normal_(0, -1)",
    "T.zeros(3).uniform_(2, 1)",
    "T.zeros(3, dtype=T.int64).normal_()",
    "T.zeros(3, dtype=T.int64).uniform_()",
]


def _raise(T, code):
    env = {"T": T, "x": T.arange(12.0).reshape(3, 4), "i": T.tensor([[0, 1], [2, 3]])}
    with pytest.raises(Exception) as info:
        exec(code, env)
    return info.value


@pytest.mark.parametrize("code", ERRORS)
def test_errors_match_torch(code):
    torch = require_torch()
    ours, theirs = _raise(lab, code), _raise(torch, code)
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("code", ["x.masked_fill([True], 0.0)", "x.masked_fill(x > 0, 'a')"])
def test_masked_fill_bad_argument_types_match_torch(code):
    torch = require_torch()
    ours, theirs = _raise(lab, code), _raise(torch, code)
    assert type(ours) is type(theirs) is TypeError
    assert str(theirs).startswith(str(ours).split(":")[0])


def test_einsum_sublist_format_is_not_supported():
    x = lab.ones(2, 2)
    with pytest.raises(NotImplementedError, match="sublist format"):
        lab.einsum(x, [0, 1], [1, 0])


# In place: version counters, leaves, saved values
@pytest.mark.parametrize("code", ["x.masked_fill_(x > 0, 0.0)", "x.clamp_(0, 1)", "x.relu_()",
                                  "x.uniform_()", "x.normal_()", "T.relu_(x)"])
def test_in_place_on_a_leaf_that_requires_grad_raises_as_torch(code):
    torch = require_torch()
    for T in (lab, torch):
        x = T.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            exec(code, {"T": T, "x": x})
        with T.no_grad():  # allowed without recording, as an initialisation
            exec(code, {"T": T, "x": x})
        assert x.grad_fn is None and x._version == 1


@pytest.mark.parametrize("op", ["relu_", "clamp_", "masked_fill_", "uniform_", "normal_"])
def test_in_place_ops_bump_the_version_shared_with_views(op):
    torch = require_torch()
    args = {"clamp_": (0.0, 1.0), "masked_fill_": None}.get(op, ())
    for T in (lab, torch):
        base = T.zeros(2, 3)
        view = base[1]
        call_args = (view > 0, 1.0) if args is None else args
        result = getattr(view, op)(*call_args)
        assert result is view
        assert (base._version, view._version) == (1, 1)


def test_backward_through_a_value_changed_after_relu_raises_as_torch():
    torch = require_torch()
    for T in (lab, torch):
        y = T.tensor([1.0, -2.0, 3.0], requires_grad=True) * 1
        y.relu_()
        y.mul_(-1)
        with pytest.raises(RuntimeError, match="output 0 of Relu.* is at version 2; expected "
                                               "version 1 instead"):
            y.sum().backward()


def test_random_refill_of_a_non_leaf_passes_no_gradient_as_torch():
    torch = require_torch()
    for T, grads in ((lab, []), (torch, [])):
        for op in ("uniform_", "normal_"):
            x = T.ones(2, 3, requires_grad=True)
            y = x * 2
            getattr(y, op)()
            assert y.grad_fn.name() == op.capitalize()[:-1] + "Backward0"
            (y * 3).sum().backward()
            grads.append(x.grad.tolist())
        assert grads == [[[0.0] * 3] * 2] * 2


@pytest.mark.parametrize("dtype", [lab.float32, lab.float64])
def test_uniform_and_normal_draw_from_the_seeded_generator(dtype):
    lab.manual_seed(7)
    u = lab.empty(2000, dtype=dtype).uniform_(-2, 3)
    n = lab.zeros(2000, dtype=dtype).normal_(mean=1.5, std=0.5)
    lab.manual_seed(7)
    assert lab.equal(lab.empty(2000, dtype=dtype).uniform_(-2, 3), u)
    assert u.dtype == n.dtype == dtype
    assert -2 <= u.min().item() and u.max().item() < 3
    assert abs(u.mean().item() - 0.5) < 0.1 and abs(u.std().item() - 5 / 12 ** 0.5) < 0.1
    assert abs(n.mean().item() - 1.5) < 0.05 and abs(n.std().item() - 0.5) < 0.05
    assert u.uniform_(to=0.5).max().item() < 0.5


def test_gather_backward_adds_repeated_indices():
    x = lab.zeros(2, 3, requires_grad=True)
    x.gather(1, lab.tensor([[2, 2, 2, 0], [1, 1, 0, 0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 3.0], [2.0, 2.0, 0.0]]
