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


def test_float64_tensors_are_built_in_float64_not_rounded_through_float32():
    import numpy as np
    assert torch.tensor([0.7], dtype=torch.float64).item() == 0.7
    assert torch.tensor(0.7, dtype=torch.float64).item() == 0.7
    assert torch.tensor([[0.1, 0.2]], dtype=torch.float64).tolist() == [[0.1, 0.2]]
    assert torch.tensor(np.float64(0.7)).dtype == torch.float64  # numpy scalars keep their dtype
    assert torch.tensor(np.int32(2)).dtype == torch.int32
    assert torch.tensor(np.float32(2)).dtype == torch.float32
    assert torch.tensor([1.7], dtype=torch.int64).tolist() == [1]
