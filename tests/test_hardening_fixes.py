"""Regression tests for engine bugs found while hardening (each compared with PyTorch's result)."""
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
