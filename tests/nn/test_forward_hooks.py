"""nn.Module forward hooks and forward pre-hooks, each scenario run on autograd_lab and torch."""
import warnings

import pytest

import autograd_lab
from nn_helpers import on_both


@pytest.fixture(params=["autograd_lab", "torch"])
def T(request):
    return autograd_lab if request.param == "autograd_lab" else pytest.importorskip("torch")


def test_forward_hooks_see_and_may_replace_inputs_and_outputs(T):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU(), T.nn.Linear(3, 1))
    x = T.ones(4, 2)
    plain = model(x)
    zero_input = model(x * 0)
    seen = []
    h1 = model[1].register_forward_hook(lambda m, args, out: seen.append(
        (type(m).__name__, tuple(args[0].shape), tuple(out.shape))))
    h2 = model[0].register_forward_pre_hook(lambda m, args: args[0] * 0)  # one value: wrapped
    h3 = model[2].register_forward_hook(lambda m, args, out: out + 100)
    assert T.allclose(model(x), zero_input + 100)
    assert seen == [("ReLU", (4, 3), (4, 3))]
    for h in (h1, h2, h3):
        h.remove()
    assert T.allclose(model(x), plain) and len(seen) == 1


def test_pre_hook_returning_a_tuple_and_gradients_flow(T):
    lin = T.nn.Linear(2, 1)
    lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    x = T.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    assert T.allclose(x.grad, 2 * lin.weight.detach())


class Scale(autograd_lab.nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale


def scale(T):
    return type("Scale", (T.nn.Module,), {"forward": Scale.forward})()


def test_hooks_with_kwargs_and_prepend():
    def scenario(T):
        m, log = scale(T), []
        m.register_forward_pre_hook(
            lambda mod, args, kwargs: log.append(("pre_kw", len(args), dict(kwargs)))
            or ((args[0] + 1,), {"scale": 10.0}), with_kwargs=True)
        m.register_forward_pre_hook(lambda mod, args: log.append(("pre0", len(args))),
                                    prepend=True)
        m.register_forward_hook(
            lambda mod, args, kwargs, out: log.append(("fwd_kw", dict(kwargs), out.tolist()))
            or out * 2, with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("fwd0", out.tolist())),
                                prepend=True)
        return [m(T.ones(2), scale=3.0).tolist()] + log

    assert on_both(scenario) == [[40.0, 40.0], ("pre0", 1), ("pre_kw", 1, {"scale": 3.0}),
                                 ("fwd0", [20.0, 20.0]), ("fwd_kw", {"scale": 10.0}, [20.0, 20.0])]


def test_pre_hook_with_kwargs_must_return_args_and_kwargs():
    def scenario(T):
        m = scale(T)
        m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
        with pytest.raises(RuntimeError) as info:
            m(T.ones(1))
        return str(info.value)

    assert on_both(scenario).startswith("forward pre-hook must return None or a tuple of "
                                        "(new_args, new_kwargs), but got (tensor([1.]),)")


def test_always_call_hooks_run_when_forward_raises():
    def scenario(T):
        def forward(self, x):
            raise ValueError("boom")

        def raising(mod, args, out):
            raise KeyError("inner")

        m, log = type("Bad", (T.nn.Module,), {"forward": forward})(), []
        m.register_forward_hook(lambda mod, args, out: log.append(("always", out)),
                                always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("normal"))
        m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("kw", kwargs)),
                                always_call=True, with_kwargs=True)
        m.register_forward_hook(raising, always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom"):
                m(T.ones(1))
        ok = scale(T)
        ok.register_forward_hook(lambda mod, args, out: log.append("once"), always_call=True)
        ok.register_forward_hook(raising)  # a later hook raises: the first does not run again
        with pytest.raises(KeyError):
            ok(T.ones(1))
        return log + [str(w.message) for w in caught]

    assert on_both(scenario) == [
        ("always", None), ("kw", {}), "once",
        "module forward hook with ``always_call=True`` raised an exception that was silenced "
        "as another error was raised in forward: 'inner'"]


def test_handles_remove_hooks_also_as_context_managers():
    def scenario(T):
        m, log = scale(T), []
        with m.register_forward_hook(lambda mod, args, out: log.append("in")):
            m(T.ones(1))
        m(T.ones(1))
        handle = m.register_forward_pre_hook(lambda mod, args: log.append("pre"), prepend=True)
        m(T.ones(1))
        handle.remove()
        m(T.ones(1))
        return log

    assert on_both(scenario) == ["in", "pre"]
