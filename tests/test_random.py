"""Generators: seeding as PyTorch reads seeds, states that restore the stream, `generator=`
honoured by every random function, and the default generator's fixed starting seed."""
import subprocess
import sys

import numpy as np
import pytest

import autograd_lab as lab
from helpers import outcome, require_torch


@pytest.mark.parametrize("code", [
    "T.manual_seed(3).initial_seed()", "T.manual_seed(-1).initial_seed()",
    "T.manual_seed(1.5).initial_seed()", "T.manual_seed(True).initial_seed()",
    "T.manual_seed(2 ** 64)", "T.manual_seed(-2 ** 63 - 1)", "T.manual_seed('a')",
    "T.manual_seed(5) is T.default_generator", "T.Generator().initial_seed()",
    "T.Generator().manual_seed(4).initial_seed()", "T.Generator().device",
    "T.set_rng_state(T.zeros(3))", "T.Generator().set_state([1, 2])",
    "(lambda s: s > 0 and T.initial_seed() == s)(T.seed())",
])
def test_seeds_and_errors_as_pytorch(code):
    torch = require_torch()
    ours, theirs = (outcome(lambda: eval(code, {"T": T})) for T in (lab, torch))
    assert ours == theirs


@pytest.mark.parametrize("code", ["T.set_rng_state([1, 2])", "T.Generator().set_state(5)",
                                  "T.set_rng_state(T.zeros(3))"])
def test_state_errors_have_pytorchs_messages(code):
    torch = require_torch()
    messages = []
    for T in (lab, torch):
        with pytest.raises(TypeError) as info:
            eval(code, {"T": T})
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_unseeded_runs_differ_and_new_generators_start_from_pytorchs_seed():
    """As in PyTorch: the default generator is seeded at random in each process (a program that
    never calls manual_seed draws other numbers every run); Generator() starts from a fixed seed."""
    code = ("import autograd_lab as T; print(T.initial_seed(), T.randn(3).tolist(), "
            "T.Generator().initial_seed(), T.randn(3, generator=T.Generator()).tolist())")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split(" ", 1) for _ in range(2)]
    assert runs[0][0] != runs[1][0]  # the default generator's seeds
    default_draws, fixed = zip(*(r[1].split("] ", 1) for r in runs))
    assert default_draws[0] != default_draws[1]
    assert fixed[0] == fixed[1] and fixed[0].startswith("67280421310721 ")


@pytest.mark.parametrize("draw", [
    lambda g: lab.rand(4, generator=g), lambda g: lab.randn(2, 3, generator=g),
    lambda g: lab.randint(0, 100, (5,), generator=g), lambda g: lab.randperm(8, generator=g),
    lambda g: lab.empty(4).uniform_(-1, 1, generator=g),
    lambda g: lab.empty(4).normal_(2, 3, generator=g),
    lambda g: lab.nn.init.kaiming_uniform_(lab.empty(3, 2), generator=g),
    lambda g: lab.multinomial(lab.ones(2, 50), 5, generator=g),
    lambda g: lab.multinomial(lab.ones(50), 5, True, generator=g),
    lambda g: lab.bernoulli(lab.full((20,), 0.5), generator=g),
    lambda g: lab.empty(20).bernoulli_(0.5, generator=g),
], ids=["rand", "randn", "randint", "randperm", "uniform_", "normal_", "kaiming_uniform_",
        "multinomial", "multinomial_replacement", "bernoulli", "bernoulli_"])
def test_generator_argument_is_used_and_state_restores_the_stream(draw):
    lab.manual_seed(0)
    default_state = lab.get_rng_state()
    g = lab.Generator().manual_seed(11)
    state = g.get_state()
    first, second = draw(g), draw(g)
    assert not first.equal(second)
    g.set_state(state)
    assert draw(g).equal(first) and draw(g).equal(second)
    assert draw(lab.Generator().manual_seed(11)).equal(first)
    assert lab.get_rng_state().equal(default_state)  # the default generator was not touched


def test_rng_state_of_the_default_generator_replays_draws():
    lab.manual_seed(3)
    state = lab.get_rng_state()
    a = lab.randn(5)
    lab.set_rng_state(state)
    assert lab.randn(5).equal(a) and state.dtype == lab.uint8


def test_a_generator_argument_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="torch.Generator"):
        lab.rand(2, generator=3)


def _shape_or_error(fn):
    """(shape, dtype, requires_grad, node name) of fn()'s tensor, or its error's type and text."""
    try:
        t = fn()
    except Exception as e:  # noqa: BLE001 (the error is the outcome to compare)
        return type(e).__name__, str(e)
    return tuple(t.shape), repr(t.dtype), t.requires_grad, type(t.grad_fn).__name__


@pytest.mark.parametrize("code", [
    "T.multinomial(T.tensor([1., 2., 3.]), 2)", "T.multinomial(T.ones(2, 3), 3)",
    "T.multinomial(T.ones(2, 3), 5, True)", "T.ones(4).multinomial(1, replacement=True)",
    "T.multinomial(T.ones(3, dtype=T.float64), 1)", "T.multinomial(T.zeros(0, 3), 1)",
    "T.multinomial(T.ones(3, requires_grad=True), 1)", "T.multinomial(T.ones(3), T.tensor(2))",
    "T.multinomial(T.ones(3), 4)", "T.multinomial(T.ones(3), 0)", "T.multinomial(T.ones(3), 1.5)",
    "T.multinomial(T.ones(3), True)", "T.multinomial(T.tensor(1.), 1)",
    "T.multinomial(T.ones(1, 1, 3), 1)", "T.multinomial(T.tensor([1, 2]), 1)",
    "T.multinomial(T.tensor([True]), 1)", "T.multinomial(T.ones(2, 2 ** 24 + 1), 1)",
    "T.multinomial(T.tensor([1., 0., 0.]), 3)", "T.multinomial(T.tensor([1., 0.]), 3, True)",
    *(f"T.multinomial(T.tensor({w}), {n}, {r})" for w in (
        "[-1., 2.]", "[float('nan'), 2.]", "[float('inf'), 2.]", "[0., 0.]",
        "[[1., 1.], [0., 0.]]", "[[1., 1.], [-1., 2.]]") for n, r in ((2, True), (1, True),
                                                                      (2, False))),
    "T.bernoulli(T.tensor([0., 0.5, 1.]))", "T.bernoulli(T.ones(2, dtype=T.float64))",
    "T.bernoulli(T.full((3,), 0.5, requires_grad=True))", "T.bernoulli(T.tensor([0, 1]), 0.5)",
    "T.bernoulli(T.tensor([0, 1]))", "T.bernoulli(T.tensor([True]))",
    "T.bernoulli(T.tensor([0., 1.5]))", "T.bernoulli(T.tensor([float('nan')]))",
    "T.bernoulli(T.ones(2), 1.5)", "T.bernoulli(T.ones(2), -1)", "T.ones(2).bernoulli()",
    "T.ones(2).bernoulli_()", "T.tensor([0, 2]).bernoulli_(1.0)",
    "T.ones(2).bernoulli_(T.tensor([1., 0.]))", "T.ones(2).bernoulli_(T.tensor([1, 0]))",
    "T.ones(2).bernoulli_(T.ones(3))", "T.ones(2).bernoulli_(T.tensor([1.5, 0.]))",
    "T.ones(2).bernoulli_(1.5)", "(T.ones(2, requires_grad=True) * 1).bernoulli_(0.5)",
    "(T.ones(2, requires_grad=True) * 1).bernoulli_(T.ones(2) / 2)",
    "T.ones(2, requires_grad=True).bernoulli_(0.5)",
])
def test_multinomial_and_bernoulli_shapes_dtypes_and_errors_as_pytorch(code):
    torch = require_torch()
    ours, theirs = (_shape_or_error(lambda: eval(code, {"T": T})) for T in (lab, torch))
    if ours[0] == "RuntimeError" and "leaf Variable" in ours[1]:
        ours = ours[0], ours[1].split(" (Wrap", 1)[0]  # (our hint after PyTorch's text)
    assert ours == theirs


def _frequencies(samples, n):
    return np.bincount(np.asarray(samples).ravel(), minlength=n) / np.asarray(samples).size


def test_multinomial_draws_follow_the_weights():
    lab.manual_seed(0)
    weights = lab.tensor([[1., 0., 3., 6.], [5., 5., 0., 0.]])
    with_replacement = lab.multinomial(weights, 20000, replacement=True).numpy()
    for row, w in zip(with_replacement, weights.numpy()):
        assert np.allclose(_frequencies(row, 4), w / w.sum(), atol=0.015)
    firsts = [lab.multinomial(weights[0], 1).item() for _ in range(4000)]
    assert np.allclose(_frequencies(firsts, 4), [0.1, 0., 0.3, 0.6], atol=0.03)


def test_multinomial_without_replacement_draws_each_index_once_zero_weights_last():
    lab.manual_seed(1)
    draws = lab.multinomial(lab.tensor([[2., 0., 1., 1.]] * 500), 4).numpy()
    assert all(sorted(row) == [0, 1, 2, 3] for row in draws)
    assert (draws[:, 3] == 1).all()  # the zero weight comes after the positive ones
    # sequential draws: the first index has probability 2/4, the second given the first ...
    assert abs((draws[:, 0] == 0).mean() - 0.5) < 0.07


def test_bernoulli_draws_follow_the_probabilities_and_have_no_gradient():
    lab.manual_seed(2)
    p = lab.tensor([0., 0.2, 0.7, 1.], requires_grad=True)
    draws = np.stack([lab.bernoulli(p).detach().numpy() for _ in range(4000)])
    assert set(np.unique(draws)) <= {0., 1.}
    assert np.allclose(draws.mean(0), [0., 0.2, 0.7, 1.], atol=0.03)
    filled = lab.empty(10000, dtype=lab.float64).bernoulli_(0.3)
    assert filled.dtype == lab.float64 and abs(filled.mean().item() - 0.3) < 0.02
    lab.bernoulli(p).sum().backward()
    assert p.grad.equal(lab.zeros(4))


def test_torch_random_exposes_pytorchs_functions():
    torch = require_torch()
    names = set(torch.random.__all__) - {"thread_safe_generator"}
    assert set(lab.random.__all__) == names and all(callable(getattr(lab.random, n))
                                                    for n in names)
    lab.random.manual_seed(4)
    assert lab.random.initial_seed() == 4 and lab.random.get_rng_state().equal(
        lab.get_rng_state())


@pytest.mark.parametrize("enabled", [True, False])
def test_fork_rng_restores_the_default_generator_on_leaving(enabled):
    lab.manual_seed(5)
    with lab.random.fork_rng(enabled=enabled):
        inside = lab.rand(3)
    assert lab.rand(3).equal(inside) == enabled
    state = lab.get_rng_state()
    with pytest.raises(KeyError):
        with lab.random.fork_rng(devices=[]):
            lab.randn(2)
            raise KeyError("leaving by an exception")
    assert lab.get_rng_state().equal(state)
