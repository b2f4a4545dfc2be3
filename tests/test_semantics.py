"""Autograd semantics, each scenario run on autograd_lab and on PyTorch (the `T` fixture):
accumulation, retain_graph, hooks, retain_grad, autograd.grad, grad modes and threads,
version counters, views, .data/.detach(), and dtype promotion."""
import threading
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import outcome, require_torch


def grads(*tensors):
    return [None if t.grad is None else t.grad.tolist() for t in tensors]


def _known_gap(T, request, reason):
    """Mark the autograd_lab run of a scenario as a known difference from PyTorch."""
    if T is lab:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


# ---- accumulation, retain_graph, non-scalar backward -------------------------------------------

def test_grad_accumulates_across_backward_calls(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert grads(x) == [[5.0, 7.0]]
    x.grad.zero_()
    (x * 2).sum().backward()
    assert grads(x) == [[2.0, 2.0]]
    x.grad = None
    (x ** 3).sum().backward()
    assert grads(x) == [[3.0, 12.0]]


def test_shared_subexpressions_sum_their_gradients(T):
    x = T.tensor(3.0, requires_grad=True)
    y = x * x
    z = y * y + y + x  # x^4 + x^2 + x
    z.backward()
    assert x.grad.item() == 4 * 27 + 2 * 3 + 1


def test_retain_graph_allows_a_second_backward(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert grads(x) == [[4.0, 8.0]]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_create_graph_retains_the_graph_and_records_the_gradient(T):
    x = T.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    assert x.grad.item() == 12.0 and x.grad.requires_grad
    y.backward(create_graph=True)  # graph kept: accumulates
    assert x.grad.item() == 24.0


def test_graph_without_saved_tensors_can_be_replayed(T):
    """Freeing only affects saved tensors: add/sum save nothing, so a second pass works."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert grads(x) == [[2.0, 2.0]]


def test_non_scalar_backward_needs_gradient(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(T.tensor([1.0, 10.0, 100.0]))
    assert grads(x) == [[2.0, 20.0, 200.0]]
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(T.tensor([1.0, 2.0]))


def test_backward_of_a_one_element_tensor_and_of_a_leaf(T):
    x = T.tensor([[2.0]], requires_grad=True)
    (x * 5).backward()
    assert grads(x) == [[[5.0]]]
    w = T.tensor([1.0, 2.0], requires_grad=True)
    w.backward(T.tensor([3.0, 4.0]))
    assert grads(w) == [[3.0, 4.0]]


def test_backward_inputs_limits_accumulation(T):
    a = T.tensor(2.0, requires_grad=True)
    b = T.tensor(3.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert grads(a, b) == [3.0, None]


def test_autograd_backward_of_several_outputs(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    T.autograd.backward([(x * 2).sum(), (x * x).sum()])
    assert grads(x) == [[4.0, 6.0]]


# ---- hooks -------------------------------------------------------------------------------------

def test_leaf_hook_sees_and_replaces_the_gradient(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert grads(x) == [[30.0, 30.0]]


def test_non_leaf_hook_changes_what_flows_on(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()  # dL/dy = 2y = [4, 8] -> [5, 9]; dL/dx = 2 * that
    assert grads(x) == [[10.0, 18.0]]


def test_removed_hook_is_not_called(T):
    x = T.tensor(1.0, requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    handle.remove()
    (x * 2).backward()
    assert calls == [] and x.grad.item() == 2.0


def test_hook_on_tensor_without_grad_raises(T):
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        T.tensor(1.0).register_hook(lambda g: g)


def test_node_prehook_replaces_incoming_gradient(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
    y.sum().backward()
    assert grads(x) == [[6.0, 6.0]]


def test_node_post_hook_sees_grad_inputs_and_grad_outputs(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * T.tensor([5.0, 7.0])
    calls = []
    y.grad_fn.register_hook(lambda gi, go: calls.append(
        ([None if g is None else g.tolist() for g in gi], [g.tolist() for g in go])))
    y.sum().backward()
    assert calls == [([[5.0, 7.0], None], [[1.0, 1.0]])]


def test_node_post_hook_return_replaces_grad_inputs(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
    y.sum().backward()
    assert grads(x) == [[30.0, 30.0]]


# ---- retain_grad and .grad of non-leaves -------------------------------------------------------

def test_retain_grad_keeps_and_accumulates_non_leaf_grad(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert grads(y) == [[4.0, 8.0]]
    z.backward()
    assert grads(y) == [[8.0, 16.0]]


def test_non_leaf_grad_is_none_and_warns(T):
    x = T.tensor(1.0, requires_grad=True)
    y = x * 2
    y.backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad.item() == 2.0  # leaves do not warn


def test_retain_grad_on_tensor_without_grad_raises(T):
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad"):
        T.tensor(1.0).retain_grad()


# ---- warnings ----------------------------------------------------------------------------------

def test_masked_gradients_do_not_warn(T):
    """Rules that mask a division (norm of zeros, std of a constant, x ** 0) print nothing."""
    x = T.tensor([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    y = x.norm(dim=1).sum() + x.std(dim=1).sum() + (x ** T.zeros(2)).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    np.testing.assert_allclose(x.grad.tolist(), [[0.0, 0.0], [0.6 - 0.5 ** 0.5, 0.8 + 0.5 ** 0.5]],
                               rtol=1e-6)


def test_variance_without_degrees_of_freedom_warns_as_pytorch(T):
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        assert T.tensor([2.0]).var().isnan().item()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.tensor([2.0]).var(correction=0)


# ---- autograd.grad -----------------------------------------------------------------------------

def test_grad_returns_and_leaves_dot_grad_alone(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    (g,) = T.autograd.grad((x ** 2).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None


def test_grad_allow_unused_and_materialize(T):
    x = T.tensor(1.0, requires_grad=True)
    unused = T.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        T.autograd.grad(x * 2, [x, unused])
    gx, gu = T.autograd.grad(x * 2, [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None
    gx, gu = T.autograd.grad(x * 2, [x, unused], materialize_grads=True)
    assert gu.item() == 0.0


def test_grad_with_respect_to_an_intermediate(T):
    x = T.tensor(2.0, requires_grad=True)
    y = x * 3
    z = y ** 2
    (gy,) = T.autograd.grad(z, y)
    assert gy.item() == 2 * 6.0


def test_grad_with_grad_outputs(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    (g,) = T.autograd.grad(x * x, x, grad_outputs=T.tensor([1.0, -1.0]))
    assert g.tolist() == [2.0, -4.0]


def test_higher_order_derivatives_of_a_cube(T):
    x = T.tensor(2.0, requires_grad=True)
    y = x ** 3
    (d1,) = T.autograd.grad(y, x, create_graph=True)
    (d2,) = T.autograd.grad(d1, x, create_graph=True)
    (d3,) = T.autograd.grad(d2, x)
    assert [d1.item(), d2.item(), d3.item()] == [12.0, 12.0, 6.0]


def test_hessian_and_jacobian(T):
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64)
    h = T.autograd.functional.hessian(lambda t: (t[0] * t[1] ** 2 + t[2].sin()), x)
    j = T.autograd.functional.jacobian(lambda t: t ** 2 * t[0], x)
    assert (h.tolist(), j.tolist()) == (
        [[0.0, 4.0, 0.0], [4.0, 2.0, 0.0], [0.0, 0.0, -x[2].sin().item()]],
        [[3.0, 0.0, 0.0], [4.0, 4.0, 0.0], [9.0, 0.0, 6.0]])


def _square_function(T, factor):
    """An autograd.Function for x * x whose backward multiplies by `factor` * x."""
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return factor * x * g
    return Square


def test_custom_function_forward_backward_and_second_order(T):
    square = _square_function(T, 2)
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = square.apply(x)
    assert repr(y) == "tensor([1., 4.], grad_fn=<SquareBackward>)"
    (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
    (g2,) = T.autograd.grad(g.sum(), x)
    assert (g.tolist(), g2.tolist()) == ([2.0, 4.0], [2.0, 2.0])
    with T.no_grad():
        assert not square.apply(x).requires_grad


def test_gradcheck_accepts_right_and_rejects_wrong_gradients(T):
    x = T.tensor([0.3, -1.2, 2.0], dtype=T.float64, requires_grad=True)
    assert T.autograd.gradcheck(lambda t: (t * t.sin()).sum(), (x,))
    assert T.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    wrong = _square_function(T, 1)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        T.autograd.gradcheck(wrong.apply, (x,))
    assert T.autograd.gradcheck(wrong.apply, (x,), raise_exception=False) is False


def test_gradcheck_of_non_contiguous_inputs(T):
    """The numeric side nudges the input itself, also a slice or a transpose (a reshaped copy
    would never reach it: every check failed)."""
    b = T.arange(72.0, dtype=T.float64).reshape(2, 6, 6) / 50
    sliced = b[:, :4, 1:5].detach().requires_grad_()
    swapped = T.arange(12.0, dtype=T.float64).reshape(3, 4).t().detach().requires_grad_()
    assert not sliced.is_contiguous() and not swapped.is_contiguous()
    assert T.autograd.gradcheck(lambda t: t * t.sin(), (sliced,))
    assert T.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (sliced,))
    assert T.autograd.gradcheck(lambda t: t.exp() @ t.T / 10, (swapped,))


# ---- grad modes --------------------------------------------------------------------------------

def test_no_grad_and_enable_grad_nest(T):
    x = T.tensor(1.0, requires_grad=True)
    with T.no_grad():
        assert not (x * 2).requires_grad and not T.is_grad_enabled()
        with T.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad and T.is_grad_enabled()


def test_set_grad_enabled_as_call_context_and_decorator(T):
    x = T.tensor(1.0, requires_grad=True)
    T.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        T.set_grad_enabled(True)
    with T.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @T.set_grad_enabled(False)
    def f():
        return (x * 2).requires_grad
    assert T.is_grad_enabled() and not f() and T.is_grad_enabled()


def test_grad_mode_decorators_with_and_without_parentheses(T):
    x = T.tensor(1.0, requires_grad=True)

    @T.no_grad()
    def called():
        return (x * 2).requires_grad

    @T.no_grad
    def bare():
        return (x * 2).requires_grad

    @T.enable_grad
    def enabled():
        return (x * 2).requires_grad

    assert called() is False and bare() is False
    with T.no_grad():
        assert enabled() is True
    assert called.__name__ == "called" and T.is_grad_enabled()


def test_grad_mode_restored_after_exception(T):
    with pytest.raises(ValueError):
        with T.no_grad():
            raise ValueError
    assert T.is_grad_enabled()


def test_grad_mode_is_thread_local(T):
    x = T.tensor(1.0, requires_grad=True)
    in_thread = {}
    entered, release = threading.Event(), threading.Event()

    def worker():
        in_thread["before"] = (x * 2).requires_grad
        with T.no_grad():
            entered.set()
            release.wait(5)
            in_thread["inside"] = (x * 2).requires_grad

    with T.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        entered.wait(5)
        main_while_thread_in_no_grad = None
        with T.enable_grad():
            main_while_thread_in_no_grad = (x * 2).requires_grad
        release.set()
        thread.join(5)
    assert in_thread == {"before": True, "inside": False}
    assert main_while_thread_in_no_grad is True and T.is_grad_enabled()


# ---- in-place ops, version counters, views -----------------------------------------------------

def test_version_counter_counts_in_place_ops_and_is_shared_with_views(T):
    x = T.zeros(2, 3)
    v = x[0]
    d = x.detach()
    versions = [x._version]
    x.add_(1)
    versions.append(x._version)
    v.mul_(2)
    versions.append(x._version)
    d[1] = 5.0
    versions.append(x._version)
    assert versions == [0, 1, 2, 3] and v._version == d._version == 3
    assert x.tolist() == [[2.0, 2.0, 2.0], [5.0, 5.0, 5.0]]


def test_modifying_a_saved_input_in_place_is_caught(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a * a           # saves a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


def test_modifying_a_saved_output_in_place_is_caught(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()         # ExpBackward0 saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_modifying_through_a_view_is_caught(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a.sin()         # saves a
    with T.no_grad():
        a[0].mul_(2)    # a view of a: same version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


def test_in_place_op_not_touching_saved_values_is_fine(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2           # MulBackward0 saves x (not its output)
    y.add_(1)
    y.mul_(3)
    y.sum().backward()
    assert grads(x) == [[6.0, 6.0]]


def test_in_place_on_a_view_of_a_non_leaf_rewrites_the_base(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0] += 1
    y[1:].mul_(3)
    assert type(y.grad_fn).__name__ == "CopySlices"
    y.sum().backward()
    assert y.tolist() == [3.0, 12.0, 18.0] and grads(x) == [[2.0, 6.0, 6.0]]


@pytest.mark.parametrize("view", ["y[0]", "y[:, 1:]", "y.t()", "y.reshape(6)", "y[1][None]",
                                  "y.T[1:]", "y.unsqueeze(0).squeeze(0)", "y.permute(1, 0)[0]"])
def test_in_place_through_any_view_matches_pytorch(T, view):
    x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = T.tensor(2.0, requires_grad=True)
    y = x * 1
    v = eval(view)
    v.mul_(w)           # the view's new values depend on w and on x through the view
    out = (y * y).sum() + v.sum()
    out.backward()
    assert (y.tolist(), grads(x, w)) == _pytorch_answer(view)


def _pytorch_answer(view):
    torch = require_torch()
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    y = x * 1
    v = eval(view)
    v.mul_(w)
    ((y * y).sum() + v.sum()).backward()
    return y.tolist(), grads(x, w)


def test_in_place_on_a_view_of_a_plain_tensor_makes_the_base_require_grad(T):
    base = T.zeros(3)
    w = T.tensor([1.0, 2.0], requires_grad=True)
    base[1:].add_(w)
    assert base.requires_grad and base.tolist() == [0.0, 1.0, 2.0]
    (base * base).sum().backward()
    assert grads(w) == [[2.0, 4.0]]


def test_element_views_share_memory(T):
    x = T.zeros(2, 2)
    x[0, 1].add_(1)
    x[1][0] = 5.0
    v = T.zeros(3)
    v[2].fill_(7.0)
    assert x.tolist() == [[0.0, 1.0], [5.0, 0.0]] and v.tolist() == [0.0, 0.0, 7.0]


def test_in_place_on_an_expanded_tensor_raises(T):
    y = T.ones(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        y.add_(1)


def test_in_place_on_a_view_of_a_view_of_a_leaf_raises(T):
    x = T.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0][1:].mul_(2)


def test_view_follows_in_place_change_of_its_base(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    v = y[0]
    y.mul_(3)
    assert v.grad_fn.name() == "AsStridedBackward0" and v.item() == 6.0
    assert v.grad_fn.next_functions[0][0] is y.grad_fn
    v.backward()
    assert grads(x) == [[6.0, 0.0]]


def test_views_of_views_and_siblings_follow_an_in_place_change(T):
    x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 1
    row, col = y[0], y[:, 1]
    tail = row[1:].reshape(2, 1)  # a view of a view of a view
    row.mul_(x[1])  # in place on one view: the base gets CopySlices, every view a new history
    assert [t.grad_fn.name() for t in (row, col, tail)] == ["AsStridedBackward0"] * 3
    assert tail.grad_fn.next_functions[0][0] is y.grad_fn
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert col.tolist() == [10.0, 5.0] and tail.tolist() == [[10.0], [18.0]]
    (col.sum() * 10 + tail.sum() * 100).backward()
    assert grads(x) == [[[0.0, 550.0, 600.0], [0.0, 230.0, 300.0]]]


def test_view_of_a_plain_tensor_gets_history_when_its_base_does(T):
    w = T.tensor([2.0, 3.0], requires_grad=True)
    buf = T.zeros(2)
    first = buf[0]
    buf.add_(w * w)
    assert first.requires_grad and first.grad_fn.name() == "AsStridedBackward0"
    first.backward()
    assert grads(w) == [[4.0, 0.0]]


def test_in_place_unary_on_a_view_follows_as_in_pytorch(T):
    x = T.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    y = x * 1
    row = y[0]
    row.relu_()
    assert row.grad_fn.name() == "AsStridedBackward0" and type(y.grad_fn).__name__ == "CopySlices"
    (y * T.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert grads(x) == [[[1.0, 0.0], [3.0, 4.0]]]


def test_regenerated_view_supports_second_order_gradients(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    y.mul_(x)
    (g,) = T.autograd.grad(v.sum() ** 2, x, create_graph=True)
    assert g.tolist() == [0.0, 32.0]
    g.sum().backward()
    assert grads(x) == [[0.0, 48.0]]


def test_in_place_on_a_leaf_that_requires_grad(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[0] = 5.0
    with T.no_grad():
        x.add_(1)
        x[0] = 0.0
    assert x.tolist() == [0.0, 3.0] and x.is_leaf and x.requires_grad and x.grad_fn is None


def test_detach_shares_memory_without_history(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 1).detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    e = x.detach()
    e[0] = 7.0
    assert x.tolist() == [7.0, 2.0]


def test_data_shares_memory_and_hides_changes_from_autograd(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    x.data.mul_(10)     # not seen by autograd: no version bump, no error
    assert x._version == 0 and not x.data.requires_grad
    y.sum().backward()
    assert grads(x) == [[20.0, 40.0]]
    x.data = T.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad


def test_requires_grad_rules(T):
    with pytest.raises(RuntimeError, match="floating point"):
        T.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        T.tensor([1, 2], requires_grad=True)
    x = T.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        (x * 2).requires_grad_(False)
    assert T.tensor([1.0]).requires_grad_().requires_grad


def test_integer_and_comparison_results_do_not_require_grad(T):
    x = T.tensor([1.0, -2.0], requires_grad=True)
    assert not (x > 0).requires_grad
    assert not x.argmax().requires_grad
    assert not x.long().requires_grad
    assert (x.double() * 1).requires_grad


# ---- devices and legacy types --------------------------------------------------------------------

def test_the_only_device_is_the_cpu(T):
    x = T.ones(2)
    assert (repr(x.device), str(x.device), x.device.type) == ("device(type='cpu')", "cpu", "cpu")
    assert x.device == T.device("cpu") and x.to("cpu") is x and x.cpu() is x
    assert x.to(T.device("cpu"), T.float64).dtype == T.float64
    assert T.ones(1, device="cpu").device == x.device
    assert not T.cuda.is_available()
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        x.to("cuda")
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        x.cuda()
    with pytest.raises(RuntimeError, match="device type at start of device string"):
        T.device("gpu")


def test_legacy_type_names(T):
    x = T.tensor([1, 2])
    assert (x.type(), x.float().type(), x.double().type()) == (
        "torch.LongTensor", "torch.FloatTensor", "torch.DoubleTensor")
    assert x.type("torch.DoubleTensor").dtype == T.float64
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.Nonsense")


# ---- dtype promotion (compared with PyTorch value for value) -----------------------------------

PROMOTION = [
    "T.tensor([1, 2]) * 1.5", "T.tensor([1, 2]) / T.tensor([2, 4])", "T.tensor([1, 2]) / 2",
    "T.tensor([1, 2]) + T.tensor([1, 2], dtype=T.int32)", "T.tensor([1, 2], dtype=T.int32) + 1",
    "T.tensor([1, 2], dtype=T.int32) * 2.5",
    "T.tensor([1., 2.]) + T.tensor([1., 2.], dtype=T.float64)",
    "T.tensor(2., dtype=T.float64) * T.tensor([1., 2.])",
    "T.tensor([1, 2]) + T.tensor(1.5, dtype=T.float64)",
    "T.tensor([1., 2.], dtype=T.float16) * 2",
    "T.tensor([1., 2.], dtype=T.float16) + T.tensor([1., 2.])",
    "T.tensor([True, False]) + T.tensor([True, True])", "T.tensor([True, False]) * 2",
    "T.tensor([True, False]) * 2.5", "T.tensor([1., 2.]) * True",
    "T.tensor([1, 2]) ** 2", "T.tensor([1, 2]) ** 0.5", "2 ** T.tensor([1, 2])",
    "2.5 ** T.tensor([1, 2])", "T.tensor([1., 2.]) ** T.tensor([2, 3])",
    "T.tensor([1, 2]) > 1.5", "T.tensor([1, 2]).sum()", "T.tensor([1, 2], dtype=T.int32).sum()",
    "T.tensor([True, True]).sum()", "T.tensor([1, 2]).mean()", "T.tensor([1., 2.]).mean()",
    "T.tensor([1, 4]).sqrt()", "T.tensor([1, 2]).exp()", "T.tensor([-1, 2]).abs()",
    "-T.tensor([1, 2], dtype=T.int32)", "T.tensor([-1, 2]).relu()", "T.tensor([-1, 2]).sign()",
    "T.tensor([1, 2]).sigmoid()", "T.tensor([[1, 2]]) @ T.tensor([[3], [4]])",
    "T.where(T.tensor([True, False]), T.tensor([1, 2]), T.tensor([0.5, 0.5]))",
    "T.where(T.tensor([True, False]), T.tensor([1, 2]), 0.5)",
    "T.cat([T.tensor([1, 2]), T.tensor([0.5])])",
    "T.maximum(T.tensor([1, 5]), T.tensor([2., 3.]))",
    "T.tensor([1, 5]).clamp(2, 4)", "T.tensor([1, 5]).clamp(max=2.5)", "T.tensor([1, 2]).float()",
    "T.tensor([1.5, 2.7]).long()", "T.tensor([1.5, -2.7]).int()", "T.tensor([0., 2.]).bool()",
    "T.tensor([1, 2]).double() / 3", "T.tensor([1, 2]) // 2", "T.tensor([5, 7]) % 3",
    "T.tensor([1, 2]).softmax(0)", "T.tensor([1., 2.]).to(T.float64) * T.tensor([1., 1.])",
    "T.tensor(3) * T.tensor([1., 2.])", "T.tensor(3.) * T.tensor([1, 2])",
    "T.tensor([1, 2]).prod()", "T.tensor([1., 2.], dtype=T.float64).sum(dtype=T.float32)",
    "T.tensor([1., 2.]).norm()", "T.tensor([1., 2., 4.]).var()", "T.tensor([3, 1]).max()",
    "T.tensor([[1, 2], [3, 4]]).max(1)", "T.tensor([3., 1.]).argmin()",
]


@pytest.mark.parametrize("expr", PROMOTION)
def test_dtype_promotion_matches_torch(expr):
    torch = require_torch()
    assert outcome(lambda: eval(expr, {"T": lab})) == outcome(lambda: eval(expr, {"T": torch}))


@pytest.mark.parametrize("expr", [
    "x * 2.5", "x + 1", "x ** 2", "2 ** x", "x / 3", "1 / x", "x * T.tensor(2., dtype=T.float64)",
    "(x * T.tensor([2, 3])).sum()", "x.exp() @ x", "x.norm()", "x.var()", "x.softmax(0)",
    "T.where(x > 1, x, 0.5)", "x.clamp(min=1.5)", "x.sigmoid() - x.tanh()", "x.mean() * 2.5",
])
def test_float32_stays_float32_forward_and_backward(expr, T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = eval(expr, {"T": T, "x": x})
    assert y.dtype == T.float32
    y.sum().backward()
    assert x.grad.dtype == T.float32


def test_gradients_come_back_in_each_input_dtype(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    s = T.tensor(3.0, dtype=T.float64, requires_grad=True)
    y = x * s
    assert y.dtype == T.float32
    y.sum().backward()
    assert (x.grad.dtype, s.grad.dtype, s.grad.item()) == (T.float32, T.float64, 3.0)


def test_number_operands_keep_their_sign_and_dtype(T):
    """Numbers are converted once and reused (a speed-up): -0.0 must not become 0.0, nor a
    float64 tensor's number a float32 one, and reusing one must not leak between results."""
    x = T.tensor([1.0, -2.0], requires_grad=True)
    d = T.tensor([1.0, -2.0], dtype=T.float64, requires_grad=True)
    outs = [x * 0.0, x * -0.0, x * 0.1, d * 0.1, x * 0.1, x * float("nan")]
    shown = [repr(o.detach()) for o in outs]
    outs[2].detach().mul_(3)  # changes that result only
    assert repr(outs[4].detach()) == shown[4] == "tensor([ 0.1000, -0.2000])"
    assert shown[:2] == ["tensor([0., -0.])", "tensor([-0., 0.])"]
    assert outs[3].dtype == T.float64 and outs[3][0].item() == 0.1
    sum(o.sum() for o in outs[:5]).backward()
    assert x.grad.tolist() == pytest.approx([0.2, 0.2]) and d.grad.tolist() == [0.1, 0.1]
