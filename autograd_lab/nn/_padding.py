"""The padding layers: F.pad of the last 1, 2 or 3 dims with a fixed padding, as PyTorch's."""
from . import functional as F
from ._conv import _ntuple
from ._module import Module


class _PadNd(Module):
    """F.pad(input, padding, mode); an int padding pads every side of the last d dims."""

    _mode = _d = None  # set by the subclasses

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._d)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Pads with a constant value."""

    _mode = "constant"

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ReflectionPadNd(_PadNd):
    """Pads with the reflection of the input at its edges (the edge not repeated)."""

    _mode = "reflect"


class _ReplicationPadNd(_PadNd):
    """Pads with copies of the input's edge."""

    _mode = "replicate"


class _CircularPadNd(_PadNd):
    """Pads with the input's opposite end (wrapping around)."""

    _mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._d + 1, self._d + 2):
            raise ValueError(f"expected {self._d + 1}D or {self._d + 2}D input (got "
                             f"{input.dim()}D input)")
        return super().forward(input)


def _classes(kind, base, doc):
    """The 1-D, 2-D and 3-D classes `kind`1d, 2d, 3d of `base`."""
    return tuple(type(f"{kind}{d}d", (base,), {
        "_d": d, "__module__": __name__,
        "__doc__": f"{doc} the last {('', 'two ', 'three ')[d - 1]}dim{'s' * (d > 1)}."})
        for d in (1, 2, 3))


class _ZeroPad:
    """Pads with zeros (a ConstantPad with value 0.0)."""

    def __init__(self, padding):
        _ConstantPadNd.__init__(self, padding, 0.0)

    extra_repr = _PadNd.extra_repr


ConstantPad1d, ConstantPad2d, ConstantPad3d = _classes("ConstantPad", _ConstantPadNd,
                                                       "Constant padding of")
ZeroPad1d, ZeroPad2d, ZeroPad3d = (
    type(f"ZeroPad{c._d}d", (_ZeroPad, c), {"__module__": __name__,
                                            "__doc__": c.__doc__.replace("Constant", "Zero")})
    for c in (ConstantPad1d, ConstantPad2d, ConstantPad3d))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _classes("ReflectionPad", _ReflectionPadNd,
                                                             "Reflection padding of")
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _classes(
    "ReplicationPad", _ReplicationPadNd, "Replication padding of")
CircularPad1d, CircularPad2d, CircularPad3d = _classes("CircularPad", _CircularPadNd,
                                                       "Circular padding of")
