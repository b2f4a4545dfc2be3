"""The margin, embedding and likelihood losses against PyTorch: values, gradients, second
derivatives and grad_fn graphs for every reduction, in float64 and float32; module reprs and
errors."""
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from nn_helpers import DTYPES, compare, compare_with_torch, same_outcome, second_derivatives

rng = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def arr(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


def signs(*shape):
    return rng.choice([-1.0, 1.0], shape)


LOSSES = {  # name: (fn(F, *tensors, reduction), [(array, requires_grad)])
    "margin_ranking": (lambda F, a, b, t, r: F.margin_ranking_loss(a, b, t, 0.3, reduction=r),
                       lambda: [(arr(5), True), (arr(5), True), (signs(5), False)]),
    "margin_ranking_target_grad": (
        lambda F, a, b, t, r: F.margin_ranking_loss(a, b, t, reduction=r),
        lambda: [(arr(5), True), (arr(5), False), (signs(5), True)]),
    "hinge_embedding": (lambda F, x, t, r: F.hinge_embedding_loss(x, t, 0.5, reduction=r),
                        lambda: [(arr(3, 4), True), (signs(3, 4), False)]),
    "soft_margin": (lambda F, x, t, r: F.soft_margin_loss(x, t, reduction=r),
                    lambda: [(arr(3, 4), True), (signs(3, 4), False)]),
    "soft_margin_broadcast": (lambda F, x, t, r: F.soft_margin_loss(x, t, reduction=r),
                              lambda: [(arr(3, 4), True), (signs(1, 4), False)]),
    "cosine_embedding": (lambda F, a, b, t, r: F.cosine_embedding_loss(a, b, t, 0.2,
                                                                       reduction=r),
                         lambda: [(arr(4, 3), True), (arr(4, 3), True), (signs(4), False)]),
    "cosine_embedding_vectors": (lambda F, a, b, t, r: F.cosine_embedding_loss(a, b, t,
                                                                               reduction=r),
                                 lambda: [(arr(3), True), (arr(3), True),
                                          (np.array(-1.0), False)]),
    "triplet": (lambda F, a, p, n, r: F.triplet_margin_loss(a, p, n, reduction=r),
                lambda: [(arr(4, 3), True), (arr(4, 3), True), (arr(4, 3), True)]),
    "triplet_swap_p1": (lambda F, a, p, n, r: F.triplet_margin_loss(a, p, n, 2.0, 1, 1e-3, True,
                                                                    reduction=r),
                        lambda: [(arr(4, 3), True), (arr(4, 3), True), (arr(4, 3), True)]),
    "triplet_with_distance": (
        lambda F, a, p, n, r: F.triplet_margin_with_distance_loss(a, p, n, reduction=r),
        lambda: [(arr(4, 3), True), (arr(4, 3), True), (arr(4, 3), True)]),
    "triplet_with_cosine_distance_swap": (
        lambda F, a, p, n, r: F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.5,
            swap=True, reduction=r),
        lambda: [(arr(4, 3), True), (arr(4, 3), True), (arr(4, 3), True)]),
    "poisson": (lambda F, x, t, r: F.poisson_nll_loss(x, t, reduction=r),
                lambda: [(arr(3, 4), True), (arr(3, 4, low=0, high=4), False)]),
    "poisson_rate_full": (lambda F, x, t, r: F.poisson_nll_loss(x, t, False, True, reduction=r),
                          lambda: [(arr(3, 4, low=0.1, high=3), True),
                                   (arr(3, 4, low=0, high=4), True)]),
    "gaussian": (lambda F, x, t, v, r: F.gaussian_nll_loss(x, t, v, reduction=r),
                 lambda: [(arr(3, 4), True), (arr(3, 4), True), (arr(3, 4, low=0, high=2), True)]),
    "gaussian_homoscedastic_full": (
        lambda F, x, t, v, r: F.gaussian_nll_loss(x, t, v, True, 0.1, reduction=r),
        lambda: [(arr(3, 4), True), (arr(3, 4), False), (arr(3, low=0, high=2), True)]),
    "gaussian_one_dim_of_one": (lambda F, x, t, v, r: F.gaussian_nll_loss(x, t, v, reduction=r),
                                lambda: [(arr(3, 4), True), (arr(3, 4), False),
                                         (arr(1, 4, low=0.5, high=2), True)]),
    "multilabel_soft_margin": (
        lambda F, x, t, r: F.multilabel_soft_margin_loss(x, t, reduction=r),
        lambda: [(arr(4, 3), True), (rng.integers(0, 2, (4, 3)).astype(float), False)]),
    "multilabel_soft_margin_weight": (
        lambda F, x, t, w, r: F.multilabel_soft_margin_loss(x, t, w, reduction=r),
        lambda: [(arr(4, 3), True), (rng.uniform(0, 1, (4, 3)), True), (arr(3), True)]),
    "multi_margin": (lambda F, x, r: F.multi_margin_loss(x, F.one_hot(x.new_zeros(4).long(),
                                                                       3).argmax(1) + 1,
                                                          reduction=r),
                     lambda: [(arr(4, 3, low=-1, high=1), True)]),
    "multi_margin_p2_weight": (
        lambda F, x, w, r: F.multi_margin_loss(x, x.new_tensor([0, 2, 1, 2]).long(), 2, 0.7, w,
                                               reduction=r),
        lambda: [(arr(4, 3, low=-1, high=1), True), (arr(3, low=0, high=2), False)]),
    "multilabel_margin": (
        lambda F, x, r: F.multilabel_margin_loss(
            x, x.new_tensor([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 1, 2, 3], [2, 2, 0, -1]]).long(),
            reduction=r),
        lambda: [(arr(4, 4), True)]),
    "multilabel_margin_vector": (
        lambda F, x, r: F.multilabel_margin_loss(x, x.new_tensor([4, 1, -1, 3, 0]).long(),
                                                 reduction=r),
        lambda: [(arr(5), True)]),
    "multi_margin_vector": (lambda F, x, r: F.multi_margin_loss(x, x.new_tensor(2).long(),
                                                                reduction=r),
                            lambda: [(arr(5, low=-1, high=1), True)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_losses(name, reduction, dtype):
    fn, specs = LOSSES[name]
    out = compare(lambda lib, *ts: fn(lib.nn.functional, *ts, reduction), specs(), dtype)
    assert out.dtype == (lab.float32 if dtype == np.float32 else lab.float64)


@pytest.mark.parametrize("name", ["soft_margin", "cosine_embedding", "triplet_swap_p1",
                                  "poisson_rate_full", "gaussian", "multilabel_soft_margin",
                                  "triplet"])
def test_second_derivatives_match_torch(name):
    """(PyTorch has no double backward of multi_margin_loss: gradgradcheck covers ours.)"""
    fn, specs = LOSSES[name]
    specs = specs()
    differentiated = [a for a, g in specs if g]

    def run(L, *leaves):  # the other inputs are constants
        leaves = iter(leaves)
        return fn(L.nn.functional, *[next(leaves) if g else L.tensor(a) for a, g in specs],
                  "none")
    second_derivatives(run, differentiated)


def test_multilabel_margin_gradcheck():
    y = lab.tensor([[3, 0, -1, 1], [1, 2, 3, -1], [0, 0, 1, -1]])
    fn = lambda x: lab.nn.functional.multilabel_margin_loss(x, y, reduction="none")  # noqa
    x = lab.tensor(arr(3, 4, low=-0.3, high=0.3), requires_grad=True)
    assert lab.autograd.gradcheck(fn, [x]) and lab.autograd.gradgradcheck(fn, [x])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_of_no_samples(reduction):
    """No samples: torch's graph and empty gradient; the reduced loss 0 without a warning
    (PyTorch leaves its memory unset)."""
    torch = pytest.importorskip("torch")
    outs = {}
    for L in (lab, torch):
        x = L.zeros(0, 3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = L.nn.functional.multilabel_margin_loss(x, L.zeros(0, 3, dtype=L.long),
                                                         reduction=reduction)
        out.sum().backward()
        outs[L] = (tuple(out.shape), type(out.grad_fn).__name__, repr(x.grad))
    assert outs[lab] == outs[torch]
    ours = lab.nn.functional.multilabel_margin_loss(lab.zeros(0, 3), lab.zeros(0, 3).long(),
                                                    reduction=reduction)
    assert ours.numel() == 0 or ours.item() == 0


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_gradcheck(p):
    x = lab.tensor(arr(4, 5, low=-0.6, high=0.6), requires_grad=True)
    y = lab.tensor([0, 4, 2, 2])
    w = lab.tensor(arr(5, low=0.5, high=1.5))
    fn = lambda x: lab.nn.functional.multi_margin_loss(x, y, p, 0.9, w, reduction="none")  # noqa
    assert lab.autograd.gradcheck(fn, [x]) and lab.autograd.gradgradcheck(fn, [x])


def test_soft_margin_gradgradcheck():
    t = lab.tensor(signs(3, 2))
    fn = lambda x: lab.nn.functional.soft_margin_loss(x, t, reduction="sum")  # noqa: E731
    x = lab.tensor(arr(3, 2), requires_grad=True)
    assert lab.autograd.gradcheck(fn, [x]) and lab.autograd.gradgradcheck(fn, [x])


def test_empty_multi_margin_batch():
    """(PyTorch's mean and sum of no samples are uninitialised memory; ours are 0.)"""
    same_outcome(lambda lib: lib.nn.functional.multi_margin_loss(
        lib.zeros(0, 3, requires_grad=True), lib.zeros(0).long(), reduction="none"))


ERRORS = [
    lambda F, t: F.margin_ranking_loss(t.ones(4), t.ones(4), t.ones(4, 1)),
    lambda F, t: F.margin_ranking_loss(t.ones(4), t.ones(3), t.ones(4)),
    lambda F, t: F.margin_ranking_loss(t.ones(4), t.ones(4), t.ones(4), reduction="x"),
    lambda F, t: F.hinge_embedding_loss(t.ones(4), t.ones(3)),
    lambda F, t: F.hinge_embedding_loss(t.ones(4), t.ones(4), reduction="x"),
    lambda F, t: F.soft_margin_loss(t.ones(4), t.ones(3)),
    lambda F, t: F.soft_margin_loss(t.ones(1, 4), t.ones(3, 4)),
    lambda F, t: F.soft_margin_loss(t.ones(4), t.ones(4, requires_grad=True)),
    lambda F, t: F.cosine_embedding_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4, 1)),
    lambda F, t: F.cosine_embedding_loss(t.ones(4, 3), t.ones(4, 3), t.tensor(1.0)),
    lambda F, t: F.cosine_embedding_loss(t.ones(3), t.ones(3), t.ones(3)),
    lambda F, t: F.triplet_margin_loss(t.ones(4, 3), t.ones(4, 3), t.ones(3)),
    lambda F, t: F.triplet_margin_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4, 3), margin=0),
    lambda F, t: F.triplet_margin_with_distance_loss(t.ones(4, 3), t.ones(4, 3), t.ones(3)),
    lambda F, t: F.triplet_margin_with_distance_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4, 3),
                                                     margin=-1),
    lambda F, t: F.triplet_margin_with_distance_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4, 3),
                                                     reduction="x"),
    lambda F, t: F.poisson_nll_loss(t.ones(4), t.ones(4), reduction="x"),
    lambda F, t: F.gaussian_nll_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4, 2)),
    lambda F, t: F.gaussian_nll_loss(t.ones(4, 3), t.ones(4, 3), -t.ones(4, 3)),
    lambda F, t: F.gaussian_nll_loss(t.ones(4, 3), t.ones(4, 3), -1.0),
    lambda F, t: F.gaussian_nll_loss(t.ones(4, 3), t.ones(4, 3), t.ones(4), reduction="x"),
    lambda F, t: F.gaussian_nll_loss(t.ones(4, 3), t.ones(4, 3), 2.0),
    lambda F, t: F.multilabel_soft_margin_loss(t.ones(4, 3), t.ones(4, 3), reduction="x"),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 3])),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, -1, 1])),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2])),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([[0, 1, 2, 1]])),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 1]), p=3),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 1]), weight=t.ones(3, 1)),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 1]), weight=t.ones(4)),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 1]),
                                     weight=t.ones(3, requires_grad=True)),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0, 1, 2, 1]),
                                     weight=t.ones(3, dtype=t.float64)),
    lambda F, t: F.multi_margin_loss(t.ones(2, 3, 4), t.tensor([1, 1])),
    lambda F, t: F.multi_margin_loss(t.ones(4, 3), t.tensor([0.0, 1, 2, 1])),
    lambda F, t: F.multi_margin_loss(t.ones(3), t.tensor(1)),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.ones(2, 4).long()),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.ones(3, 4)),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.full((3, 4), 4)),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.tensor([[0, -1, 9, 9]] * 3)),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.tensor([[0, -2, 1, 1]] * 3)),
    lambda F, t: F.multilabel_margin_loss(t.ones(2, 3, 4), t.zeros(2, 3, 4).long()),
    lambda F, t: F.multilabel_margin_loss(t.ones(3, 4), t.ones(3, 4).long(), reduction="x"),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_are_pytorchs(fn):
    same_outcome(lambda lib: fn(lib.nn.functional, lib))


MODULES = [
    lambda nn: nn.MarginRankingLoss(), lambda nn: nn.MarginRankingLoss(0.5, reduction="sum"),
    lambda nn: nn.HingeEmbeddingLoss(2.0), lambda nn: nn.SoftMarginLoss(),
    lambda nn: nn.CosineEmbeddingLoss(0.1), lambda nn: nn.TripletMarginLoss(),
    lambda nn: nn.TripletMarginLoss(margin=0), lambda nn: nn.PoissonNLLLoss(False, True),
    lambda nn: nn.GaussianNLLLoss(full=True), lambda nn: nn.MultiLabelSoftMarginLoss(),
    lambda nn: nn.TripletMarginWithDistanceLoss(),
    lambda nn: nn.TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity()),
    lambda nn: nn.TripletMarginWithDistanceLoss(margin=0),
    lambda nn: nn.MultiLabelMarginLoss(), lambda nn: nn.MultiLabelMarginLoss(reduction="sum"),
    lambda nn: nn.MultiMarginLoss(), lambda nn: nn.MultiMarginLoss(p=3),
    lambda nn: nn.MultiMarginLoss(weight=nn.Parameter(nn.Linear(2, 2).bias.data[None])),
]


@pytest.mark.parametrize("make", MODULES)
def test_module_reprs_and_constructor_errors(make):
    same_outcome(lambda lib: make(lib.nn))


MODULE_CALLS = {  # loss module: (constructor, the LOSSES entry it matches)
    "MarginRankingLoss": (lambda nn: nn.MarginRankingLoss(0.3, reduction="sum"),
                          "margin_ranking"),
    "HingeEmbeddingLoss": (lambda nn: nn.HingeEmbeddingLoss(0.5, reduction="none"),
                           "hinge_embedding"),
    "SoftMarginLoss": (lambda nn: nn.SoftMarginLoss(), "soft_margin"),
    "CosineEmbeddingLoss": (lambda nn: nn.CosineEmbeddingLoss(0.2), "cosine_embedding"),
    "TripletMarginLoss": (lambda nn: nn.TripletMarginLoss(swap=True), "triplet"),
    "TripletMarginWithDistanceLoss": (lambda nn: nn.TripletMarginWithDistanceLoss(swap=True),
                                      "triplet"),
    "PoissonNLLLoss": (lambda nn: nn.PoissonNLLLoss(False, True), "poisson_rate_full"),
    "GaussianNLLLoss": (lambda nn: nn.GaussianNLLLoss(full=True, eps=0.1),
                        "gaussian_homoscedastic_full"),
    "MultiLabelSoftMarginLoss": (lambda nn: nn.MultiLabelSoftMarginLoss(),
                                 "multilabel_soft_margin"),
}


@pytest.mark.parametrize("name", MODULE_CALLS)
def test_loss_modules_call_their_functions(name):
    make, entry = MODULE_CALLS[name]
    compare_with_torch(lambda lib, *ts: make(lib.nn)(*ts), LOSSES[entry][1]())


def test_margin_loss_modules_and_their_weight_buffers():
    def run(lib):
        w = lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64)
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True)
        a = lib.nn.MultiMarginLoss(2, 0.5, w)(x, lib.tensor([0, 2, 1, 1]))
        b = lib.nn.MultiLabelSoftMarginLoss(w, reduction="sum")(x, (x > 0).double())
        c = lib.nn.MultiLabelMarginLoss()(x, lib.tensor([[2, -1, 0]] * 4))
        return repr(a), repr(b), repr(c), list(lib.nn.MultiMarginLoss(weight=w).state_dict())
    same_outcome(run)


def test_legacy_size_average_warns_as_torch():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.functional.margin_ranking_loss(lib.ones(3), lib.zeros(3), -lib.ones(3),
                                                         size_average=False)
        return repr(loss), [str(w.message) for w in caught]
    same_outcome(run)
