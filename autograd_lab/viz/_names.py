"""Which variable names the user's tensors are bound to.

Looked up in IPython's user namespace when a shell is running, else in the caller's frames
(innermost first, skipping autograd_lab's and IPython's own). Tensors match by identity,
intermediates by the identity of their grad_fn, parameters of a bound `nn.Module` as
`model.weight`. Names starting with `_` (IPython's `_`, `_i3`, ...) are ignored.
"""
import sys

from .._tensor import Tensor

_SKIP = ("autograd_lab.", "IPython.", "ipykernel.", "traitlets.")
MAX_FRAMES = 50


class Names:
    """`tensor(t)` → name of t; `fn(node)` → (name, tensor) of the tensor node produced."""

    def __init__(self, namespaces):
        self._tensors, self._fns = {}, {}
        for ns in namespaces:
            for key, value in list(ns.items()):
                if not isinstance(key, str) or key.startswith("_"):
                    continue
                if isinstance(value, Tensor):
                    self._add(key, value)
                elif _is_module(value):
                    for pname, p in value.named_parameters():
                        self._add(f"{key}.{pname}", p)

    def _add(self, name, t):
        self._tensors.setdefault(id(t), (name, t))
        if t.grad_fn is not None:
            self._fns.setdefault(id(t.grad_fn), (name, t))

    def tensor(self, t):
        found = self._tensors.get(id(t))
        return found[0] if found is not None and found[1] is t else None

    def fn(self, node):
        found = self._fns.get(id(node))
        return found if found is not None and found[1].grad_fn is node else (None, None)


def _is_module(value):
    nn = sys.modules.get("autograd_lab.nn")
    return nn is not None and isinstance(value, nn.Module)


def lookup():
    """Names visible to the user right now."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        return Names([shell.user_ns])
    namespaces = []
    frame = sys._getframe(1)
    for _ in range(MAX_FRAMES):
        if frame is None:
            break
        module = frame.f_globals.get("__name__", "")
        if not (module + ".").startswith(_SKIP):
            for ns in (frame.f_locals, frame.f_globals):
                if not any(ns is seen for seen in namespaces):
                    namespaces.append(ns)
        frame = frame.f_back
    return Names(namespaces)


NO_NAMES = Names([])
