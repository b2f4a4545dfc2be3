"""optim.lr_scheduler against PyTorch: the same learning rates (and cycled momentums) step by
step, as exact floats, with several param groups; state_dict round trips; warnings and errors
with PyTorch's texts. Torch-free tests check the closed forms of the documentation."""
import math
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import raised, require_torch

GROUP_KEYS = ("lr", "initial_lr", "momentum", "betas", "max_momentum", "base_momentum",
              "max_lr", "min_lr")


def make_optimizer(lib, kind="sgd"):
    """Three param groups with different rates, each one parameter of three float64 values."""
    params = [lib.tensor(np.linspace(-1.0, 1.0, 3) * (i + 1), requires_grad=True)
              for i in range(3)]
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5},
              {"params": [params[2]], "lr": 0.02}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1), params
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9), params


def record_groups(opt):
    return [{k: group[k] for k in GROUP_KEYS if k in group} for group in opt.param_groups]


def run_schedule(lib, make, steps, kind="sgd", step_optimizer=True, step_args=None):
    """Build an optimizer and make(lib, opt); then, per step, optimizer.step() (with fixed
    gradients) and scheduler.step(*step_args(i)). Returns the groups' rates and momentums, the
    scheduler's last_lr and last_epoch, the warnings given, and the final parameters."""
    opt, params = make_optimizer(lib, kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = make(lib, opt)
        history = [(sched.get_last_lr(), record_groups(opt))]
        for i in range(steps):
            if step_optimizer:
                for k, p in enumerate(params):
                    p.grad = lib.tensor(np.cos(np.arange(3.0) + i + k))
                opt.step()
            sched.step(*(step_args(i) if step_args else ()))
            history.append((sched.get_last_lr(), record_groups(opt),
                            getattr(sched, "last_epoch", None)))  # ChainedScheduler has none
    messages = [str(w.message) for w in caught]
    return history, messages, [p.detach().numpy().copy() for p in params], sched


def assert_same_schedule(make, steps=30, **kwargs):
    torch = require_torch()
    ours = run_schedule(lab, make, steps, **kwargs)
    theirs = run_schedule(torch, make, steps, **kwargs)
    for i, (a, b) in enumerate(zip(ours[0], theirs[0])):
        assert a == b, f"step {i}"
    assert ours[1] == theirs[1]
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    return ours


def sched(name, *args, **kwargs):
    """make(lib, opt) building lr_scheduler.<name>(opt, *args, **kwargs)."""
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, *args, **kwargs)


class Halving:
    """A callable object: its attributes are saved in the scheduler's state_dict."""

    def __init__(self, rate=0.5):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


SCHEDULES = {
    "lambda": sched("LambdaLR", lambda e: 0.93 ** e),
    "lambda_per_group": sched("LambdaLR", [lambda e: 1 / (e + 1), lambda e: 0.9 ** e,
                                           lambda e: 1.0 + 0.1 * (e % 3)]),
    "multiplicative": sched("MultiplicativeLR", lambda e: 0.95),
    "multiplicative_per_group": sched("MultiplicativeLR", [lambda e: 0.9, lambda e: 1.01,
                                                           lambda e: 1 - e / 100]),
    "step": sched("StepLR", 4, gamma=0.3),
    "multistep": sched("MultiStepLR", [2, 5, 5, 11], gamma=0.3),
    "constant": sched("ConstantLR", factor=0.3, total_iters=4),
    "linear": sched("LinearLR", start_factor=0.1, end_factor=0.8, total_iters=7),
    "linear_down": sched("LinearLR", start_factor=1.0, end_factor=0.05, total_iters=13),
    "exponential": sched("ExponentialLR", 0.87),
    "polynomial": sched("PolynomialLR", total_iters=9, power=2.5),
    "cosine": sched("CosineAnnealingLR", 7, eta_min=0.001),
    "cosine_long": sched("CosineAnnealingLR", 11),
    "warm_restarts": sched("CosineAnnealingWarmRestarts", 3, T_mult=2, eta_min=0.004),
    "warm_restarts_constant": sched("CosineAnnealingWarmRestarts", 5),
    "sequential": lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [
        lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=5),
        lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12)], milestones=[5]),
    "sequential_three": lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [
        lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
        lib.optim.lr_scheduler.ExponentialLR(opt, 0.9),
        lib.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)], milestones=[4, 12]),
    "chained": lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler([
        lib.optim.lr_scheduler.ConstantLR(opt, factor=0.25, total_iters=4),
        lib.optim.lr_scheduler.ExponentialLR(opt, 0.9),
        lib.optim.lr_scheduler.CosineAnnealingLR(opt, 9, eta_min=0.01)]),
    "sequential_of_chained": lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [
        lib.optim.lr_scheduler.ChainedScheduler([
            lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=3),
            lib.optim.lr_scheduler.ExponentialLR(opt, 0.95)], optimizer=opt),
        lib.optim.lr_scheduler.PolynomialLR(opt, total_iters=20)], milestones=[6]),
    "cyclic": sched("CyclicLR", 0.01, [0.1, 0.2, 0.3], step_size_up=4),
    "cyclic_triangular2": sched("CyclicLR", [0.001, 0.01, 0.05], 0.4, step_size_up=3,
                                step_size_down=5, mode="triangular2", base_momentum=0.7,
                                max_momentum=[0.9, 0.95, 0.99]),
    "cyclic_exp_range": sched("CyclicLR", 0.01, 0.1, step_size_up=2, mode="exp_range",
                              gamma=0.97),
    "cyclic_scale_fn": sched("CyclicLR", 0.01, 0.1, step_size_up=3, scale_fn=Halving(0.8),
                             scale_mode="iterations", cycle_momentum=False),
    "one_cycle": sched("OneCycleLR", 0.5, total_steps=30),
    "one_cycle_linear": sched("OneCycleLR", [0.3, 1.0, 0.1], epochs=5, steps_per_epoch=6,
                              pct_start=0.25, anneal_strategy="linear", div_factor=10.0,
                              final_div_factor=100.0),
    "one_cycle_three_phase": sched("OneCycleLR", 0.5, total_steps=31, three_phase=True,
                                   base_momentum=[0.8, 0.85, 0.7], max_momentum=0.97),
    "one_cycle_no_momentum": sched("OneCycleLR", 0.5, total_steps=30, cycle_momentum=False),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_rates_match_torch_step_by_step(name):
    assert_same_schedule(SCHEDULES[name])


@pytest.mark.parametrize("name", ["cyclic", "cyclic_triangular2", "one_cycle",
                                  "one_cycle_three_phase", "cosine", "sequential", "chained"])
def test_rates_and_adam_betas_match_torch(name):
    history = assert_same_schedule(SCHEDULES[name], kind="adam")[0]
    if "cyclic" in name or "one_cycle" in name:  # beta1 is cycled, beta2 stays
        assert len({h[1][0]["betas"] for h in history}) > 3
        assert {h[1][0]["betas"][1] for h in history} == {0.999}


@pytest.mark.parametrize("name", ["step", "linear", "cosine", "cyclic", "one_cycle",
                                  "warm_restarts", "sequential", "chained"])
def test_scheduler_stepped_before_the_optimizer_warns_as_torch(name):
    messages = assert_same_schedule(SCHEDULES[name], steps=3, step_optimizer=False)[1]
    assert all("before `optimizer.step()`" in m for m in messages)


EPOCHS = [0, 3, 1, 7, 7, 12, 2, 25]


@pytest.mark.parametrize("name", ["step", "multistep", "constant", "linear", "exponential",
                                  "polynomial", "cosine", "lambda", "warm_restarts"])
def test_step_with_an_epoch_uses_the_closed_form_as_torch(name):
    messages = assert_same_schedule(SCHEDULES[name], steps=len(EPOCHS),
                                    step_args=lambda i: (EPOCHS[i],))[1]
    if name != "warm_restarts":  # its step(epoch) is not deprecated
        assert len(messages) == len(EPOCHS) and "epoch parameter" in messages[0]


def test_warm_restarts_with_fractional_epochs_match_torch():
    iters = 4
    assert_same_schedule(sched("CosineAnnealingWarmRestarts", 2, T_mult=3, eta_min=0.001),
                         steps=40, step_args=lambda i: (i // iters + (i % iters) / iters,))


def test_one_cycle_past_its_total_steps_is_torchs_value_error():
    torch = require_torch()
    texts = []
    for lib in (lab, torch):
        opt, _ = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(opt, 0.5, total_steps=4)
        for _ in range(4):
            opt.step()
            scheduler.step()
        texts.append(raised(scheduler.step))
    assert texts[0] == texts[1] == (
        "ValueError", "Tried to step 5 times. The specified number of total steps is 4")


def plateau(lib, opt, **kwargs):
    return lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)


METRICS = [5.0, 4.0, 4.0, 3.9999, 4.1, 4.2, 3.0, 3.0, 3.0, 3.0, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9,
           2.9, 10.0, 10.0, 10.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("kwargs", [
    {},
    {"patience": 1},
    {"mode": "max", "patience": 2, "factor": 0.5},
    {"threshold_mode": "abs", "threshold": 0.05, "patience": 1, "cooldown": 2},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.5, "patience": 0},
    {"patience": 0, "factor": 0.5, "min_lr": [0.04, 0.1, 0.001]},
    {"patience": 0, "factor": 0.9, "eps": 0.01, "min_lr": 0.015},
])
def test_reduce_on_plateau_matches_torch(kwargs):
    assert_same_schedule(lambda lib, opt: plateau(lib, opt, **kwargs), steps=len(METRICS),
                         step_args=lambda i: (METRICS[i],))


def test_reduce_on_plateau_takes_a_tensor_metric_and_a_deprecated_epoch():
    assert_same_schedule(lambda lib, opt: plateau(lib, opt, patience=0), steps=6,
                         step_args=lambda i: (lab.tensor(1.0) if i % 2 else 2.0, 10 + i))


def state_without_functions(state):
    """A scheduler's state_dict with PyTorch's and our bound methods left out."""
    if isinstance(state, dict):
        return {k: state_without_functions(v) for k, v in state.items() if not callable(v)}
    if isinstance(state, list):
        return [state_without_functions(v) for v in state]
    return state


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.filterwarnings("ignore:Detected call")  # as PyTorch, when a SequentialLR starts a
def test_state_dict_matches_torch_and_resumes_the_schedule(name):  # ChainedScheduler
    """After 9 steps the state_dict equals PyTorch's; a new scheduler (with the optimizer's
    groups restored) that loads it continues exactly as the original."""
    torch = require_torch()
    states = {}
    for lib in (lab, torch):
        *_, scheduler = run_schedule(lib, SCHEDULES[name], 9)
        states[lib] = scheduler.state_dict()
    ours, theirs = (state_without_functions(states[lib]) for lib in (lab, torch))
    assert ours == theirs and list(ours) == list(theirs)  # the same keys in the same order

    _, _, _, original = run_schedule(lab, SCHEDULES[name], 9)
    saved_groups = [dict(g) for g in original.optimizer.param_groups]
    opt, _ = make_optimizer(lab)
    resumed = SCHEDULES[name](lab, opt)
    for group, saved in zip(opt.param_groups, saved_groups):
        group.update({k: v for k, v in saved.items() if k != "params"})
    resumed.load_state_dict(original.state_dict())
    for _ in range(12):
        original.optimizer.step()
        opt.step()
        original.step()
        resumed.step()
        assert resumed.get_last_lr() == original.get_last_lr()
        assert record_groups(opt) == record_groups(original.optimizer)


def test_plateau_state_dict_matches_torch_and_resumes():
    torch = require_torch()
    states = []
    for lib in (lab, torch):
        opt, _ = make_optimizer(lib)
        scheduler = plateau(lib, opt, mode="max", patience=1, cooldown=1)
        for metric in METRICS[:7]:
            scheduler.step(-metric)
        states.append(scheduler.state_dict())
    assert states[0] == states[1] and list(states[0]) == list(states[1])
    resumed = plateau(lab, make_optimizer(lab)[0])
    resumed.load_state_dict(states[0])
    assert (resumed.mode, resumed.best, resumed.num_bad_epochs) == ("max", -3.0, 0)


def test_callable_objects_are_saved_by_their_attributes():
    opt, _ = make_optimizer(lab)
    scheduler = lab.optim.lr_scheduler.LambdaLR(opt, [Halving(0.25), lambda e: 1.0, Halving()])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.25}, None, {"rate": 0.5}]
    other = lab.optim.lr_scheduler.LambdaLR(opt, [Halving(), lambda e: 1.0, Halving()])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.25 and "lr_lambdas" in state

    cyclic = lab.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, scale_fn=Halving(0.9))
    assert cyclic.state_dict()["_scale_fn_custom"] == {"rate": 0.9}


def test_resuming_with_last_epoch_matches_torch():
    """A scheduler made with last_epoch=k on an optimizer holding initial_lr continues the
    schedule as PyTorch's does."""
    def make(lib, opt):
        lib.optim.lr_scheduler.CosineAnnealingLR(opt, 10)
        return lib.optim.lr_scheduler.CosineAnnealingLR(opt, 10, last_epoch=4)
    assert_same_schedule(make, steps=15)
    assert_same_schedule(lambda lib, opt: (sched("StepLR", 3)(lib, opt),
                                           sched("StepLR", 3, last_epoch=5)(lib, opt))[1])


def bad(name, *args, **kwargs):
    return lambda lib: getattr(lib.optim.lr_scheduler, name)(make_optimizer(lib)[0], *args,
                                                                 **kwargs)


BAD_ARGUMENTS = {
    "lambda_count": bad("LambdaLR", [lambda e: 1.0]),
    "multiplicative_not_callable": bad("MultiplicativeLR", [0.9, 0.9, 0.9]),
    "multiplicative_count": bad("MultiplicativeLR", [0.9]),
    "constant_factor": bad("ConstantLR", factor=1.5),
    "linear_start": bad("LinearLR", start_factor=0),
    "linear_end": bad("LinearLR", end_factor=-0.1),
    "plateau_factor": bad("ReduceLROnPlateau", factor=1.0),
    "plateau_mode": bad("ReduceLROnPlateau", mode="lowest"),
    "plateau_threshold_mode": bad("ReduceLROnPlateau", threshold_mode="relative"),
    "plateau_min_lr": bad("ReduceLROnPlateau", min_lr=[0.1]),
    "cyclic_mode": bad("CyclicLR", 0.1, 1.0, mode="square"),
    "cyclic_max_lr": bad("CyclicLR", 0.1, [1.0, 2.0]),
    "cyclic_momentum": lambda lib: lib.optim.lr_scheduler.CyclicLR(
        lib.optim.Adagrad([lib.ones(1)]), 0.1, 1.0),
    "cyclic_momentum_count": bad("CyclicLR", 0.1, 1.0, base_momentum=[0.8], max_momentum=[1]),
    "one_cycle_momentum_count": bad("OneCycleLR", 0.1, 10, base_momentum=[0.8], max_momentum=[1]),
    "warm_T_0": bad("CosineAnnealingWarmRestarts", 0),
    "warm_T_0_float": bad("CosineAnnealingWarmRestarts", 2.0),
    "warm_T_mult": bad("CosineAnnealingWarmRestarts", 2, T_mult=0),
    "warm_eta_min": bad("CosineAnnealingWarmRestarts", 2, eta_min="0"),
    "warm_epoch": lambda lib: bad("CosineAnnealingWarmRestarts", 2)(lib).step(-1),
    "one_cycle_steps": bad("OneCycleLR", 0.1),
    "one_cycle_total": bad("OneCycleLR", 0.1, total_steps=0),
    "one_cycle_epochs": bad("OneCycleLR", 0.1, epochs=1.5, steps_per_epoch=2),
    "one_cycle_per_epoch": bad("OneCycleLR", 0.1, epochs=2, steps_per_epoch=-2),
    "one_cycle_pct": bad("OneCycleLR", 0.1, total_steps=10, pct_start=1),
    "one_cycle_strategy": bad("OneCycleLR", 0.1, total_steps=10, anneal_strategy="exp"),
    "one_cycle_momentum": lambda lib: lib.optim.lr_scheduler.OneCycleLR(
        lib.optim.Adagrad([lib.ones(1)]), 0.1, total_steps=10),
    "not_an_optimizer": lambda lib: lib.optim.lr_scheduler.OneCycleLR(None, 0.1, 10),
    "sequential_empty": lambda lib: lib.optim.lr_scheduler.SequentialLR(
        make_optimizer(lib)[0], [], []),
    "sequential_milestones": lambda lib: lib.optim.lr_scheduler.SequentialLR(
        make_optimizer(lib)[0], [bad("StepLR", 2)(lib)], [3]),
    "sequential_plateau": lambda lib: (lambda opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.ReduceLROnPlateau(opt)], []))(make_optimizer(lib)[0]),
    "chained_empty": lambda lib: lib.optim.lr_scheduler.ChainedScheduler([]),
    "chained_no_optimizer": lambda lib: lib.optim.lr_scheduler.ChainedScheduler(
        [bad("StepLR", 2)(lib), object()]),
}


@pytest.mark.parametrize("name", BAD_ARGUMENTS)
def test_bad_arguments_raise_torchs_errors(name):
    torch = require_torch()
    assert raised(lambda: BAD_ARGUMENTS[name](lab)) == raised(lambda: BAD_ARGUMENTS[name](torch))


def test_schedulers_of_another_optimizer_are_refused_as_torch():
    torch = require_torch()
    texts = []
    for lib in (lab, torch):
        first = lib.optim.lr_scheduler.StepLR(make_optimizer(lib)[0], 2)
        texts.append(raised(lambda: lib.optim.lr_scheduler.SequentialLR(
            make_optimizer(lib)[0], [first], [])))
    assert texts[0][0] == texts[1][0] == "ValueError"
    # the text shows the optimizer's repr, whose hyper-parameter lists differ between libraries
    assert texts[0][1].split(" has ")[0] == texts[1][1].split(" has ")[0]


# ---- the documented closed forms, without PyTorch ----------------------------------------------
def lrs_of(make, steps, kind="sgd"):
    return [h[0] for h in run_schedule(lab, make, steps, kind)[0]]


def test_cosine_annealing_follows_the_documented_cosine():
    lrs = lrs_of(sched("CosineAnnealingLR", 8, eta_min=0.01), 24)
    for epoch, rates in enumerate(lrs):
        for base, lr in zip((0.1, 0.5, 0.02), rates):
            expected = 0.01 + (base - 0.01) * (1 + math.cos(math.pi * epoch / 8)) / 2
            assert lr == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_one_cycle_rises_to_max_lr_then_falls_to_its_minimum():
    lrs = [rates[0] for rates in lrs_of(sched("OneCycleLR", 1.0, total_steps=20), 20)[:20]]
    peak = lrs.index(max(lrs))
    assert lrs[0] == pytest.approx(1.0 / 25) and lrs[peak] == pytest.approx(1.0)
    assert peak == 5  # pct_start 0.3 of 20 steps: the end of the warm-up is step 5
    assert all(a < b for a, b in zip(lrs[:peak], lrs[1:peak + 1]))
    assert all(a > b for a, b in zip(lrs[peak:], lrs[peak + 1:]))
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)


def test_cyclic_lr_is_a_triangle_and_momentum_its_mirror():
    opt, _ = make_optimizer(lab)
    scheduler = lab.optim.lr_scheduler.CyclicLR(opt, 0.1, 0.5, step_size_up=4,
                                                base_momentum=0.8, max_momentum=0.9)
    for i in range(17):
        position = abs((i % 8) - 4) / 4  # 0 at the peaks of the rate, 1 at its bottom
        assert scheduler.get_last_lr()[0] == pytest.approx(0.5 - 0.4 * position)
        assert opt.param_groups[0]["momentum"] == pytest.approx(0.8 + 0.1 * position)
        opt.step()
        scheduler.step()


def test_warm_restarts_restart_after_growing_periods():
    lrs = [r[0] for r in lrs_of(sched("CosineAnnealingWarmRestarts", 2, T_mult=2), 14)]
    restarts = [i for i, lr in enumerate(lrs) if lr == 0.1]
    assert restarts == [0, 2, 6, 14]


def test_get_lr_outside_step_warns():
    opt, _ = make_optimizer(lab)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        lab.optim.lr_scheduler.PolynomialLR(opt).get_lr()
