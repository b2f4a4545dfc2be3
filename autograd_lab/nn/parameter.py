"""`nn.Parameter`: a tensor that a Module registers as one of its parameters."""
from .. import _factories
from .._tensor import Tensor, _init, _new


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and that Modules collect in `parameters()`.

    It shares memory with the tensor it wraps, as in PyTorch.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = _factories.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        _init(self, data._data, bool(requires_grad))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(_new(self._data.copy()), self.requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (Parameter, (_new(self._data), self.requires_grad))
