"""Value text for nodes, in PyTorch's print format (the engine's `_format`), abbreviated.

Node labels use PyTorch's rules with a small threshold (`[0., 1., ..., 98., 99.]`); tooltips use
`repr` itself, abbreviated only past TOOLTIP_THRESHOLD elements to keep the SVG small.
"""
import contextlib
from types import SimpleNamespace

from .. import _format

LABEL_THRESHOLD, LABEL_EDGEITEMS, LABEL_LINES = 6, 2, 5
TOOLTIP_THRESHOLD = 200


@contextlib.contextmanager
def _print_options(threshold, edgeitems):
    """Temporarily lower the engine's print threshold (never raise it past the user's)."""
    opts = _format.OPTS
    saved = opts.threshold, opts.edgeitems
    opts.threshold, opts.edgeitems = min(threshold, opts.threshold), min(edgeitems, opts.edgeitems)
    try:
        yield
    finally:
        opts.threshold, opts.edgeitems = saved


def label(array):
    """At most LABEL_LINES lines, e.g. `[1., 2., 3., 4.]` or `[[0.1, ...], ...]`."""
    with _print_options(LABEL_THRESHOLD, LABEL_EDGEITEMS):
        lines = _format.array_str(array, 0).split("\n")
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES - 1] + ["…"]
    return "\n".join(lines)


def tooltip(array, grad_fn=None, requires_grad=False):
    """`tensor([...], grad_fn=<MulBackward0>)`, as `repr` prints a tensor holding `array`."""
    t = SimpleNamespace(_data=array, grad_fn=grad_fn, requires_grad=requires_grad)
    with _print_options(TOOLTIP_THRESHOLD, 3):
        return _format.tensor_repr(t)
