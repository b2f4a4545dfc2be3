"""The Tensor: a numpy array plus what autograd needs (grad, requires_grad, grad_fn).

`t._data` is the numpy array; `t.data` is, as in PyTorch, a Tensor sharing it without history.
Operators and methods are thin calls into the op table (`_ops`); no graph logic lives here.
"""
import warnings

import numpy as np

from . import _dtypes
from . import _format
from ._node import _Handle, _Scope, _seq

_WARNED_SCALAR = []  # float(t)/int(t) of a tensor that requires grad warns once, as PyTorch

_new_object = object.__new__
_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.")


class Size(tuple):
    """A tensor's shape: a tuple that prints as `torch.Size([2, 3])`."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class Device:
    """Where a tensor lives (`torch.device`): autograd_lab computes with numpy, on the CPU."""

    __slots__ = ("type", "index")
    _TYPES = ("cpu", "cuda", "mps", "meta", "xpu")

    def __init__(self, type, index=None):
        if isinstance(type, Device):
            type, index = type.type, type.index
        name, _, number = str(type).partition(":")
        if name not in self._TYPES:
            raise RuntimeError(f"Expected one of {', '.join(self._TYPES)} device type at start "
                               f"of device string: {type}")
        self.type, self.index = name, int(number) if number else index

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return Device, (self.type, self.index)


CPU = Device("cpu")


def _require_cpu(where):
    """Moving to another device fails as in a PyTorch built without CUDA."""
    if Device(where).type != "cpu":
        raise AssertionError(f"Torch not compiled with CUDA enabled: autograd_lab computes with "
                             f"numpy on the CPU, so tensors stay on 'cpu' (asked for '{where}')")


class _VersionCounter:
    """How many times a tensor's memory was changed in place (shared with its views), and when
    (`_seq`) the last few changes came, which backward compares with a node's `_seq`."""

    __slots__ = ("version", "recent")
    KEEP = 16

    def __init__(self):
        self.version = 0
        self.recent = []

    def bump(self, epoch):
        self.version += 1
        self.recent.append(epoch)
        if len(self.recent) > self.KEEP:
            del self.recent[0]

    def changed_since(self, epoch):
        return bool(self.recent) and self.recent[-1] > epoch

    def version_at(self, epoch):
        """The version at `epoch` (exact while fewer than KEEP changes came after it)."""
        return self.version - sum(1 for e in self.recent if e > epoch)


def _comparison(ufunc_name):
    """A comparison operator: a bool tensor, or NotImplemented for operands it can't compare
    (Python then says False for ==, or raises TypeError for <)."""
    def method(self, other):
        if not isinstance(other, _COMPARABLE):
            return NotImplemented
        return _ops.compare(ufunc_name, self, other)
    method.__name__ = ufunc_name
    return method


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __slots__ = ("_data", "grad_fn", "_requires_grad", "_grad", "_vc", "_extra", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers to our reflected operators: np.float32(2) * t is ours

    def __init__(self, *args):
        """`Tensor(data)` (default float dtype) or `Tensor(d0, d1, ...)` (uninitialised)."""
        from ._factories import tensor, empty
        if len(args) == 1 and not isinstance(args[0], int):
            src = tensor(args[0], dtype=_dtypes.get_default_dtype())
        else:
            src = empty(*args)
        _init(self, src._data)

    # ---- the array and its metadata ------------------------------------------------------
    @property
    def data(self):
        """This tensor's values as a tensor without history (shares memory), as in PyTorch."""
        return _new(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    @property
    def requires_grad(self):
        """True if operations on this tensor are recorded for autograd."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, bool) and type(value).__name__ != "bool_":
            raise RuntimeError("requires_grad must be a bool")
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = bool(value)

    @property
    def grad(self):
        """The gradient accumulated by backward (None until then; non-leaves need retain_grad)."""
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value._data.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the "
                                   f"gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: "
                                   f"{value.dtype} vs {self.dtype}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or its length along `dim`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_ops.norm_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dtypes.of_array(self._data)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def device(self):
        return CPU

    @property
    def is_leaf(self):
        """True for tensors not made by a recorded op (their grad is kept)."""
        return self.grad_fn is None

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False  # no complex dtypes

    @property
    def name(self):
        """A label for the graph display (else the variable name it is bound to is used)."""
        return None if self._extra is None else self._extra.get("name")

    @name.setter
    def name(self, value):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"name must be a str or None, got {type(value).__name__}")
        self._extras()["name"] = value

    @property
    def _base(self):
        """The tensor this one is a view of (never itself a view), or None, as in PyTorch."""
        return None if self._extra is None else self._extra.get("base")

    @property
    def _version(self):
        """How many in-place ops changed this tensor's memory (shared with its views)."""
        return 0 if self._vc is None else self._vc.version

    def _extras(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    # ---- conversion --------------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               f"to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, force=False):
        """The numpy array (shared memory). Refused while the tensor requires grad."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        """`np.asarray(t)`: shares memory unless a copy is asked for; refused while t requires
        grad, like `numpy()`."""
        if self.requires_grad:
            self.numpy()  # raises PyTorch's error
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy and a is self._data else a

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous"
                               if self._data.size == 0 else
                               "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        """The value for float()/int(): PyTorch's error for several elements, and its warning
        (once) when the tensor requires grad."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad and not _WARNED_SCALAR:
            _WARNED_SCALAR.append(True)
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=3)
        return self.item()

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    def __repr__(self):
        return _format.tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        out = type(self).__new__(type(self))
        _init(out, self._data.copy(), self.requires_grad)
        if self._grad is not None:
            out._grad = _new(self._grad._data.copy())
        memo[id(self)] = out
        return out

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .viz import _display
        return _display.mimebundle(self, include, exclude)

    # ---- autograd ------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (see autograd.backward)."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor with the same values (shared memory) and no history."""
        out = _new(self._data)
        out._vc = self._shared_vc()
        return out

    def detach_(self):
        """Make this tensor a leaf that does not require grad."""
        if _ops.is_view_node(self.grad_fn):
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf."""
        if requires_grad and self._data.dtype.kind != "f":  # (PyTorch's wording, for the method)
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._extras()["retain"] = self._weak()

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and fn._extra is not None and "retain" in fn._extra \
            and fn._extra["retain"]() is self

    def register_hook(self, hook):
        """`hook(grad)` runs when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self if self.grad_fn is None else self.grad_fn
        return _Handle(owner._extras().setdefault("hooks", []), hook)

    def register_post_accumulate_grad_hook(self, hook):
        """`hook(tensor)` runs after backward accumulated into this leaf's `.grad` (e.g. to step
        an optimizer right there); it must return None."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        return _Handle(self._extras().setdefault("post_accumulate_hooks", []), hook)

    def _weak(self):
        import weakref
        return weakref.ref(self)

    def _shared_vc(self):
        """The version counter list, created on demand so that views can share it.

        Every in-place change, view and detach goes through here first, so a node whose rule
        reads its output learns here which counter to check (nothing is allocated per op)."""
        if self._vc is None:
            self._vc = _VersionCounter()
            fn = self.grad_fn
            if fn is not None and fn._uses_ans:
                fn._extras()["ans_vc"] = self._vc
        return self._vc

    def _bump_version(self):
        _Scope.epoch = next(_seq)
        self._shared_vc().bump(_Scope.epoch)

    # ---- in-place value changes (no history) -----------------------------------------------
    def zero_(self):
        return _ops.inplace_zero(self)

    def fill_(self, value):
        return _ops.inplace_fill(self, value)

    def copy_(self, src):
        return _ops.inplace_copy(self, src)

    # ---- dtype conversion --------------------------------------------------------------------
    def to(self, *args, dtype=None, copy=False, device=None, **kwargs):
        """`t.to(dtype)`, `t.to(device)`, `t.to(other)`; the only device is the CPU."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, Device)):
                device = a
            elif a is not None:
                dtype = a
        if device is not None:
            _require_cpu(device)
        if dtype is None or _dtypes.to_dtype(dtype).np == self._data.dtype:
            return self.clone() if copy else self
        return _ops.to_dtype(self, _dtypes.to_dtype(dtype))

    def type(self, dtype=None):
        """'torch.FloatTensor' (the legacy type name), or a copy as `dtype` (a dtype or name)."""
        if dtype is None:
            return f"torch.{self.dtype.legacy}Tensor"
        if isinstance(dtype, str):
            names = {f"torch.{d.legacy}Tensor": d for d in _dtypes.FROM_NP.values()}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = names[dtype]
        return self.to(dtype)

    def float(self):
        return self.to(_dtypes.float32)

    def double(self):
        return self.to(_dtypes.float64)

    def half(self):
        return self.to(_dtypes.float16)

    def long(self):
        return self.to(_dtypes.int64)

    def int(self):
        return self.to(_dtypes.int32)

    def bool(self):
        return self.to(_dtypes.bool_)

    def cpu(self):
        return self

    def cuda(self, device=None):
        _require_cpu("cuda" if device is None else device)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A tensor from data with this one's dtype (unless `dtype` is given)."""
        from ._factories import tensor
        return tensor(data, self.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(size, 0, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(size, 1, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(size, 0, dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new_filled((size,), fill_value, dtype, requires_grad)

    def _new_filled(self, size, value, dtype, requires_grad):
        """new_zeros/new_ones/new_full: this tensor's dtype unless another is given."""
        from ._factories import _filled
        return _filled(value, size, self.dtype if dtype is None else dtype, requires_grad)

    def equal(self, other):
        """True if other has the same shape and values."""
        from ._factories import equal
        return equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from ._factories import allclose
        return allclose(self, other, rtol, atol, equal_nan)

    def type_as(self, other):
        """This tensor in other's dtype."""
        return self.to(other.dtype)

    def contiguous(self, memory_format=None):
        """self if its memory is in row-major order, else a row-major copy (CloneBackward0)."""
        return _ops.contiguous(self)

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        """Bytes of the elements this tensor shows."""
        return self._data.nbytes

    def data_ptr(self):
        """The address of the first element."""
        return self._data.__array_interface__["data"][0]

    def storage_offset(self):
        """Where the first element is in the memory it shares with other tensors, in elements."""
        owner = self._data
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        return (self.data_ptr() - owner.__array_interface__["data"][0]) // self._data.itemsize

    def stride(self, dim=None):
        """Steps in elements between neighbours along each dim (numpy's strides / itemsize)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_ops.norm_dim(dim, self._data.ndim)]

    # ---- operators: thin calls into the op table ---------------------------------------------
    # __add__, __radd__, __sub__, __mul__, __rmul__, __truediv__: the op table's fast paths
    # themselves, bound below (one Python call less per operator on the hot path)

    def __rsub__(self, other):
        return _ops.rsub(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __pow__(self, other):
        return _ops.pow(self, other)

    def __rpow__(self, other):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __iadd__(self, other):
        return _ops.add_(self, other)

    def __isub__(self, other):
        return _ops.sub_(self, other)

    def __imul__(self, other):
        return _ops.mul_(self, other)

    def __itruediv__(self, other):
        return _ops.div_(self, other)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    def __setitem__(self, index, value):
        _ops.setitem(self, index, value)

    def __floordiv__(self, other):
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops.floor_divide(other, self)

    def __mod__(self, other):
        return _ops.remainder(self, other)

    def __rmod__(self, other):
        return _ops.remainder(other, self)

    __lt__ = _comparison("less")
    __le__ = _comparison("less_equal")
    __gt__ = _comparison("greater")
    __ge__ = _comparison("greater_equal")
    __eq__ = _comparison("equal")
    __ne__ = _comparison("not_equal")

    def __and__(self, other):
        return _ops.compare("logical_and" if self._data.dtype == bool else "bitwise_and", self, other)

    def __or__(self, other):
        return _ops.compare("logical_or" if self._data.dtype == bool else "bitwise_or", self, other)

    def __xor__(self, other):
        return _ops.compare("logical_xor" if self._data.dtype == bool else "bitwise_xor", self, other)

    def __invert__(self):
        return _ops.compare("logical_not" if self._data.dtype == bool else "invert", self)

    @property
    def T(self):
        return _ops.permute(self, *range(self._data.ndim - 1, -1, -1))

    @property
    def mT(self):
        return _ops.matrix_transpose(self, "Tensor.mT")

    @property
    def mH(self):
        return _ops.matrix_transpose(self, "Tensor.mH")

    @property
    def H(self):
        return _ops.matrix_transpose(self, "Tensor.H")


def _init(t, data, requires_grad=False):
    t._data = data
    t.grad_fn = None
    t._requires_grad = requires_grad
    t._grad = None
    t._vc = None
    t._extra = None


def _new(data):
    """A fresh tensor without history around a numpy array (the hot path: no checks)."""
    t = _new_object(Tensor)
    t._data = data
    t.grad_fn = None
    t._requires_grad = False
    t._grad = None
    t._vc = None
    t._extra = None
    return t


def _rebuild(data, requires_grad):
    t = _new(data)
    t._requires_grad = requires_grad
    return t


def is_tensor(obj):
    """True if obj is an autograd_lab Tensor."""
    return isinstance(obj, Tensor)


from . import _ops  # noqa: E402  (the op table needs Tensor defined first)
from . import autograd as _autograd  # noqa: E402  (and the engine needs the op table)

_COMPARABLE = (Tensor, np.ndarray) + _ops._SCALARS

# reflected add/mul take self first too, as PyTorch's next_functions show
Tensor.__add__ = Tensor.__radd__ = _ops._add
Tensor.__mul__ = Tensor.__rmul__ = _ops._mul
Tensor.__sub__, Tensor.__truediv__ = _ops._sub, _ops._div

for _name in _ops.METHODS:
    setattr(Tensor, _name, getattr(_ops, _name))
Tensor.where = _ops.where_  # x.where(condition, y): the method takes the condition second
