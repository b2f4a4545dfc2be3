"""Differences from PyTorch that a differential review found (each scenario runs on
autograd_lab and on PyTorch through the `T` fixture, or compares with torch directly)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from helpers import assert_matches_torch, outcome, raised, require_torch


def both(fn):
    """fn(module) on autograd_lab and on torch: (what ours does, what torch does)."""
    return outcome(lambda: fn(lab)), outcome(lambda: fn(require_torch()))


def value_or_error(code, T, **names):
    """repr(eval(code)) with T (and F = T.nn.functional, and `names`), or the exception's type
    and message."""
    try:
        return repr(eval(code, {"T": T, "F": T.nn.functional, **names}))
    except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
        return type(e).__name__, str(e)


@pytest.mark.parametrize("code", [
    "T.add(T.tensor([1, 2]), 2, alpha=3)",
    "T.tensor([1., 2.]).sub(1, alpha=2)",
    "T.tensor([1., 2.]).add_(2, alpha=3)",
    "T.tensor([1., 2.]).sub_(T.tensor([1., 1.]), alpha=0.5)",
    "T.add(T.tensor([1, 2]), 2, alpha=1.0)",
    "T.add(T.tensor([1., 2]), T.tensor([1, 1]), alpha=2.5)",
])
def test_add_and_sub_with_alpha(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


def test_contiguous_copies_a_transposed_tensor(T):
    w = T.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    h = w * 1
    c = h.t().contiguous()
    assert type(c.grad_fn).__name__ == "CloneBackward0" and h.contiguous() is h
    c.mul_(10)  # changes the copy only
    h.sum().backward()
    assert w.grad.tolist() == [[1., 1.], [1., 1.]] and h.tolist() == [[1., 2.], [3., 4.]]


def test_is_contiguous_and_stride(T):
    x = T.zeros(2, 3, 4)
    assert x.is_contiguous() and x.stride() == (12, 4, 1) and x.stride(-2) == 4
    assert not x.transpose(0, 2).is_contiguous() and x.transpose(0, 2).stride() == (1, 4, 12)
    assert not x[:, :1].is_contiguous() and x[:, :, 0].stride() == (12, 4)


def test_view_needs_compatible_strides_and_reshape_copies(T):
    y = T.arange(6.).reshape(2, 3).requires_grad_() * 1
    with pytest.raises(RuntimeError, match=r"view size is not compatible .* Use \.reshape"):
        y.t().view(6)
    assert type(y.t().view(3, 2).grad_fn).__name__ == "ViewBackward0"
    assert T.zeros(4, 1, 3).transpose(0, 1).view(12).shape == (12,)  # size-1 dims: a view
    r = y.t().reshape(6)
    assert type(r.grad_fn).__name__ == "UnsafeViewBackward0"
    assert [type(f).__name__ for f, _ in r.grad_fn.next_functions] == ["CloneBackward0"]
    assert r.tolist() == [0., 3., 1., 4., 2., 5.]
    r.mul_(2)  # a copy: y keeps its values
    assert y.tolist() == [[0., 1., 2.], [3., 4., 5.]]


def test_linspace_values_are_pytorchs_to_the_bit():
    """PyTorch's formula (two halves, fused multiply-adds): linspace(-1, 1, 11) has -1.4901e-08
    in the middle, so it prints in scientific notation, as in PyTorch."""
    torch = require_torch()
    rng = np.random.default_rng(0)
    cases = [(-1, 1, 11), (-1, 1, 7), (0, 1, 5), (3, -2, 6), (0.1, 0.7, 4), (-5, 5, 1000),
             (2, 2, 3), (0, 1, 1), (0, 1, 0), (-7, 20, 9)]
    cases += [(float(rng.uniform(-10, 10)), float(rng.uniform(-10, 10)),
               int(rng.integers(2, 100))) for _ in range(100)]
    for name in ("float32", "float64", "int64"):
        for a, b, n in cases:
            ours = lab.linspace(a, b, n, dtype=getattr(lab, name))
            theirs = torch.linspace(a, b, n, dtype=getattr(torch, name))
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=str((a, b, n)))
    assert repr(lab.linspace(-1, 1, 11)) == repr(torch.linspace(-1, 1, 11))


@pytest.mark.parametrize("code", [
    "T.arange(-1, 1, 0.2)", "T.arange(0, 1, 0.1)", "T.arange(0.5, 3.3, 0.7, dtype=T.float64)",
    "T.arange(T.tensor(3))", "T.arange(5, 0, -2)",
    "T.ones(2, 3).sum([])", "T.ones(2, 3).sum(dim=())", "T.ones(2, 3).mean([])",
    "T.ones(2, 3).sum(dim=[], keepdim=True)",
])
def test_factories_and_reductions_over_no_dims(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


@pytest.mark.parametrize("code", [
    "T.tensor([1.5, -2.5], requires_grad=True) // 1",
    "T.tensor([1.5, -2.5], requires_grad=True) % 1.25",
    "T.remainder(T.tensor([5.5, -3.], requires_grad=True), T.tensor([2., -2.]))",
    "T.remainder(5, T.tensor([2, 3]))", "7 % T.tensor([2., 3.])", "7 // T.tensor([2., 3.])",
    "T.tensor([5, -5]) // 2.0", "T.tensor([5, -5], dtype=T.int32) % 3", "T.tensor([-3.]) % 3",
    "T.tensor([1., 2., 3.]) % -2", "T.tensor([5., -5.]) % 0", "T.tensor([5., -5.]) // 0",
    "T.tensor([5, -5]) // 0", "T.tensor([5, -5]) % 0", "T.tensor([5, -5]) // T.tensor([0, 1])",
    "T.tensor([5, -5]) % 2.5", "7 % T.tensor([3.], requires_grad=True)",
    "T.tensor([1., 2.]).remainder(0.75)", "T.tensor([7., 8.]).floor_divide(3)",
])
def test_floor_divide_and_remainder(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


def test_remainder_gradients_and_floor_divide_has_none(T):
    a = T.tensor([5.5, -3.], requires_grad=True)
    b = T.tensor([2., 2.], requires_grad=True)
    T.remainder(a, b).sum().backward()
    assert a.grad.tolist() == [1., 1.] and b.grad.tolist() == [-2., 2.]
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        (a // 2).sum().backward()


@pytest.mark.parametrize("code", [
    "T.tensor(range(3))", "T.tensor([range(2), range(2)])",
    "T.tensor([np.float64(1.), 2])", "T.tensor([np.float32(1.), 2])", "T.tensor([np.int32(1), 2])",
    "T.tensor([[1.5], [np.float64(2.)]])", "T.tensor([np.ones(2), np.zeros(2)])",
    "T.tensor([np.ones(2, np.float32), np.zeros(2, np.float32)])",
    "T.tensor([T.tensor(1., dtype=T.float64), 2.])", "T.as_tensor([1, 2.5])", "T.as_tensor(3)",
])
def test_tensor_infers_pytorchs_dtype(code):
    ours, theirs = both(lambda T: eval(code, {"T": T, "np": np}))
    assert ours == theirs


def test_as_tensor_shares_a_numpy_arrays_memory(T):
    a, b = np.array([1., 2.]), np.array([1, 2])
    shared, cast = T.as_tensor(a), T.as_tensor(b, dtype=T.float32)
    a[0], b[0] = 9, 7
    assert shared.tolist() == [9., 2.] and shared.dtype == T.float64
    assert cast.tolist() == [1., 2.]  # another dtype: a copy


def test_pytorchs_warnings_for_copies_and_scalars(T, recwarn):
    T.tensor(T.tensor([1., 2.]))
    T.tensor([np.ones(2), np.zeros(2)])
    float(T.tensor([1.5], requires_grad=True))
    texts = " | ".join(str(w.message) for w in recwarn)
    assert "rather than torch.tensor(sourceTensor)" in texts
    if T is lab:  # (PyTorch warns of these two once per process: another test may have used it)
        assert "Creating a tensor from a list of numpy.ndarrays is extremely slow" in texts
        lab._tensor._WARNED_SCALAR.clear()
        float(T.tensor([1.5], requires_grad=True))
        assert "Converting a tensor with requires_grad=True to a scalar" in " | ".join(
            str(w.message) for w in recwarn)


def test_reductions_overflow_to_inf_silently():
    """PyTorch gives inf without a word; numpy's RuntimeWarnings must not reach the user (run
    in a fresh interpreter that shows every warning)."""
    code = ("import autograd_lab as torch\n"
            "x = torch.tensor([3e38, 3e38])\n"
            "print(x.sum(), x.mean(), torch.tensor([1e30, 1e30]).prod(),\n"
            "      torch.tensor([3e38, -3e38]).var(), torch.tensor([3e38, -3e38]).std())\n")
    run = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, check=True)
    assert run.stdout.split() == ["tensor(inf)"] * 5 and run.stderr == "", run.stderr


@pytest.mark.parametrize("code", [
    "1 - x", "T.sub(1, x)", "T.rsub(x, 1)", "T.rsub(x, 1, alpha=2)", "2 ** x", "T.pow(2, x)",
    "T.tensor(1.) - x", "1.5 - x.double()",
])
def test_number_operands_are_not_graph_inputs(code, T):
    """`1 - x` and `2 ** x` record one input (RsubBackward1, PowBackward2); torch.sub(1, x)
    and a 0-d tensor operand record two, the first None."""
    x = T.tensor([1., 2.], requires_grad=True)
    y = eval(code, {"T": T, "x": x})
    names = [type(f).__name__ for f, _ in y.grad_fn.next_functions]
    expected = {"T.sub(1, x)": ["NoneType", "AccumulateGrad"],
                "T.tensor(1.) - x": ["NoneType", "AccumulateGrad"],
                "1.5 - x.double()": ["ToCopyBackward0"]}.get(code, ["AccumulateGrad"])
    assert names == expected
    y.sum().backward()
    assert x.grad is not None


@pytest.mark.parametrize("code", [
    "T.zeros(3, 1).expand(4, 4)", "T.zeros(2, 3).expand(2, 2, 4)",
    "T.cat([T.zeros(2, 3), T.zeros(3, 2)])", "T.cat([T.zeros(2, 3), T.zeros(3)])",
    "T.stack([T.zeros(2), T.zeros(2), T.zeros(3)])", "T.mv(T.zeros(2, 3), T.zeros(2))",
    "T.bmm(T.zeros(1, 2, 3), T.zeros(1, 2, 3))", "T.tensor([1, 2]) @ T.tensor([1., 2.])",
    "-T.tensor([True])", "T.tensor([True]) - T.tensor([True])", "T.tensor([True]) - 1",
    "T.tensor([1.]) - True", "T.tensor(5.)[0]", "bool(T.tensor([]))", "T.tensor([1, 2]).var()",
])
def test_error_messages_are_pytorchs(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours[0] == theirs[0] == "raises"
    for T in (lab, require_torch()):
        with pytest.raises(Exception) as info:
            eval(code, {"T": T})
        if T is lab:
            mine = str(info.value)
        else:
            assert mine == str(info.value)


def test_assigning_into_a_leaf_that_requires_grad(T):
    x = T.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^a view of a leaf Variable that requires grad is "
                                           r"being used in an in-place operation\.$"):
        x[0] = 5.


@pytest.mark.parametrize("index", [
    "[0, :, [0, 1]]", "[:, 0, :, [0, 1]]", "[0, [0, 1]]", "[[0, 1], 0]", "[[0, 1], :, 0]",
    "[[1, 0], :, 1, [2, 3]]", "[0, ..., [0, 1]]", "[None, 0, :, [0, 2]]", "[1, :, [0, 1], 2]",
    "[0, :, [[0, 1], [1, 2]]]", "[:, [0, 1], 0, [2, 3]]", "[0, None, :, [0, 1]]",
    "[0, :, [True, False, True, False]]", "[[0, 1], 1, :, [0, 2]]",
])
def test_integers_with_index_arrays_place_dims_as_pytorch(index):
    """numpy counts an integer as an index array (`x[0, :, [0, 1]]` puts the list's dimension
    first); PyTorch selects with it first (the list's dimension stays in place)."""
    torch = require_torch()
    rng = np.random.default_rng(0)
    base, g = rng.standard_normal((2, 3, 4, 5)), None
    results = []
    for M in (lab, torch):
        x = M.tensor(base, requires_grad=True)
        y = eval("x" + index)
        g = rng.standard_normal(tuple(y.shape)) if g is None else g
        y.backward(M.tensor(g))
        results.append((tuple(y.shape), y.detach().numpy(), x.grad.numpy()))
    (s1, v1, g1), (s2, v2, g2) = results
    assert s1 == s2
    np.testing.assert_array_equal(v1, v2)
    np.testing.assert_allclose(g1, g2)


def test_a_view_made_under_no_grad_cannot_be_changed_while_recording(T):
    x = T.tensor([1., 2.], requires_grad=True)
    with T.no_grad():
        z, d = x[0], x.detach()
    assert z.requires_grad and z.is_leaf and z.grad_fn is None
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being "
                                           "modified inplace with grad mode enabled"):
        z.add_(1)
    assert x.tolist() == [1., 2.]
    d.add_(1)  # detach() is no such view
    with T.no_grad():
        z.add_(1)  # both in no_grad: allowed
    assert x.tolist() == [3., 3.]


NEW_OPS = [
    ("floor", lambda T, x: x.floor()), ("ceil", lambda T, x: T.ceil(x)),
    ("round", lambda T, x: x.round()), ("round_decimals", lambda T, x: x.round(decimals=1)),
    ("trunc", lambda T, x: x.trunc()), ("frac", lambda T, x: x.frac()),
    ("log1p", lambda T, x: x.abs().log1p()), ("expm1", lambda T, x: T.expm1(x)),
    ("log2", lambda T, x: x.abs().log2()), ("log10", lambda T, x: T.log10(x.abs())),
    ("tril", lambda T, x: x.tril()), ("triu_1", lambda T, x: T.triu(x, 1)),
    ("logsumexp", lambda T, x: x.logsumexp(1)),
    ("logsumexp_keep", lambda T, x: T.logsumexp(x, (0, 1), keepdim=True)),
    ("hstack", lambda T, x: T.hstack([x, x * 2])), ("vstack_1d", lambda T, x: T.vstack([x[0], x[1]])),
    ("split", lambda T, x: x.split(2, 1)[1]), ("split_sizes", lambda T, x: T.split(x, [1, 3], 1)[1]),
    ("chunk", lambda T, x: x.chunk(3)[2]), ("unbind", lambda T, x: x.unbind(1)[2]),
    ("outer", lambda T, x: T.outer(x[0], x[1])),
    ("any", lambda T, x: (x > 1).any(1)), ("all", lambda T, x: T.all(x > -3)),
    ("argsort", lambda T, x: x.argsort(1, descending=True)), ("nonzero", lambda T, x: (x > 0).nonzero()),
]


@pytest.mark.parametrize("name,fn", NEW_OPS, ids=[n for n, _ in NEW_OPS])
def test_more_ops_match_pytorch(name, fn):
    from helpers import helper_test_op
    helper_test_op(fn, [(3, 4)], dtype="float64", low=-2.5, high=2.5)


@pytest.mark.parametrize("code", [
    "h.clone().exp_()", "h.clone().sqrt_()", "h.clone().neg_()", "h.clone().abs_()",
    "h.clone().sigmoid_()", "h.clone().tanh_()", "h.clone().pow_(2)", "h.clone().floor_()",
    "h.clone().log_()", "h.clone().round_()", "x.div(2, rounding_mode='floor')",
    "T.div(T.tensor([5, -5, 7, -7]), 2, rounding_mode='trunc')",
    "T.div(T.tensor([5, -5]), T.tensor([2, -3]), rounding_mode='trunc')",
    "T.div(T.tensor([5., -5.]), 2, rounding_mode='trunc')",
    "T.tensor([3]).div(0, rounding_mode='floor')",
    "x.new_zeros(2)", "x.new_ones((2, 1))", "x.new_full((2,), 3)", "x.new_tensor([1, 2])",
    "x.type_as(T.tensor([1]))", "T.tensor([1, 2]).new_zeros(3)",
])
def test_in_place_functions_rounded_division_and_new_tensors(code):
    def run(T):
        x = T.tensor([1.5, -2.3, 0.4], requires_grad=True)
        return eval(code, {"T": T, "x": x, "h": x * 1})
    ours, theirs = both(run)
    assert ours == theirs


def test_inference_mode(T):
    x = T.tensor([1.], requires_grad=True)
    with T.inference_mode():
        assert T.is_inference_mode_enabled() and not (x * 2).requires_grad
    assert not T.is_inference_mode_enabled()
    with T.inference_mode(False):
        assert (x * 2).requires_grad
    assert not T.inference_mode()(lambda a: a * 2)(x).requires_grad


@pytest.mark.parametrize("code", ["T.flatten(T.tensor(3.), 1)", "T.flatten(T.tensor(3.), 0)",
                                  "T.nn.Flatten()(T.tensor(3.))", "T.flatten(T.tensor(3.), 0, 2)"])
def test_flatten_of_a_0d_tensor_checks_its_dims(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


@pytest.mark.parametrize("index", [
    "[0, 1]", "[1:, 0]", "[0, 1:3]", "[None, 0]", "[..., 1]", "[0, :, 1]", "[:, :, 1:2]",
    "[0, None, 1]", "[:]", "[..., None]", "[0, 1, 2]", "[::2]", "[...]", "[1, ..., 0:2]",
])
def test_basic_indexing_records_one_node_per_step(index, T):
    """x[0, 1:3] is a select, then a slice: two nodes in PyTorch's graph (and ours)."""
    h = T.arange(24.).reshape(2, 3, 4).requires_grad_() * 1
    chain, fn = [], eval("h" + index, {"h": h}).grad_fn
    while type(fn).__name__ != "MulBackward0":
        chain.append(type(fn).__name__)
        fn = fn.next_functions[0][0]
    expected = {"[0, 1]": ["SelectBackward0"] * 2, "[1:, 0]": ["SelectBackward0", "SliceBackward0"],
                "[0, 1:3]": ["SliceBackward0", "SelectBackward0"],
                "[None, 0]": ["SelectBackward0", "UnsqueezeBackward0"],
                "[..., 1]": ["SelectBackward0"], "[0, :, 1]": ["SelectBackward0"] * 2,
                "[:, :, 1:2]": ["SliceBackward0"],
                "[0, None, 1]": ["SelectBackward0", "UnsqueezeBackward0", "SelectBackward0"],
                "[:]": ["SliceBackward0"], "[..., None]": ["UnsqueezeBackward0"],
                "[0, 1, 2]": ["SelectBackward0"] * 3, "[::2]": ["SliceBackward0"],
                "[...]": ["AliasBackward0"], "[1, ..., 0:2]": ["SliceBackward0", "SelectBackward0"]}
    assert chain == expected[index]


@pytest.mark.parametrize("code", [
    "T.tensor([1., 2.]).softmax()", "T.softmax(T.tensor([1., 2.]))",
    "T.tensor([1., 2.]).log_softmax()", "T.from_numpy(np.arange(3.)[::-1])", "T.full(2, 1.)",
    "T.tensor([True]).abs()", "T.relu(T.tensor([True]))",
    "T.tensor([250], dtype=T.uint8) + 300", "T.tensor([1, 2], dtype=T.int8) * 200",
    "300 - T.tensor([250], dtype=T.uint8)", "T.tensor([5], dtype=T.uint8) / 300",
])
def test_more_calls_pytorch_refuses_or_wraps(code):
    ours, theirs = both(lambda T: eval(code, {"T": T, "np": np}))
    assert ours == theirs


def test_cpp_node_names(T):
    """AccumulateGrad and CopySlices are C++ classes in PyTorch: name() has the namespace."""
    x = T.tensor([1., 2.], requires_grad=True)
    h = x * 1
    h[0] = 5.
    assert h.grad_fn.name() == "torch::autograd::CopySlices"
    assert type(h.grad_fn).__name__ == "CopySlices"
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad"


def test_where_with_only_a_condition_is_nonzero(T):
    x = T.tensor([[1., -2.], [0., 3.]])
    rows, cols = T.where(x > 0)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == T.int64


@pytest.mark.parametrize("anomaly", [False, True])
def test_version_error_is_pytorchs_message_then_one_sentence(anomaly):
    torch = require_torch()
    messages = []
    for T in (lab, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.set_detect_anomaly(anomaly):
                a = T.tensor([1., 2.], requires_grad=True)
                b = a.exp()
                b.add_(1)
                with pytest.raises(RuntimeError) as info:
                    b.sum().backward()
        messages.append(str(info.value))
    ours, theirs = messages
    assert ours.startswith(theirs)
    assert ours == theirs if anomaly else "`y = y + 1` makes a new tensor" in ours


def test_first_gradient_under_create_graph_is_a_copy(T):
    x = T.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x ** 3).sum().backward(create_graph=True)
    assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
    assert [type(f).__name__ for f, _ in x.grad.grad_fn.next_functions] == ["NoneType",
                                                                           "MulBackward0"]
    x.grad.sum().backward()
    assert x.grad.tolist() == [9., 24.]


@pytest.mark.parametrize("shapes", [((3,), (3, 4)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
                                    ((5, 2, 3), (3,)), ((2, 4, 2, 3), (2, 4, 3, 5)),
                                    ((3,), (4, 5)), ((5, 2, 3), (4,)), ((5, 2, 3), (5, 4, 2))])
def test_matmul_records_pytorchs_decomposition(shapes):
    """vector @ matrix is unsqueeze, mm, squeeze; batched forms view, mm/mv/bmm and
    _unsafe_view: the same nodes, values, gradients (or errors) as PyTorch."""
    torch = require_torch()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    g, results = None, []
    for M in (lab, torch):
        a, b = (M.tensor(x, requires_grad=True) for x in arrays)
        try:
            y = a @ b
        except RuntimeError as e:
            results.append(str(e))
            continue
        g = rng.standard_normal(tuple(y.shape)) if g is None else g
        y.backward(M.tensor(g))
        nodes, stack = [], [y.grad_fn]
        while stack:
            fn = stack.pop()
            nodes.append(type(fn).__name__)
            stack.extend(f for f, _ in fn.next_functions if f is not None)
        results.append((nodes, y.detach().numpy(), a.grad.numpy(), b.grad.numpy()))
    ours, theirs = results
    if isinstance(ours, str) or isinstance(theirs, str):
        assert ours == theirs
        return
    assert ours[0] == theirs[0]
    for x, y in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(x, y, rtol=1e-12)


@pytest.mark.parametrize("grad", [False, True])
def test_vector_at_matrix_is_not_a_view(T, grad):
    """PyTorch squeezes the mm result in place: no `_base`, and in-place ops on it record."""
    v = T.tensor([1., 2.], requires_grad=grad)
    y = v @ T.tensor([[1., 2., 3.], [4., 5., 6.]])
    assert y._base is None
    y.mul_(2).detach_()
    assert y.tolist() == [18., 24., 30.] and y.grad_fn is None


@pytest.mark.parametrize("op", ["pow", "atan2", "hypot", "maximum", "remainder"])
def test_mixed_precision_gradients_are_cast_at_the_node(op):
    """A float32 input of an op with a float64 one gets its gradient cast to float32 right
    there (not at the leaf): the ops before it then compute in float32, as PyTorch's."""
    torch = require_torch()
    rng = np.random.default_rng(0)
    xs, es = rng.uniform(0.5, 2, 200).astype(np.float32), rng.uniform(0.5, 2, 200)
    grads = []
    for M in (lab, torch):
        x, e = M.tensor(xs, requires_grad=True), M.tensor(es, requires_grad=True)
        (getattr(M, op)(x * 1.1, e) * 3.7).sum().backward()
        grads.append(x.grad)
    assert_matches_torch(*grads)


def test_saved_tensors_under_pytorchs_names(T):
    """The autograd docs' 'saved tensors' walkthrough: inputs are saved as themselves, outputs
    as new tensors with the same values, and reading them after backward is PyTorch's error."""
    x = T.tensor([1., 2.], requires_grad=True)
    y = T.tensor([3., 4.], requires_grad=True)
    z = x * y
    assert z.grad_fn._saved_self is x and z.grad_fn._saved_other is y
    assert (x * 2).grad_fn._saved_self is None
    p = x.pow(2)
    assert p.grad_fn._saved_self is x and p.grad_fn._saved_exponent == 2
    e = x.exp()
    assert e.equal(e.grad_fn._saved_result) and e.grad_fn._saved_result is not e
    m = x[None] @ y[:, None]
    assert m.grad_fn._saved_self.shape == (1, 2) and m.grad_fn._saved_mat2.shape == (2, 1)
    assert x.log().grad_fn._saved_self is x
    e.sum().backward()
    with pytest.raises(RuntimeError, match="directly access saved tensors after they have "
                                           "already been freed"):
        e.grad_fn._saved_result
    with pytest.raises(AttributeError):
        e.grad_fn._saved_nothing


@pytest.mark.parametrize("code", [
    "T.relu(T.tensor([-0., 0., -1., 2.]))",
    "T.tensor([-0., 0.]).clamp(min=0.)", "T.tensor([-0., 0.]).clamp(max=0.)",
    "T.tensor([-0., 0.]).clamp(0., 0.)", "T.tensor([0., -0.]).clamp(-0., -0.)",
    "T.tensor([1., 5., -3.]).clamp(2., 1.)", "T.tensor([float('nan'), 1.]).clamp(0., 2.)",
    "T.tensor([1., 2.]).clamp(min=float('nan'))", "T.tensor([3, 1, 2]).clamp(max=1.5)",
    "T.tensor([1., 2.]).clamp(min=T.tensor([1.5, -0.]))",
    "T.maximum(T.tensor([-0., 0., float('nan')]), T.tensor([0., -0., 1.]))",
    "T.minimum(T.tensor([-0., 0., 1.]), T.tensor([0., -0., float('nan')]))",
    "T.tensor([-0., -0., 1., -0.]).cumsum(0)", "T.tensor([[-0.], [-0.]]).cumsum(1)",
])
def test_ties_keep_the_input_and_running_sums_start_at_plus_zero(code):
    """max/min/clamp/relu return x itself where it ties with the bound (-0. stays -0.); cumsum
    adds from +0. (so no running sum is -0.)."""
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


def test_cumsum_backward_sums_from_plus_zero(T):
    x = T.tensor([-0., 1., -2.], requires_grad=True)
    x.cumsum(0).backward(T.tensor([-0., -0., -0.]))
    assert repr(x.grad) == "tensor([0., 0., 0.])"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_hook_changing_type_and_size_is_refused_for_the_type_first(dtype):
    def run(T):
        x = T.ones(2, dtype=getattr(T, dtype), requires_grad=True)
        x.register_hook(lambda g: T.ones(5))
        with pytest.raises(RuntimeError) as info:
            (x * 2).sum().backward()
        return str(info.value)

    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "T.sinh(i)", "T.erf(i)", "T.atan2(i, i)", "T.sgn(i)", "T.sgn(T.tensor([True, False]))",
    "T.logit(i)", "T.xlogy(i, x.double())", "T.xlogy(2, x)", "T.isclose(i, i)",
    "T.isclose(x, x + 1e-6)", "T.isclose(x, T.tensor([0.5, float('nan')]), equal_nan=True)",
    "T.isclose(T.tensor([float('inf')]), T.tensor([float('inf')]))",
    "T.hypot(x, x.double())", "T.logit(x, 0.6)", "T.logit(x, -1)", "T.acosh(x)",
    "T.atan2(x, 2.0)", "T.hypot(i, i)", "T.lerp(i, i, 0.5)", "T.lerp(i, i, T.tensor(0.5))",
    "T.lerp(x, x.double(), 0.5)", "T.lerp(x, 2.0, 0.5)", "T.isclose(x, x.double())",
    "T.isclose(x, x, rtol=-1)", "T.isclose(x, x, atol=-0.5)", "T.isclose(x, 0.5)",
    "T.hypot(x, T.ones(3))", "T.lerp(x, T.zeros(3), 0.5)", "x.clone().atan2_(T.zeros(3, 1))",
    "T.xlogy(x, T.ones(3))",
])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's forward acosh(0.5), log(-1)
def test_new_elementwise_dtypes_and_errors(code):
    """Values and dtypes, or the exception's type and message, as PyTorch's."""
    def run(T):
        try:
            return repr(eval(code, {"T": T, "x": T.tensor([0.5, -0.3]), "i": T.tensor([1, 2])}))
        except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
            return type(e).__name__, str(e)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "x.narrow(1, 5, 1)", "x.narrow(1, -5, 1)", "x.narrow(1, 2, 3)", "x.narrow(1, 1, -1)",
    "x.narrow(2, 0, 1)", "x.narrow(0, T.tensor(1), 1)", "T.tensor(3.).narrow(0, 0, 1)",
    "x.narrow(1, 4, 0)", "x.select(0, 5)", "x.select(1, -5)", "x.select(2, 0)",
    "T.tensor(3.).select(0, 0)", "x.movedim(0, 2)", "x.movedim((0, 1), (1,))",
    "x.movedim((0, 0), (1, 0))", "x.movedim((0, 1), (1, 1))", "x.unflatten(1, (3, 2))",
    "x.unflatten(1, ())", "x.unflatten(2, (1, 4))", "x.t().unflatten(0, (2, 2))",
    "T.broadcast_tensors(x, v)", "T.broadcast_tensors(x)", "T.broadcast_tensors()",
    "T.broadcast_tensors(x, [1])", "T.meshgrid(v, indexing='ab')", "T.meshgrid(indexing='ij')",
    "T.meshgrid(v, v.double(), indexing='ij')", "T.meshgrid(v, indexing='xy')",
    "v.adjoint()", "x.tile(-1)", "x.tile(0, 2)", "T.tile(x, ())",
    "x.repeat_interleave(T.tensor([1, 0]), dim=0)", "x.repeat_interleave(-1)",
    "T.repeat_interleave(T.tensor([1, 2]))", "x.repeat_interleave(T.tensor([1., 2., 3.]), dim=0)",
    "x.repeat_interleave(2, dim=3)", "x.repeat_interleave(T.tensor([[1]]), dim=0)",
    "x.repeat_interleave(T.tensor([1, -1, 2]), dim=0)", "x.repeat_interleave(T.tensor(2))",
    "x.repeat_interleave(T.tensor([1, 2, 3]))", "T.tensor([1, 2]).repeat_interleave(2)",
    "x.diff(-1)", "T.tensor(1.).diff()", "T.tensor([True, False, False]).diff()",
    "x.diff(dim=2)", "x.diff(n=5)", "x.diff(prepend=T.zeros(3))", "x.diff(append=2.0)",
    "T.tensor([1, 4, 9]).diff()", "T.tensor([1, 4], dtype=T.int8).diff()",
    "T.count_nonzero(x)", "T.count_nonzero(x, dim=5)", "x.count_nonzero((0, 0))",
    "x.count_nonzero(-1)", "x.count_nonzero((0, 1))", "T.count_nonzero(T.tensor([True, False]))",
    "T.count_nonzero(T.tensor(3.))", "T.aminmax(T.zeros(0))", "T.aminmax(x, dim=2)",
    "T.aminmax(T.zeros(0, 3), dim=1)", "T.aminmax(T.tensor([1, 2]))", "T.aminmax(x, 1)",
    "T.aminmax(T.tensor(3.), dim=0)", "T.var_mean(T.tensor([1, 2]))",
    "T.std_mean(T.tensor([1, 2]))", "T.var_mean(x, 1, keepdim=True)", "T.std_mean(x, 0, True)",
    "T.cumprod(T.tensor([1, 2, 3]), 0)", "T.cumprod(x, dim=3)",
    "T.cumprod(T.tensor([True, True]), 0)", "x.cumprod(1, dtype=T.float64)",
    "T.tensor([1, 2], dtype=T.int8).cumprod(0)",
    "T.cumprod(x.requires_grad_(), 0, dtype=T.int64)",
    "T.var(T.tensor(2.), 1)", "T.std_mean(T.tensor(2.), -2)", "T.var_mean(T.tensor([1, 2]), 2)",
    "T.sum(T.tensor(2.), 1)", "T.amax(T.tensor(2.), 3)", "T.sum(T.tensor(2.), -1, True)",
    "x.repeat_interleave(2, dim=0, output_size=5)", "x.repeat_interleave(2, output_size=24)",
    "x.repeat_interleave(T.tensor([1, 2, 0]), dim=0, output_size=4)",
    "T.repeat_interleave(T.tensor([1, 2]), output_size=3)",
    "T.repeat_interleave(T.tensor([1, 2]), output_size=4)",
    "T.hypot(T.tensor([3]), T.tensor([4.]))", "T.hypot(T.tensor([True]), T.tensor([1, 2]))",
    "T.hypot(T.tensor([3, 2]), T.tensor([4, 1]))", "x.H", "x.mH", "v.mH", "v.H",
    "T.zeros(2, 3, 4).mH.shape", "T.zeros(2, 3, 4).H",
    "T.ones(4, 4).repeat_interleave(T.tensor([-1, 1, 1]), dim=-1)",
    "x.repeat_interleave(T.tensor([]), dim=0)", "x.repeat_interleave(T.tensor([1, 2]))",
    "x.narrow(0, -5, -1)", "x.movedim((-1, -1), (0, 1))", "x.movedim((0, 1), (-1, 1))",
    "v.unflatten(1, ())", "T.take(T.ones(2, 0), T.tensor([0]))",
    "T.take(T.ones(2, 0), T.tensor([], dtype=T.int64))", "T.trace(T.ones(2, 2, 2, dtype=T.bool))",
    "T.zeros(2, 0).unflatten(-2, (-1,))", "T.zeros(4, 0).unflatten(0, (2, -1))",
    "T.lerp(T.zeros(2, 3, 2), T.zeros(2, 3, 2), T.zeros(5))", "x.narrow(-3, 0, -1)",
    "T.tensor(5.).index_fill_(-1, T.tensor([0, 0]), 2.)",
    "T.tensor(5.).index_fill(0, T.tensor(0), 2.)",
    "T.tensor(5.).index_fill_(0, T.tensor([], dtype=T.int64), 2.)",
])
def test_new_shape_ops_values_and_errors(code):
    """Values, or the exception's type and message, as PyTorch's."""
    def run(T):
        env = {"T": T, "x": T.arange(12.).reshape(3, 4), "v": T.arange(3.)}
        try:
            return repr(eval(code, env))
        except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
            return type(e).__name__, str(e)
    assert run(lab) == run(require_torch())


def test_moving_the_dim_of_a_0d_tensor_is_an_alias(T):
    h = T.tensor(3., requires_grad=True) * 1
    assert type(h.movedim(0, 0).grad_fn).__name__ == "AliasBackward0"
    with pytest.raises(RuntimeError, match="Dimension specified as 0 but tensor has no dim"):
        h.unflatten(0, (1,))


@pytest.mark.parametrize("code", ["x.adjoint()", "x.mT", "x.mH", "x.H"])
def test_matrix_transposes_of_a_0d_tensor_return_it_with_a_warning(code, T):
    x = T.tensor(3., requires_grad=True)
    with pytest.warns(UserWarning, match="deprecated on 0-D tensors"):
        assert eval(code, {"x": x}) is x


def test_meshgrid_of_a_matrix_is_refused(T):
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor in the tensor list"):
        T.meshgrid(T.zeros(2, 2), indexing="ij")


def test_meshgrid_without_indexing_warns_as_pytorch(T):
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        grids = T.meshgrid(T.arange(2.), T.arange(3.))
    assert [tuple(g.shape) for g in grids] == [(2, 3), (2, 3)]


@pytest.mark.parametrize("make", [
    "h.narrow(1, 1, 2)", "h.select(0, 1)", "h.movedim(0, 1)", "h.unflatten(1, (2, 2))",
    "h.adjoint()",
])
def test_new_views_share_memory_and_version_with_their_base(make, T):
    """Changing the view in place changes the base, bumps the shared version, and the base's
    gradient flows through the view's new history (CopySlices), as in PyTorch."""
    x = T.arange(12.).reshape(3, 4).requires_grad_()
    h = x * 1
    v = eval(make, {"T": T, "h": h})
    before = h._version
    v.mul_(2)
    assert h._version == v._version == before + 1
    assert h.grad_fn.name() == "torch::autograd::CopySlices"
    (h * h).sum().backward()
    ours = lab.tensor(np.arange(12.).reshape(3, 4))
    scale = ours * 0 + 1
    eval(make.replace("T.", "lab."), {"lab": lab, "h": scale}).mul_(2)
    assert np.array_equal(x.grad.numpy(), (2 * np.arange(12.).reshape(3, 4) * scale.numpy() ** 2))


@pytest.mark.parametrize("code", [
    "T.scatter(x, 2, i, src)", "T.scatter(x, 1, i.float(), src)",
    "T.scatter(x, 1, i, src.double())",
    "T.scatter(x, 1, T.tensor([[5]]), src)", "T.scatter(x, 1, T.tensor([[-1]]), src)",
    "T.scatter(x, 1, T.zeros(4, 1, dtype=T.int64), src)",
    "T.scatter(x, 1, T.zeros(2, 5, dtype=T.int64), src)",
    "T.scatter(x, 1, T.zeros(2, 2, dtype=T.int64), T.ones(1, 1))",
    "T.scatter(x, 1, T.tensor([1]), src)", "T.scatter(x, 1, T.zeros(4, 1, dtype=T.int64), 2.0)",
    "T.scatter(x, 1, T.tensor([[7]]), 2.0)", "T.scatter(x, 1, i, 'a')",
    "T.scatter(x, 1, i.int(), src)",
    "T.scatter_add(x, 1, i, 2.0)", "T.scatter_add(x, 1, T.tensor([[0.]]), T.ones(1, 1))",
    "T.scatter_add(x, 1, T.tensor([[0]]), T.ones(1, 1).double())",
    "T.scatter_add(x, 1, T.tensor([[9]]), T.ones(1, 1))",
    "T.tensor([1, 2]).scatter(0, T.tensor([0]), 2.5)",
    "T.tensor([1, 2]).scatter_(0, T.tensor([0]), 2.5)",
    "x.clone().scatter_(1, T.tensor([[0]]), 2)",
    "T.index_add(x, 0, T.tensor([0, 5]), T.ones(2, 4))",
    "T.index_add(x, 0, T.tensor([0, 2]), T.ones(2, 3))",
    "T.index_add(x, 0, T.tensor([0, 2]), T.ones(3, 4))",
    "T.index_add(x, 0, T.tensor([0., 2]), T.ones(2, 4))",
    "T.index_add(x, 0, T.tensor([0, 2]), T.ones(2, 4).double())",
    "T.index_add(x, 0, T.tensor([[0, 2]]), T.ones(2, 4))",
    "T.index_add(x, 2, T.tensor([0]), T.ones(1, 4))",
    "T.index_add(x, 0, T.tensor([0, 0]), T.ones(2, 4))", "T.index_add(x, 0, [0], T.ones(1, 4))",
    "T.index_fill(x, 1, T.tensor([0, 5]), -1.)", "T.index_fill(x, 1, T.tensor([[0]]), -1.)",
    "T.index_fill(x, 1, T.tensor([0.]), -1.)", "T.index_fill(x, 1, T.tensor([0]), T.tensor([1.]))",
    "T.index_fill(x, 0, T.tensor([1], dtype=T.int32), 2.)", "x.index_fill_(0, T.tensor([-4]), 2.)",
    "T.index_fill(x, 0, T.tensor([1]), T.tensor(2.).double())",
    "T.index_fill(T.tensor([1, 2]), 0, T.tensor([1]), 2.5)",
    "T.masked_select(x, T.tensor([1, 0, 1, 0]))", "T.masked_select(x, T.tensor([True, False]))",
    "T.masked_select(T.tensor(3.), T.tensor(True))",
    "T.take(x, T.tensor([12]))", "T.take(x, T.tensor([-13]))", "T.take(x, T.tensor([0.]))",
    "T.take(x, T.tensor([0], dtype=T.int32))", "T.take(T.tensor(3.), T.tensor([0, 0]))",
    "T.diag(x, 5)", "T.diag(T.zeros(2, 2, 2))", "T.diag(T.tensor(1.))",
    "T.diag(T.tensor([1, 2]), 1)",
    "T.trace(x[0])", "T.trace(T.tensor([[1, 2], [3, 4]]))", "T.trace(T.tensor([[True]]))",
    "T.scatter(T.tensor(5.), -1, T.tensor(0), value=3.)",
    "T.scatter(T.tensor(5.), 0, T.tensor(0), T.tensor(2.))",
    "T.scatter(T.tensor(5.), 0, T.tensor(1), T.tensor(2.))",
    "T.scatter_add(T.tensor(5.), 0, T.tensor(0), T.tensor(2.))",
    "T.scatter(T.tensor(5.), 0, T.tensor(0), value=2., reduce='multiply')",
    "T.index_add(T.zeros(3), 0, T.tensor([1, 3]), T.ones(2))",
    "T.index_add(T.zeros(3), 0, T.tensor([-1]), T.ones(1))",
])
def test_scatter_and_index_ops_values_and_errors(code):
    """Values, or the exception's type and message, as PyTorch's."""
    def run(T):
        env = {"T": T, "x": T.arange(12.).reshape(3, 4), "i": T.tensor([[0, 1], [2, 0]]),
               "src": T.ones(3, 4) * 10}
        try:
            return repr(eval(code, env))
        except TypeError:  # (PyTorch lists its overloads; the type is what matters)
            return "TypeError"
        except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
            return type(e).__name__, str(e)
    assert run(lab) == run(require_torch())


def test_scatter_from_a_larger_src_passes_the_gradient_to_the_elements_used():
    """PyTorch's backward refuses this (its src gradient has the index's shape); here the
    elements of src the index did not reach get 0."""
    torch = require_torch()
    x, s = lab.zeros(2, 3, requires_grad=True), lab.ones(3, 3, requires_grad=True)
    x.scatter(0, lab.tensor([[1, 0]]), s).sum().backward()
    assert s.grad.tolist() == [[1., 1., 0.], [0., 0., 0.], [0., 0., 0.]]
    assert x.grad.tolist() == [[1., 0., 1.], [0., 1., 1.]]
    xt, st = torch.zeros(2, 3, requires_grad=True), torch.ones(3, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="invalid gradient at index 1"):
        xt.scatter(0, torch.tensor([[1, 0]]), st).sum().backward()


@pytest.mark.parametrize("code", ["x.scatter_(1, T.tensor([[0]]), 2.0)",
                                  "x.index_add_(0, T.tensor([0]), T.ones(1, 4))",
                                  "x.scatter_add_(0, T.tensor([[0]]), T.ones(1, 1))",
                                  "x.index_fill_(0, T.tensor([0]), 1.0)"])
def test_in_place_scatters_on_a_leaf_that_requires_grad_raise(code, T):
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        eval(code, {"T": T, "x": T.zeros(3, 4, requires_grad=True)})


@pytest.mark.parametrize("code", [
    "h.scatter(1, i, s, reduce='add')", "h.scatter(1, i, s, reduce='multiply')",
    "h.scatter(1, i, 2.0, reduce='add')", "T.scatter(h, 1, i, value=2.0, reduce='multiply')",
    "h.scatter(1, i, s, reduce='max')", "h.scatter(1, i, 2.0, reduce='mean')",
    "h.clone().scatter_(1, i, s, reduce='add')",
    "T.tensor([1, 2]).scatter(0, T.tensor([0, 0]), T.tensor([5, 6]), reduce='multiply')",
])
def test_scatter_with_reduce_has_no_derivative_as_in_pytorch(code, recwarn):
    """Values as PyTorch's; the node is NotImplemented, and backward through it raises."""
    def run(T):
        x = T.arange(12.).reshape(3, 4).requires_grad_()
        env = {"T": T, "h": x * 1, "i": T.tensor([[0, 0], [2, 1]]),
               "s": T.ones(2, 2, requires_grad=True) * 3}
        try:
            y = eval(code, env)
        except RuntimeError as e:
            return "RuntimeError", str(e)
        if y.grad_fn is None:
            return repr(y)
        try:
            y.sum().backward()
        except RuntimeError as e:
            return repr(y), y.grad_fn.name(), str(e)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "T.softmax(T.zeros(3, 0), -1)", "T.log_softmax(T.zeros(0, 3), 0)",
    "T.nn.functional.softmin(T.zeros(3, 0), dim=1)",
    "T.norm(T.zeros(2, 0), float('inf'), dim=1)", "T.norm(T.zeros(2, 0), float('inf'))",
    "T.norm(T.zeros(2, 0), -float('inf'), dim=(0, -1))", "T.norm(T.zeros(2, 0), -float('inf'), 0)",
    "T.nn.functional.normalize(T.zeros(2, 0), p=float('inf'), dim=-1)",
    "T.aminmax(T.zeros(2, 0), dim=-1)", "T.aminmax(T.zeros(2, 0), dim=0).max",
    "T.aminmax(T.zeros(2, 0))",
])
def test_reductions_over_empty_dims(code):
    """Values, or the exception's type and message, as PyTorch's."""
    def run(T):
        x = T.zeros(1, requires_grad=True)  # (a graph input: the results record nodes)
        try:
            y = eval(code, {"T": T}) + x[:0].sum()
            y.sum().backward()
            return repr(y.detach()), x.grad.tolist()
        except Exception as e:  # noqa: BLE001 (the error is the outcome compared)
            return type(e).__name__, str(e)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", ["T.asin(x)", "T.acos(x)", "T.logit(x)", "T.logit(x, 0.)"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's forward asin(2), logit(-1)
def test_edge_gradients_of_asin_acos_and_logit(code):
    """NaN where 1 - x * x is -inf (huge x), and logit divides by +0. at x = -0."""
    def run(T):
        x = T.tensor([-1e300, 2., 1., -1., 0.3, 0., -0., 1e-200], dtype=T.float64,
                     requires_grad=True)
        eval(code, {"T": T, "x": x}).backward(T.tensor([1., 1, 1, 0, -1, 0, 1, 1]).double())
        return repr(x.grad)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", ["x.t().atan_()", "(x * 1)[:1].sinh_()",
                                  "(x * 1).view(2, 0).add_(1)", "F.relu6((x * 1)[:1], True)"])
def test_in_place_changes_of_empty_views_are_views_too(code):
    """An empty view shares no bytes with its base, and is still a view (CopySlices, or the
    view-of-a-leaf error)."""
    def run(T):
        x = T.zeros(0, 2, requires_grad=True)
        try:
            y = eval(code, {"T": T, "F": T.nn.functional, "x": x})
        except RuntimeError as e:
            return str(e)
        return repr(y), y._version, y.grad_fn.next_functions[0][0].name()
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("loss", ["mse_loss", "smooth_l1_loss"])
def test_losses_against_a_bool_target_differentiate_with_create_graph(loss):
    def run(T):
        x = T.tensor([0.5, -1., 3.], requires_grad=True)
        loss_fn = getattr(T.nn.functional, loss)
        g, = T.autograd.grad(loss_fn(x, T.tensor([True, False, True])), x, create_graph=True)
        return repr(g.detach())
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "F.huber_loss(T.tensor([1, 2]), T.tensor([0.5, 1.]))",
    "F.huber_loss(T.tensor([True, False]), T.tensor([0.5, 1.], dtype=T.float64))",
    "F.huber_loss(T.tensor([1, 2]), T.tensor([0, 1]))",
    "F.huber_loss(T.tensor([1., 2]), T.tensor([0, 1]))",
    "F.smooth_l1_loss(T.tensor([1, 2]), T.tensor([0.5, 1.]))",
])
def test_huber_loss_writes_in_the_input_dtype(code):
    assert value_or_error(code, lab) == value_or_error(code, require_torch())


def test_unflatten_infers_one_size_only(T):
    with pytest.raises(RuntimeError, match="^unflatten got an unexpected error:\nonly one "
                                           "dimension can be inferred"):
        T.ones(3).unflatten(0, (-1, -1))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_of_a_0d_tensor_differentiates_twice(fn):
    def run(T):
        x = T.tensor(-1., dtype=T.float64, requires_grad=True)
        y = getattr(T.nn.functional, fn)(x, dim=-1)
        g, = T.autograd.grad(y, x, create_graph=True)
        g.backward()
        return repr(y.detach()), repr(g.detach()), repr(x.grad)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "T.cumsum(T.tensor([3e38, 3e38, -3e38, 1e-8, 1.]), 0)",
    "T.cumsum(T.tensor([1., 1e-8, 1e-8, 1e-8, 1e-8] * 3), 0)[-1].item()",
    "T.cumprod(T.tensor([1e30, 1e10, 1e-10, 1e-30]), 0)",
    "T.cumprod(T.tensor([3e38, 2., 0.5, 4.]).reshape(2, 2), 0)",
])
def test_float32_scans_accumulate_in_double(code):
    """PyTorch's CPU cumsum/cumprod run in float64 for float32 (each result rounded back)."""
    assert value_or_error(code, lab) == value_or_error(code, require_torch())


def test_float32_cumprod_gradient_through_an_overflow_and_back():
    def run(T):
        x = T.tensor([1e30, 1e10, 1e-10, 1e-30], requires_grad=True)
        T.cumprod(x, 0).backward(T.ones(4))
        return repr(x.grad)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", ["T.norm(x, dim=0)", "T.norm(x, 3, dim=0)", "T.norm(x[0, 0])",
                                  "F.normalize(x, dim=0)",
                                  "F.cosine_similarity(x, T.tensor([[2., 3.]]).double(), 0)"])
def test_the_norm_over_one_element_is_its_absolute_value(code):
    """No x * x overflow when a norm reduces a single element (cosine_similarity of 1e300)."""
    def run(T):
        return value_or_error(code, T, x=T.tensor([[-1e300, 1.]], dtype=T.float64,
                                                  requires_grad=True))
    assert run(lab) == run(require_torch())


BASES = ["x", "x[0]", "x[0][1:]", "x.view(6)", "x.t()", "x.reshape(6)", "x.t().reshape(6)",
         "x.detach()", "x.data", "x + 1", "x.unsqueeze(0)", "x.expand(2, 2, 3)", "x.clone()",
         "x[[0]]", "x.squeeze()", "x.flatten()", "x.narrow(0, 0, 1)", "x.unbind()[1]",
         "x.split(1)[0]", "x.T", "x.contiguous()", "x.view(T.int32)", "x.t().t()",
         "(x * 1)[1:]", "x.permute(1, 0)[0]"]


@pytest.mark.parametrize("grad", [False, True])
def test_base_of_a_view_is_the_tensor_it_views(grad):
    """`_base`: the (non-view) tensor a view's memory belongs to, else None."""
    def bases(T):
        x = T.ones(2, 3, requires_grad=grad)
        with T.no_grad() if grad else T.enable_grad():
            results = {code: eval(code, {"x": x, "T": T}) for code in BASES}
        return {code: None if r._base is None else r._base is x or r._base.shape
                for code, r in results.items()}
    assert bases(lab) == bases(require_torch())


def test_base_survives_in_place_changes_and_is_read_only(T):
    x = T.ones(3, requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(3)
    y.add_(1)
    assert v._base is y and y._base is None
    with pytest.raises(AttributeError):
        v._base = None


def test_setitem_into_a_view_made_under_no_grad_names_that_first(T):
    x = T.ones(3, requires_grad=True)
    with T.no_grad():
        v = x[0:2]
    with pytest.raises(RuntimeError, match="no_grad mode"):
        v[0] = 1.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 1.0


@pytest.mark.parametrize("code", [
    "T.isclose(T.tensor([16777217]), T.tensor([16777216]), rtol=0, atol=0.5)",
    "T.allclose(T.tensor([16777217]), T.tensor([16777216]), rtol=0, atol=0.5)",
    "T.isclose(T.tensor([True, False]), T.tensor([True, True]), atol=1.5)",
])
def test_isclose_of_integers_in_the_default_float_dtype(code):
    ours, theirs = both(lambda T: eval(code, {"T": T}))
    assert ours == theirs


def _history(t):
    """t's node and what its edges lead to, by name (None for an input that needs no grad)."""
    fn = t.grad_fn
    return fn.name(), [None if f is None else f.name() for f, _ in fn.next_functions]


@pytest.mark.parametrize("change", [
    "v.mul_(a)", "v.add_(a, alpha=2)", "v.copy_(a.repeat(2)[:2])", "v[1] = a[0] * 2",
    "v.exp_()", "v.sigmoid_()", "v.mul_(2)", "v[1:].mul_(a[:1])", "v.div_(a)",
])
@pytest.mark.parametrize("make", ["h[1:3]", "h[1:][:2]", "h.view(2, 2)[0]", "h.flip(0)[1:3]"])
def test_in_place_on_a_view_wraps_the_op_in_copy_slices_of_the_root(make, change):
    """As PyTorch: the root base gets one CopySlices whose edges are the root's old history and
    the op's other inputs (not the op's own node); the views get AsStridedBackward0; gradients
    (also of second order) are the same."""
    def run(T):
        x = T.tensor([1., 2., 3., 4.], dtype=T.float64, requires_grad=True)
        a = T.tensor([0.5, -2.], dtype=T.float64, requires_grad=True)
        h = x * 3
        v = eval(make, {"h": h})
        exec(change, {"v": v, "a": a})
        out = (h * T.arange(1., 5., dtype=T.float64)).sum() + (v * v).sum()
        gx, ga = T.autograd.grad(out, (x, a), create_graph=True, allow_unused=True)
        second = T.autograd.grad(gx.sum() + (0 if ga is None else ga.sum()), (x, a),
                                 allow_unused=True)
        return (_history(h), _history(v)), [None if g is None else g.tolist()
                                             for g in (gx, ga, *second)]
    ours, theirs = run(lab), run(require_torch())
    assert ours[0] == theirs[0]
    for g, expected in zip(ours[1], theirs[1]):
        assert (g is None) == (expected is None)
        if g is not None:
            np.testing.assert_allclose(g, expected, rtol=1e-12)  # (sigmoid's last bit differs)


@pytest.mark.parametrize("change", ["v.mul_(a)", "v.add_(a)", "v.exp_()"])
def test_second_backward_through_copy_slices_fails_where_pytorchs_does(change):
    """The CopySlices node frees what the op it wraps saved: a second backward raises exactly
    when PyTorch's does."""
    def run(T):
        x = T.tensor([1., 2., 3.], requires_grad=True)
        a = T.tensor([2., 3.], requires_grad=True)
        h = x * 1
        exec(change, {"v": h[1:], "a": a})
        h.sum().backward()
        h.sum().backward()
        return x.grad
    ours, theirs = both(run)
    assert ours == theirs


def test_post_accumulate_grad_hooks_and_memory_layout_queries():
    """register_post_accumulate_grad_hook (runs after .grad is accumulated, by backward only,
    must return None: an optimizer can step inside it) and element_size, nbytes, itemsize,
    storage_offset, data_ptr, as PyTorch's."""
    def run(T):
        out, seen = [], []
        x = T.zeros(3, 4)
        out.append((x.element_size(), x.nbytes, x.itemsize, x[1:].storage_offset(),
                    x[1:, 2].storage_offset(), x.t().storage_offset(),
                    x[1:][1:].storage_offset(), x.double().element_size(),
                    x[2].data_ptr() - x.data_ptr()))
        for t in (T.ones(2, requires_grad=True) * 2, T.ones(2)):
            out.append(raised(lambda: t.register_post_accumulate_grad_hook(lambda t: None)))
        w = T.ones(2, requires_grad=True)
        h = w.register_post_accumulate_grad_hook(lambda t: seen.append((t is w, t.grad.tolist())))
        (w * 3).sum().backward()
        (w * 3).sum().backward()
        T.autograd.grad((w * 3).sum(), w)  # no accumulation: no hook
        (w * 3).sum().backward(inputs=[w])
        h.remove()
        (w * 3).sum().backward()
        out.append(list(seen))
        for bad in (lambda t: 5, lambda t: t.grad * 2):
            v = T.ones(2, requires_grad=True)
            v.register_post_accumulate_grad_hook(bad)
            out.append(raised(lambda: (v * 3).sum().backward()))
            out.append(v.grad.tolist())
        p = T.ones(2, requires_grad=True)

        def step(t):
            with T.no_grad():
                t -= 0.5 * t.grad
            t.grad = None
        p.register_post_accumulate_grad_hook(step)
        (p * p).sum().backward()
        out.append((p.tolist(), p.grad))
        return out
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", [
    "T.add(x, a, alpha=2)", "T.sub(x, a, alpha=2)", "x.add(a, alpha=0.5)", "T.add(x, 3, alpha=2)",
    "x.add(a, alpha=2).add_(a, alpha=3)", "(x * 1).sub_(a, alpha=-2)", "T.add(x, a.double(), alpha=2)",
    "T.add(x, a[:1], alpha=3)", "T.add(x.detach(), a, alpha=2)", "x + 3", "x - a", "3 - x",
    "T.rsub(x, 2, alpha=3)",
])
def test_add_and_sub_with_alpha_are_one_node_that_saves_alpha(code):
    """PyTorch's AddBackward0/SubBackward0 take alpha * other in one node (`_saved_alpha`, 1
    for a plain + or -), not a MulBackward0 before it."""
    def run(T):
        x = T.tensor([1., 2.], requires_grad=True)
        a = T.tensor([3., 4.], requires_grad=True)
        y = eval(code, {"T": T, "x": x, "a": a})
        y.sum().backward()
        return (repr(y), _history(y), y.grad_fn._saved_alpha, x.grad, a.grad)
    ours, theirs = both(run)
    assert ours == theirs


@pytest.mark.parametrize("code", [
    "h.unbind()[0].mul_(2)", "h.split(1)[0].mul_(2)", "h.chunk(2)[1].add_(1)",
    "h.split([1, 1])[1].mul_(2)", "h.split(1, 1)[1].zero_()",
])
def test_pieces_of_split_and_unbind_refuse_in_place_changes_while_recording(code):
    """As PyTorch: a function returning several views forbids changing them in place while
    recording (under no_grad, or of a base that needs no grad, it is allowed)."""
    def run(T):
        x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        h = x * 1
        out = [raised(lambda: eval(code, {"h": h}))]
        with T.no_grad():
            eval(code, {"h": h})
        plain = x.detach().clone()
        eval(code, {"h": plain})
        return out + [h.tolist(), h._version, plain.tolist()]
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("make", ["h.unbind(1)", "h.split(1)", "h.reshape(-1).split([1, 2, 1])",
                                  "h.chunk(3, 1)", "h.unbind(0)[:1]"])
def test_pieces_of_split_and_unbind_join_their_gradients_in_one_node_output(make):
    """Every piece's node stands for one output of PyTorch's one node (next_functions give the
    output number); gradients, also of second order and for unused pieces, are PyTorch's."""
    def run(T):
        x = T.tensor([[1., 2.], [3., 4.]], dtype=T.float64, requires_grad=True)
        h = x * 1
        pieces = eval(make, {"h": h})
        y = pieces[0] ** 2 * 3
        for p in pieces[1:]:
            y = y * p.sum()
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        gg, = T.autograd.grad((g * g).sum(), x)
        return ([f.name() for f in (p.grad_fn for p in pieces)],
                [(f.name(), i) for f, i in y.grad_fn.next_functions if f is not None],
                g.tolist(), gg.tolist())
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("shapes", [((3,), (4,), (4,)), ((4,), (3,), (4,)), ((4,), (4,), (3,)),
                                    ((2, 3), (3,), (2,)), ((4,), (2, 1), (3,))])
def test_where_names_the_shapes_that_do_not_broadcast_as_pytorch(shapes):
    """PyTorch folds condition, input and other left to right: the shape so far is tensor a."""
    def run(T):
        c, a, b = shapes
        return raised(lambda: T.where(T.ones(c) > 0, T.ones(a), T.ones(b)))
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("name", ["relu", "leaky", "leaky_", "hardtanh", "threshold", "threshold_",
                                  "rrelu", "hardshrink", "softshrink", "relu6", "relu_",
                                  "prelu_frozen"])
def test_gradients_of_piecewise_linear_ops_stay_connected_under_create_graph(name):
    """As PyTorch's *BackwardBackward0 nodes: the gradient depends on the input with a zero
    derivative, so grad of grad gives zeros, not an error; third order too. (In-place
    threshold drops where the input, not its result, was at or below the threshold.)"""
    def run(T):
        F = T.nn.functional
        f = {"relu": lambda t: t.relu(), "leaky": lambda t: F.leaky_relu(t, 0.1),
             "leaky_": lambda t: F.leaky_relu(t * 1, 0.1, inplace=True), "hardtanh": F.hardtanh,
             "threshold": lambda t: F.threshold(t, 0.5, 2.),
             "threshold_": lambda t: F.threshold(t * 1, 0.5, 2., inplace=True),
             "rrelu": lambda t: F.rrelu(t, training=False), "hardshrink": F.hardshrink,
             "softshrink": F.softshrink, "relu6": F.relu6, "relu_": lambda t: (t * 1).relu_(),
             "prelu_frozen": lambda t: F.prelu(t, T.tensor([0.25], dtype=T.float64))}[name]
        x = T.tensor([-1., 2., 0.3, 0.7], dtype=T.float64, requires_grad=True)
        v = T.tensor([1., -2., 3., 0.5], dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad(f(x), x, v, create_graph=True)
        g2 = T.autograd.grad((g * g).sum(), (x, v), create_graph=True)
        g3 = T.autograd.grad(g2[1].sum(), (x, v), allow_unused=True)
        return (g.grad_fn.name(), g.tolist(), [t.tolist() for t in g2],
                [None if t is None else t.tolist() for t in g3])
    assert run(lab) == run(require_torch())


def test_hardsigmoid_gradient_has_no_derivative_as_pytorch():
    """Under create_graph, PyTorch records NotImplemented: a further backward raises."""
    def run(T):
        x = T.tensor([-4., 0.5, 2.], dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad(T.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
        return g.grad_fn.name(), g.tolist(), raised(lambda: T.autograd.grad(g.sum(), x))
    assert run(lab) == run(require_torch())


def test_soft_margin_loss_of_large_inputs_without_a_numpy_warning():
    def run(T):
        x = T.tensor([1000., -1000., 0., 100.], requires_grad=True)
        loss = T.nn.functional.soft_margin_loss(x, T.tensor([1., 1., -1., -1.]))
        g, = T.autograd.grad(loss, x, create_graph=True)
        g.sum().backward()
        return repr(loss), repr(g.detach()), repr(x.grad)  # (ours records its ops, not one node)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(lab) == run(require_torch())


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_a_loss_that_overflows_is_inf_without_a_numpy_warning(reduction):
    """A diverging training run (too large a learning rate) shows inf as PyTorch, and no
    numpy RuntimeWarning in the learner's notebook."""
    def run(T):
        x = T.tensor([1.5e19, 1.5e19])
        return repr(T.nn.functional.mse_loss(x, T.zeros(2), reduction=reduction))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(lab) == run(require_torch()) == "tensor(inf)"


def test_a_custom_function_changing_a_view_in_place_runs_its_backward_once():
    """CopySlices runs the wrapped node's rules on the view's part of the gradient: a custom
    Function's backward is called once per backward pass, as in PyTorch, for all its inputs."""
    def run(T):
        calls = []

        class Scale(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, a):
                ctx.mark_dirty(x)
                ctx.save_for_backward(a)
                return x.mul_(a)

            @staticmethod
            def backward(ctx, g):
                calls.append(g.tolist())
                a, = ctx.saved_tensors
                return g * a, g.sum() * 0 + g.sum()

        x = T.tensor([1., 2., 3.], requires_grad=True)
        a = T.tensor(2., requires_grad=True)
        h = x * 1
        Scale.apply(h[1:], a)
        (h * T.tensor([1., 10., 100.])).sum().backward()
        return calls, x.grad.tolist(), a.grad.tolist(), _history(h)
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", ["v.mul_(v)", "v.mul_(v.detach())", "b[0:2].mul_(b[2:4])",
                                  "v.exp_(); v.exp_()", "v.add_(1)"])
def test_in_place_op_on_a_view_that_reads_what_it_writes_is_caught(code):
    """The version check of CopySlices counts from the op it wraps: an in-place op on a view
    whose inputs it overwrites raises PyTorch's error (naming the op and the view's shape)."""
    def run(T):
        a = T.tensor([1., 2., 3., 4.], requires_grad=True)
        b = a * 1
        v = b[:2]
        exec(code, {"v": v, "b": b})
        return outcome(lambda: (b * T.arange(4.)).sum().backward()), a.grad
    ours, theirs = run(lab), run(require_torch())
    assert ours[0] == theirs[0] and repr(ours[1]) == repr(theirs[1])


def test_two_copy_slices_of_one_op_class_get_their_own_gradients():
    """Two in-place ops of one kind on views of two tensors, in one backward pass."""
    def run(T):
        a = T.tensor([1., 2., 3., 4.], requires_grad=True)
        c = T.tensor([5., 6., 7., 8.], requires_grad=True)
        b1, b2 = a * 1, a * 2
        b1[:2].mul_(c[:2])
        b2[2:].mul_(c[2:])
        ((b1 + b2) * T.tensor([1., 10., 100., 1000.])).sum().backward()
        return a.grad.tolist(), c.grad.tolist()
    assert run(lab) == run(require_torch())


def test_unsafe_split_and_chunk_share_memory_but_are_not_views():
    """PyTorch's unsafe_ forms (its RNN cells use them): UnsafeSplitBackward0 pieces, no
    `_base`, their own version, an in-place change is the piece's own history."""
    def run(T):
        x = T.arange(6., requires_grad=True)
        h = x * 1
        a, b = T.unsafe_chunk(h, 2)
        out = [a.grad_fn.name(), a._base is None, a._version]
        a.mul_(2)
        out += [h.tolist(), h._version, a._version, a.grad_fn.name(),
                [p.grad_fn.name() for p in T.unsafe_split(h, 4)],
                T.unsafe_split_with_sizes(x * 1, [1, 5])[0].grad_fn.name(),
                raised(lambda: T.unsafe_split(h, [2, 4]))]
        (a.sum() + b.sum()).backward()
        return out + [x.grad.tolist()]
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("code", ["p[1][0:1].mul_(2)", "p[1].view(2)[0].add_(1)",
                                  "p[0].unsqueeze(0).mul_(2)", "p[1].mul_(2)", "(p[0] * 1).mul_(2)"])
def test_views_of_split_pieces_refuse_in_place_changes_too(code):
    def run(T):
        a = T.arange(6., requires_grad=True)
        p = (a * 1).split(2)
        return outcome(lambda: exec(code, {"p": p}))
    assert run(lab) == run(require_torch())


@pytest.mark.parametrize("make", [lambda L, a: L.tensor(a).t(), lambda L, a: L.tensor(a)[:, ::2],
                                  lambda L, a: L.tensor(a), lambda L, a: L.tensor(a)[0, 0]])
def test_a_leafs_gradient_is_laid_out_as_the_leaf(make):
    """PyTorch's AccumulateGrad keeps a gradient only if its strides are the leaf's, else copies
    it into the leaf's layout (a transposed leaf gets a transposed .grad)."""
    torch = pytest.importorskip("torch")
    a = np.arange(24.0).reshape(4, 6)
    strides = []
    for L in (lab, torch):
        w = make(L, a).detach().requires_grad_()
        (w * L.ones(w.shape, dtype=L.float64)).sum().backward()
        strides.append((w.grad.stride(), w.grad.is_contiguous()))
    assert strides[0] == strides[1]
