"""nn.Module forward hooks and forward pre-hooks, each scenario run on autograd_lab and torch."""
import pytest

import autograd_lab


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
