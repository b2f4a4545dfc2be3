"""The activations, norms, embedding and losses learners reach for after the MLP tutorials,
against PyTorch: values, gradients (float64 and float32), grad_fn graphs, signs of zeros at the
edge points, errors, module reprs and the containers."""
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import assert_matches_torch, backward_both
from nn_helpers import compare_with_torch, on_both, outcome, same_outcome, tensors

rng = np.random.default_rng(0)
TOL = {np.float64: (1e-10, 1e-12), np.float32: (2e-5, 2e-6)}
DTYPES = [np.float64, np.float32]

# the kinks and thresholds of the functions below, both zeros, and far-out values
EDGES = np.array([-30, -7, -2, -1, -0.5, -1e-8, -0.0, 0.0, 1e-8, 0.5, 1, 2, 6, 7, 20, 30])


def arr(*shape, dtype=np.float64, low=-3.0, high=3.0):
    return rng.uniform(low, high, shape).astype(dtype)


def compare(fn, specs, dtype=np.float64, **kw):
    rtol, atol = TOL[dtype]
    return compare_with_torch(fn, [(a.astype(dtype), g) for a, g in specs], rtol, atol, **kw)


def compare_signed(fn, specs, g):
    """fn on both libraries, then backward with upstream g: values and gradients equal, zeros
    with the same sign."""
    torch = pytest.importorskip("torch")
    ours_in, theirs_in = tensors(lab, specs), tensors(torch, specs)
    ours, theirs = fn(lab, *ours_in), fn(torch, *theirs_in)
    assert_matches_torch(ours, theirs, 1e-12, 1e-15)
    backward_both(ours, theirs, ours_in, theirs_in, g,
                  lambda a, b: assert_matches_torch(a, b, 1e-12, 1e-15))


# ---- activations ----------------------------------------------------------------------------
ACTIVATIONS = {
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "leaky_relu_default": lambda F, x: F.leaky_relu(x),
    "leaky_relu_negative_slope": lambda F, x: F.leaky_relu(x, -0.3),
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, -0.5),
    "celu": lambda F, x: F.celu(x),
    "celu_alpha": lambda F, x: F.celu(x, 0.4),
    "celu_negative_alpha": lambda F, x: F.celu(x, -1.5),
    "selu": lambda F, x: F.selu(x),
    "mish": lambda F, x: F.mish(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta_threshold": lambda F, x: F.softplus(x, 2.0, 1.0),  # 2x == 1 at x = 0.5
    "softplus_negative_beta": lambda F, x: F.softplus(x, -1.5),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_bounds": lambda F, x: F.hardtanh(x, -2, 6),
    "relu6": lambda F, x: F.relu6(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softmin": lambda F, x: F.softmin(x, 0),
    "leaky_relu_": lambda F, x: F.leaky_relu(x * 1, 0.2, inplace=True),
    "elu_": lambda F, x: F.elu(x * 1, 0.5, inplace=True),
    "celu_": lambda F, x: F.celu(x * 1, 2.0, inplace=True),
    "selu_": lambda F, x: F.selu(x * 1, inplace=True),
    "mish_": lambda F, x: F.mish(x * 1, inplace=True),
    "hardsigmoid_": lambda F, x: F.hardsigmoid(x * 1, inplace=True),
    "hardswish_": lambda F, x: F.hardswish(x * 1, inplace=True),
    "silu_": lambda F, x: F.silu(x * 1, inplace=True),
    "hardtanh_": lambda F, x: F.hardtanh(x * 1, inplace=True),
    "relu6_": lambda F, x: F.relu6(x * 1, True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_gradients_and_graph(name, dtype):
    fn = ACTIVATIONS[name]
    compare(lambda lib, x: fn(lib.nn.functional, x), [(arr(3, 5, dtype=dtype), True)], dtype)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_edge_points_and_signs_of_zeros(name):
    fn = ACTIVATIONS[name]
    g = np.where(np.arange(EDGES.size) % 2, -1.0, 1.0)
    compare_signed(lambda lib, x: fn(lib.nn.functional, x), [(EDGES, True)], g)
    compare_signed(lambda lib, x: fn(lib.nn.functional, x), [(EDGES, True)], -g)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "elu", "softplus", "logsigmoid",
                                  "leaky_relu", "celu", "selu", "mish", "hardsigmoid",
                                  "hardswish"])
def test_activation_nan_passes_through(name):
    x = np.array([np.nan, 1.0, -1.0])
    compare(lambda lib, t: ACTIVATIONS[name](lib.nn.functional, t), [(x, True)])


@pytest.mark.parametrize("fn", [lambda F, x: F.hardtanh(x, -1.5, 1.5), lambda F, x: F.relu6(x)])
def test_hardtanh_keeps_integer_dtypes(fn):
    same_outcome(lambda lib: fn(lib.nn.functional, lib.tensor([-3, 1, 2, 9])))


@pytest.mark.parametrize("fn", [
    lambda F, x: F.leaky_relu(x * 1, -0.2, inplace=True),
    lambda F, x: F.elu(x * 1, -0.5, inplace=True),
    lambda F, x: F.celu(x * 1, -0.5, inplace=True)])
def test_inplace_with_negative_slope_refuses_backward(fn):
    def backward(lib):
        x = lib.tensor([-1.0, 2.0], requires_grad=True)
        return fn(lib.nn.functional, x).sum().backward()
    assert same_outcome(backward)[0] == "RuntimeError"


def test_inplace_activation_overwrites_its_input():
    x = lab.tensor([-1.0, 0.5, 3.0])
    out = lab.nn.functional.hardtanh(x, inplace=True)
    assert out is x and x.tolist() == [-1.0, 0.5, 1.0]
    leaf = lab.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        lab.nn.functional.silu(leaf, inplace=True)


ACTIVATION_ERRORS = [
    lambda F, t: F.leaky_relu(t.tensor([1, 2])),
    lambda F, t: F.leaky_relu(t.tensor([True])),
    lambda F, t: F.elu(t.tensor([1, 2])),
    lambda F, t: F.gelu(t.tensor([1, 2])),
    lambda F, t: F.gelu(t.ones(2), approximate="foo"),
    lambda F, t: F.gelu(t.ones(2), approximate=None),
    lambda F, t: F.silu(t.tensor([1, 2])),
    lambda F, t: F.celu(t.tensor([1, 2])),
    lambda F, t: F.celu(t.ones(2), 0.0),
    lambda F, t: F.selu(t.tensor([1, 2])),
    lambda F, t: F.mish(t.tensor([1, 2])),
    lambda F, t: F.hardsigmoid(t.tensor([1, 2])),
    lambda F, t: F.hardswish(t.tensor([True])),
    lambda F, t: F.softplus(t.tensor([1, 2])),
    lambda F, t: F.hardtanh(t.ones(2), 2, 1),
    lambda F, t: F.relu6(t.tensor([True])),
    lambda F, t: F.logsigmoid(t.tensor([1, 2])),
]


@pytest.mark.parametrize("fn", ACTIVATION_ERRORS)
def test_activation_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


def test_softmin_without_dim_warns_as_pytorch():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.softmin(lib.tensor([[1.0, 2.0], [0.5, -1.0]]))
        return repr(out), [str(w.message) for w in caught]
    same_outcome(run)


def test_softmin_dtype():
    compare(lambda lib, x: lib.nn.functional.softmin(x, 1, dtype=lib.float64),
            [(arr(2, 3, dtype=np.float32), True)], np.float64)


# ---- normalize, cosine_similarity ----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"p": 1.0}, {"p": 3, "dim": -1}])
def test_normalize(kwargs, dtype):
    x = arr(3, 4)
    x[1] = 0  # a zero row: the eps floor
    compare(lambda lib, t: lib.nn.functional.normalize(t, **kwargs), [(x, True)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes, dim", [(((3, 4), (3, 4)), 1), (((3, 4), (3, 4)), 0),
                                         (((3, 4), (1, 4)), 1), (((4,), (2, 4)), -1)])
def test_cosine_similarity(shapes, dim, dtype):
    a, b = arr(*shapes[0]), arr(*shapes[1])
    a[0] = 0  # a zero vector: the eps floor, with the norm's gradient as PyTorch passes it
    compare(lambda lib, x, y: lib.nn.functional.cosine_similarity(x, y, dim),
            [(a, True), (b, True)], dtype)


def test_cosine_similarity_of_tiny_vectors_gets_gradient_through_the_clamped_norm():
    compare(lambda lib, x, y: lib.nn.functional.cosine_similarity(x, y, 0, eps=0.5),
            [(np.array([0.1, 0.2]), True), (np.array([0.3, -0.1]), True)])


def test_cosine_similarity_of_integers_promotes():
    compare(lambda lib, x, y: lib.nn.functional.cosine_similarity(x, y.long(), 0),
            [(arr(4), True), (np.array([1.0, 2, 0, 3]), False)])


# ---- layer_norm -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized", [((3, 4), (4,)), ((2, 3, 4), [3, 4]),
                                               ((5,), (5,)), ((4, 3), (3,))])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm(shape, normalized, affine, dtype):
    specs = [(arr(*shape), True)]
    if affine != "none":
        specs += [(arr(*normalized), True)] * (1 if affine == "weight" else 2)
    compare(lambda lib, x, *wb: lib.nn.functional.layer_norm(x, normalized, *wb, eps=1e-3),
            specs, dtype)


def test_layer_norm_with_bias_only():
    compare(lambda lib, x, b: lib.nn.functional.layer_norm(x, (4,), None, b),
            [(arr(3, 4), False), (arr(4), True)])


@pytest.mark.parametrize("with_params", [False, True])
def test_layer_norm_second_order(with_params):
    inputs = [lab.tensor(arr(3, 4), requires_grad=True)]
    if with_params:
        inputs += [lab.tensor(arr(4), requires_grad=True), lab.tensor(arr(4), requires_grad=True)]
    assert lab.autograd.gradgradcheck(
        lambda x, *wb: lab.nn.functional.layer_norm(x, (4,), *wb), inputs)


LAYER_NORM_ERRORS = [
    lambda F, t: F.layer_norm(t.ones(5), (4,)),
    lambda F, t: F.layer_norm(t.ones(2, 5), 5),
    lambda F, t: F.layer_norm(t.ones(5), []),
    lambda F, t: F.layer_norm(t.ones(5), [5], t.ones(4)),
    lambda F, t: F.layer_norm(t.ones(5), [5], None, t.ones(4)),
    lambda F, t: F.layer_norm(t.tensor([1, 2, 3]), [3]),
    lambda F, t: F.layer_norm(t.ones(5), [5], t.ones(5, dtype=t.float64)),
    lambda F, t: F.layer_norm(t.ones(5, dtype=t.float64), [5], t.ones(5)),
]


@pytest.mark.parametrize("fn", LAYER_NORM_ERRORS)
def test_layer_norm_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


# ---- embedding, one_hot ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 2, "scale_grad_by_freq": True}])
def test_embedding(kwargs, dtype):
    ix = np.array([[0, 2, 2], [4, 0, 1]])
    out = compare(lambda lib, w: lib.nn.functional.embedding(lib.tensor(ix), w, **kwargs),
                  [(arr(5, 3), True)], dtype)
    assert out.grad_fn.name() == "EmbeddingBackward0"


def test_embedding_padding_row_gets_zero_gradient():
    w = lab.tensor(arr(4, 2), requires_grad=True)
    out = lab.nn.functional.embedding(lab.tensor([1, 3, 1, 0]), w, padding_idx=1)
    (out * -1).sum().backward()
    assert w.grad[1].tolist() == [0.0, 0.0] and not np.signbit(w.grad._data[1]).any()
    assert w.grad[2].tolist() == [0.0, 0.0] and w.grad[3].tolist() == [-1.0, -1.0]


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm_renormalises_the_looked_up_rows_in_place(norm_type):
    torch = pytest.importorskip("torch")
    w0 = arr(5, 3)
    ix = [3, 0, 3]
    results = []
    for lib in (lab, torch):
        w = lib.tensor(w0.copy(), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(ix), w, max_norm=1.5, norm_type=norm_type)
        out.sum().backward()
        results.append((w.detach().numpy().copy(), out.detach().numpy(), w.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_embedding_int32_indices_and_no_grad_weight():
    same_outcome(lambda lib: lib.nn.functional.embedding(
        lib.tensor([0, 1], dtype=lib.int32), lib.ones(3, 2)))


EMBEDDING_ERRORS = [
    lambda F, t: F.embedding(t.tensor([0, 5]), t.ones(3, 2)),
    lambda F, t: F.embedding(t.tensor([0, -1]), t.ones(3, 2)),
    lambda F, t: F.embedding(t.tensor([0.0, 1.0]), t.ones(3, 2)),
    lambda F, t: F.embedding(t.tensor([0, 1]), t.ones(3)),
    lambda F, t: F.embedding(t.tensor([0, 1]), t.ones(3, 2), padding_idx=3),
    lambda F, t: F.embedding(t.tensor([0, 1]), t.ones(3, 2), padding_idx=-4),
]


@pytest.mark.parametrize("fn", EMBEDDING_ERRORS)
def test_embedding_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


ONE_HOT = [
    lambda F, t: F.one_hot(t.tensor([0, 2])),
    lambda F, t: F.one_hot(t.tensor([[0, 2], [1, 1]]), 5),
    lambda F, t: F.one_hot(t.tensor(2), 3),
    lambda F, t: F.one_hot(t.tensor([], dtype=t.int64), 3),
    lambda F, t: F.one_hot(t.tensor([0, 2]), 2),
    lambda F, t: F.one_hot(t.tensor([1]), -2),
    lambda F, t: F.one_hot(t.tensor([0, -1])),
    lambda F, t: F.one_hot(t.tensor([0.0, 1.0])),
    lambda F, t: F.one_hot(t.tensor([0, 1], dtype=t.int32)),
    lambda F, t: F.one_hot(t.tensor([], dtype=t.int64)),
    lambda F, t: F.one_hot(t.tensor([], dtype=t.int64), 0),
    lambda F, t: F.one_hot(t.tensor([], dtype=t.int64), -2),
    lambda F, t: F.one_hot([1]),
]


@pytest.mark.parametrize("fn", ONE_HOT)
def test_one_hot(fn):
    same_outcome(lambda lib: fn(lib.nn.functional, lib))


# ---- losses ---------------------------------------------------------------------------------
def _with_edges(shape=(3, 4), width=0.5):
    """(input, target) whose differences include 0, ±width exactly, and values beyond."""
    x, t = arr(*shape), arr(*shape)
    x.flat[:4] = t.flat[:4] + np.array([0.0, width, -width, 2 * width])
    return x, t


LOSSES = {
    "smooth_l1": lambda F, x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.5),
    "smooth_l1_default": lambda F, x, t, r: F.smooth_l1_loss(x, t, reduction=r),
    "smooth_l1_beta0": lambda F, x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.0),
    "huber": lambda F, x, t, r: F.huber_loss(x, t, reduction=r, delta=0.5),
    "huber_weighted": lambda F, x, t, r: F.huber_loss(x, t, r, 0.5, weight=x.detach().abs()),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", LOSSES)
def test_difference_losses(name, reduction, dtype):
    x, t = _with_edges()
    fn = LOSSES[name]
    compare(lambda lib, a, b: fn(lib.nn.functional, a, b, reduction), [(x, True), (t, True)],
            dtype)


@pytest.mark.parametrize("name", ["smooth_l1", "huber"])
def test_difference_losses_signs_at_the_edges(name):
    x, t = _with_edges(width=0.5)
    fn = LOSSES[name]
    compare_signed(lambda lib, a, b: fn(lib.nn.functional, a, b, "none"),
                   [(x, True), (t, True)], -np.ones(x.shape))


@pytest.mark.parametrize("fn", [
    lambda F, x, t: F.smooth_l1_loss(x, t.double()), lambda F, x, t: F.huber_loss(x, t.double()),
    lambda F, x, t: F.huber_loss(x.double(), t)])
def test_difference_losses_mixed_dtypes(fn):
    """The result dtype (PyTorch's backward refuses mixed dtypes: values only)."""
    compare(lambda lib, a, b: fn(lib.nn.functional, a, b),
            [(arr(4, dtype=np.float32), False), (arr(4, dtype=np.float32), False)], np.float32)


def test_smooth_l1_broadcast_warns_as_pytorch():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.smooth_l1_loss(lib.tensor([1.0, 2.0, 4.0]),
                                                   lib.tensor([1.5]))
        return repr(out), [str(w.message) for w in caught]
    same_outcome(run)


KL_CASES = {
    "batchmean": lambda F, x, t: F.kl_div(x, t, reduction="batchmean"),
    "sum": lambda F, x, t: F.kl_div(x, t, reduction="sum"),
    "none": lambda F, x, t: F.kl_div(x, t, reduction="none"),
    "mean": lambda F, x, t: F.kl_div(x, t),
    "log_target_batchmean": lambda F, x, t: F.kl_div(x, t.log(), reduction="batchmean",
                                                     log_target=True),
    "log_target_none": lambda F, x, t: F.kl_div(x, t.log(), reduction="none", log_target=True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("target_grad", [False, True])
@pytest.mark.parametrize("name", KL_CASES)
def test_kl_div(name, target_grad, dtype):
    logp = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    target = np.array([[0.0, 0.4, 0.6], [0.3, 0.3, 0.4]])  # a 0 target: xlogy's 0
    if name.startswith("log_target"):
        target[0, 0] = 0.25
    fn = KL_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x, t: fn(lib.nn.functional, x, t), [(logp, True), (target, target_grad)],
                dtype)


def test_kl_div_warnings_and_scalar_batchmean():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            F = lib.nn.functional
            out = [F.kl_div(lib.tensor([-1.0, -2.0]), lib.tensor([0.5, 0.5])),
                   F.kl_div(lib.tensor(-1.0), lib.tensor(0.5), reduction="batchmean"),
                   F.kl_div(lib.tensor([-1.0]), lib.tensor([0.5]), size_average=False)]
        return repr(out), [str(w.message) for w in caught]
    same_outcome(run)


LOSS_ERRORS = [
    lambda F, t: F.smooth_l1_loss(t.ones(2), t.ones(2), beta=-1),
    lambda F, t: F.smooth_l1_loss(t.tensor([1, 2]), t.tensor([1, 2])),
    lambda F, t: F.smooth_l1_loss(t.ones(2), t.ones(2), reduction="foo"),
    lambda F, t: F.huber_loss(t.ones(2), t.ones(2), delta=0),
    lambda F, t: F.huber_loss(t.tensor([1, 2]), t.tensor([1, 2])),
    lambda F, t: F.huber_loss(t.ones(2), t.ones(2), reduction="foo"),
    lambda F, t: F.huber_loss(t.ones(2), t.ones(2), weight=t.ones(3)),
    lambda F, t: F.kl_div(t.ones(2), t.ones(2), reduction="foo"),
    lambda F, t: F.kl_div(t.tensor([1, 2]), t.ones(2), reduction="sum"),
    lambda F, t: F.kl_div(t.ones(5), t.ones(2), reduction="sum"),
    lambda F, t: F.cosine_similarity(t.tensor([1, 2]), t.tensor([1, 2]), 0),
    lambda F, t: F.cosine_similarity(t.ones(5), t.ones(2), 0),
    lambda F, t: F.cosine_similarity(t.ones(5), t.ones(5)),
    lambda F, t: F.normalize(t.ones(5)),
    lambda F, t: F.normalize(t.tensor([1, 2]), dim=0),
]


@pytest.mark.parametrize("fn", LOSS_ERRORS)
def test_loss_and_similarity_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


# ---- modules --------------------------------------------------------------------------------
MODULES = [
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.ELU(),
    lambda nn: nn.ELU(alpha=0.5, inplace=True), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"),
    lambda nn: nn.SiLU(), lambda nn: nn.SiLU(True), lambda nn: nn.CELU(),
    lambda nn: nn.CELU(2.0, True), lambda nn: nn.SELU(), lambda nn: nn.SELU(True),
    lambda nn: nn.Mish(), lambda nn: nn.Mish(True), lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardsigmoid(True), lambda nn: nn.Hardswish(), lambda nn: nn.Hardswish(True),
    lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(2, 10), lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 2, True),
    lambda nn: nn.ReLU6(), lambda nn: nn.ReLU6(True), lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Softmin(), lambda nn: nn.Softmin(1), lambda nn: nn.SmoothL1Loss(beta=0.5),
    lambda nn: nn.HuberLoss(), lambda nn: nn.KLDivLoss(reduction="batchmean"),
    lambda nn: nn.LayerNorm(4), lambda nn: nn.LayerNorm((2, 3), elementwise_affine=False),
    lambda nn: nn.LayerNorm([4], bias=False), lambda nn: nn.Embedding(10, 3),
    lambda nn: nn.Embedding(10, 3, padding_idx=-1),
    lambda nn: nn.Embedding(10, 3, 0, 1.0, 1.0, True, True),
    lambda nn: nn.Unflatten(1, (2, 3)), lambda nn: nn.Unflatten(1, [2, -1]),
    lambda nn: nn.Hardtanh(1, 1), lambda nn: nn.HuberLoss(delta="a"),
    lambda nn: nn.Embedding(10, 3, padding_idx=10), lambda nn: nn.Unflatten(1, 2),
    lambda nn: nn.Unflatten(1, (2, 3.0)),
    lambda nn: nn.Sequential(nn.Linear(2, 4), nn.LayerNorm(4), nn.GELU(), nn.Dropout(0.1)),
]


@pytest.mark.parametrize("make", MODULES)
def test_module_reprs_and_constructor_errors(make):
    same_outcome(lambda lib: make(lib.nn))


def test_hardtanh_deprecated_keywords_warn():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = lib.nn.Hardtanh(min_value=-2.0, max_value=3.0)
        return repr(m), [(w.category.__name__, str(w.message)) for w in caught]
    same_outcome(run)


ACTIVATION_MODULES = {
    "LeakyReLU": ((0.1,), "leaky_relu"), "ELU": ((0.7,), "elu"), "GELU": (("tanh",), "gelu"),
    "SiLU": ((), "silu"), "Softplus": ((2.0, 1.0), "softplus"),
    "Hardtanh": ((-0.5, 0.5), "hardtanh"), "ReLU6": ((), "relu6"),
    "LogSigmoid": ((), "logsigmoid"), "Softmin": ((1,), "softmin"), "CELU": ((0.6,), "celu"),
    "SELU": ((), "selu"), "Mish": ((), "mish"), "Hardsigmoid": ((), "hardsigmoid"),
    "Hardswish": ((), "hardswish"),
}


@pytest.mark.parametrize("name", ACTIVATION_MODULES)
def test_activation_modules_call_their_functions(name):
    args, _ = ACTIVATION_MODULES[name]
    compare(lambda lib, x: getattr(lib.nn, name)(*args)(x), [(arr(3, 4), True)])


@pytest.mark.parametrize("make, args", [
    (lambda nn: nn.SmoothL1Loss(beta=0.5), ()), (lambda nn: nn.HuberLoss("sum", 0.7), ()),
    (lambda nn: nn.KLDivLoss(reduction="batchmean"), ("softmax",)),
    (lambda nn: nn.KLDivLoss(reduction="sum", log_target=True), ("log_softmax",))])
def test_loss_modules(make, args):
    def fn(lib, x, t):
        target = getattr(t, args[0])(1) if args else t
        return make(lib.nn)(x, target)
    compare(fn, [(arr(3, 4), True), (arr(3, 4), True)])


def test_layer_norm_module_parameters_and_init():
    m = lab.nn.LayerNorm((2, 3))
    assert list(m.state_dict()) == ["weight", "bias"]
    assert m.weight.tolist() == [[1.0] * 3] * 2 and m.bias.tolist() == [[0.0] * 3] * 2
    assert [n for n, _ in lab.nn.LayerNorm(3, elementwise_affine=False).named_parameters()] == []
    assert list(lab.nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]
    assert lab.nn.LayerNorm(3, dtype=lab.float64).weight.dtype == lab.float64
    compare(lambda lib, x: lib.nn.LayerNorm(4)(x), [(arr(2, 4), True)], np.float32)


def test_embedding_module_parameters_and_init():
    lab.manual_seed(0)
    m = lab.nn.Embedding(50, 4, padding_idx=3)
    assert list(m.state_dict()) == ["weight"] and m.weight.requires_grad
    w = m.weight.detach().numpy()
    assert (w[3] == 0).all() and not np.signbit(w[3]).any()
    assert abs(np.delete(w, 3, 0).std() - 1) < 0.25  # N(0, 1)
    out = m(lab.tensor([[3, 1], [0, 3]]))
    assert out.shape == (2, 2, 4) and out.grad_fn.name() == "EmbeddingBackward0"
    frozen = lab.nn.Embedding.from_pretrained(lab.ones(2, 3))
    assert repr(frozen) == "Embedding(2, 3)" and not frozen.weight.requires_grad
    assert lab.nn.Embedding.from_pretrained(lab.ones(2, 3), freeze=False).weight.requires_grad


def test_unflatten_records_a_view():
    def run(lib):
        x = lib.ones(4, 6, requires_grad=True)
        out = lib.nn.Unflatten(-1, (2, -1))(x)
        return out.shape, out.grad_fn.name()
    assert same_outcome(run)[0] == "ok"
    assert same_outcome(lambda lib: lib.nn.Unflatten(1, (2, 2))(lib.ones(4, 6)))[0] != "ok"


# ---- containers -----------------------------------------------------------------------------
CONTAINERS = [
    lambda nn, t: nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(2, 3)}),
    lambda nn, t: nn.ModuleDict(),
    lambda nn, t: nn.ModuleDict([("a", nn.ReLU()), ("b", nn.Tanh())]),
    lambda nn, t: nn.ModuleDict(3),
    lambda nn, t: nn.ModuleDict([1]),
    lambda nn, t: nn.ModuleDict([(1, 2, 3)]),
    lambda nn, t: nn.ModuleDict({"a": 3}),
    lambda nn, t: nn.ModuleDict({"a.b": nn.ReLU()}),
    lambda nn, t: nn.ModuleDict({"a": nn.ReLU()})(1),
    lambda nn, t: nn.ParameterList([nn.Parameter(t.ones(2, 3)), t.zeros(4, dtype=t.float64)]),
    lambda nn, t: nn.ParameterList(),
    lambda nn, t: nn.ParameterList([1, "a"]),
    lambda nn, t: nn.ParameterList([t.ones(2)])[3],
    lambda nn, t: nn.ParameterList([t.ones(2)])(1),
    lambda nn, t: nn.ParameterList(t.ones(2)),
    lambda nn, t: nn.ParameterList([t.ones(1), t.ones(2), t.ones(3)])[1:],
    lambda nn, t: nn.ParameterDict({"b": nn.Parameter(t.ones(2, 3)), "a": t.zeros(4)}),
    lambda nn, t: nn.ParameterDict([("b", t.ones(1)), ("a", 2)]),
    lambda nn, t: nn.ParameterDict(),
    lambda nn, t: nn.ParameterDict({"a": t.zeros(4)})(1),
    lambda nn, t: nn.ParameterDict({"a": t.zeros(4)})[1],
    lambda nn, t: nn.ParameterDict({"a": t.zeros(4)}) | nn.ParameterDict({"c": t.ones(1)}),
]


@pytest.mark.parametrize("make", CONTAINERS)
def test_container_reprs_and_errors(make):
    same_outcome(lambda lib: make(lib.nn, lib))


def test_module_dict_registers_its_modules():
    class Net(lab.nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = lab.nn.ModuleDict({"cls": lab.nn.Linear(2, 3)})
            self.heads["reg"] = lab.nn.Linear(2, 1)

    net = Net()
    assert list(net.state_dict()) == ["heads.cls.weight", "heads.cls.bias", "heads.reg.weight",
                                      "heads.reg.bias"]
    heads = net.heads
    assert list(heads) == ["cls", "reg"] and "reg" in heads and len(heads) == 2
    assert isinstance(heads.pop("cls"), lab.nn.Linear) and list(heads.keys()) == ["reg"]
    heads.update([("x", lab.nn.ReLU())])
    assert [k for k, _ in heads.items()] == ["reg", "x"]
    del heads["x"]
    heads.clear()
    assert len(heads) == 0 and list(net.parameters()) == []


def test_parameter_list_and_dict_register_their_tensors():
    plist = lab.nn.ParameterList([lab.ones(2), lab.zeros(3)])
    plist.append(lab.ones(1)).extend([lab.ones(4)])
    plist += [lab.ones(5)]
    assert [n for n, _ in plist.named_parameters()] == ["0", "1", "2", "3", "4"]
    assert all(isinstance(p, lab.nn.Parameter) for p in plist) and plist[-1].shape == (5,)
    plist[0] = lab.full((2,), 7.0)
    assert plist[0].tolist() == [7.0, 7.0] and isinstance(plist[0], lab.nn.Parameter)

    pdict = lab.nn.ParameterDict({"w": lab.ones(2)})
    pdict["b"] = lab.zeros(1)
    assert list(pdict.state_dict()) == ["w", "b"] and "b" in pdict and len(pdict) == 2
    assert pdict.setdefault("w") is pdict["w"] and pdict.get("z", 3) == 3
    assert pdict.popitem()[0] == "b" and list(pdict.keys()) == ["w"]
    copy = pdict.copy()
    assert copy["w"] is pdict["w"] and list(reversed(pdict)) == ["w"]
    pdict |= {"c": lab.ones(1)}
    assert list(pdict.values())[1].tolist() == [1.0] and list(pdict.fromkeys(["q"])) == ["q"]
    pdict.clear()
    assert len(pdict) == 0 and list(pdict.parameters()) == []


@pytest.mark.parametrize("call", [
    "F.relu(y, inplace=True)", "F.leaky_relu(y, 0.1, inplace=True)", "F.elu(y, inplace=True)",
    "F.silu(y, inplace=True)", "F.celu(y, inplace=True)",
])
def test_an_in_place_activation_whose_result_is_changed_again_refuses_backward(call):
    """The in-place forms go through the engine's in-place machinery: a rule that reads the
    result (or the saved input) notices a later in-place change instead of using it."""
    def run(T):
        x = T.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 1
        z = eval(call, {"F": T.nn.functional, "y": y})
        y.mul_(2)
        try:
            z.sum().backward()
        except RuntimeError as e:
            return "modified by an inplace operation" in str(e)
        return [round(v, 5) for v in x.grad.tolist()]  # (silu saves its input: PyTorch's copy)

    torch = pytest.importorskip("torch")
    assert run(lab) == run(torch)


@pytest.mark.parametrize("name, args", [
    ("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.7)),
    ("hardtanh_", (2.0, 1.0)), ("threshold_", (0.1, 3.0)), ("rrelu_", (0.1, 0.3)),
    ("celu_", (0.5,)), ("selu_", ()), ("rrelu_", (0.5, 0.1))])
def test_in_place_functionals_as_torch(name, args):
    """F.relu_ and co.: the activation written into its input (its in-place node), with
    PyTorch's gradient and errors (hardtanh_ takes min_val > max_val, as PyTorch's)."""
    def run(L):
        x = L.tensor([-1.5, -0.2, 0.0, 0.3, 2.0], dtype=L.float64, requires_grad=True)
        y = x * 1
        z = getattr(L.nn.functional, name)(y, *args)
        z.backward(L.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=L.float64))
        return z is y, repr(z), repr(x.grad)
    on_both(lambda L: outcome(run, L))
