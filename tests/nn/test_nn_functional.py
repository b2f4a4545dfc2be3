"""nn.functional against PyTorch: values, grad_fn graphs and gradients (float64, same inputs)."""
import warnings

import numpy as np
import pytest

import autograd_lab as lab
import autograd_lab.nn.functional as F
from nn_helpers import compare_with_torch, outcome, same_outcome

rng = np.random.default_rng(0)


def arr(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


def labels(n_classes, *shape):
    return rng.integers(0, n_classes, shape)


# ---- linear ---------------------------------------------------------------------------------
@pytest.mark.parametrize("x_shape", [(5, 4), (4,), (3, 2, 4)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_grad", [True, False])
def test_linear(x_shape, bias, x_grad):
    specs = [(arr(*x_shape), x_grad), (arr(3, 4), True)] + ([(arr(3), True)] if bias else [])
    out = compare_with_torch(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), specs)
    assert out.grad_fn.name() in ("AddmmBackward0", "MmBackward0", "ViewBackward0",
                                  "SqueezeBackward4", "UnsafeViewBackward0")


def test_linear_weight_grad_is_contiguous():
    w = lab.tensor(arr(3, 4), requires_grad=True)
    F.linear(lab.tensor(arr(5, 4)), w, lab.zeros(3, dtype=lab.float64)).sum().backward()
    assert w.grad.numpy().flags.c_contiguous


def test_linear_errors_are_pytorchs():
    x = lab.randn(3, 4)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(3x4 and 5x2\)"):
        F.linear(x, lab.randn(2, 5), lab.randn(2))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got "
                                           "Double and Float"):
        F.linear(x.double(), lab.randn(2, 4), lab.randn(2))
    with pytest.raises(RuntimeError, match="self and mat2 must have the same dtype, but got "
                                           "Double and Float"):
        F.linear(x, lab.randn(2, 4), lab.randn(2).double())


# ---- activations ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activations(name):
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x), [(arr(4, 3), True)])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmaxes(name, dim):
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, dim),
                       [(arr(4, 3, 2), True)])


def test_softmax_without_dim_warns_as_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(lab.tensor(arr(2, 3)))
    np.testing.assert_allclose(out.sum(1).numpy(), 1.0)


def test_relu_inplace_overwrites_and_records():
    def fn(lib, x):
        y = x * 1
        out = lib.nn.functional.relu(y, inplace=True)
        assert out is y
        return out
    compare_with_torch(fn, [(arr(4, 3), True)])


def test_relu_inplace_on_leaf_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.relu(lab.tensor(arr(2), requires_grad=True), inplace=True)


# ---- dropout --------------------------------------------------------------------------------
def test_dropout_is_identity_in_eval_and_for_p_zero():
    x = lab.tensor(arr(3, 4), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_zeroes_about_p_and_scales_the_rest():
    lab.manual_seed(0)
    x = lab.ones(200, 100, dtype=lab.float64, requires_grad=True)
    y = F.dropout(x, 0.3)
    assert y.grad_fn.name() == "MulBackward0"
    values = np.unique(y.detach().numpy())
    np.testing.assert_allclose(values, [0.0, 1 / 0.7])
    assert abs((y.detach().numpy() == 0).mean() - 0.3) < 0.01
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout_is_seeded_and_p_one_zeroes_everything():
    x = lab.ones(50)
    lab.manual_seed(3)
    a = F.dropout(x, 0.5).numpy()
    lab.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).numpy())
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0.0)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        F.dropout(x, 1.5)


def test_dropout_inplace():
    x = lab.ones(10, 10)
    lab.manual_seed(1)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert (x.numpy() == 0).any() and x._version == 1


# ---- regression losses ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(name, reduction):
    compare_with_torch(lambda lib, x, t: getattr(lib.nn.functional, name)(x, t,
                                                                           reduction=reduction),
                       [(arr(4, 3), True), (arr(4, 3), True)])


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_with_weight(name, reduction):
    compare_with_torch(lambda lib, x, t, w: getattr(lib.nn.functional, name)(
        x, t, reduction=reduction, weight=w),
        [(arr(4, 3), True), (arr(4, 3), False), (arr(4, 3, low=0.1), False)])


def test_mse_loss_broadcasts_with_pytorchs_warning():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is "
                                         r"different to the input size"):
        compare_with_torch(lambda lib, x, t: lib.nn.functional.mse_loss(x, t),
                           [(arr(4, 3), True), (arr(3), True)])


def test_reduction_errors_and_legacy_flags():
    x = lab.tensor(arr(2, 2))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        total = F.mse_loss(x, x * 0, size_average=False)
    np.testing.assert_allclose(total.item(), (arr_ := x.numpy() ** 2).sum())
    assert arr_.shape == (2, 2)
    with pytest.raises(TypeError, match="argument 'target' .* must be Tensor, not float"):
        F.mse_loss(x, 1.0)


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
                                  "BCEWithLogitsLoss"])
def test_loss_modules_check_the_reduction_when_called_as_pytorch(name):
    def run(lib):
        loss = getattr(lib.nn, name)(reduction="bogus")
        target = lib.zeros(2, dtype=lib.int64) if name in ("CrossEntropyLoss", "NLLLoss") else \
            lib.full((2, 2), 0.5)
        return loss.reduction, outcome(loss, lib.full((2, 2), 0.5), target)
    assert "bogus is not a valid value for reduction" in same_outcome(run)[1]


# ---- classification losses ------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_class_indices(reduction, weighted):
    target = labels(5, 6)
    target[1] = -100
    specs = [(arr(6, 5), True), (target, False)] + ([(arr(5, low=0.1), False)]
                                                     if weighted else [])
    out = compare_with_torch(lambda lib, x, t, *w: lib.nn.functional.cross_entropy(
        x, t, *w, reduction=reduction), specs)
    assert out.grad_fn.name() == "NllLossBackward0"
    assert out.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_probabilities(reduction):
    target = rng.dirichlet(np.ones(4), 5)
    compare_with_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t,
                                                                          reduction=reduction),
                       [(arr(5, 4), True), (target, True)])


def test_cross_entropy_with_weighted_probabilities():
    compare_with_torch(lambda lib, x, t, w: lib.nn.functional.cross_entropy(x, t, w),
                       [(arr(5, 4), True), (rng.dirichlet(np.ones(4), 5), False),
                        (arr(4, low=0.1), False)])


@pytest.mark.parametrize("target", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_label_smoothing(target, reduction):
    t = labels(4, 6) if target == "indices" else rng.dirichlet(np.ones(4), 6)
    ignore = {"ignore_index": 7} if target == "indices" else {}
    if target == "indices":
        t[2] = 7
    compare_with_torch(lambda lib, x, t, w: lib.nn.functional.cross_entropy(
        x, t, w, reduction=reduction, label_smoothing=0.2, **ignore),
        [(arr(6, 4), True), (t, False), (arr(4, low=0.1), False)])


@pytest.mark.parametrize("shape", [(5,), (3, 5, 4), (2, 5, 3, 4), (2, 5, 2, 2, 2)])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_other_ranks(shape, reduction):
    target = labels(5, *((shape[0],) + shape[2:])) if len(shape) > 1 else labels(5)[()]
    if target.ndim:
        target.reshape(-1)[0] = -100
    compare_with_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t,
                                                                          reduction=reduction),
                       [(arr(*shape), True), (np.asarray(target), False)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_ignore_index_and_weight(reduction):
    target = np.array([0, 2, 1, 2, 0])
    compare_with_torch(lambda lib, x, t, w: lib.nn.functional.nll_loss(
        x, t, w, ignore_index=2, reduction=reduction),
        [(arr(5, 3), True), (target, False), (arr(3, low=0.1), False)])


def test_nll_loss_with_nothing_to_count_is_nan_as_in_pytorch():
    compare_with_torch(lambda lib, x, t: lib.nn.functional.nll_loss(x, t, ignore_index=1),
                       [(arr(2, 3), True), (np.array([1, 1]), False)])
    compare_with_torch(lambda lib, x, t, w: lib.nn.functional.nll_loss(x, t, w),
                       [(arr(2, 3), True), (np.array([0, 0]), False),
                        (np.array([0.0, 1.0, 1.0]), False)])


def signs(t):
    """Where t is negative, -0. included (printed '-0.' rather than '0.')."""
    return np.signbit(t.detach().numpy()).tolist()


@pytest.mark.parametrize("name, options", [
    (name, options) for name in ("cross_entropy", "nll_loss")
    for options in ({}, {"weight": [1.0, 0.0, 2.0]}, {"ignore_index": 1})] + [
    ("cross_entropy", {"label_smoothing": 0.1})])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(3, 3), (3, 3, 2)])
def test_ignored_entries_get_positive_zeros_as_in_pytorch(name, options, reduction, shape):
    x = np.linspace(-3.0, 4.0, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    target = np.array([0, -100, 1] if "ignore_index" not in options else [0, 1, 2])
    target = target if len(shape) == 2 else np.stack([target, target[::-1]], 1)

    def run(lib):
        xt = lib.tensor(x, requires_grad=True)
        kwargs = {k: lib.tensor(v) if k == "weight" else v for k, v in options.items()}
        out = getattr(lib.nn.functional, name)(xt, lib.tensor(target), reduction=reduction,
                                               **kwargs)
        out.backward(lib.ones_like(out) * 0.7)
        return signs(out), signs(xt.grad)
    same_outcome(run)


def test_mse_loss_target_gradient_is_positive_zero_where_input_equals_target():
    def run(lib):
        x, t = (lib.tensor([1.0, 2.0, 3.0], requires_grad=True) for _ in range(2))
        lib.nn.functional.mse_loss(x, t, reduction="none").backward(lib.tensor([1.0, -1.0, 0.0]))
        return signs(x.grad), signs(t.grad)
    assert same_outcome(run)[1] == "([False, True, False], [False, True, False])"


def test_classification_errors_are_pytorchs():
    x = lab.tensor(arr(3, 4))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\)\."):
        F.cross_entropy(x, lab.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.cross_entropy(x, lab.tensor([0, 1, 7]))
    with pytest.raises(IndexError, match="Target -3 is out of bounds."):
        F.nll_loss(x, lab.tensor([0, 1, -3]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.nll_loss(x, lab.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected, multi-target not "
                                           "supported"):
        F.cross_entropy(x, lab.tensor(arr(3, 5)))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 4 "
                                           "classes or no classes"):
        F.cross_entropy(x, lab.tensor([0, 1, 2]), weight=lab.ones(3))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point "
                                           "target"):
        F.cross_entropy(x, F.softmax(x, 1), ignore_index=0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    x = arr(4, 3, low=0.01, high=0.99)
    x[0, 0], x[0, 1] = 0.0, 1.0  # the log floor at -100 and the gradient's floor at 1e-12
    specs = [(x, True), (arr(4, 3, low=0, high=1), True)]
    specs += [(arr(3, low=0.1), False)] if weighted else []
    compare_with_torch(lambda lib, x, t, *w: lib.nn.functional.binary_cross_entropy(
        x, t, *w, reduction=reduction), specs, rtol=1e-9)


def test_binary_cross_entropy_errors_are_pytorchs():
    p = lab.tensor([0.2, 0.6, 0.9], dtype=lab.float64)  # p * 2 leaves [0, 1]
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(p * 2, p)
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(p, p * 2)
    with pytest.raises(ValueError, match=r"Using a target size \(torch.Size\(\[3, 1\]\)\) that "
                                         r"is different to the input size"):
        F.binary_cross_entropy(p, p.reshape(3, 1))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(reduction, weights):
    x = arr(4, 3, low=-5, high=5)
    x[0, :] = [-800.0, 800.0, 0.0]  # stable far from zero
    specs = [(x, True), (arr(4, 3, low=0, high=1), True)]
    kwargs = []
    if weights in ("weight", "both"):
        specs.append((arr(4, 3, low=0.1), False))
        kwargs.append("weight")
    if weights in ("pos_weight", "both"):
        specs.append((arr(3, low=0.1), False))
        kwargs.append("pos_weight")

    def fn(lib, x, t, *extra):
        return lib.nn.functional.binary_cross_entropy_with_logits(
            x, t, reduction=reduction, **dict(zip(kwargs, extra)))
    out = compare_with_torch(fn, specs)
    assert np.isfinite(out.detach().numpy()).all()


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 5e-7), (np.float64, 1e-13)])
@pytest.mark.parametrize("pos_weight", [False, True])
def test_binary_cross_entropy_with_logits_is_precise_for_confident_logits(dtype, rtol,
                                                                          pos_weight):
    z = np.array([10.0, 12.0, 15.0, 20.0, -30.0, 0.3] * 2, dtype)
    t = np.repeat([0.0, 1.0], 6).astype(dtype)  # log1p(exp(-20)) is 2e-9, not log(1 + 2e-9) = 0
    specs = [(z, True), (t, True)] + [(np.linspace(0.5, 4, 12).astype(dtype), False)] * pos_weight
    compare_with_torch(lambda lib, z, t, *pw: lib.nn.functional.binary_cross_entropy_with_logits(
        z, t, reduction="none", pos_weight=pw[0] if pw else None), specs, rtol=rtol, atol=0)


def test_binary_cross_entropy_with_logits_shape_error():
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[3\]\)\) must be the same "
                                         r"as input size \(torch.Size\(\[3, 1\]\)\)"):
        F.binary_cross_entropy_with_logits(lab.zeros(3, 1), lab.zeros(3))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("x_dtype", ["float32", "float64"])
@pytest.mark.parametrize("t_dtype", ["int64", "int32", "uint8", "float16", "float32", "float64"])
def test_loss_dtypes_and_target_dtype_errors_are_pytorchs(name, x_dtype, t_dtype):
    def run(lib):
        x = lib.tensor([0.2, 0.7], dtype=getattr(lib, x_dtype), requires_grad=True)
        loss = getattr(lib.nn.functional, name)(x, lib.tensor([0, 1], dtype=getattr(lib, t_dtype)))
        loss.backward()
        return loss.dtype, x.grad.dtype, round(loss.item(), 3)
    same_outcome(run)


@pytest.mark.parametrize("name, key", [("binary_cross_entropy", "weight"),
                                       ("binary_cross_entropy_with_logits", "weight"),
                                       ("binary_cross_entropy_with_logits", "pos_weight")])
@pytest.mark.parametrize("x_dtype, t_dtype", [("float32", "float32"), ("float64", "float64"),
                                              ("float64", "float32"), ("float32", "float64")])
@pytest.mark.parametrize("w_dtype", ["int64", "float32", "float64"])
def test_loss_weight_dtypes_are_pytorchs(name, key, x_dtype, t_dtype, w_dtype):
    def run(lib):
        x = lib.tensor([0.2, 0.7], dtype=getattr(lib, x_dtype), requires_grad=True)
        t = lib.tensor([0.0, 1.0], dtype=getattr(lib, t_dtype))
        w = lib.tensor([2, 3], dtype=getattr(lib, w_dtype))
        loss = getattr(lib.nn.functional, name)(x, t, **{key: w})
        loss.backward()
        return loss.dtype, x.grad.dtype, round(loss.item(), 4), np.round(x.grad.tolist(), 6)
    same_outcome(run)


def test_mse_loss_of_two_integer_tensors_is_not_implemented_as_in_pytorch():
    assert same_outcome(lambda lib: lib.nn.functional.mse_loss(
        lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64)))[0] == "NotImplementedError"


def with_grad(lib, loss_fn, shape):
    """(loss, input gradient) of loss_fn(x) for an input x of ones."""
    x = lib.ones(shape, requires_grad=True)
    loss = loss_fn(x)
    loss.backward()
    return loss, x.grad


X23 = [[0.5, 0.2, 0.9], [0.1, 0.6, 0.3]]
EDGE_CASES = {
    "mse_loss_empty": lambda lib, f: with_grad(lib, lambda x: f.mse_loss(x, lib.ones(0)), (0,)),
    "mse_loss_empty_sum": lambda lib, f: f.mse_loss(lib.ones(0), lib.ones(0), reduction="sum"),
    "l1_loss_empty": lambda lib, f: with_grad(lib, lambda x: f.l1_loss(x, lib.ones(0)), (0,)),
    "cross_entropy_empty": lambda lib, f: with_grad(
        lib, lambda x: f.cross_entropy(x, lib.ones(0, dtype=lib.int64)), (0, 3)),
    "cross_entropy_empty_probs": lambda lib, f: with_grad(
        lib, lambda x: f.cross_entropy(x, lib.ones(0, 3)), (0, 3)),
    "nll_loss_empty": lambda lib, f: f.nll_loss(lib.ones(0, 3), lib.ones(0, dtype=lib.int64)),
    "bce_empty": lambda lib, f: with_grad(
        lib, lambda x: f.binary_cross_entropy(x, lib.ones(0)), (0,)),
    "bce_logits_empty": lambda lib, f: with_grad(
        lib, lambda x: f.binary_cross_entropy_with_logits(x, lib.ones(0)), (0,)),
    "bce_nan_input": lambda lib, f: f.binary_cross_entropy(lib.tensor([0.5, float("nan")]),
                                                           lib.tensor([1.0, 0.0])),
    "bce_nan_target": lambda lib, f: f.binary_cross_entropy(lib.tensor([0.5, 0.2]),
                                                            lib.tensor([1.0, float("nan")])),
    **{f"bce_weight_{shape}": (lambda shape: lambda lib, f: f.binary_cross_entropy(
        lib.tensor(X23), lib.tensor(X23), weight=lib.ones(shape)))(shape)
       for shape in [(2,), (3,), (2, 1), (4, 2, 3), (5, 3), (2, 1, 4)]},
    **{f"bce_logits_{key}_{shape}": (lambda key, shape: lambda lib, f:
                                     f.binary_cross_entropy_with_logits(
                                         lib.tensor(X23), lib.tensor(X23),
                                         **{key: lib.ones(shape)}))(key, shape)
       for key in ("weight", "pos_weight") for shape in [(2,), (3,), (4, 2, 3), (2, 1)]},
    **{f"{name}_{dtype}_target": (lambda name, dtype: lambda lib, f: getattr(f, name)(
        lib.tensor([[0.5, -1.0, 2.0]]), lib.tensor([0], dtype=getattr(lib, dtype))))(name, dtype)
       for name in ("cross_entropy", "nll_loss") for dtype in ("int32", "int16", "uint8")},
    **{f"{name}_{x_dtype}_input_{w_dtype}_weight": (
        lambda name, x_dtype, w_dtype, smoothing: lambda lib, f: getattr(f, name)(
            lib.tensor([[0.5, -1.0, 2.0]], dtype=getattr(lib, x_dtype)), lib.tensor([0]),
            weight=lib.ones(3, dtype=getattr(lib, w_dtype)), **smoothing))(
        name, x_dtype, w_dtype, {"label_smoothing": 0.1} if name == "cross_entropy" else {})
       for name in ("cross_entropy", "nll_loss")
       for x_dtype, w_dtype in [("float32", "float64"), ("float64", "float32")]},
    "cross_entropy_probs_float64_weight": lambda lib, f: f.cross_entropy(
        lib.tensor([[0.5, -1.0, 2.0]]), lib.tensor([[0.2, 0.3, 0.5]]),
        weight=lib.ones(3, dtype=lib.float64)),
    "cross_entropy_probs_ignore_index": lambda lib, f: f.cross_entropy(
        lib.tensor([[0.5, -1.0, 2.0]]), lib.tensor([[0.2, 0.3, 0.5]]), ignore_index=-5),
    "cross_entropy_negative_smoothing": lambda lib, f: f.cross_entropy(
        lib.tensor([[0.5, -1.0, 2.0]]), lib.tensor([2]), label_smoothing=-0.1),
    "cross_entropy_smoothing_above_1": lambda lib, f: f.cross_entropy(
        lib.tensor([[0.5, -1.0, 2.0]]), lib.tensor([2]), label_smoothing=1.5),
    "cross_entropy_0d_long_target": lambda lib, f: f.cross_entropy(lib.tensor(2.0),
                                                                   lib.tensor(0)),
    "cross_entropy_0d_float_target": lambda lib, f: f.cross_entropy(lib.tensor(2.0),
                                                                    lib.tensor(1.0)),
    "cross_entropy_0d_input": lambda lib, f: f.cross_entropy(lib.tensor(2.0), lib.tensor([0])),
    "nll_loss_0d": lambda lib, f: f.nll_loss(lib.tensor(2.0), lib.tensor(0)),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_give_pytorchs_result_or_error_and_no_numpy_warning(case):
    def run(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return EDGE_CASES[case](lib, lib.nn.functional)
    same_outcome(run)


# ---- float32 models stay float32 ------------------------------------------------------------
LOSSES_32 = {
    "linear": lambda x, t, p: F.linear(x, lab.ones(2, 3, requires_grad=True), lab.ones(2)),
    "mse_loss": lambda x, t, p: F.mse_loss(x, t),
    "l1_loss": lambda x, t, p: F.l1_loss(x, t),
    "cross_entropy": lambda x, t, p: F.cross_entropy(x, lab.tensor([0, 2, 1, 1])),
    "cross_entropy_probs": lambda x, t, p: F.cross_entropy(x, F.softmax(t, 1)),
    "cross_entropy_smoothed": lambda x, t, p: F.cross_entropy(x, lab.tensor([0, 2, 1, 1]),
                                                              label_smoothing=0.1),
    "binary_cross_entropy": lambda x, t, p: F.binary_cross_entropy(p, lab.sigmoid(t)),
    "bce_with_logits": lambda x, t, p: F.binary_cross_entropy_with_logits(
        x, lab.sigmoid(t), pos_weight=lab.ones(3)),
    "dropout": lambda x, t, p: F.dropout(x, 0.5),
}


@pytest.mark.parametrize("name", sorted(LOSSES_32))
def test_float32_in_float32_out_and_grads(name):
    x = lab.randn(4, 3, requires_grad=True)
    p = lab.rand(4, 3, requires_grad=True)
    out = LOSSES_32[name](x, lab.randn(4, 3), p)
    assert out.dtype == lab.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or divide warnings either
        out.sum().backward()
    grads = [t.grad for t in (x, p) if t.grad is not None]
    assert grads and all(g.dtype == lab.float32 for g in grads)


# ---- create_graph: the fused rules are differentiable too -----------------------------------
@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "bce", "bce_with_logits", "linear"])
def test_second_derivatives_match_torch(loss):
    def fn(lib, x, w):
        f = lib.nn.functional
        out = {"mse": lambda: f.mse_loss(x * w, w),
               "cross_entropy": lambda: f.cross_entropy(x * w, lib.tensor([0, 2, 1])),
               "bce": lambda: f.binary_cross_entropy(lib.sigmoid(x * w), lib.sigmoid(w)),
               "bce_with_logits": lambda: f.binary_cross_entropy_with_logits(
                   x * w, lib.sigmoid(w), pos_weight=lib.ones(3, dtype=lib.float64) * 2),
               "linear": lambda: f.linear(x, w, w[0]).pow(2).sum()}[loss]()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        return (gx * gx).sum()
    compare_with_torch(fn, [(arr(3, 3), True), (arr(3, 3), True)], whole_graph=False)
