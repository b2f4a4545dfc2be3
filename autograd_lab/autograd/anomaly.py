"""Anomaly mode: find the forward line behind a NaN gradient, as PyTorch's `detect_anomaly`.

While it is on, every new graph node records where the user's code created it; backward then
checks the gradients each node produces and raises at the first node that returns NaN, after
warning with the traceback of the forward call. The record is `node.metadata`:

- `metadata["traceback_"]`: the forward call's stack, formatted lines (PyTorch's key);
- `metadata["anomaly"]`: `{"op", "file", "line", "function", "code", "error"}` — the backward
  node's name, where the user's code ran the forward op, and, once backward failed at this
  node, the error message (None before): what the graph display reads to mark the failing node.

Off, it costs one attribute check per recorded op.
"""
import linecache
import sys
import warnings

import numpy as np

from .._node import _Scope

_PACKAGE = __name__.split(".")[0]
_MAX_FRAMES = 10


class _Mode:
    check_nan = True


_mode = _Mode()


def is_anomaly_enabled():
    """True while anomaly mode records forward tracebacks."""
    return _Scope.on_record is not None


def is_anomaly_check_nan_enabled():
    """True if anomaly mode raises when backward produces NaN."""
    return _mode.check_nan


def _set(enabled, check_nan):
    _Scope.on_record = staticmethod(_record) if enabled else None  # a class attribute: all threads
    _mode.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager: record forward tracebacks and raise at the first NaN gradient."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.prev, self.prev_check_nan = is_anomaly_enabled(), _mode.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)
        return False


class set_detect_anomaly:
    """Turn anomaly mode on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = is_anomaly_enabled(), _mode.check_nan
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)
        return False


def _is_ours(frame):
    name = frame.f_globals.get("__name__", "")
    return name == _PACKAGE or name.startswith(_PACKAGE + ".")


def _user_frames():
    """(file, line, function) of the calling user code, innermost first (library frames skipped)."""
    frame = sys._getframe(2)
    while frame is not None and _is_ours(frame):
        frame = frame.f_back
    frames = []
    while frame is not None and len(frames) < _MAX_FRAMES:
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return frames


def _record(node):
    """Store, on a new node, where the user's code created it."""
    frames = _user_frames()
    lines = []
    for file, line, function in reversed(frames):
        code = linecache.getline(file, line).strip()
        lines.append(f'  File "{file}", line {line}, in {function}\n' +
                     (f"    {code}\n" if code else ""))
    file, line, function = frames[0] if frames else ("<unknown>", 0, "<unknown>")
    info = {"op": type(node).__name__, "file": file, "line": line, "function": function,
            "code": linecache.getline(file, line).strip(), "error": None}
    node._extra = {"anomaly": info, "metadata": {"anomaly": info, "traceback_": lines}}


def check_nan(fn, info, grads):
    """Raise PyTorch's error if the gradients node `fn` produced contain NaN."""
    if not _mode.check_nan:
        return
    for i, g in enumerate(grads):
        a = getattr(g, "_data", g)
        if a is not None and np.asarray(a).dtype.kind == "f" and np.isnan(a).any():
            raise RuntimeError(f"Function '{fn.name()}' returned nan values in its {i}th output.")


def report(fn, exc):
    """Mark the node that failed in backward and warn with its forward traceback (as PyTorch)."""
    extra = fn._extra
    extra["anomaly"]["error"] = str(exc)
    trace = "".join(extra["metadata"]["traceback_"])
    warnings.warn(f"Error detected in {fn.name()}. Traceback of forward call that caused the "
                  f"error:\n{trace}", UserWarning, stacklevel=_user_stacklevel())


def _user_stacklevel():
    """The stacklevel that makes a warning point at the user's `backward()` call."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and _is_ours(frame):
        level, frame = level + 1, frame.f_back
    return level
