"""Convolutions, 1-D and 2-D pooling and constant padding against PyTorch: values, nodes and gradients over
a grid of arguments, second derivatives, errors, the layers (init, repr, state) and a small CNN
trained on both libraries."""
import math
import re
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from nn_helpers import (compare_with_torch, grad_fn_names, outcome, same_outcome, same_weights,
                        sgd_losses)

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


# ---- values, graphs and gradients ---------------------------------------------------------------
CONV2D = [  # (input shape, weight shape, bias, keyword arguments)
    ((2, 3, 6, 5), (4, 3, 3, 3), True, {}),
    ((3, 6, 5), (4, 3, 3, 3), True, {}),  # unbatched
    ((2, 3, 6, 5), (4, 3, 2, 3), False, {"stride": 2}),
    ((2, 3, 7, 6), (4, 3, 3, 2), True, {"stride": (2, 1), "padding": (1, 2)}),
    ((1, 2, 7, 7), (2, 2, 3, 3), True, {"dilation": 2, "padding": 2}),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((2, 4, 6, 6), (4, 1, 3, 3), False, {"groups": 4, "stride": 2, "dilation": (1, 2)}),
    ((2, 3, 5, 6), (4, 3, 3, 3), True, {"padding": "same"}),
    ((3, 5, 6), (4, 3, 2, 3), True, {"padding": "same", "dilation": (1, 2)}),  # uneven pad
    ((2, 3, 5, 6), (4, 3, 3, 3), True, {"padding": "valid"}),
    ((1, 1, 3, 3), (1, 1, 3, 3), True, {}),  # the kernel as large as the input
]


def _conv(fn, kwargs, bias):
    if bias:
        return lambda L, x, w, b: getattr(L.nn.functional, fn)(x, w, b, **kwargs)
    return lambda L, x, w: getattr(L.nn.functional, fn)(x, w, **kwargs)


def _specs(shapes, dtype="float64"):
    return [(arr(*s, dtype=dtype), True) for s in shapes]


@pytest.mark.parametrize("x_shape, w_shape, bias, kwargs", CONV2D)
def test_conv2d_values_nodes_and_gradients(x_shape, w_shape, bias, kwargs):
    shapes = [x_shape, w_shape] + ([w_shape[:1]] if bias else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ('same' with an even kernel: both warn)
        compare_with_torch(_conv("conv2d", kwargs, bias), _specs(shapes))


@pytest.mark.parametrize("x_shape, w_shape, kwargs", [
    ((2, 3, 9), (4, 3, 3), {}),
    ((3, 9), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 4, 9), (2, 2, 2), {"groups": 2, "dilation": 3, "padding": (2,)}),
    ((2, 3, 8), (4, 3, 4), {"padding": "same"}),
])
def test_conv1d_values_nodes_and_gradients(x_shape, w_shape, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_with_torch(_conv("conv1d", kwargs, True), _specs([x_shape, w_shape, w_shape[:1]]))


def test_same_padding_with_an_uneven_pad_warns_as_torch():
    with pytest.warns(UserWarning, match="even kernel lengths and odd dilation"):
        lab.nn.functional.conv2d(lab.zeros(1, 1, 4, 4), lab.zeros(1, 1, 2, 2), padding="same")


def test_conv_float32_stays_float32_and_is_close():
    out = compare_with_torch(_conv("conv2d", {"padding": 1, "groups": 2}, True),
                             _specs([(2, 4, 6, 6), (6, 2, 3, 3), (6,)], "float32"),
                             rtol=1e-5, atol=1e-5)
    assert out.dtype == lab.float32


def test_conv_only_weight_requires_grad():
    specs = [(arr(2, 3, 5, 5), False), (arr(4, 3, 3, 3), True), (arr(4), False)]
    compare_with_torch(_conv("conv2d", {"stride": 2}, True), specs)


def test_conv_of_integers():
    x, w = RNG.integers(-5, 5, (1, 2, 4, 4)), RNG.integers(-3, 3, (3, 2, 2, 2))
    for f in ("conv2d", "max_pool2d", "avg_pool2d"):
        args = (w,) if f == "conv2d" else (2,)
        ours = getattr(lab.nn.functional, f)(lab.tensor(x), *[
            lab.tensor(a) if isinstance(a, np.ndarray) else a for a in args], padding=1)
        theirs = getattr(torch.nn.functional, f)(torch.tensor(x), *[
            torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args], padding=1)
        assert repr(ours) == repr(theirs)


POOLS = [  # (function, input shape, keyword arguments)
    ("max_pool2d", (2, 3, 6, 5), {"kernel_size": 2}),
    ("max_pool2d", (3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("max_pool2d", (2, 2, 7, 7), {"kernel_size": (3, 2), "stride": (2, 1), "dilation": (2, 1)}),
    ("max_pool2d", (1, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1,
                                  "ceil_mode": True}),
    ("max_pool2d", (1, 2, 6, 6), {"kernel_size": 2, "stride": 1}),  # overlapping windows
    ("max_pool2d", (2, 2, 8, 7), {"kernel_size": 2, "stride": 3}),  # gaps between windows
    ("max_pool2d", (1, 2, 9, 9), {"kernel_size": 2, "stride": 3, "dilation": 2}),  # disjoint
    ("max_pool2d", (1, 2, 7, 7), {"kernel_size": 3, "dilation": 2, "stride": 1}),  # overlapping
    ("avg_pool2d", (2, 3, 6, 5), {"kernel_size": 2}),
    ("avg_pool2d", (3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("avg_pool2d", (1, 2, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1,
                                  "ceil_mode": True}),
    ("avg_pool2d", (1, 2, 7, 6), {"kernel_size": (3, 2), "stride": 2, "padding": 1,
                                  "ceil_mode": True, "count_include_pad": False}),
    ("avg_pool2d", (2, 2, 5, 5), {"kernel_size": 2, "stride": 1, "divisor_override": 3}),
    ("adaptive_avg_pool2d", (2, 3, 7, 5), {"output_size": (3, 2)}),
    ("adaptive_avg_pool2d", (3, 7, 5), {"output_size": (None, 4)}),
    ("adaptive_avg_pool2d", (2, 3, 7, 5), {"output_size": 1}),  # MeanBackward1, as PyTorch's
    ("adaptive_max_pool2d", (2, 3, 7, 5), {"output_size": (3, 2)}),  # overlapping bins
    ("adaptive_max_pool2d", (3, 6, 5), {"output_size": (None, 4)}),
    ("adaptive_max_pool2d", (1, 2, 4, 6), {"output_size": 2}),  # disjoint bins
    ("max_pool1d", (2, 3, 9), {"kernel_size": 2}),
    ("max_pool1d", (3, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("max_pool1d", (2, 2, 9), {"kernel_size": 2, "stride": 1, "dilation": 3}),
    ("max_pool1d", (2, 2, 9), {"kernel_size": [3], "stride": [], "padding": (1,)}),
    ("avg_pool1d", (2, 3, 9), {"kernel_size": 2}),
    ("avg_pool1d", (3, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                            "count_include_pad": False}),
    ("adaptive_avg_pool1d", (2, 3, 9), {"output_size": 4}),
    ("adaptive_avg_pool1d", (3, 9), {"output_size": (1,)}),  # MeanBackward1, as PyTorch's
    ("adaptive_max_pool1d", (2, 3, 9), {"output_size": 4}),
    ("adaptive_max_pool1d", (3, 9), {"output_size": [2]}),
    ("pad", (2, 3, 4), {"pad": (1, 2)}),
    ("pad", (2, 3, 4), {"pad": (1, -2, 0, 3), "value": 1.5}),
    ("pad", (2, 3), {"pad": (-1, -1, -1, 0)}),
] + [("pad", shape, {"pad": pad, "mode": mode})
     for mode in ("reflect", "replicate", "circular")
     for shape, pad in [((2, 5), (1, 2)), ((2, 3, 5), (2, -1)), ((1, 3, 4), (1, 1, 2, 1)),
                        ((1, 2, 3, 4), (-1, 2, 0, 1)), ((1, 2, 3, 4, 5), (1, 1, 2, 0, -1, 1)),
                        ((2, 3, 5), (-2, 3)), ((2, 3, 5), (3, -2)), ((2, 3, 6), (0, 0))]]
POOLS += [("pad", (1, 3, 5), {"pad": (5, 4), "mode": mode}) for mode in ("replicate", "circular")]


@pytest.mark.parametrize("fn, shape, kwargs", POOLS)
def test_pooling_and_padding_values_nodes_and_gradients(fn, shape, kwargs):
    compare_with_torch(lambda L, x: getattr(L.nn.functional, fn)(x, **kwargs), _specs([shape]))


def test_max_pool_ties_go_to_the_first_maximum_and_indices_match():
    x = RNG.integers(0, 3, (2, 2, 6, 6)).astype("float64")  # many ties in every window
    compare_with_torch(lambda L, x: L.nn.functional.max_pool2d(x, 3, 1, 1), [(x, True)])
    ours = lab.nn.functional.max_pool2d(lab.tensor(x), 3, 2, 1, return_indices=True)
    theirs = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert [repr(t) for t in ours] == [repr(t) for t in theirs]


@pytest.mark.parametrize("fn, args", [
    ("max_pool1d", (3, 2, 1)), ("max_pool1d", (2, 1, 0, 2, True)), ("adaptive_max_pool1d", (4,)),
    ("adaptive_max_pool2d", ((3, 2),))])
def test_pooling_indices_as_torch(fn, args):
    """return_indices (ties, NaN, a window starting in the padding) and values without grad."""
    x = RNG.integers(0, 3, (2, 3, 9)).astype("float64")
    x[0, 0, 2:4] = np.nan
    x = x.reshape(2, 3, 3, 3) if fn.endswith("2d") else x
    ours = getattr(lab.nn.functional, fn)(lab.tensor(x), *args, return_indices=True)
    theirs = getattr(torch.nn.functional, fn)(torch.tensor(x), *args, return_indices=True)
    assert [repr(t) for t in ours] == [repr(t) for t in theirs]
    assert repr(getattr(lab.nn.functional, fn)(lab.tensor(x), *args)) == \
        repr(getattr(torch.nn.functional, fn)(torch.tensor(x), *args)) == repr(theirs[0])


def test_max_pool_of_nan_and_minus_inf_as_torch():
    """The last NaN of a window wins; a window of only -inf (and padding) points at its first
    element inside the input; an upstream inf stays off the other elements."""
    x = np.full((1, 2, 5, 6), -np.inf)
    x[0, 0, 1, 1:4] = [np.nan, 1.0, np.nan]
    x[0, 1, 3:, 4:] = RNG.standard_normal((2, 2))
    ints = np.full((1, 1, 4, 4), np.iinfo(np.int64).min)
    ints[0, 0, 3, 3] = 0
    for args in ((2,), (3, 2, 1), (3, 1, 1), (2, 2, 1, 2)):
        for a in (x, ints):
            ours = lab.nn.functional.max_pool2d(lab.tensor(a), *args, return_indices=True)
            theirs = torch.nn.functional.max_pool2d(torch.tensor(a), *args, return_indices=True)
            assert [repr(t) for t in ours] == [repr(t) for t in theirs]
        y = {L: L.tensor(np.nan_to_num(x, nan=0.0, neginf=0.0), requires_grad=True)
             for L in (lab, torch)}
        outs = {L: L.nn.functional.max_pool2d(y[L], *args) for L in (lab, torch)}
        g = np.ones(tuple(outs[torch].shape))
        g[..., 0] = np.inf
        for L in (lab, torch):
            outs[L].backward(L.tensor(g))
        assert repr(y[lab].grad) == repr(y[torch].grad)


@pytest.mark.parametrize("fn, shape", [("max_pool2d", (1, 1, 4, 4)), ("max_pool1d", (1, 2, 6))])
def test_max_pool_gradient_zeros_are_positive_as_torch(fn, shape):
    """A negative upstream gradient leaves +0. (not -0.) off the maxima."""
    x = arr(*shape)
    grads = []
    for L in (lab, torch):
        y = L.tensor(x, requires_grad=True)
        getattr(L.nn.functional, fn)(y, 2).sum().mul(-1).backward()
        grads.append(y.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(np.signbit(grads[0]), np.signbit(grads[1]))


def test_pooling_float32():
    x = arr(2, 3, 6, 6, dtype="float32")
    for fn in ("max_pool2d", "avg_pool2d"):
        out = compare_with_torch(lambda L, x: getattr(L.nn.functional, fn)(x, 3, 2, 1),
                                 [(x, True)], rtol=1e-6, atol=1e-6)
        assert out.dtype == lab.float32


# ---- second derivatives -------------------------------------------------------------------------
SECOND = [
    ("conv2d", lambda F, x, w: F.conv2d(x, w, padding=1, stride=2, groups=2, dilation=(1, 2)),
     (2, 4, 6, 6), (6, 2, 3, 2)),
    ("conv1d", lambda F, x, w: F.conv1d(x, w, padding="same", dilation=2), (2, 3, 7), (2, 3, 4)),
    ("max_pool2d", lambda F, x, w: F.max_pool2d(x * w, 2, 1, 1), (1, 2, 5, 5), (5,)),
    ("avg_pool2d", lambda F, x, w: F.avg_pool2d(x * w, 3, 2, 1, ceil_mode=True,
                                                count_include_pad=False), (1, 2, 6, 5), (5,)),
    ("adaptive_avg_pool2d", lambda F, x, w: F.adaptive_avg_pool2d(x * w, (2, 3)), (2, 6, 5), (5,)),
    ("pad", lambda F, x, w: F.pad(x * w, (1, -1, 2, 0)), (2, 3, 5), (5,)),
    ("reflect", lambda F, x, w: F.pad(x * w, (2, -1, 1, 2), mode="reflect"), (2, 3, 5), (5,)),
    ("replicate", lambda F, x, w: F.pad(x * w, (3, 1), mode="replicate"), (2, 3, 5), (5,)),
    ("circular", lambda F, x, w: F.pad(x * w, (2, -1, 1, 2), mode="circular"), (2, 3, 5), (5,)),
    ("adaptive_max_pool2d", lambda F, x, w: F.adaptive_max_pool2d(x * w, (2, 3)), (2, 6, 5),
     (5,)),
    ("max_pool1d", lambda F, x, w: F.max_pool1d(x * w, 3, 1, 1), (2, 3, 5), (5,)),
    ("avg_pool1d", lambda F, x, w: F.avg_pool1d(x * w, 2, 1, 1), (2, 3, 5), (5,)),
    ("adaptive_avg_pool1d", lambda F, x, w: F.adaptive_avg_pool1d(x * w, 3), (2, 3, 5), (5,)),
    ("adaptive_max_pool1d", lambda F, x, w: F.adaptive_max_pool1d(x * w, 3), (2, 3, 5), (5,)),
]


@pytest.mark.parametrize("name, fn, x_shape, w_shape", SECOND, ids=[s[0] for s in SECOND])
def test_second_derivatives_match_torch(name, fn, x_shape, w_shape):
    """grad of (|d(y²)/dx|² + sum((d(y²)/dw)³)) through create_graph=True, on a sliced
    (non-contiguous) input."""
    x0, w0 = arr(*x_shape[:-1], x_shape[-1] + 2), arr(*w_shape)

    def run(L):
        base, w = L.tensor(x0.copy(), requires_grad=True), L.tensor(w0.copy(), requires_grad=True)
        x = base[..., 1:-1]
        y = fn(L.nn.functional, x, w)
        gx, gw = L.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        return base.grad.numpy(), w.grad.numpy()
    for ours, theirs in zip(run(lab), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_gradgradcheck():
    x, w, b = (lab.tensor(arr(*s), requires_grad=True) for s in ((2, 4, 5, 4), (6, 2, 3, 2), (6,)))
    F = lab.nn.functional
    assert lab.autograd.gradgradcheck(
        lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=2, dilation=(1, 2), groups=2),
        (x, w, b))
    assert lab.autograd.gradgradcheck(lambda x: F.max_pool2d(x, 2, 1, 1) ** 2, (x,))
    assert lab.autograd.gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1) ** 2, (x,))


# ---- errors -------------------------------------------------------------------------------------
def _t(lib, *shape, dtype=None):
    return lib.zeros(*shape, dtype=dtype)


ERRORS = {
    "input_dims": lambda L: L.nn.functional.conv2d(_t(L, 5, 5), _t(L, 4, 3, 2, 2)),
    "conv1d_input_dims": lambda L: L.nn.functional.conv1d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2)),
    "channels": lambda L: L.nn.functional.conv2d(_t(L, 1, 4, 5, 5), _t(L, 4, 3, 2, 2)),
    "channels_unbatched": lambda L: L.nn.functional.conv2d(_t(L, 3, 5, 5), _t(L, 2, 4, 2, 2)),
    "groups_channels": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                        groups=2),
    "groups_weight": lambda L: L.nn.functional.conv2d(_t(L, 1, 4, 5, 5), _t(L, 3, 2, 3, 3),
                                                      groups=2),
    "groups_zero": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                    groups=0),
    "kernel_too_large": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 2, 2), _t(L, 4, 3, 3, 3)),
    "dilated_too_large": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 4, 4), _t(L, 4, 3, 2, 2),
                                                          dilation=(1, 4)),
    "bias_size": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                  _t(L, 3)),
    "weight_dtype": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5),
                                                     _t(L, 4, 3, 2, 2, dtype=L.float64)),
    "bias_dtype": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                   _t(L, 4, dtype=L.float64)),
    "weight_dims": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2)),
    "stride_length": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                      stride=(1, 2, 3)),
    "same_strided": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                     stride=2, padding="same"),
    "padding_string": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                       padding="full"),
    "stride_zero": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                    stride=0),
    "padding_negative": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                         padding=-1),
    "dilation_zero": lambda L: L.nn.functional.conv2d(_t(L, 1, 3, 5, 5), _t(L, 4, 3, 2, 2),
                                                      dilation=0),
    "pool_dims": lambda L: L.nn.functional.max_pool2d(_t(L, 5), 2),
    "pool_pad": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2, padding=2),
    "avg_pool_pad": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 3, 5, 5), 2, padding=2),
    "pool_too_small": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 7),
    "avg_pool_too_small": lambda L: L.nn.functional.avg_pool2d(_t(L, 3, 5, 5), 7),
    "pool_stride_zero": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2, 0),
    "pool_dilation_zero": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2,
                                                               dilation=0),
    "pool_kernel_arity": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), (2, 2, 2)),
    "pool_stride_arity": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2, (2, 2, 2)),
    "pool_padding_arity": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 3, 5, 5), 2, 2,
                                                               (1, 1, 1)),
    "pool_dilation_arity": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2, 2, 0,
                                                                (1, 1, 1)),
    "max_pool_bool": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 2, 2, dtype=L.bool), 2),
    "avg_pool_bool": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 2, 2, dtype=L.bool), 2),
    "avg_pool_int32": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 2, 2, dtype=L.int32), 2),
    "divisor_zero": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 3, 5, 5), 2,
                                                         divisor_override=0),
    "adaptive_dims": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 5, 5), 2),
    "adaptive_integers": lambda L: L.nn.functional.adaptive_avg_pool2d(
        _t(L, 3, 5, 5, dtype=L.int64), 2),
    "pool_pad_negative": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 3, 5, 5), 2, padding=-1),
    "pool_empty": lambda L: L.nn.functional.avg_pool2d(_t(L, 1, 0, 5, 5), 2),
    "pool_empty_batch_ok": lambda L: L.nn.functional.max_pool2d(_t(L, 0, 3, 5, 5), 2),
    "adaptive_avg_2d_input": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 5, 5), 2),
    "adaptive_avg_2d_mean_ok": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 5, 5), 1),
    "adaptive_avg_empty": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 0, 1, 0, 5), 2),
    "adaptive_avg_size3": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 1, 5, 5),
                                                                         (2, 2, 2)),
    "adaptive_avg_size1": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 1, 5, 5), (2,)),
    "adaptive_avg_negative": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 1, 5, 5), -1),
    "adaptive_avg_zero_ok": lambda L: L.nn.functional.adaptive_avg_pool2d(_t(L, 1, 5, 5), 0),
    "adaptive_max_dims": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 5, 5), 2),
    "adaptive_max_empty": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 1, 0, 3, 5), 2),
    "adaptive_max_empty_batch_ok": lambda L: L.nn.functional.adaptive_max_pool2d(
        _t(L, 0, 1, 3, 5), 2),
    "adaptive_max_size1": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 1, 5, 5), (2,)),
    "adaptive_max_negative": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 1, 3, 5), -1),
    "adaptive_max_negatives": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 1, 3, 5),
                                                                            (-1, -2)),
    "adaptive_max_zero_ok": lambda L: L.nn.functional.adaptive_max_pool2d(_t(L, 1, 5, 5), 0),
    "adaptive_max_integers": lambda L: L.nn.functional.adaptive_max_pool2d(
        _t(L, 1, 5, 5, dtype=L.int64), 2),
    "max2d_pad_dilated": lambda L: L.nn.functional.max_pool2d(_t(L, 1, 1, 9, 9), 3, padding=(1, 2),
                                                            dilation=2),
    "max2d_pad_dilated_small_input": lambda L: L.nn.functional.max_pool2d(
        _t(L, 1, 1, 2, 2), 3, padding=2, dilation=2),
    "max1d_pad_dilated_indices": lambda L: L.nn.functional.max_pool1d(
        _t(L, 1, 1, 9), 3, padding=2, dilation=2, return_indices=True),
    "max1d_dims": lambda L: L.nn.functional.max_pool1d(_t(L, 5), 2),
    "max1d_empty": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 0), 2),
    "max1d_kernel_arity": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), (2, 2)),
    "max1d_stride_arity": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 3, 5), 2, (1, 1)),
    "max1d_padding_arity": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 3, 5), 2, 1, (1, 1)),
    "max1d_dilation_arity": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 3, 5), 2, 1, 0,
                                                                 (1, 1)),
    "max1d_kernel_zero": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 0),
    "max1d_stride_zero": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 2, 0),
    "max1d_padding_negative": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 2,
                                                                   padding=-1),
    "max1d_pad": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 2, padding=2),
    "max1d_dilation_zero": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 2, dilation=0),
    "max1d_too_small": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 7),
    "max1d_integers": lambda L: L.nn.functional.max_pool1d(L.arange(10).reshape(1, 2, 5), 2),
    "max1d_integers_indices_ok": lambda L: L.nn.functional.max_pool1d(
        L.arange(10).reshape(1, 2, 5), 2, return_indices=True),
    "max1d_indices_dims": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 3, 5), 2,
                                                               return_indices=True),
    "max1d_indices_kernel_arity": lambda L: L.nn.functional.max_pool1d(
        _t(L, 1, 2, 5), (2, 2), return_indices=True),
    "max1d_indices_pad": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 2, 5), 2, padding=2,
                                                              return_indices=True),
    "max1d_indices_dilation_zero": lambda L: L.nn.functional.max_pool1d(
        _t(L, 1, 3, 5), 2, 1, 0, 0, return_indices=True),
    "max1d_indices_empty": lambda L: L.nn.functional.max_pool1d(_t(L, 1, 0, 5), 2,
                                                                return_indices=True),
    "max1d_indices_bool": lambda L: L.nn.functional.max_pool1d(
        _t(L, 1, 3, 5, dtype=L.bool), 2, return_indices=True),
    "avg1d_dims": lambda L: L.nn.functional.avg_pool1d(_t(L, 1, 2, 3, 5), 2),
    "avg1d_kernel_arity": lambda L: L.nn.functional.avg_pool1d(_t(L, 1, 2, 5), (2, 2)),
    "avg1d_padding_arity": lambda L: L.nn.functional.avg_pool1d(_t(L, 1, 3, 5), 2, 1, (1, 1)),
    "avg1d_kernel_zero": lambda L: L.nn.functional.avg_pool1d(_t(L, 1, 2, 5), 0),
    "avg1d_too_small": lambda L: L.nn.functional.avg_pool1d(_t(L, 1, 2, 5), 7),
    "avg1d_int32": lambda L: L.nn.functional.avg_pool1d(L.arange(10, dtype=L.int32)
                                                        .reshape(1, 2, 5), 2),
    "avg1d_integers_ok": lambda L: L.nn.functional.avg_pool1d(L.arange(10).reshape(1, 2, 5), 2),
    "avg2d_integers_divisor_override_ok": lambda L: L.nn.functional.avg_pool2d(
        L.arange(32).reshape(2, 4, 4) - 10, 2, divisor_override=3),
    "adaptive_avg1d_dims": lambda L: L.nn.functional.adaptive_avg_pool1d(_t(L, 5), 2),
    "adaptive_avg1d_size2": lambda L: L.nn.functional.adaptive_avg_pool1d(_t(L, 1, 2, 5), (2, 2)),
    "adaptive_avg1d_none": lambda L: L.nn.functional.adaptive_avg_pool1d(_t(L, 1, 2, 5), None),
    "adaptive_avg1d_empty": lambda L: L.nn.functional.adaptive_avg_pool1d(_t(L, 1, 2, 0), 2),
    "adaptive_avg1d_negative": lambda L: L.nn.functional.adaptive_avg_pool1d(_t(L, 1, 3, 5), -1),
    "adaptive_max1d_dims": lambda L: L.nn.functional.adaptive_max_pool1d(_t(L, 1, 2, 3, 5), 2),
    "adaptive_max1d_size2": lambda L: L.nn.functional.adaptive_max_pool1d(_t(L, 1, 2, 5), (2, 2)),
    "adaptive_max1d_none": lambda L: L.nn.functional.adaptive_max_pool1d(_t(L, 1, 2, 5), None),
    "adaptive_max1d_bool": lambda L: L.nn.functional.adaptive_max_pool1d(
        _t(L, 1, 2, 5, dtype=L.bool), 2, True),
    "pad_odd": lambda L: L.nn.functional.pad(_t(L, 3, 5), (1,)),
    "pad_long": lambda L: L.nn.functional.pad(_t(L, 3, 5), (1,) * 6),
    "pad_crop_too_much": lambda L: L.nn.functional.pad(_t(L, 3, 5), (-3, -3)),
    "pad_mode": lambda L: L.nn.functional.pad(_t(L, 3, 5), (1, 1), mode="mirror"),
    "pad_int_ok": lambda L: [L.nn.functional.pad(L.arange(10).reshape(2, 5), (2, 1), mode=m)
                             for m in ("reflect", "replicate", "circular")],
    "pad_circular_bool_ok": lambda L: L.nn.functional.pad(_t(L, 2, 3, dtype=L.bool), (1, 1),
                                                          mode="circular"),
    "pad_circular_empty_ok": lambda L: L.nn.functional.pad(_t(L, 1, 0, 3, 5), (1, 1, 1, 1),
                                                           mode="circular"),
    "pad_circular_crop_all_ok": lambda L: L.nn.functional.pad(_t(L, 1, 3, 5), (-3, -2),
                                                              mode="circular"),
    "pad_value_zero_ok": lambda L: L.nn.functional.pad(_t(L, 1, 3, 5), (1, 1), mode="reflect",
                                                       value=0.0),
    "pad_empty_batch_ok": lambda L: L.nn.functional.pad(_t(L, 0, 2, 5), (1, 1), mode="reflect"),
    "pad_reflect_negative_dim_3d": lambda L: L.nn.functional.pad(
        _t(L, 2, 3, 4, 2, 3), (2, 2, -2, -1, -2, -1), mode="reflect"),
    "pad_reflect_negative_dim_3d_odd": lambda L: L.nn.functional.pad(
        _t(L, 1, 2, 1, 4, 2), (1, 1, -1, -1, -1, -2), mode="reflect"),
    "pad_reflect_negative_dim_2d": lambda L: L.nn.functional.pad(
        _t(L, 1, 3, 5), (-3, -4, 1, 1), mode="reflect"),
    "pad_replicate_negative_dim_2d": lambda L: L.nn.functional.pad(
        _t(L, 1, 3, 5), (-3, -4, 1, 1), mode="replicate"),
}
_PAD_OK = {"replicate": {"large", "large_right", "large_2d", "large_3d"},
           "circular": {"large", "large_2d", "large_3d", "crop_all_2d", "crop_all_3d",
                        "empty_channels", "empty_3d", "bool"}}
for _mode in ("reflect", "replicate", "circular"):
    ERRORS.update({f"pad_{_mode}_{name}" + ("_ok" if name in _PAD_OK.get(_mode, ()) else ""):
                   (lambda f, m: lambda L: f(L, m))(f, _mode) for name, f in {
        "1d_input": lambda L, m: L.nn.functional.pad(_t(L, 5), (1, 1), mode=m),
        "4d_one_dim": lambda L, m: L.nn.functional.pad(_t(L, 1, 1, 3, 5), (1, 1), mode=m),
        "2d_two_dims": lambda L, m: L.nn.functional.pad(_t(L, 3, 5), (1, 1, 1, 1), mode=m),
        "6d_three_dims": lambda L, m: L.nn.functional.pad(_t(L, 1, 1, 1, 1, 3, 5), (1,) * 6,
                                                          mode=m),
        "no_pad": lambda L, m: L.nn.functional.pad(_t(L, 3, 5), (), mode=m),
        "value": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (1, 1), mode=m, value=1.0),
        "large": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (5, 1), mode=m),
        "large_right": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (1, 6), mode=m),
        "large_2d": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 3, 5), (0, 0, 0, 3), mode=m),
        "large_3d": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 3, 5), (0, 0, 0, 0, 0, 2),
                                                     mode=m),
        "crop_all": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (-3, -3), mode=m),
        "crop_all_2d": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (-3, -2, -1, -2),
                                                        mode=m),
        "crop_all_3d": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 3, 5), (-3, -2, -1, -2, -1,
                                                                            -1), mode=m),
        "crop_one_2d": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (-3, -3, 1, 1), mode=m),
        "crop_two_3d": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 3, 5), (-3, -4, -2, -2, 1, 1),
                                                        mode=m),
        "crop_h_ok": lambda L, m: L.nn.functional.pad(_t(L, 1, 3, 5), (0, 1, -1, -2), mode=m),
        "empty_channels": lambda L, m: L.nn.functional.pad(_t(L, 1, 0, 5), (1, 1), mode=m),
        "empty_width": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 0), (1, 1), mode=m),
        "empty_3d": lambda L, m: L.nn.functional.pad(_t(L, 0, 2, 3, 5), (1,) * 6, mode=m),
        "bool": lambda L, m: L.nn.functional.pad(_t(L, 1, 2, 3, dtype=L.bool), (1, 1, 1, 1),
                                                 mode=m),
    }.items()})
ERRORS.update({
    "module_groups": lambda L: L.nn.Conv2d(4, 4, 3, groups=3),
    "module_out_groups": lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
    "module_groups_zero": lambda L: L.nn.Conv2d(4, 4, 3, groups=0),
    "module_same_strided": lambda L: L.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
    "module_padding_string": lambda L: L.nn.Conv1d(4, 4, 3, padding="full"),
})


@pytest.mark.parametrize("name", ERRORS)
def test_errors_as_torch(name):
    kind, _ = same_outcome(ERRORS[name])
    assert (kind == "ok") == name.endswith("_ok")


def test_conv_padding_mode_error_as_torch():
    """(The message shows a set literal, whose order varies with the hash seed.)"""
    def parsed(L):
        kind, message = outcome(L.nn.Conv2d, 4, 4, 3, padding_mode="mirror")
        before, modes, after = re.split(r"[{}]", message)
        return kind, before, set(modes.split(", ")), after
    assert parsed(lab) == parsed(torch)



# ---- layers -------------------------------------------------------------------------------------
LAYERS = [
    lambda nn: nn.Conv2d(1, 8, 3),
    lambda nn: nn.Conv2d(1, 8, (3, 2), stride=2, padding=1, dilation=2, bias=False),
    lambda nn: nn.Conv2d(2, 8, 3, padding="same", groups=2),
    lambda nn: nn.Conv2d(2, 8, (2, 3), padding="same", dilation=(3, 1)),
    lambda nn: nn.Conv2d(2, 8, 3, padding="valid"),
    lambda nn: nn.Conv1d(2, 8, 3, padding=(1,), dilation=(2,)),
    lambda nn: nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"),
    lambda nn: nn.Conv1d(2, 4, 3, padding="valid", padding_mode="circular"),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((2, 3), stride=1, padding=1, dilation=2, return_indices=True,
                            ceil_mode=True),
    lambda nn: nn.AvgPool2d(2),
    lambda nn: nn.AvgPool2d((2, 3), stride=1, padding=1, ceil_mode=True,
                            count_include_pad=False, divisor_override=3),
    lambda nn: nn.AdaptiveAvgPool2d((2, None)),
    lambda nn: nn.AdaptiveAvgPool2d(2),
    lambda nn: nn.MaxPool1d(2),
    lambda nn: nn.MaxPool1d(3, 2, 1, 2, return_indices=True, ceil_mode=True),
    lambda nn: nn.AvgPool1d(3),
    lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda nn: nn.AdaptiveAvgPool1d(4),
    lambda nn: nn.AdaptiveMaxPool1d(3, return_indices=True),
    lambda nn: nn.AdaptiveMaxPool2d((2, None)),
]


@pytest.mark.parametrize("make", LAYERS)
def test_layer_repr_parameters_and_state_dict(make):
    ours, theirs = make(lab.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name in ("kernel_size", "stride", "padding", "dilation", "groups", "output_size",
                 "return_indices", "ceil_mode", "count_include_pad", "padding_mode",
                 "_reversed_padding_repeated_twice"):
        assert getattr(ours, name, None) == getattr(theirs, name, None)


def test_conv_init_bounds():
    lab.manual_seed(0)
    conv = lab.nn.Conv2d(4, 6, (3, 2), groups=2)
    bound = 1 / math.sqrt(2 * 3 * 2)  # fan_in = in_channels / groups * kernel elements
    for p in (conv.weight, conv.bias):
        values = p.detach().numpy()
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound and np.abs(values).max() > bound / 2


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7)),
    (lambda nn: nn.Conv1d(3, 4, 2, padding="same"), (3, 6)),
    (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding=(1, 2), padding_mode="reflect"),
     (2, 3, 7, 7)),
    (lambda nn: nn.Conv2d(3, 4, (2, 3), padding="same", dilation=(3, 1),
                          padding_mode="replicate"), (3, 7, 7)),
    (lambda nn: nn.Conv1d(3, 4, 4, padding="same", padding_mode="circular"), (2, 3, 6)),
    (lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 7)),
    (lambda nn: nn.AvgPool2d(3, 2, 1), (3, 7, 7)),
    (lambda nn: nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 7)),
    (lambda nn: nn.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 7)),
    (lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True), (2, 3, 8)),
    (lambda nn: nn.AvgPool1d(3, 2, 1), (3, 8)),
    (lambda nn: nn.AdaptiveAvgPool1d(3), (2, 3, 8)),
    (lambda nn: nn.AdaptiveMaxPool1d(3), (3, 8)),
])
def test_layer_forward_and_backward_as_torch(make, shape):
    ours, theirs = make(lab.nn), make(torch.nn)
    same_weights(ours, theirs)
    x = arr(*shape, dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_with_torch(lambda L, x: (ours if L is lab else theirs)(x), [(x, True)],
                           rtol=1e-5, atol=1e-6)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_tiny_cnn_trains_as_torch():
    def make(nn):
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 6, 3, groups=2), nn.ReLU(), nn.AvgPool2d(2),
                             nn.Flatten(), nn.Linear(6, 3))
    ours, theirs = make(lab.nn), make(torch.nn)
    same_weights(ours, theirs)
    x, y = arr(8, 1, 8, 8, dtype="float32"), RNG.integers(0, 3, 8)

    def train(L, model):
        losses = sgd_losses(L, model, L.nn.functional.cross_entropy, x, y, momentum=0.9)
        return losses, grad_fn_names(model(L.tensor(x)))
    (our_losses, our_graph), (their_losses, their_graph) = train(lab, ours), train(torch, theirs)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-5)
    assert our_losses[-1] < our_losses[0]
    assert our_graph == their_graph
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_outputs_and_gradients_are_contiguous_as_torch():
    F = lab.nn.functional
    x, w = lab.randn(2, 4, 6, 6, requires_grad=True), lab.randn(6, 2, 3, 3, requires_grad=True)
    for y in (F.conv2d(x, w, groups=2, padding=1), F.max_pool2d(x, 3, 2, 1),
              F.avg_pool2d(x, 3, 2, 1), F.adaptive_avg_pool2d(x, 4), F.pad(x, (1, -1)),
              F.adaptive_max_pool2d(x, 4), F.pad(x, (1, 2, 2, 1), mode="reflect"),
              F.pad(x, (1, 2, 2, 1), mode="replicate"), F.pad(x, (1, 2, 2, 1), mode="circular"),
              F.max_pool1d(x[0], 2), F.avg_pool1d(x[0], 2)):
        x.grad = w.grad = None
        y.sum().backward()
        assert y.is_contiguous() and x.grad.is_contiguous()
        assert w.grad is None or w.grad.is_contiguous()


@pytest.mark.parametrize("kind", ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad",
                                  "CircularPad"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_padding_modules_as_torch(kind, d):
    """Repr, padding, class tree, values, graph and gradient (batched and not), and errors."""
    def run(L):
        cls, records = getattr(L.nn, f"{kind}{d}d"), []
        make = (lambda p: cls(p, 1.5)) if kind == "ConstantPad" else cls
        for p in (2, tuple(range(1, 2 * d + 1)), list(range(2 * d))):
            for shape in ((2, 3, 7, 8, 9)[:d + 2], (3, 7, 8, 9)[:d + 1]):
                x = L.tensor(RNG.standard_normal(shape), requires_grad=True)
                m = make(p)
                y = m(x)
                y.backward(L.ones_like(y) * 2)
                records.append((repr(m), m.padding, isinstance(m, getattr(L.nn, f"ConstantPad{d}d")),
                                repr(y.detach()), y.grad_fn.name(), repr(x.grad)))
        records += [outcome(lambda: make(1)(L.ones(*shape))) for shape in ((3,), (1,) * 7)]
        return records
    state = RNG.bit_generator.state
    ours = run(lab)
    RNG.bit_generator.state = state
    assert ours == run(torch)
