"""`testing.assert_close`: PyTorch's comparison of tensors, numbers and containers of them, with
its default tolerances per dtype and its failure messages."""
import cmath
import collections.abc

import numpy as np

from . import _dtypes
from ._factories import as_tensor
from ._ops import _isclose
from ._tensor import Tensor
from ._typeinfo import promote_types

# {dtype: (rtol, atol)}; every other dtype compares exactly
_PRECISIONS = {_dtypes.float16: (1e-3, 1e-5), _dtypes.float32: (1.3e-6, 1e-5),
               _dtypes.float64: (1e-7, 1e-7)}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise, its message and the item's path."""

    def __init__(self, type, msg, id):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += ("\n\nThe failure occurred for item "
                              + "".join(str([item]) for item in self.id))
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


def _tolerances(precisions, rtol, atol, id):
    """(rtol, atol): both given, or the loosest defaults of the inputs' dtypes."""
    if (rtol is None) != (atol is None):
        raise _Mismatch(ValueError, f"Both 'rtol' and 'atol' must be either specified or "
                                    f"omitted, but got no {'rtol' if rtol is None else 'atol'}.",
                        id)
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*precisions)
    return max(rtols), max(atols)


def _mismatch_msg(identifier, extra, rtol, atol, abs_diff, rel_diff, abs_idx=None,
                  rel_idx=None):
    equality = rtol == 0 and atol == 0
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    for kind, diff, idx, tol in (("absolute", abs_diff, abs_idx, atol),
                                 ("relative", rel_diff, rel_idx, rtol)):
        msg += (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        msg += "\n" if equality else f" (up to {tol} allowed)\n"
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", rtol, atol,
                         abs_diff, rel_diff)


def _tensor_msg(a, e, matches, rtol, atol):
    """PyTorch's message for tensors: how many elements mismatch, and the greatest absolute and
    relative differences among them (computed in the tensors' dtype, integers as int64)."""
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    flat_a, flat_e, flat_matches = a.ravel(), e.ravel(), matches.ravel()
    if a.dtype.kind != "f":
        flat_a, flat_e = flat_a.astype(np.int64), flat_e.astype(np.int64)
    abs_diff = np.abs(flat_a - flat_e)
    abs_diff[flat_matches] = 0
    divisor = np.abs(flat_e)
    if a.dtype.kind != "f":  # integer true division gives the default float dtype
        default = _dtypes.get_default_dtype().np
        rel_diff = abs_diff.astype(default) / divisor.astype(default)
    else:
        rel_diff = abs_diff / divisor
    rel_diff[flat_matches] = 0
    i, j = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_msg("Tensor-likes", extra, rtol, atol, abs_diff[i].item(),
                         rel_diff[j].item(), _unravel(i, a.shape), _unravel(j, a.shape))


def _unravel(flat, shape):
    return tuple(int(k) for k in np.unravel_index(flat, shape))


def _fail(msg, id):
    raise _Mismatch(AssertionError, msg, id)


def _none_pair(actual, expected, id, options):
    if actual is not None and expected is not None:
        return None

    def compare():
        if not (actual is None and expected is None):
            _fail(f"None mismatch: {actual} is not {expected}", id)
    return compare


def _boolean_pair(actual, expected, id, options):
    if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
        return None
    actual, expected = bool(actual), bool(expected)

    def compare():
        if actual is not expected:
            _fail(f"Booleans mismatch: {actual} is not {expected}", id)
    return compare


def _number_pair(actual, expected, id, options):
    if not all(isinstance(x, (int, float, complex, np.number)) for x in (actual, expected)):
        return None
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances(  # Python floats (and complex) compare as float64, ints exactly
        [_PRECISIONS[_dtypes.float64] if isinstance(x, (float, complex)) else (0.0, 0.0)
         for x in (actual, expected)], options["rtol"], options["atol"], id)

    def compare():
        if options["check_dtype"] and type(actual) is not type(expected):
            _fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", id)
        if actual == expected or (options["equal_nan"] and cmath.isnan(actual)
                                  and cmath.isnan(expected)):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
            return
        _fail(_scalar_msg(actual, expected, rtol, atol), id)
    return compare


def _tensor_pair(actual, expected, id, options):
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        return None
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        return None
    try:
        actual, expected = (x if isinstance(x, Tensor) else as_tensor(x)
                            for x in (actual, expected))
    except Exception:
        return None
    rtol, atol = _tolerances([_PRECISIONS.get(x.dtype, (0.0, 0.0)) for x in (actual, expected)],
                             options["rtol"], options["atol"], id)

    def compare():
        for attribute, ours, theirs, check in (
                ("shape", actual.shape, expected.shape, True),
                ("stride()", actual.stride(), expected.stride(), options["check_stride"]),
                ("dtype", actual.dtype, expected.dtype, options["check_dtype"])):
            if check and ours != theirs:
                _fail(f"The values for attribute '{attribute}' do not match: {ours} != "
                      f"{theirs}.", id)
        a, e = actual._data, expected._data
        if a.dtype != e.dtype:
            common = promote_types(actual.dtype, expected.dtype).np
            a, e = a.astype(common), e.astype(common)
        with np.errstate(divide="ignore", invalid="ignore"):  # inf - inf, x / 0 as PyTorch
            matches = _isclose(a, e, rtol, atol, options["equal_nan"])
            if matches.all():
                return
            if a.ndim == 0:
                _fail(_scalar_msg(a.item(), e.item(), rtol, atol), id)
            _fail(_tensor_msg(a, e, matches, rtol, atol), id)
    return compare


_PAIRS = (_none_pair, _boolean_pair, _number_pair, _tensor_pair)


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _comparisons(actual, expected, id, options):
    """One compare function per pair of leaves of the (nested) inputs."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError, f"The length of the sequences mismatch: "
                                            f"{len(actual)} != {len(expected)}", id)
        return [c for i in range(len(actual))
                for c in _comparisons(actual[i], expected[i], (*id, i), options)]
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        keys, expected_keys = set(actual.keys()), set(expected.keys())
        if keys != expected_keys:
            raise _Mismatch(AssertionError,
                            f"The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: "
                            f"{sorted(expected_keys - keys)}\n"
                            f"Additional keys in the actual mapping: "
                            f"{sorted(keys - expected_keys)}", id)
        try:
            keys = sorted(keys)
        except Exception:
            pass
        return [c for k in keys for c in _comparisons(actual[k], expected[k], (*id, k), options)]
    for pair in _PAIRS:
        compare = pair(actual, expected, id, options)
        if compare is not None:
            return [compare]
    raise _Mismatch(TypeError, f"No comparison pair was able to handle inputs of type "
                               f"{type(actual)} and {type(expected)}.", id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless actual and expected (tensors, numbers, or sequences and
    mappings of them) are close: |actual - expected| <= atol + rtol * |expected| elementwise.

    Default tolerances follow the dtype (float16: rtol 1e-3, atol 1e-5; float32: 1.3e-6, 1e-5;
    float64: 1e-7, 1e-7; integers and bool: exact); give both rtol and atol or neither.
    Shapes must match, and dtypes unless check_dtype=False (then both are promoted). `msg`
    (a string, or a function of the generated message) replaces the message. Devices and
    layouts are always the CPU's and strided.
    """
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol,
                   equal_nan=equal_nan, check_dtype=check_dtype, check_stride=check_stride)
    try:
        comparisons = _comparisons(actual, expected, (), options)
    except _Mismatch as mismatch:
        raise mismatch.to_error() from None
    for compare in comparisons:
        try:
            compare()
        except _Mismatch as mismatch:
            raise mismatch.to_error(msg) from None
