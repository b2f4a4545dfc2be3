"""Adamax, NAdam, RAdam and Adadelta: each update follows the published formula (written plainly
below, without PyTorch) and equals PyTorch's step by step from the same weights in float64 and
float32; their ValueErrors and state_dicts are PyTorch's.

PyTorch's CPU kernels fuse some roundings (add_ with alpha, lerp_, addcmul_ and addcdiv_ use fused
multiply-adds), which plain numpy cannot: after one step the values agree to a few ulps, not bit
for bit; over 12 steps at lr 0.1 those differences grow (float64 within 1e-12, float32 1e-5)."""
import io

import numpy as np
import pytest

import autograd_lab as lab
from helpers import raised, require_torch
from test_optim import assert_follows_formula, assert_same_state, loss_of, train

STEPS = 12  # RAdam's rectification starts at step 6 with beta2 = 0.999
TOLERANCE = {"float64": dict(rtol=1e-12, atol=1e-14), "float32": dict(rtol=1e-5, atol=1e-5)}


def adamax_reference(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
    (b1, b2), state = betas, {"m": 0.0, "u": 0.0}

    def update(theta, g, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["u"] = np.maximum(b2 * state["u"], np.abs(g) + eps)
        return theta - lr / (1 - b1 ** t) * state["m"] / state["u"]
    return update


def nadam_reference(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                    momentum_decay=4e-3, decoupled_weight_decay=False):
    (b1, b2), state = betas, {"m": 0.0, "v": 0.0, "mu_product": 1.0}

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    def update(theta, g, t):
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        # PyTorch keeps the product of the mu's in a float32 tensor (so the step depends on it)
        state["mu_product"] = float(np.float32(state["mu_product"]) * np.float32(mu(t)))
        product, product_next = state["mu_product"], state["mu_product"] * mu(t + 1)
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        step = (1 - mu(t)) / (1 - product) * g + mu(t + 1) / (1 - product_next) * state["m"]
        return theta - lr * step / (np.sqrt(state["v"] / (1 - b2 ** t)) + eps)
    return update


def radam_reference(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                    decoupled_weight_decay=False):
    (b1, b2), state = betas, {"m": 0.0, "v": 0.0}
    rho_inf = 2 / (1 - b2) - 1

    def update(theta, g, t):
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        m_hat = state["m"] / (1 - b1 ** t)
        rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho_t <= 5:
            return theta - lr * m_hat
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return theta - lr * m_hat * r * np.sqrt(1 - b2 ** t) / (np.sqrt(state["v"]) + eps)
    return update


def adadelta_reference(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    state = {"v": 0.0, "u": 0.0}

    def update(theta, g, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        state["v"] = rho * state["v"] + (1 - rho) * g * g
        delta = np.sqrt(state["u"] + eps) / np.sqrt(state["v"] + eps) * g
        state["u"] = rho * state["u"] + (1 - rho) * delta * delta
        return theta - lr * delta
    return update


CASES = [
    ("Adamax", {}, adamax_reference),
    ("Adamax", {"lr": 0.1, "betas": (0.5, 0.8), "weight_decay": 0.1}, adamax_reference),
    ("Adamax", {"lr": 0.05, "eps": 1e-3, "maximize": True}, adamax_reference),
    ("NAdam", {"lr": 0.1}, nadam_reference),
    ("NAdam", {"lr": 0.1, "weight_decay": 0.1, "momentum_decay": 0.05}, nadam_reference),
    ("NAdam", {"lr": 0.1, "weight_decay": 0.2, "decoupled_weight_decay": True,
               "betas": (0.8, 0.9)}, nadam_reference),
    ("RAdam", {"lr": 0.1}, radam_reference),
    ("RAdam", {"lr": 0.1, "weight_decay": 0.1, "eps": 1e-4}, radam_reference),
    ("RAdam", {"lr": 0.1, "weight_decay": 0.2, "decoupled_weight_decay": True,
               "betas": (0.7, 0.8)}, radam_reference),
    ("Adadelta", {}, adadelta_reference),
    ("Adadelta", {"lr": 0.5, "rho": 0.6, "weight_decay": 0.1}, adadelta_reference),
    ("Adadelta", {"lr": 2.0, "eps": 1e-3, "maximize": True}, adadelta_reference),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw, _ in CASES]


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=IDS)
def test_updates_follow_the_published_formula(name, kwargs, reference):
    assert_follows_formula(name, kwargs, reference, steps=STEPS)


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_updates_equal_torchs_from_the_same_weights(name, kwargs, reference, dtype):
    torch = require_torch()
    (ours, ours_opt, _), (theirs, theirs_opt, _) = (train(lab, name, kwargs, dtype, STEPS),
                                                     train(torch, name, kwargs, dtype, STEPS))
    for step, (a_params, b_params) in enumerate(zip(ours, theirs)):
        for a, b in zip(a_params, b_params):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, **TOLERANCE[dtype], err_msg=f"step {step + 1}")
    assert repr(ours_opt) == repr(theirs_opt)
    assert_same_state(ours_opt, theirs_opt, TOLERANCE[dtype])


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_first_steps_are_torchs_to_a_few_ulps(name, kwargs, reference, dtype):
    """The first two steps differ from PyTorch's by at most 4 ulps of the weights' scale."""
    torch = require_torch()
    for ours, theirs in zip(*(train(lib, name, kwargs, dtype, steps=2)[0] for lib in (lab, torch))):
        for a, b in zip(ours, theirs):
            ulp = np.finfo(a.dtype).eps * np.abs(b).max()
            np.testing.assert_allclose(a, b, rtol=0, atol=4 * ulp)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Adadelta"])
def test_state_dict_round_trip_continues_as_the_original(name):
    """A fresh optimizer loading the state of one stopped after 5 steps takes the same steps."""
    original, opt, params = train(lab, name, {"lr": 0.1}, "float32", steps=5)
    copies = [lab.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    resumed = getattr(lab.optim, name)(copies, lr=0.5)
    buffer = io.BytesIO()  # a checkpoint: the loaded state must not share the original's arrays
    lab.save(opt.state_dict(), buffer)
    buffer.seek(0)
    resumed.load_state_dict(lab.load(buffer))
    assert resumed.param_groups[0]["lr"] == 0.1
    for _ in range(4):
        for o, ps in ((opt, params), (resumed, copies)):
            o.zero_grad()
            loss_of(lab, ps).backward()
            o.step()
        for p, q in zip(params, copies):
            assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    assert resumed.state[copies[0]]["step"].item() == 9.0


def test_nadam_loads_an_old_state_with_numbers_as_torch():
    """Older PyTorch saved NAdam's step and mu_product as numbers: both become float32
    tensors."""
    torch = require_torch()
    loaded = []
    for lib in (lab, torch):
        _, opt, _ = train(lib, "NAdam", {"lr": 0.1}, "float64", steps=2)
        saved = opt.state_dict()
        for state in saved["state"].values():
            state["step"], state["mu_product"] = 2.0, float(state["mu_product"])
        opt.load_state_dict(saved)
        loaded.append({k: (repr(v.dtype), v.tolist()) for k, v in opt.state[
            opt.param_groups[0]["params"][1]].items() if k in ("step", "mu_product")})
    assert loaded[0] == loaded[1]


BAD = [
    ("Adamax", {"lr": -1.0}), ("Adamax", {"eps": -1e-8}), ("Adamax", {"betas": (1.0, 0.9)}),
    ("Adamax", {"betas": (0.9, -0.1)}), ("Adamax", {"weight_decay": -0.5}),
    ("NAdam", {"lr": -1e-3}), ("NAdam", {"betas": (0.9, 1.0)}), ("NAdam", {"momentum_decay": -1}),
    ("NAdam", {"weight_decay": -1}), ("NAdam", {"eps": -1.0}),
    ("RAdam", {"lr": -0.1}), ("RAdam", {"betas": (-0.1, 0.9)}), ("RAdam", {"weight_decay": -2}),
    ("RAdam", {"eps": float("nan")}),
    ("Adadelta", {"lr": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"rho": -0.1}),
    ("Adadelta", {"eps": -1e-6}), ("Adadelta", {"weight_decay": -0.1}),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_bad_hyper_parameters_raise_torchs_value_errors(name, kwargs):
    torch = require_torch()
    ours, theirs = (raised(lambda lib=lib: getattr(lib.optim, name)(
        [lib.ones(2, requires_grad=True)], **kwargs)) for lib in (lab, torch))
    assert ours == theirs and ours[0] == "ValueError"


def test_rho_of_one_is_accepted_as_torch():
    """Adadelta's rho may be 1 (PyTorch checks 0 <= rho <= 1): nothing is ever averaged in, so
    every step is sqrt(eps) / sqrt(eps) * g."""
    w = lab.tensor([1.0, -2.0], requires_grad=True)
    opt = lab.optim.Adadelta([w], lr=0.5, rho=1.0)
    w.grad = lab.tensor([0.25, 1.0])
    opt.step()
    assert w.tolist() == [1.0 - 0.5 * 0.25, -2.0 - 0.5 * 1.0]
