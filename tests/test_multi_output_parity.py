"""Functions with several differentiable outputs (var_mean, std_mean, aminmax, slogdet, eigh,
qr, svd), against PyTorch: one backward call for all outputs, the consumers' output numbers,
node names and gradients (first and second order) for every subset of outputs used."""
import gc
import weakref

import numpy as np
import pytest

import autograd_lab as lab
import autograd_lab._group as group_module
from helpers import outcome, raised, require_torch

_RNG = np.random.default_rng(7)
_X = _RNG.standard_normal((3, 4))
_A = _RNG.standard_normal((3, 3)) + 3 * np.eye(3)
_WIDE = _RNG.standard_normal((3, 5))
_TALL = _RNG.standard_normal((5, 3))

CASES = {  # name: (input, the function of (module, input))
    "var_mean": (_X, lambda T, x: T.var_mean(x, 1)),
    "var_mean_all": (_X, lambda T, x: T.var_mean(x)),
    "std_mean": (_X, lambda T, x: T.std_mean(x, 0, keepdim=True, correction=0)),
    "aminmax": (_X, lambda T, x: T.aminmax(x, dim=1)),
    "aminmax_all": (_X, lambda T, x: T.aminmax(x)),
    "slogdet": (_A, lambda T, x: T.slogdet(x)),
    "linalg.slogdet": (_A, lambda T, x: T.linalg.slogdet(x)),
    "eigh": (_A + _A.T, lambda T, x: T.linalg.eigh(x)),
    "qr": (_A, lambda T, x: T.linalg.qr(x)),
    "qr_wide": (_WIDE, lambda T, x: T.linalg.qr(x)),
    "qr_tall": (_TALL, lambda T, x: T.linalg.qr(x)),
    "svd": (_A, lambda T, x: T.linalg.svd(x, full_matrices=False)),
    "svd_wide": (_WIDE, lambda T, x: T.linalg.svd(x, full_matrices=False)),
    "svd_tall": (_TALL, lambda T, x: T.linalg.svd(x, full_matrices=False)),
}


def _subsets(n):
    return [(k,) for k in range(n)] + [tuple(range(n))]


_PARAMS = [(name, used) for name, (a, f) in CASES.items()
           for used in _subsets(len(f(lab, lab.tensor(a))))]


def _grads(T, name, used):
    """d loss / dx and the second derivative of a weighted sum of it, where the loss weighs
    the outputs `used` (eigenvectors and singular vectors squared: their signs are free)."""
    a, f = CASES[name]
    x = T.tensor(a, dtype=T.float64, requires_grad=True)
    outs = f(T, x)
    rng = np.random.default_rng(len(name) * 10 + sum(used))
    loss = 0
    for k in used:
        o = outs[k] * outs[k] if name.startswith(("eigh", "svd")) and outs[k].ndim == 2 \
            else outs[k]
        loss = loss + (o * T.tensor(rng.standard_normal(tuple(o.shape)))).sum()
    g, = T.autograd.grad(loss, x, create_graph=True, allow_unused=True)
    if g is None or not g.requires_grad:
        return g, None
    h, = T.autograd.grad((g * T.tensor(rng.standard_normal(a.shape))).sum(), x,
                         allow_unused=True)
    return g.detach().numpy(), h.numpy()


@pytest.mark.parametrize("name,used", _PARAMS)
def test_gradients_match_torch(name, used):
    torch = require_torch()
    (g, h), (tg, th) = _grads(lab, name, used), _grads(torch, name, used)
    assert (g is None) == (tg is None) and (h is None) == (th is None)
    if tg is not None:
        np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-10)
    if th is not None:
        np.testing.assert_allclose(h, th, rtol=1e-7, atol=1e-9)


def _structure(T, name):
    a, f = CASES[name]
    outs = f(T, T.tensor(a, dtype=T.float64, requires_grad=True))
    return ([o.grad_fn.name() for o in outs],
            [(o * 1).grad_fn.next_functions[0][1] for o in outs],
            [o.requires_grad for o in outs])


@pytest.mark.parametrize("name", CASES)
def test_names_and_output_numbers_match_torch(name):
    assert _structure(lab, name) == _structure(require_torch(), name)


@pytest.mark.parametrize("fn", ["linalg.svdvals", "linalg.eigvalsh"])
def test_single_result_forms_name_torch_output_numbers(fn):
    def consumer(T):
        f = getattr(T.linalg, fn.split(".")[1])
        out = f(T.tensor(_A + _A.T, dtype=T.float64, requires_grad=True))
        return out.grad_fn.name(), (out * 1).grad_fn.next_functions[0][1]
    assert consumer(lab) == consumer(require_torch())


@pytest.mark.parametrize("name", CASES)
def test_one_backward_call_for_all_outputs(name, monkeypatch):
    a, f = CASES[name]
    calls = []
    run = group_module._run
    monkeypatch.setattr(group_module, "_run", lambda *args: calls.append(1) or run(*args))
    x = lab.tensor(a, dtype=lab.float64, requires_grad=True)
    outs = f(lab, x)
    loss = sum(((o * o).sum() for o in outs), lab.tensor(0., dtype=lab.float64))
    loss.backward(retain_graph=True)
    loss.backward()
    assert len(calls) == 2  # one per backward pass, whatever the number of outputs


def _twice(T, retain):
    """var_mean's gradient accumulated over two backward passes (the first retaining the graph
    or not), or the second pass's error."""
    x = T.tensor(_X, dtype=T.float64, requires_grad=True)
    v, m = T.var_mean(x, 1)
    loss = v.sum() + 2 * m.sum()
    loss.backward(retain_graph=retain)
    try:
        loss.backward()
    except RuntimeError as e:
        return str(e)
    return x.grad.numpy()


@pytest.mark.parametrize("retain", [True, False])
def test_retain_graph_and_freed_as_torch(retain):
    torch = require_torch()
    ours, theirs = _twice(lab, retain), _twice(torch, retain)
    if retain:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    else:
        assert ours == theirs


def test_input_changed_in_place_is_refused_as_in_torch():
    torch = require_torch()

    def change(T):
        y = T.tensor(_X, dtype=T.float64, requires_grad=True) * 1
        s, m = T.std_mean(y, 1)
        with T.no_grad():
            y.add_(1)
        (s.sum() + m.sum()).backward()
    ours, theirs = raised(lambda: change(lab)), raised(lambda: change(torch))
    assert ours[0] == theirs[0] and ours[1].startswith(theirs[1].split(" Hint:")[0])


def test_graph_display_draws_a_group(tmp_path):
    x = lab.tensor(_A, dtype=lab.float64, requires_grad=True)
    q, r = lab.linalg.qr(x)
    path = tmp_path / "qr.png"
    lab.viz.save(q.sum() + r.sum(), str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ops = [data["grad_fn"] for _, data in lab.viz.to_networkx(q.sum() + r.sum()).nodes(data=True)
           if data["kind"] == "op"]
    assert ops.count("LinalgQrBackward0") == 2  # one box per output, both reading x


def test_a_group_goes_with_its_results_without_the_cycle_collector():
    x = lab.tensor(_A, dtype=lab.float64, requires_grad=True)
    was = gc.isenabled()
    gc.disable()
    try:
        q, r = lab.linalg.qr(x)
        group = weakref.ref(q.grad_fn._saved_values()[0])
        (q.sum() + r.sum()).backward()
        del q, r
        assert group() is None
    finally:
        if was:
            gc.enable()


def _change_output_then_backward(T, name, k, used):
    a, f = CASES[name]
    x = T.tensor(a, dtype=T.float64, requires_grad=True)
    outs = f(T, x)
    outs[k].mul_(2)
    loss = sum((outs[i] * outs[i]).sum() for i in used)
    loss.backward()
    return x.grad


@pytest.mark.parametrize("name", ["var_mean", "std_mean", "aminmax", "slogdet", "eigh", "qr",
                                  "svd"])
def test_outputs_changed_in_place_are_refused_where_pytorch_saved_them(name):
    """PyTorch's node saves some outputs (std of std_mean, both of aminmax, the sign of slogdet,
    all of eigh/qr/svd): changing one in place makes backward fail, whichever output is used."""
    torch = require_torch()
    n = len(CASES[name][1](lab, lab.tensor(CASES[name][0])))
    for k in range(n):
        for used in ((k,), ((k + 1) % n,)):
            def run(T):
                return _change_output_then_backward(T, name, k, used)
            theirs = outcome(lambda: run(torch))
            if theirs[0] == "raises":
                ours, expected = raised(lambda: run(lab)), raised(lambda: run(torch))
                assert ours[0] == expected[0]
                assert ours[1].startswith(expected[1].split(" Hint:")[0]), (k, used)
            else:
                ours, expected = run(lab), run(torch)
                assert (ours is None) == (expected is None)  # (slogdet's sign: no gradient)
                if ours is not None:
                    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-9)
