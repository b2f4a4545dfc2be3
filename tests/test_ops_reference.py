"""Every op against PyTorch: forward values, dtype, grad_fn name, repr and input gradients."""
import math

import numpy as np

import pytest

from helpers import helper_test_op

POS = {"low": 0.5, "high": 2.0}        # domain of log, sqrt, pow with a real exponent
AWAY = {"low": 0.2, "high": 2.0}       # keeps relu/abs/sign/clamp inputs away from 0
UNIT = {"low": -0.9, "high": 0.9}      # asin, acos, atanh

# (id, fn(module, *inputs), input shapes, domain)
OPS = [
    # elementwise arithmetic, with broadcasting and Python scalars
    ("add", lambda T, x, y: x + y, [(3, 4), (4,)], {}),
    ("add_alpha", lambda T, x, y: x.add(y, alpha=2), [(3, 4), (3, 1)], {}),
    ("radd", lambda T, x: 1 + x, [(3,)], {}),
    ("sub", lambda T, x, y: x - y, [(2, 1, 3), (4, 1)], {}),
    ("sub_alpha", lambda T, x, y: T.sub(x, y, alpha=3), [(3,), (3,)], {}),
    ("rsub", lambda T, x: 1 - x, [(3, 2)], {}),
    ("mul", lambda T, x, y: x * y, [(3, 4), (1, 4)], {}),
    ("mul_scalar", lambda T, x: x * 2.5, [(5,)], {}),
    ("mul_0d", lambda T, x, y: x * y, [(), (3,)], {}),
    ("div", lambda T, x, y: x / y, [(3, 4), (4,)], AWAY),
    ("rdiv", lambda T, x: 2 / x, [(4,)], AWAY),
    ("div_scalar", lambda T, x: x / 4, [(2, 3)], {}),
    ("neg", lambda T, x: -x, [(3,)], {}),
    ("pow_int", lambda T, x: x ** 2, [(3, 4)], {}),
    ("pow_float", lambda T, x: x ** 0.5, [(3,)], POS),
    ("pow_zero", lambda T, x: x ** 0, [(3,)], {}),
    ("pow_tensor", lambda T, x, y: x ** y, [(2, 3), (3,)], POS),
    ("rpow", lambda T, x: 2 ** x, [(4,)], {}),
    ("square", lambda T, x: x.square(), [(3,)], {}),
    # elementwise functions
    ("exp", lambda T, x: x.exp(), [(3, 4)], {}),
    ("log", lambda T, x: x.log(), [(3, 4)], POS),
    ("sqrt", lambda T, x: x.sqrt(), [(3, 4)], POS),
    ("rsqrt", lambda T, x: x.rsqrt(), [(3,)], POS),
    ("reciprocal", lambda T, x: x.reciprocal(), [(3,)], AWAY),
    ("abs", lambda T, x: (x - 1.1).abs(), [(3, 4)], AWAY),
    ("sin", lambda T, x: x.sin(), [(3, 4)], {}),
    ("cos", lambda T, x: T.cos(x), [(3, 4)], {}),
    ("tanh", lambda T, x: x.tanh(), [(3, 4)], {}),
    ("sigmoid", lambda T, x: T.sigmoid(x), [(3, 4)], {}),
    ("relu", lambda T, x: (x - 1.1).relu(), [(3, 4)], AWAY),
    ("sign", lambda T, x: (x - 1.1).sign(), [(3,)], AWAY),
    ("clamp", lambda T, x: x.clamp(-0.5, 0.5), [(4, 3)], {}),
    ("clamp_min_kw", lambda T, x: x.clamp(min=0.1), [(4,)], {}),
    ("clamp_max_kw", lambda T, x: T.clamp(x, max=0.1), [(4,)], {}),
    ("clamp_min", lambda T, x: x.clamp_min(0.1), [(4,)], {}),
    ("clamp_max", lambda T, x: x.clamp_max(0.1), [(4,)], {}),
    ("clamp_tensor", lambda T, x, lo: x.clamp(min=lo), [(3, 4), (4,)], {}),
    ("clamp_tensor_both", lambda T, x, lo, hi: T.clamp(x, lo - 1, hi + 1), [(3, 4), (4,), (3, 1)],
     {}),
    ("maximum", lambda T, x, y: T.maximum(x, y), [(3, 4), (4,)], {}),
    ("minimum", lambda T, x, y: T.minimum(x, y), [(3, 1), (4,)], {}),
    ("max_binary", lambda T, x, y: T.max(x, y), [(3, 4), (3, 4)], {}),
    ("where", lambda T, x, y: T.where(x > 0, x, y), [(3, 4), (4,)], {}),
    ("where_scalar", lambda T, x: T.where(x > 0, x, 0.0), [(3, 4)], {}),
    ("where_method", lambda T, x, y: x.where(x < 0, y), [(3, 4), (3, 1)], {}),
    ("sinh", lambda T, x: x.sinh(), [(3, 4)], {}),
    ("cosh", lambda T, x: T.cosh(x), [(3, 4)], {}),
    ("tan", lambda T, x: x.tan(), [(3, 4)], UNIT),
    ("asin", lambda T, x: x.asin(), [(3, 4)], UNIT),
    ("acos", lambda T, x: T.acos(x), [(3, 4)], UNIT),
    ("atan", lambda T, x: x.atan(), [(3, 4)], {}),
    ("asinh", lambda T, x: T.asinh(x), [(3, 4)], {}),
    ("acosh", lambda T, x: (x + 1).acosh(), [(3, 4)], POS),
    ("atanh", lambda T, x: x.atanh(), [(3, 4)], UNIT),
    ("arctan_alias", lambda T, x: T.arctanh(x) + x.arcsin(), [(3,)], UNIT),
    ("erf", lambda T, x: x.erf(), [(3, 4)], {}),
    ("erfc", lambda T, x: T.erfc(x), [(3, 4)], {}),
    ("sgn", lambda T, x: x.sgn(), [(3, 4)], AWAY),
    ("logit", lambda T, x: x.logit(), [(3, 4)], {"low": 0.05, "high": 0.95}),
    ("logit_eps", lambda T, x: T.logit(x, eps=0.1), [(3, 4)], {"low": -0.2, "high": 1.2}),
    ("atan2", lambda T, x, y: T.atan2(x, y), [(3, 4), (4,)], {}),
    ("atan2_method", lambda T, x, y: x.arctan2(y), [(3, 1), (3, 4)], {}),
    ("hypot", lambda T, x, y: T.hypot(x, y), [(3, 4), (3, 1)], {}),
    ("lerp", lambda T, x, y: T.lerp(x, y, 0.3), [(3, 4), (4,)], {}),
    ("lerp_large_weight", lambda T, x, y: x.lerp(y, 0.8), [(3, 4), (3, 4)], {}),
    ("lerp_tensor_weight", lambda T, x, y, w: T.lerp(x, y, w), [(3, 4), (4,), (3, 1)], {}),
    ("xlogy", lambda T, x, y: T.xlogy(x, y), [(3, 4), (4,)], POS),
    ("xlogy_number_other", lambda T, x: x.xlogy(2.5), [(3, 4)], {}),
    ("xlogy_number_self", lambda T, y: T.xlogy(2.5, y), [(3, 4)], POS),
    ("sinh_", lambda T, x: (x * 1).sinh_(), [(3, 4)], {}),
    ("atan2_", lambda T, x, y: (x * 1).atan2_(y), [(3, 4), (4,)], {}),
    ("lerp_", lambda T, x, y: (x * 1).lerp_(y, 0.6), [(3, 4), (4,)], {}),
    ("xlogy_", lambda T, x, y: (x * 1).xlogy_(y), [(3, 4), (4,)], POS),
    ("logit_", lambda T, x: (x * 1).logit_(0.2), [(3, 4)], {"low": 0.05, "high": 0.95}),
    # matrix products (PyTorch names the node after the kernel it dispatches to)
    ("mm", lambda T, a, b: a @ b, [(3, 4), (4, 5)], {}),
    ("mm_fn", lambda T, a, b: T.mm(a, b), [(3, 4), (4, 2)], {}),
    ("dot", lambda T, a, b: a @ b, [(4,), (4,)], {}),
    ("dot_fn", lambda T, a, b: T.dot(a, b), [(4,), (4,)], {}),
    ("mv", lambda T, a, b: a @ b, [(3, 4), (4,)], {}),
    ("mv_fn", lambda T, a, b: T.mv(a, b), [(3, 4), (4,)], {}),
    ("vm", lambda T, a, b: a @ b, [(4,), (4, 5)], {}),
    ("bmm", lambda T, a, b: T.bmm(a, b), [(2, 3, 4), (2, 4, 5)], {}),
    ("matmul_3d", lambda T, a, b: a @ b, [(2, 3, 4), (2, 4, 5)], {}),
    ("matmul_broadcast", lambda T, a, b: T.matmul(a, b), [(2, 1, 3, 4), (3, 4, 2)], {}),
    ("matmul_3d_2d", lambda T, a, b: a @ b, [(2, 3, 4), (4, 5)], {}),
    ("matmul_3d_1d", lambda T, a, b: a @ b, [(2, 3, 4), (4,)], {}),
    ("matmul_1d_3d", lambda T, a, b: a @ b, [(3,), (2, 3, 4)], {}),
    ("matmul_2d_3d", lambda T, a, b: a @ b, [(2, 3), (4, 3, 5)], {}),
    # reductions
    ("sum", lambda T, x: x.sum(), [(3, 4)], {}),
    ("sum_dim", lambda T, x: x.sum(1), [(3, 4)], {}),
    ("sum_dims_keepdim", lambda T, x: T.sum(x, (0, 2), keepdim=True), [(2, 3, 4)], {}),
    ("sum_neg_dim", lambda T, x: x.sum(-1), [(2, 3)], {}),
    ("sum_0d", lambda T, x: x.sum(), [()], {}),
    ("mean", lambda T, x: x.mean(), [(3, 4)], {}),
    ("mean_dim", lambda T, x: x.mean(0, keepdim=True), [(3, 4)], {}),
    ("mean_dims", lambda T, x: x.mean((0, 1)), [(3, 4, 2)], {}),
    ("var", lambda T, x: x.var(), [(3, 4)], {}),
    ("var_dim_biased", lambda T, x: x.var(1, unbiased=False), [(3, 4)], {}),
    ("var_correction", lambda T, x: x.var(0, keepdim=True, correction=0), [(3, 4)], {}),
    ("std", lambda T, x: x.std(), [(3, 4)], {}),
    ("std_dim", lambda T, x: T.std(x, 0), [(3, 4)], {}),
    ("prod", lambda T, x: x.prod(), [(2, 3)], {}),
    ("prod_dim", lambda T, x: x.prod(1), [(2, 3)], {}),
    ("prod_dim_keepdim", lambda T, x: x.prod(0, keepdim=True), [(3, 2)], {}),
    ("max", lambda T, x: x.max(), [(3, 4)], {}),
    ("max_dim", lambda T, x: x.max(1).values, [(3, 4)], {}),
    ("max_dim_keepdim", lambda T, x: x.max(0, keepdim=True)[0], [(3, 4)], {}),
    ("max_0d_dim", lambda T, x: x.max(0).values, [()], {}),
    ("min", lambda T, x: x.min(), [(3, 4)], {}),
    ("min_dim", lambda T, x: T.min(x, -1).values, [(3, 4)], {}),
    ("amax", lambda T, x: x.amax(), [(3, 4)], {}),
    ("amax_dim", lambda T, x: x.amax(1), [(3, 4)], {}),
    ("amin_dims", lambda T, x: x.amin((0, 1), keepdim=True), [(3, 4)], {}),
    ("norm", lambda T, x: x.norm(), [(3, 4)], {}),
    ("norm_dim", lambda T, x: x.norm(dim=1), [(3, 4)], {}),
    ("norm_p1", lambda T, x: x.norm(p=1), [(3, 4)], AWAY),
    ("norm_p3", lambda T, x: T.norm(x, 3, dim=0, keepdim=True), [(3, 4)], {}),
    ("norm_inf", lambda T, x: x.norm(p=math.inf), [(3, 4)], {}),
    ("norm_p0", lambda T, x: x.norm(p=0), [(3, 4)], {"backward": False}),  # grad: zeros vs None
    ("norm_neg_inf", lambda T, x: x.norm(p=-math.inf, dim=0), [(3, 4)], {}),
    ("softmax", lambda T, x: x.softmax(1), [(3, 4)], {}),
    ("softmax_neg_dim", lambda T, x: T.softmax(x, -1), [(2, 3, 4)], {}),
    ("log_softmax", lambda T, x: x.log_softmax(0), [(3, 4)], {}),
    # shapes and views
    ("reshape", lambda T, x: x.reshape(4, 3), [(3, 4)], {}),
    ("reshape_infer", lambda T, x: x.reshape(-1), [(3, 4)], {}),
    ("view", lambda T, x: x.view(2, 6), [(3, 4)], {}),
    ("view_as", lambda T, x, y: x.view_as(y), [(3, 4), (12,)], {}),
    ("flatten", lambda T, x: x.flatten(), [(2, 3, 4)], {}),
    ("flatten_range", lambda T, x: x.flatten(1), [(2, 3, 4)], {}),
    ("flatten_1d", lambda T, x: x.flatten() * 2, [(4,)], {}),
    ("flatten_0d", lambda T, x: x.flatten(), [()], {}),
    ("squeeze", lambda T, x: x.squeeze(), [(3, 1, 4, 1)], {}),
    ("squeeze_dim", lambda T, x: x.squeeze(1), [(3, 1, 4)], {}),
    ("squeeze_dims", lambda T, x: x.squeeze((1, 3)), [(3, 1, 4, 1)], {}),
    ("unsqueeze", lambda T, x: x.unsqueeze(1), [(3, 4)], {}),
    ("unsqueeze_neg", lambda T, x: T.unsqueeze(x, -1), [(3, 4)], {}),
    ("permute", lambda T, x: x.permute(2, 0, 1), [(2, 3, 4)], {}),
    ("transpose", lambda T, x: x.transpose(0, 2), [(2, 3, 4)], {}),
    ("t", lambda T, x: x.t(), [(3, 4)], {}),
    ("t_1d", lambda T, x: (x * 3).t() * 2, [(4,)], {}),
    ("t_0d", lambda T, x: (x * 3).t() * 2, [()], {}),
    ("transpose_0d", lambda T, x: (x * 3).transpose(0, -1) * 2, [()], {}),
    ("T", lambda T, x: x.T, [(3, 4)], {}),
    ("mT", lambda T, x: x.mT, [(2, 3, 4)], {}),
    ("expand", lambda T, x: x.expand(2, 3, 4), [(3, 1)], {}),
    ("expand_keep", lambda T, x: x.expand(-1, 4), [(3, 1)], {}),
    ("broadcast_to", lambda T, x: T.broadcast_to(x, (3, 4)), [(4,)], {}),
    ("clone", lambda T, x: x.clone(), [(3,)], {}),
    ("to_double", lambda T, x: x.double(), [(3,)], {}),
    ("to_float", lambda T, x: x.to(T.float32) * 1, [(3,)], {}),
    # indexing and joining
    ("select", lambda T, x: x[1], [(3, 4)], {}),
    ("select_neg", lambda T, x: x[-1, 2], [(3, 4)], {}),
    ("slice", lambda T, x: x[1:], [(3, 4)], {}),
    ("slice_step", lambda T, x: x[::2, 1:3], [(5, 4)], {}),
    ("full_slice", lambda T, x: x[:], [(3, 4)], {}),
    ("slice_then_select", lambda T, x: x[1:, 0], [(3, 4)], {}),
    ("select_then_slice", lambda T, x: x[0, 1:], [(3, 4)], {}),
    ("none_index", lambda T, x: x[:, None], [(3, 4)], {}),
    ("ellipsis", lambda T, x: x[..., 1], [(2, 3, 4)], {}),
    ("alias", lambda T, x: x[:, :], [(3, 4)], {}),
    ("tensor_0d_index", lambda T, x: x[T.tensor(1)], [(3, 4)], {}),
    ("index_list", lambda T, x: x[[0, 2, 0]], [(3, 4)], {}),
    ("index_tensor", lambda T, x: x[T.tensor([[1, 0], [2, 2]])], [(3, 4)], {}),
    ("index_mixed", lambda T, x: x[1:, [0, 3]], [(3, 4)], {}),
    ("index_mask", lambda T, x: x[x > 0], [(3, 4)], {}),
    ("cat", lambda T, x, y: T.cat([x, y]), [(2, 3), (4, 3)], {}),
    ("cat_dim", lambda T, x, y: T.cat((x, y, x), dim=-1), [(2, 3), (2, 1)], {}),
    ("stack", lambda T, x, y: T.stack([x, y], 1), [(2, 3), (2, 3)], {}),
    # in-place ops on non-leaves (recorded) and item assignment
    ("add_", lambda T, x, y: x.clone().add_(y), [(3, 4), (4,)], {}),
    ("sub_alpha_", lambda T, x, y: (x * 1).sub_(y, alpha=2), [(3, 4), (3, 4)], {}),
    ("mul_", lambda T, x, y: x.clone().mul_(y), [(3, 4), (1, 4)], {}),
    ("div_", lambda T, x: (x + 0).div_(3), [(3,)], {}),
    ("iadd_operator", lambda T, x, y: inplace_add(x.clone(), y), [(2, 3), (3,)], {}),
    ("setitem", lambda T, x, v: assign(x.clone(), 0, v), [(3, 4), (4,)], {}),
    ("setitem_slice", lambda T, x, v: assign(x * 2, (slice(None), 1), v), [(3, 4), ()], {}),
    ("setitem_mask", lambda T, x: assign(x * 2, x > 0, 0.0), [(3, 4)], {}),
    ("setitem_list", lambda T, x, v: assign(x.clone(), [0, 2], v), [(3, 4), (4,)], {}),
    ("setitem_value_only", lambda T, v: assign(T.zeros(3, 4, dtype=v.dtype), 1, v), [(4,)], {}),
    ("copy_", lambda T, x, y: x.clone().copy_(y), [(3, 4), (4,)], {}),
    ("copy_into_plain", lambda T, y: T.zeros(2, 3).copy_(y), [(3,)], {}),
    ("fill_", lambda T, x: x.clone().fill_(2.0), [(3,)], {}),
    ("fill_tensor", lambda T, x, v: x.clone().fill_(v), [(3,), ()], {}),
    ("zero_", lambda T, x: (x * 2).zero_(), [(3,)], {}),
    # compositions: shared inputs, diamonds
    ("diamond", lambda T, x: (x * x.exp()).sum(0) + x.sin().mean(), [(3, 4)], {}),
    ("reuse", lambda T, x, y: (x @ y).tanh() @ y.t() + x, [(3, 4), (4, 4)], {}),
]


def assign(t, index, value):
    t[index] = value
    return t


def inplace_add(t, other):
    t += other
    return t


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes,domain", OPS, ids=[op[0] for op in OPS])
def test_op_matches_torch(name, fn, shapes, domain, dtype):
    helper_test_op(fn, shapes, dtype=dtype, **domain)


# Where the derivative is a convention (kinks, ties, zeros), PyTorch's choice is the reference.
# (name, fn, one list of values per input)
KINKS = [
    ("max_tie", lambda T, x: x.max(), [[[1.0, 3.0, 3.0], [3.0, 0.0, 1.0]]]),
    ("min_tie", lambda T, x: x.min(), [[1.0, 0.0, 0.0]]),
    ("amax_dim_tie", lambda T, x: x.amax(1), [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]]),
    ("max_dim_tie", lambda T, x: x.max(1).values, [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]]),
    ("maximum_tie", lambda T, x, y: T.maximum(x, y), [[1.0, 2.0, 3.0], [1.0, 5.0, 3.0]]),
    ("minimum_tie", lambda T, x, y: T.minimum(x, y), [[1.0, 2.0, 3.0], [1.0, 5.0, 3.0]]),
    ("clamp_at_bounds", lambda T, x: x.clamp(0.0, 1.0), [[0.0, 1.0, 0.5, 2.0, -1.0]]),
    ("clamp_tensor_at_bounds", lambda T, x, lo: x.clamp(min=lo),
     [[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]]),
    ("relu_at_zero", lambda T, x: x.relu(), [[0.0, -1.0, 1.0]]),
    ("abs_at_zero", lambda T, x: x.abs(), [[0.0, -1.0, 1.0]]),
    ("sign_at_zero", lambda T, x: x.sign(), [[0.0, -1.0, 1.0]]),
    ("norm_of_zeros", lambda T, x: x.norm(), [[0.0, 0.0]]),
    ("norm_dim_with_zero_row", lambda T, x: x.norm(dim=1), [[[0.0, 0.0], [3.0, 4.0]]]),
    ("norm_inf_tie", lambda T, x: x.norm(p=math.inf), [[-3.0, 3.0, 1.0]]),
    ("prod_one_zero", lambda T, x: x.prod(), [[0.0, 2.0, 3.0]]),
    ("prod_two_zeros", lambda T, x: x.prod(0), [[[0.0, 2.0], [0.0, 0.0]]]),
    ("pow_zero_base", lambda T, x, y: x ** y, [[0.0, 0.0, 2.0], [2.0, 0.0, 0.5]]),
    ("pow_scalar_zero_base", lambda T, x: x ** 2.5, [[0.0, 1.0]]),
    ("sqrt_at_zero", lambda T, x: x.sqrt(), [[0.0, 4.0]]),
    ("log_at_zero", lambda T, x: x.log(), [[0.0, 1.0]]),
    ("div_by_zero", lambda T, x, y: x / y, [[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]]),
    ("std_of_constant", lambda T, x: x.std(), [[2.0, 2.0, 2.0]]),
    ("var_single", lambda T, x: x.var(), [[2.0]]),
    ("softmax_large", lambda T, x: x.softmax(0), [[1000.0, 0.0, -1000.0]]),
    ("sigmoid_extremes", lambda T, x: x.sigmoid(), [[-800.0, 0.0, 800.0]]),
    ("exp_overflow", lambda T, x: x.exp(), [[1000.0, 0.0]]),
    ("logit_outside_unit", lambda T, x: x.logit(), [[-0.5, 0.0, 0.5, 1.0, 1.5]]),
    ("logit_eps_bounds", lambda T, x: x.logit(0.25), [[0.1, 0.25, 0.5, 0.75, 0.9]]),
    ("xlogy_zeros", lambda T, x, y: T.xlogy(x, y), [[0.0, 0.0, 0.0, 2.0, 0.0],
                                                     [0.0, -1.0, 2.0, 0.0, float("nan")]]),
    ("atan2_at_origin", lambda T, x, y: T.atan2(x, y), [[0.0, -0.0, 1.0], [0.0, -1.0, 0.0]]),
    ("hypot_at_origin", lambda T, x, y: T.hypot(x, y), [[0.0, 3.0], [0.0, 4.0]]),
    ("asin_at_one", lambda T, x: x.asin(), [[1.0, -1.0, 0.0]]),
    ("sgn_at_zero", lambda T, x: x.sgn(), [[0.0, -0.0, 2.0]]),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's forward log(0), 1 / 0, ...
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("name,fn,values", KINKS, ids=[k[0] for k in KINKS])
def test_kinks_ties_and_special_values_match_torch(name, fn, values):
    helper_test_op(fn, None, dtype="float64", arrays=[np.array(v) for v in values])
