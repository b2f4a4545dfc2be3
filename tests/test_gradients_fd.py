"""Property tests: every op's gradient (and, for smooth ops, its second derivative through
create_graph=True) equals central finite differences in float64, over broadcastable shapes."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lab as lab
import autograd_lab.nn.functional as F
from helpers import numeric_vjp, values_of

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
ANY = st.floats(-2, 2)
POSITIVE = st.floats(0.3, 2.5)                                    # log, sqrt, pow
NONZERO = st.one_of(st.floats(-2, -0.2), st.floats(0.2, 2))       # abs, relu, sign, 1/x
GRID = st.integers(-40, 40).map(lambda k: k / 10)                 # distinct when unique=True
OFF_GRID = st.integers(-40, 40).map(lambda k: k / 10 + 0.05)      # never equal to a GRID value
INSIDE_UNIT = st.floats(-0.8, 0.8)                                # asin, acos, atanh
OPEN_UNIT = st.floats(0.1, 0.9)                                   # logit
ABOVE_ONE = st.floats(1.2, 3)                                     # acosh
OFF_BOUNDS = st.one_of(st.floats(-2, -0.6), st.floats(-0.4, 0.4), st.floats(0.6, 2))  # ±0.5


def arrays(shape, elements=ANY, unique=False):
    return hnp.arrays(np.float64, shape, elements=elements, unique=unique)


@st.composite
def unary(draw, elements=ANY, unique=False, min_dims=0, max_dims=3):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3))
    return [draw(arrays(shape, elements, unique))]


@st.composite
def matrices(draw, count):
    """`count` matrices of independent shapes."""
    return [draw(arrays(draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=3))))
            for _ in range(count)]


@st.composite
def binary(draw, first=ANY, second=ANY):
    """Two arrays of mutually broadcastable shapes."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    min_side=1, max_side=3)).input_shapes
    return [draw(arrays(shapes[0], first)), draw(arrays(shapes[1], second))]


@st.composite
def with_dim(draw, elements=ANY, unique=False, min_side=1):
    """An array of at least one dimension and a valid (possibly negative) dim of it."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=3))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return [draw(arrays(shape, elements, unique))], dim


@st.composite
def matmul_operands(draw):
    """Operands of every matmul kind: vectors, matrices, broadcast batches."""
    m, k, n = draw(st.tuples(*[st.integers(1, 3)] * 3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    a_shape = draw(st.sampled_from([(k,), batch.input_shapes[0] + (m, k)]))
    b_shape = draw(st.sampled_from([(k,), batch.input_shapes[1] + (k, n)]))
    return [draw(arrays(a_shape)), draw(arrays(b_shape))]


@st.composite
def joinable(draw):
    """Two to three arrays that cat along `dim` (sizes differ there)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(draw(st.integers(2, 3))):
        s = list(shape)
        s[dim] = draw(st.integers(1, 3))
        parts.append(draw(arrays(tuple(s))))
    return parts, dim


@st.composite
def conv_operands(draw, d):
    """Input, weight and bias of a d-dimensional convolution, and its (stride, padding,
    dilation, groups) in place of a dim."""
    groups = draw(st.integers(1, 2))
    c_in, c_out = (groups * draw(st.integers(1, 2)) for _ in range(2))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * d))
    stride, padding, dilation = (draw(st.integers(lo, 2)) for lo in (1, 0, 1))
    size = tuple(max(dilation * (k - 1) + 1 - 2 * padding, 1) + draw(st.integers(0, 2))
                 for k in kernel)
    shapes = [(draw(st.integers(1, 2)), c_in) + size, (c_out, c_in // groups) + kernel, (c_out,)]
    return [draw(arrays(s)) for s in shapes], (stride, padding, dilation, groups)


@st.composite
def images(draw, elements=ANY, unique=False):
    """An unbatched (C, H, W) or batched (N, C, H, W) array with H, W >= 2."""
    lead = draw(st.lists(st.integers(1, 2), min_size=1, max_size=2))
    size = draw(st.tuples(st.integers(2, 4), st.integers(2, 4)))
    return [draw(arrays(tuple(lead) + size, elements, unique))]


def no_dim(strategy):
    return strategy.map(lambda arrs: (arrs, None))


# name: (strategy drawing (arrays, dim), fn(dim, *tensors), smooth enough for second order)
OPS = {
    "add": (no_dim(binary()), lambda d, x, y: x + y, True),
    "add_alpha": (no_dim(binary()), lambda d, x, y: x.add(y, alpha=-1.5), True),
    "sub": (no_dim(binary()), lambda d, x, y: x - y, True),
    "rsub": (no_dim(unary()), lambda d, x: 3 - x, True),
    "mul": (no_dim(binary()), lambda d, x, y: x * y, True),
    "div": (no_dim(binary(ANY, NONZERO)), lambda d, x, y: x / y, True),
    "rdiv": (no_dim(unary(NONZERO)), lambda d, x: 2 / x, True),
    "pow_scalar": (no_dim(unary()), lambda d, x: x ** 3, True),
    "pow_real": (no_dim(unary(POSITIVE)), lambda d, x: x ** 1.7, True),
    "pow_negative": (no_dim(unary(POSITIVE)), lambda d, x: x ** -0.5, True),
    # (exponent 0 is PyTorch's masked case: d/dx is 0 there, so its second order is too)
    "pow_tensor": (no_dim(binary(POSITIVE, NONZERO)), lambda d, x, y: x ** y, True),
    "rpow": (no_dim(unary()), lambda d, x: 1.5 ** x, True),
    "square": (no_dim(unary()), lambda d, x: x.square(), True),
    "neg": (no_dim(unary()), lambda d, x: -x, True),
    "exp": (no_dim(unary()), lambda d, x: x.exp(), True),
    "log": (no_dim(unary(POSITIVE)), lambda d, x: x.log(), True),
    "sqrt": (no_dim(unary(POSITIVE)), lambda d, x: x.sqrt(), True),
    "rsqrt": (no_dim(unary(POSITIVE)), lambda d, x: x.rsqrt(), True),
    "reciprocal": (no_dim(unary(NONZERO)), lambda d, x: x.reciprocal(), True),
    "sin": (no_dim(unary()), lambda d, x: x.sin(), True),
    "cos": (no_dim(unary()), lambda d, x: x.cos(), True),
    "tanh": (no_dim(unary()), lambda d, x: x.tanh(), True),
    "sigmoid": (no_dim(unary()), lambda d, x: x.sigmoid(), True),
    "sinh": (no_dim(unary()), lambda d, x: x.sinh(), True),
    "cosh": (no_dim(unary()), lambda d, x: x.cosh(), True),
    "tan": (no_dim(unary(INSIDE_UNIT)), lambda d, x: x.tan(), True),
    "asin": (no_dim(unary(INSIDE_UNIT)), lambda d, x: x.asin(), True),
    "acos": (no_dim(unary(INSIDE_UNIT)), lambda d, x: x.acos(), True),
    "atan": (no_dim(unary()), lambda d, x: x.atan(), True),
    "asinh": (no_dim(unary()), lambda d, x: x.asinh(), True),
    "acosh": (no_dim(unary(ABOVE_ONE)), lambda d, x: x.acosh(), True),
    "atanh": (no_dim(unary(INSIDE_UNIT)), lambda d, x: x.atanh(), True),
    "erf": (no_dim(unary()), lambda d, x: x.erf(), True),
    "erfc": (no_dim(unary()), lambda d, x: x.erfc(), True),
    "logit": (no_dim(unary(OPEN_UNIT)), lambda d, x: x.logit(), True),
    "logit_eps": (no_dim(unary(OPEN_UNIT)), lambda d, x: x.logit(eps=0.05), True),
    "atan2": (no_dim(binary(NONZERO, NONZERO)), lambda d, x, y: lab.atan2(x, y), True),
    "hypot": (no_dim(binary(NONZERO, NONZERO)), lambda d, x, y: lab.hypot(x, y), True),
    "lerp": (no_dim(binary()), lambda d, x, y: lab.lerp(x, y, 0.7) ** 2, True),
    "lerp_tensor_weight": (no_dim(binary()), lambda d, x, w: lab.lerp(x, x * x, w), True),
    "xlogy": (no_dim(binary(ANY, POSITIVE)), lambda d, x, y: lab.xlogy(x, y), True),
    "xlogy_number": (no_dim(unary(POSITIVE)), lambda d, y: lab.xlogy(1.5, y) + y.xlogy(3), True),
    "abs": (no_dim(unary(NONZERO)), lambda d, x: x.abs(), False),
    "relu": (no_dim(unary(NONZERO)), lambda d, x: x.relu(), False),
    "sign": (no_dim(unary(NONZERO)), lambda d, x: x.sign() * x, False),
    "clamp": (no_dim(unary(OFF_BOUNDS)), lambda d, x: x.clamp(-0.5, 0.5), False),
    "clamp_min": (no_dim(unary(OFF_BOUNDS)), lambda d, x: x.clamp_min(0.5), False),
    "clamp_tensor": (no_dim(binary(GRID, OFF_GRID)), lambda d, x, lo: x.clamp(min=lo), False),
    "maximum": (no_dim(binary(GRID, OFF_GRID)), lambda d, x, y: lab.maximum(x, y), False),
    "minimum": (no_dim(binary(GRID, OFF_GRID)), lambda d, x, y: lab.minimum(x, y), False),
    "where": (no_dim(binary(GRID, OFF_GRID)), lambda d, x, y: lab.where(x > y, x * y, y), True),
    "matmul": (no_dim(matmul_operands()), lambda d, a, b: a @ b, True),
    "sum": (no_dim(unary()), lambda d, x: x.sum(), True),
    "sum_dim": (with_dim(), lambda d, x: x.sum(d), True),
    "sum_keepdim": (with_dim(), lambda d, x: x.sum(d, keepdim=True), True),
    "mean": (no_dim(unary()), lambda d, x: x.mean(), True),
    "mean_dim": (with_dim(), lambda d, x: x.mean(d), True),
    "var": (with_dim(min_side=2), lambda d, x: x.var(d), True),
    "var_biased_all": (no_dim(unary(min_dims=1)), lambda d, x: x.var(unbiased=False), True),
    "std": (with_dim(GRID, unique=True, min_side=2), lambda d, x: x.std(d, keepdim=True), True),
    "var_mean": (with_dim(min_side=2), lambda d, x: lab.var_mean(x, d)[0] * lab.var_mean(x)[1],
                 True),
    "std_mean": (with_dim(GRID, unique=True, min_side=2),
                 lambda d, x: lab.std_mean(x, d)[0] + lab.std_mean(x, d)[1] ** 2, True),
    "aminmax": (with_dim(GRID, unique=True),
                lambda d, x: lab.aminmax(x, dim=d).min * lab.aminmax(x).max, False),
    "cumprod": (with_dim(), lambda d, x: x.cumprod(d), True),
    "cumprod_with_zeros": (with_dim(st.sampled_from([0.0, 0.5, -1.5, 2.0])),
                           lambda d, x: x.cumprod(d), True),
    "diff": (with_dim(), lambda d, x: x.diff(dim=d) ** 2, True),
    "diff_twice_joined": (no_dim(unary(min_dims=1)),
                          lambda d, x: x.diff(2, prepend=x.exp(), append=x * x) ** 2, True),
    "prod": (no_dim(unary()), lambda d, x: x.prod(), True),
    "prod_dim": (with_dim(), lambda d, x: x.prod(d), True),
    "max": (no_dim(unary(GRID, unique=True)), lambda d, x: x.max(), False),
    "max_dim": (with_dim(GRID, unique=True), lambda d, x: x.max(d).values, False),
    "min_dim": (with_dim(GRID, unique=True), lambda d, x: x.min(d, keepdim=True)[0], False),
    "amax": (with_dim(GRID, unique=True), lambda d, x: x.amax(d), False),
    "amin": (no_dim(unary(GRID, unique=True)), lambda d, x: x.amin(), False),
    "norm": (no_dim(unary(NONZERO)), lambda d, x: x.norm(), True),
    "norm_dim": (with_dim(NONZERO), lambda d, x: x.norm(dim=d), True),
    "norm_p1": (no_dim(unary(NONZERO)), lambda d, x: x.norm(p=1), False),
    "norm_p3": (with_dim(NONZERO), lambda d, x: x.norm(p=3, dim=d), True),
    "norm_inf": (no_dim(unary(GRID.filter(bool), unique=True)),
                 lambda d, x: x.norm(p=math.inf), False),
    "softmax": (with_dim(), lambda d, x: x.softmax(d), True),
    "log_softmax": (with_dim(), lambda d, x: x.log_softmax(d), True),
    "reshape": (no_dim(unary()), lambda d, x: x.reshape(-1), True),
    "unsqueeze_squeeze": (with_dim(), lambda d, x: x.unsqueeze(d).squeeze(), True),
    "transpose": (with_dim(), lambda d, x: x.transpose(0, d) * x.transpose(0, d), True),
    "permute": (no_dim(unary()), lambda d, x: x.permute(*reversed(range(x.ndim))).exp(), True),
    "expand": (no_dim(unary()), lambda d, x: x.expand((2,) + x.shape) ** 2, True),
    "getitem": (with_dim(), lambda d, x: x[..., :1] * x[0] + x[[0, -1, 0]].sum(), True),
    "getitem_mask": (no_dim(unary(NONZERO, min_dims=1)), lambda d, x: x[x > 0] ** 2, True),
    "setitem": (no_dim(binary()), lambda d, x, y: _assigned(x * 1, y), True),
    "in_place_on_view": (no_dim(unary(min_dims=1)), lambda d, x: _row_scaled(x), True),
    "scatter": (no_dim(matrices(2)), lambda d, x, s: _scatter_first_column(x, s, x.scatter) ** 2,
                True),
    "scatter_value": (no_dim(unary(min_dims=1)), lambda d, x: x.scatter(
        0, lab.zeros((1,) + x.shape[1:], dtype=lab.int64), 2.0) ** 2, True),
    "scatter_add": (no_dim(matrices(2)),
                    lambda d, x, s: _scatter_first_column(x, s, x.scatter_add) ** 2, True),
    "index_add": (with_dim(), lambda d, x: x.index_add(d, lab.tensor([0] * x.shape[d]),
                                                       x.exp(), alpha=0.5) ** 2, True),
    "index_fill": (with_dim(), lambda d, x: x.index_fill(d, lab.tensor([-1]), x.sum()) ** 2,
                   True),
    "masked_select": (no_dim(unary(NONZERO, min_dims=1)),
                      lambda d, x: x.masked_select(x > 0) ** 2, True),
    "take": (no_dim(unary()), lambda d, x: x.take(lab.tensor([[0, -1], [0, 0]])) ** 2, True),
    "diag": (no_dim(matrices(1)), lambda d, x: x.diag(-1).diag() ** 2, True),
    "trace": (no_dim(matrices(1)), lambda d, x: (x * x).trace(), True),
    "cat": (joinable(), lambda d, *xs: lab.cat(xs, d) ** 2, True),
    "stack": (no_dim(binary().filter(lambda a: a[0].shape == a[1].shape)),
              lambda d, x, y: lab.stack([x, y, x], -1) ** 2, True),
    "clone": (no_dim(unary()), lambda d, x: x.clone() * x, True),
    # nn.functional
    "leaky_relu": (no_dim(unary(NONZERO)), lambda d, x: F.leaky_relu(x, 0.2), False),
    "elu": (no_dim(unary(NONZERO)), lambda d, x: F.elu(x, 0.7), True),
    "celu": (no_dim(unary(NONZERO)), lambda d, x: F.celu(x, 0.7), True),
    "selu": (no_dim(unary(NONZERO)), lambda d, x: F.selu(x), True),
    "mish": (no_dim(unary()), lambda d, x: F.mish(x), True),
    "hardsigmoid": (no_dim(unary(OFF_BOUNDS)), lambda d, x: F.hardsigmoid(6 * x),
                    False),  # (no second derivative, as PyTorch's)
    "hardswish": (no_dim(unary(OFF_BOUNDS)), lambda d, x: F.hardswish(6 * x), True),
    "gelu": (no_dim(unary()), lambda d, x: F.gelu(x), True),
    "gelu_tanh": (no_dim(unary()), lambda d, x: F.gelu(x, approximate="tanh"), True),
    "silu": (no_dim(unary()), lambda d, x: F.silu(x), True),
    "softplus": (no_dim(unary()), lambda d, x: F.softplus(x, 2.0), True),
    "hardtanh": (no_dim(unary(OFF_BOUNDS)), lambda d, x: F.hardtanh(x, -0.5, 0.5), False),
    "relu6": (no_dim(unary(OFF_BOUNDS)), lambda d, x: F.relu6(6 * x + 3), False),
    "logsigmoid": (no_dim(unary()), lambda d, x: F.logsigmoid(x), True),
    "softmin": (with_dim(), lambda d, x: F.softmin(x, d), True),
    "normalize": (with_dim(NONZERO), lambda d, x: F.normalize(x, dim=d), True),
    "cosine_similarity": (with_dim(NONZERO), lambda d, x: F.cosine_similarity(x, x.exp(), d),
                          True),
    "layer_norm": (no_dim(unary(GRID, unique=True, min_dims=1)),
                   lambda d, x: _layer_normed(x), True),
    "smooth_l1_loss": (no_dim(binary().filter(lambda a: a[0].shape == a[1].shape)),
                       lambda d, x, y: F.smooth_l1_loss(x, y, reduction="none", beta=0.5), False),
    "huber_loss": (no_dim(binary().filter(lambda a: a[0].shape == a[1].shape)),
                   lambda d, x, y: F.huber_loss(x, y, delta=0.5), False),
    "kl_div": (no_dim(binary(ANY, POSITIVE).filter(lambda a: a[0].shape == a[1].shape)),
               lambda d, x, y: F.kl_div(x, y, reduction="batchmean"), True),
    "kl_div_log_target": (no_dim(binary().filter(lambda a: a[0].shape == a[1].shape)),
                          lambda d, x, y: F.kl_div(x, y, reduction="sum", log_target=True), True),
    "embedding": (no_dim(unary(min_dims=2)),
                  lambda d, w: F.embedding(lab.tensor([[0, -1], [0, 0]]) % w.shape[0],
                                           w.reshape(w.shape[0], -1)) ** 2,
                  True),
    "conv1d": (conv_operands(1), lambda d, x, w, b: F.conv1d(x, w, b, *d), True),
    "conv2d": (conv_operands(2), lambda d, x, w, b: F.conv2d(x, w, b, *d), True),
    "max_pool2d": (no_dim(images(GRID, unique=True)),
                   lambda d, x: F.max_pool2d(x, 2, 1, 1, ceil_mode=True) ** 2, True),
    "avg_pool2d": (no_dim(images()), lambda d, x: F.avg_pool2d(
        x, (2, 1), 2, (1, 0), ceil_mode=True, count_include_pad=False) ** 2, True),
    "adaptive_avg_pool2d": (no_dim(images()), lambda d, x: F.adaptive_avg_pool2d(x, (3, 2)) ** 2,
                            True),
    "pad": (no_dim(unary(min_dims=2)), lambda d, x: F.pad(x, (1, -1, 2, 0), value=0.5) ** 2,
            True),
    "narrow": (with_dim(min_side=2), lambda d, x: x.narrow(d, 1, 1) * x.narrow(d, 0, 2).sum(),
               True),
    "select": (with_dim(), lambda d, x: x.select(d, -1) ** 2, True),
    "movedim": (with_dim(), lambda d, x: x.movedim(d, 0) ** 2, True),
    "unflatten": (with_dim(), lambda d, x: x.unflatten(d, (1, -1)) ** 2, True),
    "adjoint": (no_dim(unary(min_dims=2)), lambda d, x: x.adjoint() * x.adjoint(), True),
    "broadcast_tensors": (no_dim(binary()),
                          lambda d, x, y: lab.stack(lab.broadcast_tensors(x, y)) ** 2, True),
    "meshgrid": (no_dim(binary().filter(lambda a: a[0].ndim <= 1 and a[1].ndim <= 1)),
                 lambda d, x, y: lab.stack(lab.meshgrid(x, y, indexing="xy")) ** 3, True),
    "tile": (no_dim(unary()), lambda d, x: x.tile(2, 1) ** 2, True),
    "repeat_interleave": (with_dim(), lambda d, x: x.repeat_interleave(2, d) ** 2, True),
    "repeat_interleave_counts": (no_dim(unary(min_dims=1)), lambda d, x: x.repeat_interleave(
        lab.tensor([2] + [0] * (x.shape[0] - 1)), dim=0) ** 2, True),
}


def _assigned(x, y):
    """x with its first element set from y (CopySlices): both get gradients."""
    x[(0,) * x.ndim] = y.sum()
    return x


def _scatter_first_column(x, s, op):
    """op(1, index, s): s's first column written (or added) to column 0 of x's first rows."""
    rows = min(x.shape[0], s.shape[0])
    return op(1, lab.zeros(rows, 1, dtype=lab.int64), s)


def _row_scaled(x):
    """x * 1 with its first row multiplied in place (through a view) by exp of that row."""
    z = x * 1
    z[0].mul_(x[0].exp())
    return z * z


def _layer_normed(x):
    """layer_norm over the last dim, with a weight and a bias that are functions of x too."""
    row = x.reshape(-1, x.shape[-1])[0]
    return F.layer_norm(x, x.shape[-1:], row.exp(), row.sin())


def _leaves(arrs):
    return [lab.tensor(a.copy(), requires_grad=True) for a in arrs]


def _weight(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize("name", OPS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_gradient_matches_finite_differences(name, data):
    strategy, fn, _ = OPS[name]
    arrs, dim = data.draw(strategy)
    xs = _leaves(arrs)
    y = fn(dim, *xs)
    w = _weight(tuple(y.shape))
    y.backward(lab.tensor(w))
    numeric = numeric_vjp(values_of(lambda *ts: fn(dim, *ts)), [a.copy() for a in arrs], w)
    for x, n in zip(xs, numeric):
        assert x.grad.dtype == lab.float64
        np.testing.assert_allclose(x.grad._data, n, rtol=1e-5, atol=1e-6)


def _directional_first_grad(fn, dim, arrs, w, vs, create_graph):
    """sum_i <d<w, fn(xs)>/dx_i, v_i>, and the leaves it was computed from."""
    xs = _leaves(arrs)
    y = fn(dim, *xs)
    gs = lab.autograd.grad((y * lab.tensor(w)).sum(), xs, create_graph=create_graph,
                           allow_unused=True, materialize_grads=True)
    return sum((g * lab.tensor(v)).sum() for g, v in zip(gs, vs)), xs


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op[2]])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_second_order_matches_finite_differences_of_the_gradient(name, data):
    strategy, fn, _ = OPS[name]
    arrs, dim = data.draw(strategy)
    with lab.no_grad():
        w = _weight(tuple(fn(dim, *[lab.tensor(a) for a in arrs]).shape))
    vs = [_weight(a.shape, seed=i + 1) for i, a in enumerate(arrs)]
    total, xs = _directional_first_grad(fn, dim, arrs, w, vs, create_graph=True)
    if not total.requires_grad:  # the first derivative is constant: the second is zero
        return
    total.backward()

    def first(*values):
        return np.asarray(_directional_first_grad(fn, dim, values, w, vs, False)[0].item())
    numeric = numeric_vjp(first, [a.copy() for a in arrs], 1.0, eps=1e-5)
    for x, n in zip(xs, numeric):
        got = np.zeros_like(n) if x.grad is None else x.grad._data
        np.testing.assert_allclose(got, n, rtol=1e-4, atol=1e-5)


def test_hessian_of_cubic_sum():
    x = lab.tensor([1.0, -2.0, 0.5], dtype=lab.float64)
    h = lab.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
    np.testing.assert_allclose(h._data, np.diag(6 * x._data))
