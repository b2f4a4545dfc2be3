"""Bilinear, PReLU, RReLU, Threshold, GLU, Hardshrink, Softshrink, Softsign, Tanhshrink,
Softmax2d, the channel and alpha dropouts, CosineSimilarity and PairwiseDistance against PyTorch:
values, gradients and second derivatives, grad_fn graphs, reprs, warnings and errors."""
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import assert_matches_torch
from nn_helpers import (DTYPES, compare, grad_fn_names, on_both, outcome, same_outcome,
                        second_derivatives)

rng = np.random.default_rng(0)


def arr(*shape, dtype=np.float64, low=-3.0, high=3.0):
    return rng.uniform(low, high, shape).astype(dtype)


# ---- functions ------------------------------------------------------------------------------
FUNCTIONS = {  # name: (fn(F, *tensors), shapes of the tensors)
    "prelu_one_weight": (lambda F, x, w: F.prelu(x, w), [(2, 3, 4), (1,)]),
    "prelu_per_channel": (lambda F, x, w: F.prelu(x, w), [(2, 3, 4), (3,)]),
    "prelu_per_channel_2d": (lambda F, x, w: F.prelu(x, w), [(5, 3), (3,)]),
    "prelu_image": (lambda F, x, w: F.prelu(x, w), [(2, 3, 2, 2), (3,)]),
    "prelu_vector": (lambda F, x, w: F.prelu(x, w), [(4,), (1,)]),
    "prelu_0d_weight": (lambda F, x, w: F.prelu(x, w), [(3, 2), ()]),
    "threshold": (lambda F, x: F.threshold(x, 0.5, -2.0), [(3, 4)]),
    "rrelu_eval": (lambda F, x: F.rrelu(x, 0.1, 0.4), [(3, 4)]),
    "rrelu_fixed_slope": (lambda F, x: F.rrelu(x, 0.2, 0.2, True), [(3, 4)]),
    "glu": (lambda F, x: F.glu(x), [(3, 4)]),
    "glu_dim0": (lambda F, x: F.glu(x, 0), [(4, 3)]),
    "glu_middle": (lambda F, x: F.glu(x, -2), [(2, 6, 3)]),
    "hardshrink": (lambda F, x: F.hardshrink(x, 0.7), [(3, 4)]),
    "softshrink": (lambda F, x: F.softshrink(x), [(3, 4)]),
    "softsign": (lambda F, x: F.softsign(x), [(3, 4)]),
    "tanhshrink": (lambda F, x: F.tanhshrink(x), [(3, 4)]),
    "bilinear": (lambda F, x, y, w, b: F.bilinear(x, y, w, b), [(2, 3), (2, 4), (5, 3, 4), (5,)]),
    "bilinear_batched_no_bias": (lambda F, x, y, w: F.bilinear(x, y, w),
                                 [(3, 2, 3), (3, 2, 4), (5, 3, 4)]),
    "bilinear_vectors": (lambda F, x, y, w: F.bilinear(x, y, w), [(3,), (4,), (2, 3, 4)]),
    "pairwise": (lambda F, x, y: F.pairwise_distance(x, y), [(4, 3), (4, 3)]),
    "pairwise_p1_keepdim": (lambda F, x, y: F.pairwise_distance(x, y, 1, 1e-3, True),
                            [(4, 3), (4, 3)]),
    "pairwise_p3_broadcast": (lambda F, x, y: F.pairwise_distance(x, y, 3), [(2, 4, 3), (3,)]),
    "pairwise_inf": (lambda F, x, y: F.pairwise_distance(x, y, float("inf")), [(4, 3), (4, 3)]),
    "pairwise_vectors": (lambda F, x, y: F.pairwise_distance(x, y), [(3,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions(name, dtype):
    fn, shapes = FUNCTIONS[name]
    compare(lambda lib, *ts: fn(lib.nn.functional, *ts), [(arr(*s), True) for s in shapes],
            dtype)


@pytest.mark.parametrize("name", ["prelu_per_channel", "prelu_one_weight", "glu_middle",
                                  "bilinear",
                                  "softsign", "tanhshrink", "pairwise_p3_broadcast"])
def test_second_derivatives_match_torch(name):
    fn, shapes = FUNCTIONS[name]
    second_derivatives(lambda L, *ts: fn(L.nn.functional, *ts), [arr(*s) for s in shapes])


def test_kinks_edges_and_signs_of_zeros():
    edges = np.array([-2.0, -0.0, 0.0, 0.5, 1.0, np.nan, np.inf, -np.inf, -3.0, 2.0, -0.1])
    for fn in (lambda F, x, w: F.prelu(x, w), lambda F, x, w: F.threshold(x * w, 0.5, -0.0),
               lambda F, x, w: F.hardshrink(x * w, 0.125)):
        def run(L):
            x = L.tensor(edges, requires_grad=True)
            w = L.tensor([0.25], dtype=L.float64, requires_grad=True)
            y = fn(L.nn.functional, x, w)
            y.backward(L.tensor(np.linspace(-1, 1, len(edges))))
            return y, x.grad, w.grad
        for ours, theirs in zip(run(lab), run(pytest.importorskip("torch"))):
            assert_matches_torch(ours, theirs, 1e-15, 0)


def test_threshold_in_place_works_from_the_result():
    def run(L):
        x = L.tensor([-1.0, 0.5, 2.0], dtype=L.float64, requires_grad=True)
        y = x.clone()
        z = L.nn.functional.threshold(y, 0.6, 0.0, inplace=True)
        z.backward(L.tensor([1.0, 2.0, 3.0], dtype=L.float64))
        return z is y, grad_fn_names(z), x.grad.tolist(), repr(z)
    on_both(run)


ERRORS = [
    lambda F, t: F.softshrink(t.ones(3), -1),
    lambda F, t: F.softshrink(t.ones(3, dtype=t.float64), -0.5),
    lambda F, t: F.softshrink(t.arange(3), 0.5),
    lambda F, t: F.hardshrink(t.arange(3), 0.5),
    lambda F, t: F.rrelu(t.ones(3), 0.5, 0.1),
    lambda F, t: F.rrelu(t.arange(3)),
    lambda F, t: F.threshold(t.tensor([True, False]), 0, 1),
    lambda F, t: F.threshold(t.tensor([True, False]), 0, 1, inplace=True),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(2, 2, 4), t.ones(5, 3, 4)),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(3, 4), t.ones(5, 3, 4)),
    lambda F, t: F.bilinear(t.ones(2, 2), t.ones(2, 4), t.ones(5, 3, 4)),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(2, 5), t.ones(5, 3, 4)),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3, 4), t.ones(4)),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3, 4, dtype=t.float64)),
    lambda F, t: F.bilinear(t.ones(2, 3).double(), t.ones(2, 4).double(),
                            t.ones(5, 3, 4).double(), t.ones(5)),
    lambda F, t: F.bilinear(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3)),
    lambda F, t: F.glu(t.tensor(1.0)),
    lambda F, t: F.glu(t.ones(2, 3)),
    lambda F, t: F.glu(t.ones(2, 4), 2),
    lambda F, t: F.glu(t.ones(2, 4, dtype=t.long)),
    lambda F, t: F.prelu(t.ones(2, 3), t.ones(2)),
    lambda F, t: F.prelu(t.ones(2, 3), t.ones(3, 1)),
    lambda F, t: F.prelu(t.ones(2, 3), t.ones(3, dtype=t.float64)),
    lambda F, t: F.prelu(t.tensor(1.0), t.ones(3)),
    lambda F, t: F.prelu(t.ones(3), t.ones(3)),
    lambda F, t: F.pairwise_distance(t.ones(2, 3), t.ones(2, 4)),
    lambda F, t: t.nn.Softmax2d()(t.ones(2, 3)),
    lambda F, t: F.dropout1d(t.ones(2, 3, 4, 5)),
    lambda F, t: F.dropout1d(t.ones(2, 3), 1.5),
    lambda F, t: F.dropout2d(t.ones(2, 3, 4, 5), -0.1),
    lambda F, t: F.feature_alpha_dropout(t.ones(3), 0.5, True),
    lambda F, t: F.alpha_dropout(t.ones(3), 2.0),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


# ---- modules --------------------------------------------------------------------------------
MODULES = [
    lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3, 0.1), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20.0, True), lambda nn: nn.GLU(), lambda nn: nn.GLU(1),
    lambda nn: nn.Softsign(), lambda nn: nn.Tanhshrink(), lambda nn: nn.Softmax2d(),
    lambda nn: nn.Hardshrink(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Hardshrink(lambd=1),
    lambda nn: nn.RReLU(), lambda nn: nn.RReLU(0.1, 0.3, True),
    lambda nn: nn.Bilinear(3, 4, 5), lambda nn: nn.Bilinear(3, 4, 5, bias=False),
    lambda nn: nn.Dropout1d(), lambda nn: nn.Dropout2d(0.3, True), lambda nn: nn.AlphaDropout(0.2),
    lambda nn: nn.FeatureAlphaDropout(), lambda nn: nn.Dropout1d(2), lambda nn: nn.Dropout3d(0.1),
    lambda nn: nn.CosineSimilarity(), lambda nn: nn.CosineSimilarity(0, 1e-3),
    lambda nn: nn.PairwiseDistance(), lambda nn: nn.PairwiseDistance(1, 1e-3, True),
]


@pytest.mark.parametrize("make", MODULES)
def test_module_reprs_and_constructor_errors(make):
    same_outcome(lambda lib: make(lib.nn))


def test_prelu_parameters():
    def run(L):
        m = L.nn.PReLU(3, 0.1, dtype=L.float64)
        return [(k, repr(v)) for k, v in m.state_dict().items()], repr(m.weight)
    on_both(run)


MODULE_CALLS = {  # name: (constructor arguments, input shapes)
    "PReLU": ((3,), [(2, 3, 4)]), "Threshold": ((0.2, 1.0), [(3, 4)]), "GLU": ((0,), [(4, 3)]),
    "Hardshrink": ((0.3,), [(3, 4)]), "Softshrink": ((0.8,), [(3, 4)]),
    "Softsign": ((), [(3, 4)]), "Tanhshrink": ((), [(3, 4)]), "Softmax2d": ((), [(2, 3, 2, 2)]),
    "CosineSimilarity": ((0,), [(4, 3), (4, 3)]),
    "PairwiseDistance": ((1.5, 1e-4, True), [(4, 3), (4, 3)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", MODULE_CALLS)
def test_modules_call_their_functions(name, dtype):
    args, shapes = MODULE_CALLS[name]

    def fn(lib, *ts):
        m = getattr(lib.nn, name)(*args)
        if name == "PReLU":
            m = m.to(ts[0].dtype)
        return m(*ts)
    compare(fn, [(arr(*s), True) for s in shapes], dtype)


def test_softmax2d_of_unbatched_input():
    compare(lambda lib, x: lib.nn.Softmax2d()(x), [(arr(3, 2, 2), True)])


# ---- channel and alpha dropout --------------------------------------------------------------
def _dropped(out, p, alpha):
    """Where dropout dropped: 0, or alpha dropout's constant."""
    if not alpha:
        return out == 0
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
    return np.isclose(out, 1.7580993408473766 * a * (p - 1), rtol=1e-12, atol=0)


DROPOUTS = {  # name: (fn(F, x, inplace), input shape, per channel, alpha)
    "dropout1d": (lambda F, x, i: F.dropout1d(x, 0.4, True, i), (6, 5, 3), True, False),
    "dropout1d_unbatched": (lambda F, x, i: F.dropout1d(x, 0.4, True, i), (5, 3), True, False),
    "dropout2d": (lambda F, x, i: F.dropout2d(x, 0.4, True, i), (6, 5, 2, 2), True, False),
    "dropout3d": (lambda F, x, i: F.dropout3d(x, 0.4, True, i), (6, 5, 2, 1, 2), True, False),
    "dropout3d_unbatched": (lambda F, x, i: F.dropout3d(x, 0.4, True, i), (6, 2, 1, 2), True,
                            False),
    "alpha_dropout": (lambda F, x, i: F.alpha_dropout(x, 0.4, True, i), (6, 5), False, True),
    "feature_alpha_dropout": (lambda F, x, i: F.feature_alpha_dropout(x, 0.4, True, i),
                              (6, 5, 3), True, True),
}


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("name", DROPOUTS)
def test_dropouts_agree_with_torch_where_both_kept_or_both_dropped(name, inplace):
    """The masks are drawn from different generators; elements both kept (or both dropped)
    have the same values and gradients, and the mask is per channel where it should be."""
    torch = pytest.importorskip("torch")
    fn, shape, per_channel, alpha = DROPOUTS[name]
    x = arr(*shape)

    def run(L):
        leaf = L.tensor(x, requires_grad=True)
        out = fn(L.nn.functional, leaf.clone() if inplace else leaf, inplace)
        out.backward(L.tensor(np.linspace(-1, 1, out.numel()).reshape(shape)))
        return out.detach().numpy(), leaf.grad.numpy(), grad_fn_names(out)

    lab.manual_seed(0)
    ours, theirs = run(lab), run(torch)
    if not (name.endswith("unbatched") and inplace):  # (PyTorch adds in-place view steps)
        assert ours[2] == theirs[2]
    dropped, their_dropped = _dropped(ours[0], 0.4, alpha), _dropped(theirs[0], 0.4, alpha)
    assert 0 < dropped.mean() < 1
    if per_channel:  # whole channels: the same decision along every trailing dim
        unbatched = name.endswith("unbatched")
        channels = dropped.reshape(*shape[:1 if unbatched else 2], -1)
        assert (channels.all(-1) | ~channels.any(-1)).all()
    same = dropped == their_dropped
    np.testing.assert_allclose(ours[0][same], theirs[0][same], rtol=1e-12)
    np.testing.assert_allclose(ours[1][same], theirs[1][same], rtol=1e-12)
    lab.manual_seed(0)
    np.testing.assert_array_equal(run(lab)[0], ours[0])  # seeded


@pytest.mark.parametrize("p, training", [(0.0, True), (1.0, True), (0.5, False)])
@pytest.mark.parametrize("name", ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_dropouts_without_randomness_are_torchs(name, p, training):
    shape = {"alpha_dropout": (2, 3), "dropout2d": (2, 3, 2, 2),
             "dropout3d": (3, 2, 1, 2)}.get(name, (2, 3, 2))
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, p, training), [(arr(*shape), True)])


def test_alpha_dropout_keeps_mean_and_variance():
    lab.manual_seed(1)
    x = lab.randn(200000, dtype=lab.float64)
    y = lab.nn.functional.alpha_dropout(lab.nn.functional.selu(x), 0.3, True)
    selu = lab.nn.functional.selu(x)
    assert abs(y.mean().item() - selu.mean().item()) < 0.01
    assert abs(y.std().item() - selu.std().item()) < 0.01


def test_dropout_modules_follow_training_mode_and_warn_as_torch():
    def run(L):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = L.ones(2, 3, 4)
            modules = (L.nn.Dropout1d(), L.nn.Dropout2d(), L.nn.Dropout3d(), L.nn.AlphaDropout(),
                       L.nn.FeatureAlphaDropout())
            eval_out = [m.eval()(x) is x for m in modules]
            L.nn.Dropout2d(0.0)(x)
            L.nn.Dropout2d(0.0)(L.ones(2, 3))
            L.nn.Dropout3d(0.0)(L.ones(2, 3))
        return eval_out, [(w.category.__name__, str(w.message)) for w in caught], \
            outcome(lambda: L.nn.Dropout1d()(L.ones(2, 2, 2, 2)))
    on_both(run)


@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_training_draws_slopes_in_range_and_backward_uses_them(inplace):
    """Negative elements are scaled by slopes from [lower, upper] drawn from autograd_lab's
    generator (seeded); the gradient is the same slope; the graph is PyTorch's."""
    torch = pytest.importorskip("torch")
    x = arr(50, 4)

    def run(L):
        leaf = L.tensor(x, requires_grad=True)
        out = L.nn.functional.rrelu(leaf.clone() if inplace else leaf, 0.1, 0.3, True, inplace)
        out.sum().backward()
        return out.detach().numpy(), leaf.grad.numpy(), grad_fn_names(out)

    lab.manual_seed(3)
    out, grad, names = run(lab)
    assert names == run(torch)[2]
    slopes = out[x < 0] / x[x < 0]
    assert ((slopes >= 0.1) & (slopes <= 0.3)).all() and slopes.std() > 0.03
    np.testing.assert_array_equal(out[x > 0], x[x > 0])
    np.testing.assert_allclose(grad[x < 0], slopes, rtol=1e-12)
    np.testing.assert_array_equal(grad[x > 0], 1)
    lab.manual_seed(3)
    np.testing.assert_array_equal(run(lab)[0], out)


def test_rrelu_module_follows_training_mode():
    def run(L):
        m = L.nn.RReLU(0.2, 0.4)
        x = L.tensor([-1.0, 2.0])
        return repr(m.eval()(x)), m.train()(x)[0].item() != -0.3
    on_both(run)


def test_bilinear_module_init_and_call():
    lab.manual_seed(0)
    m = lab.nn.Bilinear(9, 4, 300)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert m.weight.shape == (300, 9, 4) and m.weight.dtype == lab.float32
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= 1 / 3 and np.abs(w).max() > 0.3  # U(-1/sqrt(9), 1/sqrt(9))

    def fn(lib, x1, x2):
        layer = lib.nn.Bilinear(3, 4, 2, dtype=lib.float64)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.linspace(-1, 1, 24).reshape(2, 3, 4)))
            layer.bias.copy_(lib.tensor([0.5, -0.5]))
        return layer(x1, x2)
    compare(fn, [(arr(5, 3), True), (arr(5, 4), True)])


# ---- embedding_bag --------------------------------------------------------------------------
IX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 4])
BAGS = {  # name: keyword arguments (besides input, weight and offsets)
    "mean": ({}, [0, 4, 4, 7]),
    "sum": ({"mode": "sum"}, [0, 4, 4, 7]),
    "max": ({"mode": "max"}, [0, 4, 4, 7]),
    "padding": ({"padding_idx": 4}, [0, 3, 5]),
    "padding_sum_negative": ({"padding_idx": -1, "mode": "sum"}, [0, 3, 5]),
    "max_padding": ({"mode": "max", "padding_idx": 2}, [0, 2, 5]),
    "last_offset": ({"include_last_offset": True, "mode": "sum"}, [0, 3, 6, 10]),
    "last_offset_mean": ({"include_last_offset": True}, [0, 3, 3, 10]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BAGS)
def test_embedding_bag(name, dtype):
    kwargs, offsets = BAGS[name]
    compare(lambda lib, w: lib.nn.functional.embedding_bag(
        lib.tensor(IX), w, lib.tensor(offsets), **kwargs), [(arr(10, 3), True)], dtype)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_of_2d_input_and_per_sample_weights(mode):
    ix = IX.reshape(2, 5)
    compare(lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(ix), w, mode=mode),
            [(arr(10, 3), True)])
    if mode == "sum":
        compare(lambda lib, w, psw: lib.nn.functional.embedding_bag(
            lib.tensor(ix), w, mode="sum", per_sample_weights=psw, padding_idx=4),
            [(arr(10, 3), True), (arr(2, 5), True)])


def test_embedding_bag_gradgradcheck():
    """(PyTorch has no double backward through per_sample_weights' gradient to compare with.)"""
    def fn(w, psw):
        return lab.nn.functional.embedding_bag(lab.tensor(IX), w, lab.tensor([0, 3, 7]),
                                               mode="sum", per_sample_weights=psw)
    w, psw = (lab.tensor(arr(10, 3), requires_grad=True),
              lab.tensor(arr(10), requires_grad=True))
    assert lab.autograd.gradcheck(fn, [w, psw]) and lab.autograd.gradgradcheck(fn, [w, psw])


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq_divides_by_each_rows_frequency(mode):
    w = lab.tensor(arr(10, 3), requires_grad=True)
    bag = lab.nn.functional.embedding_bag(lab.tensor(IX), w, lab.tensor([0, 2, 5]), mode=mode,
                                          scale_grad_by_freq=True)
    plain = lab.tensor(w.detach().numpy(), requires_grad=True)
    lab.nn.functional.embedding_bag(lab.tensor(IX), plain, lab.tensor([0, 2, 5]),
                                    mode=mode).sum().backward()
    bag.sum().backward()
    counts = np.bincount(IX, minlength=10)
    np.testing.assert_allclose(w.grad.numpy() * np.maximum(counts, 1)[:, None],
                               plain.grad.numpy(), rtol=1e-12)


EMBEDDING_BAG_ERRORS = [
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([1, 4])),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0, 4, 11])),
    lambda F, t: F.embedding_bag(t.tensor(IX).float(), t.ones(10, 3), t.tensor([0, 4])),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0, 4]), padding_idx=12),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3)),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([[0, 4]])),
    lambda F, t: F.embedding_bag(t.tensor(IX).view(1, 2, 5), t.ones(10, 3)),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10), t.tensor([0])),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0]), mode="min"),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0]), mode="max",
                                 scale_grad_by_freq=True),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0]),
                                 per_sample_weights=t.ones(10)),
    lambda F, t: F.embedding_bag(t.tensor(IX), t.ones(10, 3), t.tensor([0]),
                                 per_sample_weights=t.ones(9)),
]


@pytest.mark.parametrize("fn", EMBEDDING_BAG_ERRORS)
def test_embedding_bag_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


def test_embedding_bag_index_out_of_range():
    """(PyTorch's message here varies from run to run: one of its two checks fires.)"""
    with pytest.raises(RuntimeError, match=r"Index 3 of input takes value 10 which is not in the "
                                           r"valid range \[0, 10\)"):
        lab.nn.functional.embedding_bag(lab.tensor(IX[:8]) + 5, lab.ones(10, 3),
                                        lab.tensor([0, 4]))


@pytest.mark.parametrize("make", [
    lambda nn: nn.EmbeddingBag(10, 3), lambda nn: nn.EmbeddingBag(10, 3, 1.0, 1.0, True, "max"),
    lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=-1),
    lambda nn: nn.EmbeddingBag(10, 3, padding_idx=10)])
def test_embedding_bag_module_reprs(make):
    same_outcome(lambda lib: make(lib.nn))


def test_embedding_bag_module_init_max_norm_and_call():
    lab.manual_seed(0)
    m = lab.nn.EmbeddingBag(50, 4, padding_idx=3)
    assert list(m.state_dict()) == ["weight"] and (m.weight.detach().numpy()[3] == 0).all()

    def fn(lib, w):
        layer = lib.nn.EmbeddingBag(10, 3, max_norm=1.0, mode="sum", dtype=lib.float64)
        with lib.no_grad():
            layer.weight.copy_(w)
        return layer(lib.tensor(IX), lib.tensor([0, 6]))
    compare(fn, [(arr(10, 3), False)])
