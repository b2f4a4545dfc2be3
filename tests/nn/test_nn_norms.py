"""Batch, group, instance and RMS norm against PyTorch: values, gradients and second derivatives,
grad_fn graphs, running statistics and buffers, module reprs and errors."""
import math
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import assert_matches_torch
import nn_helpers
from nn_helpers import (DTYPES, on_both, outcome, same_outcome, second_derivatives,
                        sgd_losses)

rng = np.random.default_rng(0)
TOL = {**nn_helpers.TOL, np.float32: (2e-5, 2e-5)}  # (batch statistics of float32 sums)


def arr(*shape, dtype=np.float64, low=-3.0, high=3.0):
    return rng.uniform(low, high, shape).astype(dtype)


def compare(fn, specs, dtype=np.float64):
    return nn_helpers.compare(fn, specs, dtype, TOL)


# ---- batch_norm -----------------------------------------------------------------------------
def _batch_norm(training, affine, running):
    def fn(lib, x, *wb):
        c = x.shape[1]
        stats = ((lib.tensor(np.linspace(-1, 1, c)).to(x.dtype),
                  lib.tensor(np.linspace(0.5, 2, c)).to(x.dtype)) if running else (None, None))
        out = lib.nn.functional.batch_norm(x, *stats, *wb, training=training, momentum=0.3,
                                           eps=1e-3)
        if running:  # the updated running statistics are part of the result
            return out + 0 * (stats[0].sum() + stats[1].sum()) + (stats[1] - stats[0]).sum()
        return out
    return fn


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 2, 3)])
@pytest.mark.parametrize("training, running", [(True, False), (True, True), (False, True)])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_batch_norm(shape, training, running, affine, dtype):
    specs = [(arr(*shape), True)]
    if affine != "none":
        specs += [(arr(shape[1]), True)] * (1 if affine == "weight" else 2)
    out = compare(_batch_norm(training, affine, running), specs, dtype)
    assert out.dtype == (lab.float32 if dtype == np.float32 else lab.float64)


def test_batch_norm_grad_fn_and_edges():
    x, w = lab.randn(4, 3, requires_grad=True), lab.ones(3, requires_grad=True)
    y = lab.nn.functional.batch_norm(x, None, None, w, training=True)
    assert repr(y.grad_fn).startswith("<NativeBatchNormBackward0")
    assert [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions] \
        == ["AccumulateGrad", "AccumulateGrad", None]


def test_batch_norm_with_only_the_bias_requiring_grad():
    compare(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True),
            [(arr(5, 2), False), (arr(2), False), (arr(2), True)])


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_batch_norm_second_derivatives_match_torch(training, shape):
    def fn(L, x, w, b):
        c = x.shape[1]
        stats = (L.tensor(np.linspace(-1, 1, c)), L.tensor(np.linspace(0.5, 2, c)))
        return L.nn.functional.batch_norm(x, *stats, w, b, training=training)
    second_derivatives(fn, [arr(*shape), arr(shape[1]), arr(shape[1])])


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradgradcheck(training):
    inputs = [lab.tensor(arr(4, 2, 3), requires_grad=True),
              lab.tensor(arr(2), requires_grad=True), lab.tensor(arr(2), requires_grad=True)]
    stats = (lab.tensor(arr(2)), lab.tensor(arr(2, low=0.5)))
    fn = lambda x, w, b: lab.nn.functional.batch_norm(x, *stats, w, b, training=training)  # noqa
    assert lab.autograd.gradcheck(fn, inputs)
    assert lab.autograd.gradgradcheck(fn, inputs)


def test_batch_norm_saves_the_running_statistics_it_used():
    """Changing them in place before backward is PyTorch's error, also when training (which
    updated them without a new version, as PyTorch's kernel does)."""
    def run(L, training):
        mean, var = L.zeros(3, dtype=L.float64), L.full((3,), 4.0, dtype=L.float64)
        x = L.tensor(arr(2, 3), requires_grad=True)
        y = L.nn.functional.batch_norm(x, mean, var, L.ones(3, dtype=L.float64,
                                                            requires_grad=True), None, training)
        versions = [mean._version, var._version]
        mean.add_(1)
        kind, text = outcome(lambda: y.sum().backward())
        return versions, kind, text[:text.index("Hint")]
    for training in (False, True):
        on_both(lambda L: run(L, training))


BATCH_NORM_ERRORS = [
    lambda F, t: F.batch_norm(t.randn(1, 3), None, None, training=True),
    lambda F, t: F.batch_norm(t.randn(1, 3, 1), None, None, training=True),
    lambda F, t: F.batch_norm(t.randn(1), None, None, training=True),
    lambda F, t: F.batch_norm(t.randn(3), None, None, training=True),
    lambda F, t: F.batch_norm(t.ones(2, 3, dtype=t.long), None, None, training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), None, None, training=True, eps=0),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3), t.ones(3), eps=-1),
    lambda F, t: F.batch_norm(t.randn(2, 3), None, None),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3), None),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3), t.ones(4)),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(4), None, training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3), None, training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), None, None, t.ones(4), training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), None, None, None, t.ones(4), training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3, dtype=t.float64),
                              t.ones(3, dtype=t.float64), training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3, dtype=t.float64), None, None, t.ones(3),
                              training=True),
    lambda F, t: F.batch_norm(t.randn(2, 3), t.zeros(3, requires_grad=True), t.ones(3)),
    lambda F, t: F.batch_norm(t.ones(3), t.zeros(3), t.ones(3)),
    lambda F, t: F.batch_norm(t.ones(3), t.zeros(0), t.ones(0)),
    lambda F, t: F.batch_norm(t.ones(3), None, None, t.ones(3), training=True),
]


@pytest.mark.parametrize("fn", BATCH_NORM_ERRORS)
def test_batch_norm_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


def test_batch_norm_of_an_empty_batch_is_a_copy():
    def run(L):
        x = L.zeros(0, 3, requires_grad=True)
        m = L.nn.BatchNorm1d(3)
        y = m(x)
        return repr(y), repr(m.running_mean), repr(m.num_batches_tracked)
    on_both(run)


# ---- BatchNorm modules ----------------------------------------------------------------------
NORM_MODULES = [
    lambda nn: nn.BatchNorm1d(3), lambda nn: nn.BatchNorm2d(4, 1e-3, None, False),
    lambda nn: nn.BatchNorm1d(2, track_running_stats=False), lambda nn: nn.BatchNorm3d(2),
    lambda nn: nn.BatchNorm2d(2, bias=False),
]


@pytest.mark.parametrize("make", NORM_MODULES)
def test_norm_module_reprs_and_state_dicts(make):
    def run(L):
        m = make(L.nn)
        return repr(m), [(k, repr(v)) for k, v in m.state_dict().items()], \
            [n for n, _ in m.named_parameters()]
    on_both(run)


def test_batch_norm_module_dtype():
    m = lab.nn.BatchNorm1d(2, dtype=lab.float64)
    assert m.weight.dtype == m.running_var.dtype == lab.float64
    assert m.num_batches_tracked.dtype == lab.int64


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False},
                                    {"track_running_stats": False}, {"momentum": 0.5}])
@pytest.mark.parametrize("name, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 2)),
                                         ("BatchNorm2d", (2, 3, 2, 2))])
def test_batch_norm_module_trains_then_evaluates_as_torch(name, shape, kwargs, dtype):
    """Three training steps (the running statistics and num_batches_tracked follow), then eval."""
    train_then_eval(lambda nn, L: getattr(nn, name)(shape[1], **kwargs, dtype=getattr(L, dtype)),
                    [arr(*shape, dtype=dtype) * (i + 1) + i for i in range(4)],
                    TOL[np.dtype(dtype).type])


def train_then_eval(make, batches, tol):
    """make(nn, lib) run on every batch in training mode, then on the last in eval mode, with
    backward each time: outputs, gradients and the state_dict as PyTorch's."""
    torch = pytest.importorskip("torch")

    def run(L):
        m = make(L.nn, L)
        results = []
        for i, b in enumerate(batches):
            if i == len(batches) - 1:
                m.eval()
            x = L.tensor(b, requires_grad=True)
            y = m(x)
            (y * L.tensor(np.linspace(-1, 1, y.numel()).reshape(b.shape).astype(b.dtype))) \
                .sum().backward()
            results += [y, x.grad] + [p.grad for p in m.parameters()]
        return results, m.state_dict()

    (ours, ours_state), (theirs, theirs_state) = run(lab), run(torch)
    for a, b in zip(ours, theirs):
        assert_matches_torch(a, b, *tol)
    assert list(ours_state) == list(theirs_state)
    for key in ours_state:
        assert_matches_torch(ours_state[key], theirs_state[key], *tol)


def test_batch_norm_module_dim_errors():
    for make, x in [(lambda nn: nn.BatchNorm1d(3), lambda t: t.randn(2, 3, 4, 5)),
                    (lambda nn: nn.BatchNorm1d(3), lambda t: t.randn(3)),
                    (lambda nn: nn.BatchNorm2d(3), lambda t: t.randn(2, 3)),
                    (lambda nn: nn.BatchNorm3d(3), lambda t: t.randn(2, 3, 2, 2)),
                    (lambda nn: nn.BatchNorm1d(3), lambda t: t.randn(1, 3)),
                    (lambda nn: nn.BatchNorm1d(3), lambda t: t.randn(2, 4)),
                    (lambda nn: nn.BatchNorm1d(3).eval(), lambda t: t.ones(1, 3))]:
        same_outcome(lambda lib: make(lib.nn)(x(lib)))


def test_batch_norm_in_a_model_loads_a_torch_state_dict():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    theirs(torch.randn(8, 2))
    ours = lab.nn.Sequential(lab.nn.Linear(2, 3), lab.nn.BatchNorm1d(3))
    ours.load_state_dict({k: lab.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = arr(4, 2, dtype=np.float32)
    assert_matches_torch(ours.eval()(lab.tensor(x)), theirs.eval()(torch.tensor(x)), 1e-5, 1e-6)


# ---- group_norm -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, groups", [((3, 4), 2), ((2, 6, 3), 3), ((2, 4, 2, 3), 1),
                                           ((2, 4, 3), 4), ((0, 3, 4), 1), ((0, 4), 2)])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_group_norm(shape, groups, affine, dtype):
    specs = [(arr(*shape), True)]
    if affine != "none":
        specs += [(arr(shape[1]), True)] * (1 if affine == "weight" else 2)
    compare(lambda lib, x, *wb: lib.nn.functional.group_norm(x, groups, *wb, eps=1e-3), specs,
            dtype)


def test_group_norm_second_derivatives_match_torch():
    second_derivatives(lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b),
                       [arr(2, 4, 3), arr(4), arr(4)])


GROUP_NORM_ERRORS = [
    lambda F, t: F.group_norm(t.randn(3), 1),
    lambda F, t: F.group_norm(t.randn(2, 6), 4),
    lambda F, t: F.group_norm(t.randn(1, 2, 1), 2),
    lambda F, t: F.group_norm(t.randn(2, 4), 2, t.ones(3)),
    lambda F, t: F.group_norm(t.randn(2, 4), 2, None, t.ones(3)),
    lambda F, t: F.group_norm(t.randn(2, 4), 2, t.ones(4), t.ones(5)),
    lambda F, t: F.group_norm(t.ones(2, 4, dtype=t.long), 2),
    lambda F, t: F.group_norm(t.ones(2, 4), 2, t.ones(4, dtype=t.float64)),
    lambda F, t: F.group_norm(t.ones(2, 4, dtype=t.float64), 2, t.ones(4)),
    lambda F, t: F.group_norm(t.randn(2, 4), 0),
]


@pytest.mark.parametrize("fn", GROUP_NORM_ERRORS)
def test_group_norm_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


# ---- instance_norm --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 2, 2, 3)])
@pytest.mark.parametrize("running, use_input_stats", [(False, True), (True, True),
                                                      (True, False)])
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm(shape, running, use_input_stats, affine, dtype):
    def fn(lib, x, *wb):
        c = x.shape[1]
        stats = ((lib.tensor(np.linspace(-1, 1, c)).to(x.dtype),
                  lib.tensor(np.linspace(0.5, 2, c)).to(x.dtype)) if running else (None, None))
        out = lib.nn.functional.instance_norm(x, *stats, *(wb or (None, None)), use_input_stats,
                                              0.3, 1e-3)
        if running:  # the updated running statistics are part of the result
            return out + (stats[1] - stats[0]).sum()
        return out
    specs = [(arr(*shape), True)] + ([(arr(shape[1]), True)] * 2 if affine else [])
    compare(fn, specs, dtype)


NORM_MODULES += [
    lambda nn: nn.GroupNorm(2, 4), lambda nn: nn.GroupNorm(3, 6, 1e-3, False),
    lambda nn: nn.GroupNorm(2, 4, bias=False),
    lambda nn: nn.InstanceNorm1d(3), lambda nn: nn.InstanceNorm2d(3, affine=True),
    lambda nn: nn.InstanceNorm2d(3, track_running_stats=True, momentum=None),
    lambda nn: nn.InstanceNorm3d(2, affine=True, bias=False),
]


@pytest.mark.parametrize("kwargs", [{}, {"affine": True}, {"track_running_stats": True},
                                    {"track_running_stats": True, "momentum": None}])
@pytest.mark.parametrize("name, shape", [("InstanceNorm1d", (2, 3, 4)),
                                         ("InstanceNorm1d", (3, 5)),
                                         ("InstanceNorm2d", (2, 3, 2, 2)),
                                         ("InstanceNorm2d", (3, 2, 3))])
def test_instance_norm_module_trains_then_evaluates_as_torch(name, shape, kwargs):
    train_then_eval(lambda nn, L: getattr(nn, name)(3, **kwargs, dtype=L.float64),
                    [arr(*shape) * (i + 1) + i for i in range(3)], TOL[np.float64])


def test_group_norm_module_as_torch():
    compare(lambda lib, x: lib.nn.GroupNorm(2, 4)(x), [(arr(3, 4, 2), True)], np.float32)


def test_instance_and_group_norm_module_errors_and_warning():
    def run(L):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            shape = tuple(L.nn.InstanceNorm1d(3)(L.ones(2, 4, 5)).shape)
        return (shape, [str(w.message) for w in caught],
                outcome(lambda: L.nn.InstanceNorm1d(3, affine=True)(L.ones(2, 4, 5))),
                outcome(lambda: L.nn.InstanceNorm1d(3)(L.ones(2, 3, 4, 4))),
                outcome(lambda: L.nn.InstanceNorm2d(3)(L.ones(2, 3))),
                outcome(lambda: L.nn.functional.instance_norm(L.ones(2, 3, 1))),
                outcome(lambda: L.nn.functional.instance_norm(L.ones(2, 3, 4),
                                                              use_input_stats=False)),
                outcome(lambda: L.nn.functional.instance_norm(L.ones(2, 3, 1), L.zeros(3),
                                                              use_input_stats=False)),
                outcome(lambda: L.nn.GroupNorm(4, 6)))
    on_both(run)


# ---- rms_norm -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized", [((3, 4), (4,)), ((2, 3, 4), [3, 4]), ((5,), (5,))])
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm(shape, normalized, weight, eps, dtype):
    specs = [(arr(*shape), True)] + ([(arr(*normalized), True)] if weight else [])
    compare(lambda lib, x, *w: lib.nn.functional.rms_norm(x, normalized, *w, eps=eps), specs,
            dtype)


def test_rms_norm_second_derivatives_match_torch():
    second_derivatives(lambda L, x, w: L.nn.functional.rms_norm(x, (4,), w),
                       [arr(3, 4), arr(4)])


@pytest.mark.parametrize("x_dtype, w_dtype", [("float32", "float64"), ("float64", "float32")])
def test_rms_norm_with_a_weight_of_another_dtype_as_torch(x_dtype, w_dtype):
    """The product cast back to x's dtype (ToCopyBackward0), with PyTorch's warning."""
    specs = [(arr(3, 4).astype(x_dtype), True), (arr(4).astype(w_dtype), True)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn_helpers.compare_with_torch(lambda L, x, w: L.nn.functional.rms_norm(x, (4,), w),
                                      specs, rtol=1e-6, atol=1e-6)
    ours, *theirs = [str(w.message) for w in caught]  # (torch warns once per process)
    name = {"float32": "float", "float64": "double"}
    assert ours == (f"Mismatch dtype between input and weight: input dtype = {name[x_dtype]}, "
                    f"weight dtype = {name[w_dtype]}, Cannot dispatch to fused implementation.")
    assert all(t.startswith(ours + " (Triggered internally") for t in theirs)


RMS_NORM_ERRORS = [
    lambda F, t: F.rms_norm(t.ones(3, 4), ()),
    lambda F, t: F.rms_norm(t.ones(3, 4), (3,)),
    lambda F, t: F.rms_norm(t.ones(3, 4), (2, 4)),
    lambda F, t: F.rms_norm(t.ones(4), (3, 4)),
    lambda F, t: F.rms_norm(t.ones(3, 4), 4),
    lambda F, t: F.rms_norm(t.ones(3, 4), (4,), t.ones(3)),
    lambda F, t: F.rms_norm(t.ones(3, 4, dtype=t.long), (4,)),
]


@pytest.mark.parametrize("fn", RMS_NORM_ERRORS)
def test_rms_norm_errors_are_pytorchs(fn):
    assert same_outcome(lambda lib: fn(lib.nn.functional, lib))[0] != "ok"


@pytest.mark.parametrize("make", [lambda nn: nn.RMSNorm(4), lambda nn: nn.RMSNorm([2, 3], 1e-3),
                                  lambda nn: nn.RMSNorm(3, elementwise_affine=False)])
def test_rms_norm_module_repr_state_dict_and_call(make):
    def run(L):
        m = make(L.nn)
        shape = (4, *m.normalized_shape)
        x = L.tensor(np.linspace(-2, 2, math.prod(shape)).reshape(shape), dtype=L.float32)
        return repr(m), [(k, repr(v)) for k, v in m.state_dict().items()], repr(m(x))
    on_both(run)


def test_a_float32_model_with_batch_norm_trains_as_torch():
    """Linear -> BatchNorm1d -> PReLU -> Linear, five SGD steps in float32 from the same weights:
    the same losses, parameters and running statistics, all float32."""
    torch = pytest.importorskip("torch")
    x, y = arr(16, 3, dtype=np.float32), arr(16, 1, dtype=np.float32)

    def make(nn):
        return nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.PReLU(8), nn.Linear(8, 1))

    start = {k: v.numpy().copy() for k, v in make(lab.nn).state_dict().items()}

    def run(L):
        model = make(L.nn)
        model.load_state_dict({k: L.tensor(v) for k, v in start.items()})
        losses = sgd_losses(L, model, L.nn.functional.mse_loss, x, y)
        return losses, {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}

    (ours, ours_state), (theirs, theirs_state) = run(lab), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    for key, value in ours_state.items():
        assert value.dtype == theirs_state[key].dtype
        np.testing.assert_allclose(value, theirs_state[key], rtol=1e-4, atol=1e-6)
