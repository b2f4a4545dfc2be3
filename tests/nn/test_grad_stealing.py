"""The engine lets a leaf keep a gradient array only when nothing else can see it."""
import numpy as np

import autograd_lab as lab


def shares(a, b):
    return np.shares_memory(a.numpy(), b.numpy())


def test_a_gradient_passed_to_two_leaves_is_copied_for_each():
    a, b = lab.ones(3, requires_grad=True), lab.ones(3, requires_grad=True)
    (a + b).backward(lab.ones(3))
    assert not shares(a.grad, b.grad)


def test_the_root_gradient_and_hook_results_are_not_kept():
    x = lab.ones(2, 3, requires_grad=True)
    root = lab.ones(6)
    x.reshape(6).backward(root)
    assert not shares(x.grad, root)
    kept = lab.full((2, 3), 7.0)
    y = lab.ones(2, 3, requires_grad=True)
    y.register_hook(lambda g: kept)
    (y * 2).sum().backward()
    assert not shares(y.grad, kept)
    np.testing.assert_array_equal(y.grad.numpy(), 7.0)


def test_a_view_of_a_new_gradient_is_kept_without_copy():
    w = lab.ones(3, 4, requires_grad=True)
    out = lab.nn.functional.linear(lab.ones(5, 4), w, lab.zeros(3))
    out.backward(lab.ones(5, 3))
    assert w.grad.numpy().flags.owndata is False  # kept: the transposed matmul result
    w.grad.mul_(2)  # in place on .grad touches nothing else
    np.testing.assert_array_equal(w.grad.numpy(), 10.0)


def test_accumulated_gradients_stay_separate():
    a = lab.ones(3, requires_grad=True)
    b = a * 1
    (b * 2 + b * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), 5.0)
    first = a.grad.numpy()
    (a * 4).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), 9.0)
    assert first is a.grad.numpy()  # later backward passes add in place
