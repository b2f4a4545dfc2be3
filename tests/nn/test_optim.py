"""optim: every update equals the published formula step by step, and PyTorch's from the same
starting weights; hyper-parameter errors, param groups, state_dict, schedulers."""
import warnings

import numpy as np
import pytest

import autograd_lab as lab
import autograd_lab.optim as optim
from autograd_lab.optim import _axpy
from autograd_lab.optim._optimizer import _BLOCK
from nn_helpers import same_outcome

STEPS = 6


# ---- the published update rules (PyTorch's documentation), written plainly ---------------------
def sgd_reference(lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    state = {}

    def update(theta, g, t):
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        if momentum:
            state["b"] = g if t == 1 else momentum * state["b"] + (1 - dampening) * g
            g = g + momentum * state["b"] if nesterov else state["b"]
        return theta - lr * g
    return update


def adam_reference(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                   maximize=False, decoupled=False):
    (b1, b2), state = betas, {"m": 0.0, "v": 0.0, "vmax": 0.0}

    def update(theta, g, t):
        g = -g if maximize else g
        if weight_decay and decoupled:
            theta = theta - lr * weight_decay * theta
        elif weight_decay:
            g = g + weight_decay * theta
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        m_hat = state["m"] / (1 - b1 ** t)
        if amsgrad:
            state["vmax"] = np.maximum(state["vmax"], state["v"])
        v_hat = (state["vmax"] if amsgrad else state["v"]) / (1 - b2 ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return update


def rmsprop_reference(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                      centered=False):
    state = {"v": 0.0, "g_avg": 0.0, "b": 0.0}

    def update(theta, g, t):
        if weight_decay:
            g = g + weight_decay * theta
        state["v"] = alpha * state["v"] + (1 - alpha) * g * g
        v = state["v"]
        if centered:
            state["g_avg"] = alpha * state["g_avg"] + (1 - alpha) * g
            v = v - state["g_avg"] ** 2
        if momentum:
            state["b"] = momentum * state["b"] + g / (np.sqrt(v) + eps)
            return theta - lr * state["b"]
        return theta - lr * g / (np.sqrt(v) + eps)
    return update


def adagrad_reference(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                      eps=1e-10, maximize=False):
    state = {"sum": initial_accumulator_value}

    def update(theta, g, t):
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        state["sum"] = state["sum"] + g * g
        return theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(state["sum"]) + eps)
    return update


CASES = [
    ("SGD", {"lr": 0.1}, sgd_reference),
    ("SGD", {"lr": 0.1, "momentum": 0.9}, sgd_reference),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}, sgd_reference),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, sgd_reference),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "nesterov": True}, sgd_reference),
    ("SGD", {"lr": 0.05, "weight_decay": 0.2, "maximize": True}, sgd_reference),
    ("Adam", {"lr": 0.1}, adam_reference),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.9), "weight_decay": 0.1}, adam_reference),
    ("Adam", {"lr": 0.1, "amsgrad": True, "eps": 1e-3}, adam_reference),
    ("Adam", {"lr": 0.1, "maximize": True}, adam_reference),
    ("Adam", {"lr": 0.1, "betas": (0.3, 0.4)}, adam_reference),
    ("AdamW", {"lr": 0.1}, lambda **kw: adam_reference(weight_decay=1e-2, decoupled=True, **kw)),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True},
     lambda **kw: adam_reference(decoupled=True, **kw)),
    ("RMSprop", {"lr": 0.01}, rmsprop_reference),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}, rmsprop_reference),
    ("RMSprop", {"lr": 0.01, "centered": True, "weight_decay": 0.1}, rmsprop_reference),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "alpha": 0.3},
     rmsprop_reference),
    ("Adagrad", {"lr": 0.1}, adagrad_reference),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.3, "weight_decay": 0.1}, adagrad_reference),
    ("Adagrad", {"lr": 0.2, "initial_accumulator_value": 0.5, "eps": 1e-3, "maximize": True},
     adagrad_reference),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw, _ in CASES]


def loss_of(lib, params):
    """A small non-quadratic objective whose gradients change from step to step."""
    w, b = params
    x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=w.dtype)
    return (lib.tanh(x @ w + b) ** 2).sum() + (w * w).sum()


def initial(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 2)), rng.normal(size=2)]


def assert_follows_formula(name, kwargs, reference, steps=STEPS):
    """optim.<name>(**kwargs) updates as reference(**kwargs) (a function of (theta, g, t) per
    parameter), step by step, in float64."""
    params = [lab.tensor(a, requires_grad=True) for a in initial()]
    opt = getattr(optim, name)(params, **kwargs)
    expected = [a.copy() for a in initial()]
    updates = [reference(**kwargs) for _ in params]
    for t in range(1, steps + 1):
        opt.zero_grad()
        loss_of(lab, params).backward()
        grads = [p.grad.numpy().copy() for p in params]
        opt.step()
        expected = [u(e, g, t) for u, e, g in zip(updates, expected, grads)]
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p.detach().numpy(), e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=IDS)
def test_updates_follow_the_published_formula(name, kwargs, reference):
    assert_follows_formula(name, kwargs, reference)


def train(lib, name, kwargs, dtype, steps=STEPS):
    """(the parameters after each step, the optimizer, the parameters) of lib.optim.<name>
    minimizing loss_of from initial() in dtype."""
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in initial()]
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss_of(lib, params).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt, params


def assert_same_state(ours, theirs, tolerance):
    """Two optimizers' state_dicts: the same groups, state keys, dtypes and values."""
    ours, theirs = ours.state_dict(), theirs.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for i, state in theirs["state"].items():
        assert list(ours["state"][i]) == list(state)
        for key, value in state.items():
            assert repr(ours["state"][i][key].dtype) == repr(value.dtype)
            np.testing.assert_allclose(ours["state"][i][key].numpy(), value.numpy(), **tolerance)


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_updates_equal_torchs_from_the_same_weights(name, kwargs, reference, dtype):
    torch = pytest.importorskip("torch")
    (ours, ours_opt, _), (theirs, theirs_opt, _) = (train(lib, name, kwargs, dtype)
                                                     for lib in (lab, torch))
    tol = {"float64": 1e-12, "float32": 2e-5}[dtype]  # float32: torch fuses some roundings
    for ours_params, theirs_params in zip(ours, theirs):
        for a, b in zip(ours_params, theirs_params):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    assert repr(ours_opt) == repr(theirs_opt)
    assert_same_state(ours_opt, theirs_opt, dict(rtol=tol, atol=tol))


SGD_CASES = [case for case in CASES if case[0] == "SGD"]
needs_fused_blas = pytest.mark.skipif(not _axpy._KERNELS, reason="numpy has no bundled OpenBLAS")


@needs_fused_blas
@pytest.mark.parametrize("name, kwargs, reference", SGD_CASES, ids=IDS[:len(SGD_CASES)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape, order", [((3, 2), "C"), ((33, 7), "F"), ((257,), "C")])
def test_sgd_updates_are_torchs_to_the_last_bit(name, kwargs, reference, dtype, shape, order):
    """PyTorch's add_(g, alpha=-lr) rounds once per element; so does ours (BLAS axpy), where a
    multiply then an add differs in the last bit of about one element in seven."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    start = np.asarray(rng.normal(size=shape), dtype, order=order)
    grads = [np.asarray(rng.normal(size=shape) * 3, dtype, order=order) for _ in range(4)]
    results = []
    for lib in (lab, torch):
        p = lib.nn.Parameter(lib.from_numpy(start.copy(order="K")))
        opt = lib.optim.SGD([p], **kwargs)
        for g in grads:
            p.grad = lib.from_numpy(g.copy(order="K"))
            opt.step()
        results.append(p.detach().numpy())
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("name, kwargs, reference", SGD_CASES, ids=IDS[:len(SGD_CASES)])
def test_sgd_without_fused_blas_still_follows_the_formula(name, kwargs, reference, monkeypatch):
    monkeypatch.setattr(_axpy, "_KERNELS", {})
    assert_follows_formula(name, kwargs, reference)


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.1, "maximize": True}), ("SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adadelta", {}), ("Adadelta", {"maximize": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "maximize": True}), ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adagrad", {"maximize": True}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}),
])
def test_zero_dimensional_parameters_update_as_pytorchs(name, kwargs):
    """numpy's math on 0-d arrays gives scalars: the updates and the state must not lose them."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (lab, torch):
        p = lib.tensor(1.0, requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in (0.5, -0.25, 2.0):
            p.grad = lib.tensor(g)
            opt.step()
        state = {k: float(v) for k, v in opt.state[p].items() if hasattr(v, "dim")}
        results.append((p.item(), state))
    (ours, our_state), (theirs, their_state) = results
    assert ours == pytest.approx(theirs, rel=1e-6) and our_state.keys() == their_state.keys()
    for key, value in their_state.items():
        assert our_state[key] == pytest.approx(value, rel=1e-6), key


@needs_fused_blas
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["C/C", "F/F", "C/F", "F/C", "strided/C", "C/strided",
                                    "0-d", "overlapping"])
def test_axpy_rounds_as_pytorchs_add_in_every_layout(dtype, layout):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    big = rng.normal(size=(40, 66)).astype(dtype)
    grad = (rng.normal(size=(40, 66)) * 3).astype(dtype)
    pick = {"C": lambda a: a[:, :33].copy(), "F": lambda a: np.asfortranarray(a[:, :33]),
            "strided": lambda a: a[:, ::2]}
    if layout == "0-d":
        y, x = np.array(big[0, 0]), np.array(grad[0, 0])
    elif layout == "overlapping":  # x and y views of one buffer, one element apart
        flat = big.reshape(-1)
        y, x = flat[1:1001], flat[:1000]
    else:
        (py, px) = layout.split("/")
        y, x = pick[py](big), pick[px](grad)
    expected = torch.from_numpy(y.copy()).add_(torch.from_numpy(x.copy()), alpha=-0.37).numpy()
    assert _axpy.axpy(-0.37, x, y)
    np.testing.assert_array_equal(y, expected)


@needs_fused_blas
def test_axpy_refuses_what_it_cannot_fuse_and_leaves_it_alone():
    x, y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    frozen = np.ones((2, 3))
    frozen.flags.writeable = False
    assert _axpy.axpy(1.0, x[:0], np.empty((0, 3)))  # nothing to add
    for a, b in [(x.astype(np.float32), y), (x, y[:, :2]), (x, np.ones((2, 3), np.int64)),
                 (x, frozen), (x.astype(np.float16), y.astype(np.float16))]:
        before = b.copy()
        assert not _axpy.axpy(1.0, a, b)
        np.testing.assert_array_equal(b, before)


# ---- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, message", [
    ("SGD", {"lr": -1}, "Invalid learning rate: -1"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("SGD", {"lr": 0.1, "nesterov": True},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("Adam", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("Adam", {"eps": -1}, "Invalid epsilon value: -1"),
    ("Adam", {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
    ("AdamW", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ("AdamW", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("RMSprop", {"alpha": -1}, "Invalid alpha value: -1"),
    ("RMSprop", {"momentum": -1}, "Invalid momentum value: -1"),
    ("RMSprop", {"eps": -1}, "Invalid epsilon value: -1"),
    ("Adagrad", {"lr": -1}, "Invalid learning rate: -1"),
    ("Adagrad", {"lr_decay": -0.5}, "Invalid lr_decay value: -0.5"),
    ("Adagrad", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("Adagrad", {"initial_accumulator_value": -1},
     "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", {"eps": -1}, "Invalid epsilon value: -1"),
])
def test_invalid_hyper_parameters_raise_pytorchs_value_errors(name, kwargs, message):
    torch = pytest.importorskip("torch")
    for lib in (lab, torch):
        with pytest.raises(ValueError) as info:
            getattr(lib.optim, name)([lib.ones(2, requires_grad=True)], **kwargs)
        assert str(info.value) == message


@pytest.mark.parametrize("name, key", [("SGD", "lr"), ("SGD", "momentum"),
                                       ("SGD", "weight_decay"), ("Adam", "lr"), ("AdamW", "eps"),
                                       ("RMSprop", "lr"), ("RMSprop", "alpha"),
                                       ("Adagrad", "lr_decay")])
def test_nan_hyper_parameters_as_pytorch(name, key):  # SGD checks only value < 0
    def run(lib):
        w = lib.nn.Parameter(lib.ones(1))
        w.grad = lib.ones(1)
        getattr(lib.optim, name)([w], **{"lr": 0.1, key: float("nan")}).step()
        return w
    same_outcome(run)


def test_param_errors_are_pytorchs():
    p = lab.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be an "
                                        "iterable of Tensors or dicts, but got torch.FloatTensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is float"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}])
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        opt.add_param_group({"params": [p]})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(NotImplementedError, match="differentiable=True is not supported"):
        optim.Adam([p], differentiable=True)


# ---- groups, zero_grad, state -------------------------------------------------------------
def test_param_groups_and_add_param_group():
    a, b = lab.ones(2, requires_grad=True), lab.ones(3, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [b]
    c = lab.ones(1, requires_grad=True)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    (a.sum() + b.sum() + c.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), 0.9)
    np.testing.assert_allclose(b.detach().numpy(), 0.5)
    np.testing.assert_allclose(c.detach().numpy(), 0.9)
    assert set(opt.state) == {a, b}


def test_named_parameters_are_accepted_and_saved():
    model = lab.nn.Linear(2, 1)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_and_params_without_grad_are_skipped(set_to_none):
    a, b = lab.ones(2, requires_grad=True), lab.ones(2, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.sum().backward()
    opt.step()
    assert b.detach().numpy().tolist() == [1.0, 1.0] and b not in opt.state
    assert opt.state[a]["step"].dtype == lab.float32 and opt.state[a]["step"].item() == 1.0
    opt.zero_grad(set_to_none=set_to_none)
    assert a.grad is None if set_to_none else a.grad.numpy().tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name, kwargs", [("Adam", {"amsgrad": True}),
                                          ("Adagrad", {"lr_decay": 0.1})])
def test_state_dict_round_trip_continues_identically(name, kwargs):
    def make():
        lab.manual_seed(0)
        model = lab.nn.Sequential(lab.nn.Linear(3, 4), lab.nn.Tanh(), lab.nn.Linear(4, 1))
        return model, getattr(optim, name)(model.parameters(), lr=0.05, **kwargs)

    x, y = lab.randn(8, 3), lab.randn(8, 1)

    def train(model, opt, n):
        for _ in range(n):
            opt.zero_grad()
            lab.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    model, opt = make()
    train(model, opt, 3)
    saved_model, saved_opt = model.state_dict(), opt.state_dict()
    saved_model = {k: v.clone() for k, v in saved_model.items()}
    saved_opt = {"state": {k: {n: t.clone() for n, t in s.items()}
                           for k, s in saved_opt["state"].items()},
                 "param_groups": saved_opt["param_groups"]}
    train(model, opt, 4)
    model2, opt2 = make()
    model2.load_state_dict(saved_model)
    opt2.load_state_dict(saved_opt)
    assert opt2.param_groups[0]["params"] == list(model2.parameters())
    train(model2, opt2, 4)
    for p, q in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt2.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt2.load_state_dict({"state": {}, "param_groups": [dict(saved_opt["param_groups"][0],
                                                                 params=[0])]})


LOADS = [("SGD", {"momentum": 0.9}, ["nesterov", "maximize", "foreach", "differentiable",
                                      "fused"]),
         ("Adam", {}, ["amsgrad", "maximize", "foreach", "capturable", "differentiable",
                       "decoupled_weight_decay", "fused"]),
         ("AdamW", {}, ["decoupled_weight_decay", "amsgrad"]),
         ("RMSprop", {"momentum": 0.5, "centered": True}, ["momentum", "centered", "maximize"]),
         ("Adagrad", {"lr_decay": 0.1}, ["foreach", "maximize", "differentiable", "fused"])]


def stepped(lib, name, kwargs, dtype="float32"):
    """(parameter, optimizer) after one step."""
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0], dtype=getattr(lib, dtype)))
    opt = getattr(lib.optim, name)([w], lr=0.1, **kwargs)
    w.grad = lib.tensor([0.5, 1.0], dtype=w.dtype)
    opt.step()
    return w, opt


@pytest.mark.parametrize("name, kwargs, keys", LOADS)
def test_load_state_dict_shares_state_and_fills_in_defaults_as_pytorch(name, kwargs, keys):
    def shared(lib):
        w, o1 = stepped(lib, name, kwargs)
        w64, o2 = stepped(lib, name, kwargs, "float64")
        o2.load_state_dict(o1.state_dict())  # float64 params: copies, except 'step'
        o1.load_state_dict(o1.state_dict())
        return [{k: (v.dtype, v is o1.state[w][k]) for k, v in o.state[p].items()}
                for o, p in ((o1, w), (o2, w64))]
    ours = same_outcome(shared)[1]
    assert "(torch.float32, True)" in ours and "(torch.float64, False)" in ours

    def filled(lib):
        w, opt = stepped(lib, name, kwargs)
        saved = opt.state_dict()
        for key in keys:
            del saved["param_groups"][0][key]
        saved["state"][0]["step"] = 3.0  # a number, as older PyTorch saved it
        opt.load_state_dict(saved)
        opt.step()
        return sorted((k, v) for k, v in opt.param_groups[0].items() if k != "params"), \
            np.round(w.tolist(), 5).tolist(), {k: v.dtype for k, v in opt.state[w].items()}
    same_outcome(filled)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad"])
def test_loading_sgd_state_into_another_optimizer_is_pytorchs_key_error(name):
    def load(lib):
        w, sgd = stepped(lib, "SGD", {"momentum": 0.9})
        getattr(lib.optim, name)([w]).load_state_dict(sgd.state_dict())
    assert same_outcome(load) == ("KeyError", "'step'")


def test_adagrad_state_exists_before_the_first_step_as_pytorch():
    def fresh(lib):
        w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        state = lib.optim.Adagrad([w], initial_accumulator_value=0.25).state_dict()["state"]
        return {i: {k: (v.dtype, v.tolist()) for k, v in s.items()} for i, s in state.items()}
    assert "'sum': (torch.float32, [0.25, 0.25])" in same_outcome(fresh)[1]


def test_float32_parameters_stay_float32():
    model = lab.nn.Linear(3, 2)
    for opt in (optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1),
                optim.Adam(model.parameters()), optim.AdamW(model.parameters(), amsgrad=True),
                optim.RMSprop(model.parameters(), centered=True, momentum=0.1),
                optim.Adagrad(model.parameters(), lr_decay=0.1, weight_decay=0.1)):
        for _ in range(2):
            opt.zero_grad()
            model(lab.randn(4, 3)).sum().backward()
            opt.step()
        assert all(p.dtype == lab.float32 for p in model.parameters())
        assert all(t.dtype == lab.float32 for s in opt.state.values() for k, t in s.items()
                   if k != "step")


def test_a_step_invalidates_graphs_that_saved_the_weights():
    model = lab.nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = (model(lab.ones(3, 2, requires_grad=True)) ** 2).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_closure_is_evaluated_with_grad():
    w = lab.tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss
    with lab.no_grad():
        assert opt.step(closure).item() == 9.0
    assert w.item() == 1.5


# ---- schedulers ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs", [("StepLR", {"step_size": 3, "gamma": 0.5}),
                                          ("StepLR", {"step_size": 1}),
                                          ("ExponentialLR", {"gamma": 0.9})])
def test_schedulers_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    lrs = {}
    for lib in (lab, torch):
        p = lib.ones(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.ones(1)], "lr": 1.0}], lr=0.1)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        seen = []
        for _ in range(8):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        lrs[lib] = seen, opt.param_groups[0]["initial_lr"], sched.last_epoch
    assert lrs[lab] == lrs[torch]


def test_scheduler_warnings_and_state():
    p = lab.ones(1, requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                         r"`optimizer.step\(\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(4)
    assert sched.get_last_lr() == [pytest.approx(0.01)]
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4
    other = optim.lr_scheduler.StepLR(optim.SGD([p], lr=1.0), step_size=5)
    other.load_state_dict(state)
    assert other.step_size == 2 and other.last_epoch == 4
    with pytest.raises(TypeError, match="NoneType is not an Optimizer"):
        optim.lr_scheduler.ExponentialLR(None, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = optim.SGD([p], lr=1.0)
        sched = optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.5


def warned(fn):
    """(messages of the warnings fn() gives, its result)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return [str(w.message) for w in caught], result


def my_sgd(lib):
    """A user-written optimizer that overrides step(), as in the usual exercise."""
    class MySGD(lib.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @lib.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.add_(p.grad, alpha=-group["lr"])
    return MySGD


@pytest.mark.parametrize("make", ["SGD", "MySGD"])
def test_scheduler_sees_the_step_of_any_optimizer_as_pytorch(make):
    def run(lib):
        w = lib.nn.Parameter(lib.tensor([1.0]))
        opt = (lib.optim.SGD if make == "SGD" else my_sgd(lib))([w], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        w.grad = lib.ones(1)
        opt.step()
        return warned(sched.step), w.item(), sched.get_last_lr(), list(sched.state_dict())
    assert same_outcome(run)[1].startswith("(([], None), 0.89999")

    def early(lib):
        sched = lib.optim.lr_scheduler.StepLR(
            (lib.optim.SGD if make == "SGD" else my_sgd(lib))([lib.ones(1)], lr=0.1), 1)
        return warned(sched.step)[0]
    assert "before `optimizer.step()`" in same_outcome(early)[1]


def test_scheduler_warns_as_pytorch_about_a_replaced_step_and_direct_get_lr():
    def replaced(lib):
        opt = lib.optim.SGD([lib.ones(1)], lr=1.0)
        sched = lib.optim.lr_scheduler.StepLR(opt, 1)
        opt.step = lambda closure=None: None
        return warned(sched.step)[0]
    assert "has been overridden" in same_outcome(replaced)[1]

    def get_lr(lib):
        opt = lib.optim.SGD([lib.ones(1)], lr=1.0)
        return [warned(s.get_lr) for s in (lib.optim.lr_scheduler.StepLR(opt, 2),
                                           lib.optim.lr_scheduler.ExponentialLR(opt, 0.5))]
    assert same_outcome(get_lr)[1].count("please use `get_last_lr()`") == 2


def test_resuming_a_scheduler_without_initial_lr_is_pytorchs_key_error():
    assert same_outcome(lambda lib: lib.optim.lr_scheduler.StepLR(
        lib.optim.SGD([lib.ones(1)], lr=1.0), 1, last_epoch=3))[0] == "KeyError"


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("order", ["C", "F"])
def test_sgd_on_large_parameters_updates_every_element(order, fused, monkeypatch):
    if not fused:  # numpy's way, block by block through the scratch buffer
        monkeypatch.setattr(_axpy, "_KERNELS", {})
    rng = np.random.default_rng(3)
    rows = _BLOCK // 500 + 7  # more than one update block, the last one partial
    start = np.asarray(rng.normal(size=(rows, 500)), order=order)
    p = lab.nn.Parameter(lab.from_numpy(start.copy(order=order)))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.25)
    expected, buf = start.copy(), None
    for _ in range(3):
        grad = rng.normal(size=start.shape)
        p.grad = lab.from_numpy(np.asarray(grad, order=order))
        opt.step()
        buf = grad if buf is None else 0.9 * buf + 0.75 * grad
        expected = expected - 0.1 * buf
    np.testing.assert_allclose(p.detach().numpy(), expected, rtol=1e-13, atol=1e-15)
