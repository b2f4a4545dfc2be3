"""testing.assert_close: outcomes (passing, or the exception type and message) identical to
PyTorch's for tensors of every dtype, numbers, containers, tolerances and options."""
import collections

import numpy as np
import pytest

import autograd_lab as al

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")

CASES = {
    "equal float32": lambda m: (m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.0, 3.0])),
    "within float32 tolerance": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.000001, 2.0])),
    "float32": lambda m: (m.tensor([1.0, 2.5, 3.0]), m.tensor([1.0, 2.0, 3.1])),
    "float64": lambda m: (m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=m.float64),
                          m.tensor([[1.0, 2.0], [3.0, 4.0000001]], dtype=m.float64)),
    "float16": lambda m: (m.tensor([1.0, 2.0, 3.0], dtype=m.float16),
                          m.tensor([1.001, 2.01, 3.0], dtype=m.float16)),
    "int64 exact": lambda m: (m.tensor([1, 2, 3]), m.tensor([1, 2, 4])),
    "int8": lambda m: (m.tensor([[-100, 2], [3, 4]], dtype=m.int8),
                       m.tensor([[100, 2], [3, 0]], dtype=m.int8)),
    "uint8": lambda m: (m.tensor([0, 255], dtype=m.uint8), m.tensor([255, 0], dtype=m.uint8)),
    "bool": lambda m: (m.tensor([True, False, True]), m.tensor([True, True, False])),
    "zero expected": lambda m: (m.tensor([0.5, 0.0]), m.tensor([0.0, 0.0])),
    "ties pick the first": lambda m: (m.tensor([1.0, 2.0, 3.0]), m.tensor([2.0, 3.0, 4.0])),
    "nan": lambda m: (m.tensor([1.0, NAN]), m.tensor([1.0, NAN])),
    "nan vs number": lambda m: (m.tensor([1.0, NAN, 2.0]), m.tensor([1.0, 1.0, 5.0])),
    "inf": lambda m: (m.tensor([INF, -INF]), m.tensor([INF, INF])),
    "0-d": lambda m: (m.tensor(1.5), m.tensor(1.0)),
    "0-d int": lambda m: (m.tensor(3), m.tensor(0)),
    "empty": lambda m: (m.zeros(0, 3), m.zeros(0, 3)),
    "shape": lambda m: (m.ones(2, 3), m.ones(3, 2)),
    "dtype": lambda m: (m.ones(2), m.ones(2, dtype=m.float64)),
    "numpy arrays": lambda m: (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    "tensor vs list": lambda m: (m.ones(2), [1.0, 1.0]),
    "strings": lambda m: ("a", "a"),
    "numbers": lambda m: (1.0, 1.5),
    "numbers close": lambda m: (1.0, 1.0 + 1e-8),
    "number zero": lambda m: (0.5, 0.0),
    "ints": lambda m: (2, 3),
    "int vs float": lambda m: (1, 1.0),
    "numpy number": lambda m: (np.float32(1.0), np.float32(1.25)),
    "bools": lambda m: (True, False),
    "none": lambda m: (None, 1),
    "lists": lambda m: ([m.ones(2), m.zeros(3)], [m.ones(2), m.ones(3)]),
    "list lengths": lambda m: ([1, 2], [1, 2, 3]),
    "nested dict": lambda m: ({"b": [m.ones(1)], "a": 1.0}, {"b": [m.zeros(1)], "a": 1.0}),
    "dict keys": lambda m: ({"a": 1, "b": 2}, {"a": 1, "c": 2}),
    "ordered dicts": lambda m: (collections.OrderedDict(w=m.ones(2)),
                                collections.OrderedDict(w=m.ones(2) * 2)),
}
OPTIONS = {
    "defaults": {},
    "loose": dict(rtol=0.1, atol=0.1),
    "exact": dict(rtol=0.0, atol=0.0),
    "rtol only": dict(rtol=1e-3),
    "atol only": dict(atol=1e-3),
    "equal_nan": dict(equal_nan=True),
    "no dtype check": dict(check_dtype=False),
    "msg": dict(msg="custom message"),
    "msg function": dict(msg=lambda generated: "Header\n" + generated),
}


def outcome(module, case, options):
    """None, or the exception's type and message (the tensor class named as PyTorch's)."""
    actual, expected = CASES[case](module)
    try:
        module.testing.assert_close(actual, expected, **options)
    except Exception as error:
        return type(error), str(error).replace("autograd_lab._tensor.Tensor", "torch.Tensor")
    return None


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("case", CASES)
def test_outcome_matches_torch(case, options):
    assert outcome(al, case, OPTIONS[options]) == outcome(torch, case, OPTIONS[options])


def test_stride_check_matches_torch():
    def run(m):
        x = m.arange(6.0).reshape(2, 3)
        try:
            m.testing.assert_close(x.t().contiguous(), x.t(), check_stride=True)
        except AssertionError as error:
            return str(error)
    assert run(al) == run(torch) is not None

