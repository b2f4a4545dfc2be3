"""autograd.Function details, functional.jacobian, backward(inputs=) with retain_grad, numpy
interop and integer powers: each checked against PyTorch."""
import numpy as np
import pytest

import autograd_lab as lab

torch = pytest.importorskip("torch")


def _scaled_sum(lib):
    class ScaledSum(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            ctx.seen = ctx.needs_input_grad
            return (x * y).sum()

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return None, g * x  # no gradient for x, on purpose
    return ScaledSum


@pytest.mark.parametrize("lib", [lab, torch], ids=["autograd_lab", "torch"])
def test_function_returning_none_leaves_grad_none_and_needs_input_grad_is_set(lib):
    x = lib.ones(3, requires_grad=True)
    y = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = _scaled_sum(lib).apply(x, y)
    out.backward()
    assert x.grad is None
    assert y.grad.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("lib", [lab, torch], ids=["autograd_lab", "torch"])
def test_backward_inputs_with_retain_grad_counts_once(lib):
    y = lib.tensor([1.0, 2.0], requires_grad=True)
    z = y * 1
    z.retain_grad()
    (z * z).sum().backward(inputs=[z])
    assert z.grad.tolist() == [2.0, 4.0]
    assert y.grad is None


def test_jacobian_with_create_graph_stays_differentiable():
    x = lab.tensor([1.0, 2.0], requires_grad=True)
    j = lab.autograd.functional.jacobian(lambda a: a ** 3, x, create_graph=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    tj = torch.autograd.functional.jacobian(lambda a: a ** 3, tx, create_graph=True)
    np.testing.assert_allclose(j.detach().numpy(), tj.detach().numpy())
    assert j.requires_grad and tj.requires_grad
    j.sum().backward()
    tj.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())  # 6x


@pytest.mark.parametrize("lib", [lab, torch], ids=["autograd_lab", "torch"])
def test_numpy_conversion_of_a_tensor_that_requires_grad_is_refused(lib):
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        np.array(lib.ones(2, requires_grad=True))
    t = lib.ones(2)
    copied = np.array(t, copy=True)
    copied[0] = 5
    assert t.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("lib", [lab, torch], ids=["autograd_lab", "torch"])
def test_integer_to_negative_integer_power_raises(lib):
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        lib.tensor([1, 2]) ** -1


@pytest.mark.parametrize("lib", [lab, torch], ids=["autograd_lab", "torch"])
def test_mT_of_a_vector_raises(lib):
    with pytest.raises(RuntimeError, match="only supported on matrices or batches of matrices"):
        lib.ones(3).mT
