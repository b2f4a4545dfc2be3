"""`save` and `load`: tensors, state_dicts and plain containers to a file, and back.

The file format is autograd_lab's own: a header line, a pickle of the object in which every
tensor refers to a *storage* (the memory of the numpy array it views) by number, then the raw
bytes of each storage. Tensors that shared memory when saved (views, the same tensor twice)
share it again after loading. PyTorch's zip format is out of scope: files written by
`torch.save` are refused with an explanation, and PyTorch cannot read these files.
"""
import collections
import contextlib
import os
import pickle

import numpy as np

from . import _dtypes
from ._tensor import Device, Size, Tensor, _new

MAGIC = b"autograd_lab.save 1\n"
_ZIP = b"PK\x03\x04"

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.")
DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")  # never loaded, even when allowlisted


def _rebuild_tensor(storage, dtype, offset, shape, strides, requires_grad, parameter):
    """A tensor viewing `storage` (a uint8 array) as PyTorch's `_rebuild_tensor_v2` does."""
    t = _new(np.ndarray(shape, dtype.np, storage, offset, strides))
    if parameter:
        from .nn.parameter import Parameter
        return Parameter(t, requires_grad)
    t.requires_grad = requires_grad
    return t


_ALLOWED = {"collections.OrderedDict": collections.OrderedDict,
            "collections.Counter": collections.Counter,
            "builtins.complex": complex, "builtins.bytearray": bytearray, "builtins.set": set,
            f"{__name__}._rebuild_tensor": _rebuild_tensor,
            f"{Size.__module__}.Size": Size,
            f"{Device.__module__}.Device": Device}
_ALLOWED.update({f"{_dtypes.__name__}.{name}": d for name, d in vars(_dtypes).items()
                 if isinstance(d, _dtypes.dtype)})
_user_allowed = {}


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or (object, "module.name") pairs) in weights_only loads."""
    for g in safe_globals:
        obj, path = g if isinstance(g, tuple) else (g, f"{g.__module__}.{g.__qualname__}")
        _user_allowed[path] = obj


def get_safe_globals():
    """The objects added by `add_safe_globals`."""
    return list(_user_allowed.values())


def clear_safe_globals():
    """Forget the objects added by `add_safe_globals`."""
    _user_allowed.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Allow these globals in weights_only loads inside the `with` block."""
    saved = dict(_user_allowed)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_allowed.clear()
        _user_allowed.update(saved)


def _weights_only_error(message):
    """PyTorch's UnpicklingError for what a weights_only load refuses."""
    if "was not an allowed global by default" in message:
        text = ("Weights only load failed. This file can still be loaded, to do so you have two "
                "options, \033[1mdo those steps only if you trust the source of the "
                f"checkpoint\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load "
                "with `weights_only=True` please check the recommended steps in the following "
                "error message.\n\tWeightsUnpickler error: " + message)
    else:
        text = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
        if "is blocked" not in message:
            text += ("Please file an issue with the following so that we can make "
                     "`weights_only=True` compatible with your use case: WeightsUnpickler "
                     "error: ")
        text += "\n\n" + message
    return pickle.UnpicklingError(text + DOCS_MESSAGE)


class _Pickler(pickle.Pickler):
    """Pickles each tensor as a call to `_rebuild_tensor` on a numbered storage, and collects
    the storages (the arrays whose memory follows the pickle)."""

    def __init__(self, file):
        super().__init__(file, pickle.DEFAULT_PROTOCOL)
        self.storages = []
        self._numbers = {}  # id(storage array) -> its number

    def reducer_override(self, obj):
        if not isinstance(obj, Tensor):
            return NotImplemented
        a = root = obj._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not (root.flags.c_contiguous or root.flags.f_contiguous):
            a = root = np.ascontiguousarray(a)  # memory numpy did not allocate as one block
        number = self._numbers.get(id(root))
        if number is None:
            number = self._numbers[id(root)] = len(self.storages)
            self.storages.append(root)
        offset = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        parameter = False
        if type(obj) is not Tensor:
            from .nn.parameter import Parameter
            parameter = isinstance(obj, Parameter)
        return _rebuild_tensor, (_StorageRef(number, root.nbytes), obj.dtype, offset, a.shape,
                                 a.strides, obj.requires_grad, parameter)

    def persistent_id(self, obj):
        return ("storage", obj.number, obj.nbytes) if isinstance(obj, _StorageRef) else None


class _StorageRef:
    __slots__ = ("number", "nbytes")

    def __init__(self, number, nbytes):
        self.number, self.nbytes = number, nbytes


class _StorageLoader:
    """Gives each storage the pickle names an empty uint8 buffer, filled after unpickling."""

    def __init__(self, file):
        super().__init__(file)
        self.storages = {}  # number -> buffer

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 3 and pid[0] == "storage"
                and all(isinstance(n, int) and n >= 0 for n in pid[1:])):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        if pid[1] not in self.storages:
            self.storages[pid[1]] = np.empty(pid[2], np.uint8)
        return self.storages[pid[1]]


class _Unpickler(_StorageLoader, pickle.Unpickler):
    """weights_only=False: any object the pickle names."""


class _WeightsUnpickler(_StorageLoader, pickle._Unpickler):
    """weights_only=True: only tensors, containers, numbers, strings, dtypes, Size, device and
    `add_safe_globals` objects; BUILD (setting attributes on loaded objects) is refused."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def _refuse_build(self):
        raise _weights_only_error(f"Unsupported operand {pickle.BUILD[0]}")

    dispatch[pickle.BUILD[0]] = _refuse_build

    def find_class(self, module, name):
        path = f"{module}.{name}"
        if module in _BLOCKED_MODULES:
            raise _weights_only_error(f"Trying to load unsupported GLOBAL {path} whose module "
                                      f"{module} is blocked.")
        found = _ALLOWED.get(path, _user_allowed.get(path))
        if found is None:
            shown = name if module == "builtins" else path
            raise _weights_only_error(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
                f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
                f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist "
                f"this global if you trust this class/function.")
        return found


def _opened(f, mode):
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode)
    return contextlib.nullcontext(f)


def save(obj, f):
    """Save obj (tensors, `state_dict()`s of modules and optimizers, dicts, lists, tuples,
    numbers, strings, None; anything picklable) to a path or a binary file object.

    Tensors keep dtype, shape, strides, requires_grad (not .grad or history) and the memory
    they share with each other. The format is autograd_lab's own, not PyTorch's zip format.
    """
    with _opened(f, "wb") as file:
        file.write(MAGIC)
        pickler = _Pickler(file)
        pickler.dump(obj)
        for root in pickler.storages:
            file.write(root.reshape(-1, order="A").view(np.uint8).data)


def _check_cpu(map_location):
    if map_location is None or (isinstance(map_location, (str, Device))
                                and Device(map_location).type == "cpu"):
        return
    if isinstance(map_location, (str, Device)) and Device(map_location).type == "cuda":
        raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                           "torch.cuda.is_available() is False. If you are running on a "
                           "CPU-only machine, please use torch.load with "
                           "map_location=torch.device('cpu') to map your storages to the CPU.")
    raise ValueError(f"map_location must be None, 'cpu' or torch.device('cpu') (autograd_lab "
                     f"computes on the CPU), got {map_location!r}")


def _read_into(file, buffer):
    view = memoryview(buffer)
    while view.nbytes:
        n = file.readinto(view)
        if not n:
            raise EOFError("Ran out of input: the file ends inside its tensor data (truncated?)")
        view = view[n:]


def load(f, map_location=None, *, weights_only=True):
    """Load an object saved by `autograd_lab.save` from a path or a binary file object.

    weights_only=True (the default, as in PyTorch 2.6+) unpickles only tensors, containers
    (dict, OrderedDict, list, tuple, set), numbers, strings, None, dtypes, `torch.Size`,
    `torch.device` and what `serialization.add_safe_globals` allows: anything else raises
    `pickle.UnpicklingError` without running code. weights_only=False unpickles any object,
    which can execute arbitrary code: use it only for files from a source you trust.
    map_location: None, 'cpu' or torch.device('cpu'). Files written by `torch.save` (PyTorch's
    zip format) are refused.
    """
    _check_cpu(map_location)
    with _opened(f, "rb") as file:
        head = file.read(len(MAGIC))
        if head != MAGIC:
            if not head:
                raise EOFError("Ran out of input")
            what = ("a PyTorch checkpoint (torch.save's zip format)" if head.startswith(_ZIP)
                    else "not a file written by autograd_lab.save")
            raise pickle.UnpicklingError(
                f"{f if isinstance(f, (str, os.PathLike)) else 'the file'} is {what}: "
                f"autograd_lab.load reads only autograd_lab.save's own format. To bring PyTorch "
                f"tensors over, load them with PyTorch and convert each with "
                f"autograd_lab.from_numpy(t.numpy()).")
        unpickler = (_WeightsUnpickler if weights_only is not False else _Unpickler)(file)
        obj = unpickler.load()
        for number in sorted(unpickler.storages):
            _read_into(file, unpickler.storages[number])
    return obj
