"""Generators: seeding as PyTorch reads seeds, states that restore the stream, `generator=`
honoured by every random function, and the default generator's fixed starting seed."""
import subprocess
import sys

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
], ids=["rand", "randn", "randint", "randperm", "uniform_", "normal_", "kaiming_uniform_"])
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
