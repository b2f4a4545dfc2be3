"""backprop_player(): a replay of the engine's real backward pass, kernel-free."""
import numpy as np
import pytest

import autograd_lab as torch
from autograd_lab.viz import _style
from autograd_lab.widgets import backprop_player

ACTIVE = _style.ROLES["active"][1]  # the highlight's stroke colour in the SVG


def article_z():
    x = torch.tensor(1.0, requires_grad=True)
    return x, (2 * x + 1) ** 2


def test_steps_follow_the_graph_from_output_to_leaf():
    x, z = article_z()
    p = backprop_player(z)
    pow_ = z.grad_fn
    add = pow_.next_functions[0][0]
    mul = add.next_functions[0][0]
    assert [s.node for s in p.steps] == [pow_, add, mul, x]
    assert [float(s.grad) for s in p.steps] == [1.0, 6.0, 6.0, 12.0]
    assert p.steps[2].edges == [(x, pytest.approx(12.0))]
    assert p.steps[3].edges == []


def test_replay_leaves_grad_alone_and_matches_real_backward():
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    y = x1 ** 2 + x2 ** 3 + x1 * x2
    p = backprop_player(y)
    p.step = len(p.steps)
    assert x1.grad is None and x2.grad is None
    y.backward()  # the graph is still there
    assert p.grads == {"x1": x1.grad.item(), "x2": x2.grad.item()} == {"x1": 4.0, "x2": 13.0}


def test_each_step_highlights_its_node_and_logs_the_chain_rule():
    x, z = article_z()
    p = backprop_player(z)
    assert p.step == 0 and ACTIVE not in p._graph.value
    assert "Press Play or Step" in p._detail.value
    graphs = set()
    for k in range(1, len(p.steps) + 1):
        p.step_button.click()
        assert p.step == k
        assert p._graph.value.count(ACTIVE) == 2  # the active node and its legend swatch
        assert f"step {k} / 4" in p._header.value
        assert p._detail.value.count("<li>") == k
        graphs.add(p._graph.value)
    assert len(graphs) == len(p.steps)
    detail = p._detail.value
    assert "<b>PowBackward0</b> receives grad 1<br>" in detail
    assert "→ AddBackward0: local derivative 6 × 1 = 6" in detail
    assert "→ x: local derivative 2 × 6 = 12" in detail
    assert '<span class="ag-accumulate" style="background:#fff3c4">x.grad += 12  → 12' in detail
    p.step_button.click()  # past the end: stays at the end
    assert p.step == len(p.steps)
    p.reset_button.click()
    assert p.step == 0 and "<li>" not in p._detail.value and p.grads == {}


def test_play_widget_ticks_drive_the_replay():
    x, z = article_z()
    p = backprop_player(z)
    assert (p.play.min, p.play.max) == (0, 4)
    p.play.value = 3  # what the browser's Play button does every interval
    assert "step 3 / 4" in p._header.value and p.grads == {}
    p.play.value = 4
    assert p.grads == {"x": 12.0}


def test_leaf_reached_twice_gets_one_summed_accumulation():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + x
    p = backprop_player(y)
    p.step = len(p.steps)
    mul_step = next(s for s in p.steps if s.node is not x and s.node.name() == "MulBackward0")
    assert [float(g) for _, g in mul_step.edges] == [3.0, 3.0]
    assert p.grads == {"x": 7.0}
    assert p._detail.value.count("x.grad +=") == 1
    assert "x.grad += 7  → 7" in p._detail.value


def test_existing_grad_is_shown_as_what_backward_would_add_to():
    x, z = article_z()
    x.grad = torch.tensor(5.0)
    p = backprop_player(z)
    p.step = len(p.steps)
    assert "x.grad += 12  → 17" in p._detail.value
    assert x.grad.item() == 5.0


def test_non_scalar_output_replays_its_sum():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x + 1
    p = backprop_player(y)
    assert "replaying output.sum()" in p._detail.value
    p.step = len(p.steps)
    y.sum().backward()
    np.testing.assert_array_equal(p.grads["x"], x.grad.numpy())


def test_a_leaf_output_is_one_accumulation():
    x = torch.tensor(2.0, requires_grad=True)
    p = backprop_player(x)
    assert [s.node for s in p.steps] == [x] and repr(p) == "BackpropPlayer(leaf: 1 step)"
    p.step = 1
    assert p.grads == {"x": 1.0}


def test_refuses_what_has_no_backward_pass():
    with pytest.raises(TypeError, match="needs a Tensor"):
        backprop_player(3.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        backprop_player(torch.tensor(2.0))
    x, z = article_z()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        backprop_player(z)
