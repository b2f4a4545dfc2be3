"""Regression tests for engine bugs found while hardening (each compared with PyTorch's result)."""
import pytest

import autograd_lab as torch


def test_node_post_hook_receives_the_gradients_the_node_produced():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = x * 3
    seen = []
    z.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append((grad_inputs,
                                                                           grad_outputs)))
    (z * 2).sum().backward()
    (grad_inputs, grad_outputs), = seen
    assert len(grad_inputs) == 2 and grad_inputs[1] is None  # the constant 3 needs no grad
    assert grad_inputs[0].tolist() == [6.0, 6.0]
    assert grad_outputs[0].tolist() == [2.0, 2.0]


def test_tensor_exponent_second_derivative_flows_through_the_output():
    """PowBackward1's rule for the exponent reads the output, so create_graph must see it."""
    x = torch.tensor([0.7], dtype=torch.float64, requires_grad=True)
    f = ((x * x + 0.5) ** torch.tanh(x)).sum()
    g, = torch.autograd.grad(f, x, create_graph=True)
    h, = torch.autograd.grad(g.sum(), x)
    assert abs(g.item() - 0.8431452239299642) < 1e-12  # PyTorch's values
    assert abs(h.item() - 2.519499160779618) < 1e-12


def test_operand_mul_does_not_need_may_change_in_place():
    """y[0] * 3 saves only the 3: writing y[0] afterwards is fine, as in PyTorch."""
    x = torch.tensor([0.7], dtype=torch.float64, requires_grad=True)
    y = x.clone()
    y[0] = y[0] * 3
    (y * y).sum().backward()
    assert abs(x.grad.item() - 12.6) < 1e-12
    x = torch.tensor([0.7, 2.0], requires_grad=True)
    y = x * 1
    z = x / y  # DivBackward0 saves y (needed): changing it must still raise
    w = y * 2
    y.add_(1)
    w.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 2.0]
    try:
        z.sum().backward()
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e)
    else:
        raise AssertionError("a saved tensor changed in place but backward did not notice")


def test_float64_tensors_are_built_in_float64_not_rounded_through_float32():
    import numpy as np
    assert torch.tensor([0.7], dtype=torch.float64).item() == 0.7
    assert torch.tensor(0.7, dtype=torch.float64).item() == 0.7
    assert torch.tensor([[0.1, 0.2]], dtype=torch.float64).tolist() == [[0.1, 0.2]]
    assert torch.tensor(np.float64(0.7)).dtype == torch.float64  # numpy scalars keep their dtype
    assert torch.tensor(np.int32(2)).dtype == torch.int32
    assert torch.tensor(np.float32(2)).dtype == torch.float32
    assert torch.tensor([1.7], dtype=torch.int64).tolist() == [1]


def _mul_function(backward):
    """An autograd.Function a * b whose backward is `backward(g, a, b)`."""
    class Mul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            return backward(g, *ctx.saved_tensors)
    return Mul


def test_function_backward_runs_once_per_node_and_its_gradients_are_checked():
    calls = []

    def backward(g, a, b):
        calls.append(1)
        return g * b, (g * a).expand(3, 2)  # broadcast: summed back to b's shape, as PyTorch

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    _mul_function(backward).apply(a, b).sum().backward()
    assert len(calls) == 1
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [3.0, 6.0]


def test_function_returning_its_saved_inputs_as_gradients_leaves_them_intact():
    """A leaf may keep (steal) a gradient array; never one the user's backward handed over."""
    mul = _mul_function(lambda g, a, b: (b, a))  # right for g == 1
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    for _ in range(2):
        mul.apply(a, b).sum().backward()
    assert a.tolist() == [1.0, 2.0] and b.tolist() == [3.0, 4.0]
    assert a.grad.tolist() == [6.0, 8.0] and b.grad.tolist() == [2.0, 4.0]


def test_gradients_a_post_hook_kept_are_not_changed_by_later_accumulation():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    kept = []
    y = x * 3
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    y.sum().backward()
    (x * 5).sum().backward()  # accumulates into x.grad
    assert kept[0].tolist() == [3.0, 3.0] and x.grad.tolist() == [8.0, 8.0]


def test_node_post_hook_may_replace_the_gradients_it_sees():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([5.0, 7.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 10,
                                                               grad_inputs[1] + 1))
    y.sum().backward()
    assert x.grad.tolist() == [50.0, 70.0] and w.grad.tolist() == [2.0, 3.0]  # as PyTorch
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        z = x * w
        z.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (torch.ones(3), None))
        z.sum().backward()
