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


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with a constant."""

    _d = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with a constant."""

    _d = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with a constant."""

    _d = 3


class _ZeroPad:
    """Pads with zeros (a ConstantPad with value 0.0)."""

    def __init__(self, padding):
        _ConstantPadNd.__init__(self, padding, 0.0)

    extra_repr = _PadNd.extra_repr


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last dim with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last two dims with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last three dims with zeros."""


class ReflectionPad1d(_ReflectionPadNd):
    """Reflection padding of the last dim."""

    _d = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Reflection padding of the last two dims."""

    _d = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Reflection padding of the last three dims."""

    _d = 3


class ReplicationPad1d(_ReplicationPadNd):
    """Replication padding of the last dim."""

    _d = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Replication padding of the last two dims."""

    _d = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Replication padding of the last three dims."""

    _d = 3


class CircularPad1d(_CircularPadNd):
    """Circular padding of the last dim."""

    _d = 1


class CircularPad2d(_CircularPadNd):
    """Circular padding of the last two dims."""

    _d = 2


class CircularPad3d(_CircularPadNd):
    """Circular padding of the last three dims."""

    _d = 3
